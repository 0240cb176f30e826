*---------------------------------------------------------------------
* SHADOW: lab 1, exercise 2 (docs/labs/01-trap-and-emulate.md).
*
* A program for a 360/67 that starts with its own translation on: its
* segment table is at X'3000', its page table at X'3040', and they map
* its 64K one to one except virtual page X'8000', which is real page
* X'5000'.  Under CP these "real" addresses are the guest's, and CP
* runs the guest on shadow tables: virtual address to real frame.
*
*   vm370 asm decks/labs/shadow.asm -o shadow.obj
*   vm370 bare --load-deck shadow.obj@2000 --ec --cr 0=00003000 \
*        --psw 0400000000002000 --dump 5000:8 --dump 8000:8 --json
*   ... the same with --under-cp
*---------------------------------------------------------------------
SHADOW   START X'2000'
         BALR  12,0
         USING *,12
         L     2,=A(X'8000')
         L     6,=A(X'5000')
         MVC   0(8,2),TEXT          through the table: lands at X'5000'
         LRA   3,0(2)               privileged: R3 = real X'5000'
         SSM   MASK0                translation off (EC PSW bits 0-7)
         L     4,0(2)               real X'8000': untouched, zero
         L     5,0(6)               real X'5000': the text
         LPSW  WAITPSW
         DS    0D
WAITPSW  DC    X'00020000000000DA'  EC PSW: wait, no masks
TEXT     DC    C'SHADOWED'
MASK0    DC    X'00'
         LTORG
         ORG   SHADOW+X'1000'
SEGTABLE DC    X'0F003040'          X'3000': 16 pages at X'3040'
         DC    15X'00000001'        segments 1-15 invalid
PAGETAB  DC    X'0000001000200030004000500060007000500090'
         DC    X'00A000B000C000D000E000F0'
         END   SHADOW
