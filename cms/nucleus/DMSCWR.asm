CWR      TITLE 'DMSCWR - TYPE A LINE ON THE CONSOLE (TYPLIN)'
*
* DMSCWR writes one line on the console (the 3215 or 1052 at 009) with
* a write-with-carrier-return CCW (X'09'), after dropping trailing
* blanks.  An empty line types one blank.  Lines over 130 bytes are
* cut at 130.  The line is typed from a copy translated by DMSCWRTB,
* the output translate table SET OUTPUT changes (identity until then).
*
* Entered: by SVC 202, R1 -> TYPLIN parameter list:
*             DC CL8'TYPLIN',AL1(1),AL3(line),C'B',X'flags',AL2(length)
*          R12 entry, R13 save area, R14 return.
* Exits:   R15 = 0, or the DMSIOS return code when the console failed.
*
         REGEQU
DMSCWR   CSECT
         ENTRY DMSCWRTB
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
WRITE    BCTR  R3,0
         EX    R3,COPYLINE
         EX    R3,OUTTRANS              SET OUTPUT translation
         LA    R3,1(,R3)
         LA    R2,OUTLINE
         ST    R2,CONCCW
         MVI   CONCCW,X'09'             write, carrier return
         STH   R3,CONCCW+6
         LH    R1,CONDEV
         LA    R2,CONCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
QUIET    L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
COPYLINE MVC   OUTLINE(0),0(R2)
OUTTRANS TR    OUTLINE(0),DMSCWRTB
         DS    0D
CONCCW   DC    X'09',AL3(0),X'20',X'00',H'0'
OUTLINE  DS    CL130
DMSCWRTB DS    0CL256                   SET OUTPUT: byte to byte typed
         DC    X'000102030405060708090A0B0C0D0E0F'
         DC    X'101112131415161718191A1B1C1D1E1F'
         DC    X'202122232425262728292A2B2C2D2E2F'
         DC    X'303132333435363738393A3B3C3D3E3F'
         DC    X'404142434445464748494A4B4C4D4E4F'
         DC    X'505152535455565758595A5B5C5D5E5F'
         DC    X'606162636465666768696A6B6C6D6E6F'
         DC    X'707172737475767778797A7B7C7D7E7F'
         DC    X'808182838485868788898A8B8C8D8E8F'
         DC    X'909192939495969798999A9B9C9D9E9F'
         DC    X'A0A1A2A3A4A5A6A7A8A9AAABACADAEAF'
         DC    X'B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF'
         DC    X'C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF'
         DC    X'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF'
         DC    X'E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEF'
         DC    X'F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF'
         LTORG
         NUCON
         END
