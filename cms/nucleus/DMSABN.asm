ABN      TITLE 'DMSABN - ABEND: MESSAGE AND RECOVERY TO COMMAND LEVEL'
*
* DMSABN ends a program that failed: it types
*    DMSABN148T SYSTEM ABEND xxx CALLED FROM addr     (system, hex)
*    DMSABN155T USER ABEND nnnn CALLED FROM addr      (user, decimal)
* forgets every SVC level, closes what the program had open, and goes
* back to the command loop (DMSINTAB), which types CMS and reads the
* next command.  The nucleus (key F storage) was never writable by the
* program, so nothing of it needs repair.
*
* Entered: by branch from DMSITP (program check) or DMSSVT (SVC 13 or
*          a bad SVC): R0 the abend code, R1 0 for a system abend or 1
*          for a user abend, R2 -> the PSW at the abend.
* Exits:   to DMSINTAB; never returns.
*
         REGEQU
DMSABN   CSECT
         USING NUCON,R0
         BALR  R12,0
         USING *,R12
         MVI   NUCMASK,0                no blip while it ends a program
         ST    R0,ABNCODE
         MVC   ABNPSW,0(R2)
         LR    R6,R1
         LA    R2,MSGBUF
         LTR   R6,R6
         BNZ   USER
         MVC   0(24,R2),=C'DMSABN148T SYSTEM ABEND '
         LA    R2,24(,R2)
         LA    R1,3
         L     R15,=V(DMSCVH)
         BALR  R14,R15
         LA    R2,3(,R2)
         B     FROM
USER     MVC   0(22,R2),=C'DMSABN155T USER ABEND '
         LA    R2,22(,R2)
         LA    R1,4
         L     R15,=V(DMSCVD)
         BALR  R14,R15
         LA    R2,4(,R2)
FROM     MVC   0(13,R2),=C' CALLED FROM '
         LA    R2,13(,R2)
         L     R0,ABNPSW+4
         LA    R1,6
         L     R15,=V(DMSCVH)
         BALR  R14,R15
         LA    R2,6(,R2)
         LA    R3,MSGBUF
         SR    R2,R3
         STH   R2,TYPLEN
         L     R15,=V(DMSSVTRS)         every SVC level is gone
         BALR  R14,R15
         LA    R1,TYPPLIST
         SVC   202
         L     R15,=V(DMSINTAB)
         BR    R15
         DS    0F
TYPPLIST DC    CL8'TYPLIN',AL1(1),AL3(MSGBUF-NUCON),C'B',X'00'
TYPLEN   DC    H'0'
         LTORG
         NUCON
         END
