CWR      TITLE 'DMSCWR - TYPE A LINE ON THE CONSOLE (TYPLIN)'
*
* DMSCWR writes one line on the console (the 3215 or 1052 at 009) with
* a write-with-carrier-return CCW (X'09'), after dropping trailing
* blanks.  An empty line types one blank.  Lines over 130 bytes are
* cut at 130.
*
* Entered: by SVC 202, R1 -> TYPLIN parameter list:
*             DC CL8'TYPLIN',AL1(1),AL3(line),C'B',X'flags',AL2(length)
*          R12 entry, R13 save area, R14 return.
* Exits:   R15 = 0, or the DMSIOS return code when the console failed.
*
         REGEQU
DMSCWR   CSECT
         USING NUCON,R0
         USING DMSCWR,R12
         STM   R14,R12,12(R13)
         L     R2,8(,R1)
         LA    R2,0(,R2)                line address
         LH    R3,14(,R1)               its length
         TM    EXFLAGS,EXNOMSG          &CONTROL NOMSG: no DMS messages
         BZ    LENGTH
         CLC   0(3,R2),=C'DMS'
         BNE   LENGTH
         SR    R15,R15
         B     QUIET
LENGTH   DS    0H
         CH    R3,=H'130'
         BNH   TRIM
         LA    R3,130
TRIM     LTR   R3,R3
         BNP   BLANK
         LA    R4,0(R3,R2)
         BCTR  R4,0                     last byte
         CLI   0(R4),C' '
         BNE   WRITE
         BCTR  R3,0
         B     TRIM
BLANK    LA    R2,=C' '
         LA    R3,1
WRITE    ST    R2,CONCCW
         MVI   CONCCW,X'09'             write, carrier return
         STH   R3,CONCCW+6
         LH    R1,CONDEV
         LA    R2,CONCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
QUIET    L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         DS    0D
CONCCW   DC    X'09',AL3(0),X'20',X'00',H'0'
         LTORG
         NUCON
         END
