*---------------------------------------------------------------------
* WALK: lab 5 (docs/labs/05-paging.md).
*
* A program that walks its storage: PASSES times over a working set
* of PAGES pages from X'10000' up, it stores a word in each page (so
* every page it touches is changed and must be written out before its
* frame can be given to another page).  Assemble it with --sysparm N
* for a working set of N pages (1-48; 16 without --sysparm).
*
*   vm370 asm decks/labs/walk.asm -o walk.obj --sysparm 8
*   vm370 bare --load-deck walk.obj@2000 --psw 0000000000002000 --json
*   ... then with --under-cp, and --under-cp --real-storage 128K
*---------------------------------------------------------------------
WALK     START X'2000'
         BALR  12,0
         USING *,12
         L     5,PASSES
PASS     L     3,PAGES              one pass over the working set
         L     4,=A(X'10000')       its first page
TOUCH    ST    5,0(4)               a store: the page is changed
         A     4,=A(4096)           the next page
         BCT   3,TOUCH
         BCT   5,PASS
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'000200000000AA11'  disabled wait
PASSES   DC    F'20'
         AIF   ('&SYSPARM' EQ '').DEFAULT
PAGES    DC    F'&SYSPARM'
         AGO   .DONE
.DEFAULT ANOP
PAGES    DC    F'16'
.DONE    ANOP
         LTORG
         END   WALK
