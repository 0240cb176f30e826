*---------------------------------------------------------------------
* PURGE: lab 6 (docs/labs/06-shadow-tables.md).
*
* A virtual 360/67 with its own translation on (started with an EC PSW,
* translation bit on, CR0 at its segment table, X'3000').  Its table
* maps its first 64K one to one.  It makes PASSES passes over four
* pages, X'8000' to X'B000', storing a word in each.  Assembled with
* --sysparm PURGE it also loads its CR0 again at every pass (LMC), the
* Model 67's way to purge the associative array after it has changed
* its tables: under CP, each purge throws the shadow tables away.
*
*   vm370 lab run 6     (both forms, bare and under CP, with costs)
*   vm370 asm decks/labs/purge.asm -o purge.obj --sysparm PURGE
*   vm370 bare --load-deck purge.obj@2000 --ec --cr 0=00003000 \
*        --psw 0400000000002000 --json
*---------------------------------------------------------------------
PURGE    START X'2000'
         BALR  12,0
         USING *,12
         L     5,PASSES
PASS     DS    0H
         AIF   ('&SYSPARM' NE 'PURGE').NOPURGE
         LMC   0,0,CR0              purge: as after a change of table
.NOPURGE ANOP
         LA    3,4                  four pages
         L     4,=A(X'8000')
TOUCH    ST    5,0(4)
         A     4,=A(4096)
         BCT   3,TOUCH
         BCT   5,PASS
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'0002000000000006'  EC PSW: disabled wait
PASSES   DC    F'50'
CR0      DC    A(X'3000')           the segment table, 16 entries
         LTORG
         ORG   PURGE+X'1000'
SEGTABLE DC    X'0F003040'          X'3000': 16 pages at X'3040'
         DC    15X'00000001'        segments 1-15 invalid
PAGETAB  DC    X'0000001000200030004000500060007000800090'
         DC    X'00A000B000C000D000E000F0'
         END   PURGE
