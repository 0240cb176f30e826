CRD      TITLE 'DMSCRD - READ A LINE FROM THE CONSOLE (WAITRD)'
*
* DMSCRD reads one line from the console at 009 with a read inquiry
* CCW (X'0A'), waiting for it in an enabled wait.  When the console
* has no line for it (a bare machine whose operator typed nothing:
* unit check, intervention required), it waits for an attention from
* the console (the REQUEST key) and reads again.  An attention that
* comes while no read is active is ignored: the line stays with CP
* (or the operator) until this read takes it.
*
* A line read from the console goes through DMSCRDTB, the input
* translate table SET INPUT changes (identity until then), before it
* is put in upper case; stacked lines are not translated.
*
* Entered: by SVC 202, R1 -> WAITRD parameter list:
*             DC CL8'WAITRD',AL1(1),AL3(buffer),C'code',AL3(0)
*          code U: pad with blanks to 130 and translate to upper case;
*          code S: pad with blanks; code V: upper case, no padding;
*          code T: as typed.  R12 entry, R13 save area, R14 return.
* Exits:   R15 = 0; R0 and the last three bytes of the list = the
*          number of bytes typed.  R15 = 8 when there is no console;
*          2 when the buffer is not the caller's storage (DMSSVTCK).
*
         REGEQU
DMSCRD   CSECT
         ENTRY DMSCRDTB
         USING NUCON,R0
         USING DMSCRD,R12
         STM   R14,R12,12(R13)
         LR    R9,R1                    the parameter list
         MVI   LINE,C' '
         MVC   LINE+1(L'LINE-1),LINE
         MVC   SAVECODE,12(R9)
         LA    R1,LINE                  a stacked line comes first
         L     R15,=V(DMSSTKPL)
         BALR  R14,R15
         LR    R3,R0
         LTR   R15,R15
         BZ    STACKED
READ     LH    R1,CONDEV
         LA    R2,CONCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         LTR   R15,R15
         BZ    GOTLINE
         CH    R15,=H'4'
         BNE   NOCONS
         L     R15,=V(DMSIOSAT)         nobody typed: wait for REQUEST
         BALR  R14,R15
         B     READ
NOCONS   ST    R15,16(,R13)
         SR    R0,R0
         B     RETURN
GOTLINE  MVC   SAVECODE,12(R9)
         LH    R3,CONCCW+6
         SH    R3,IOCSW+6               count less residual
         LTR   R4,R3
         BNP   STACKED
         BCTR  R4,0
         EX    R4,INTRANS               SET INPUT translation
STACKED  CLI   12(R9),C'U'
         BE    UPPER
         CLI   12(R9),C'V'
         BNE   MOVE
UPPER    TR    LINE,UPTABLE
MOVE     L     R2,8(,R9)
         LA    R2,0(,R2)                caller's buffer
         LR    R4,R3                    bytes to move
         CLI   12(R9),C'U'
         BE    PADDED
         CLI   12(R9),C'S'
         BNE   MOVELEN
PADDED   LA    R4,L'LINE
MOVELEN  LTR   R4,R4
         BZ    DONE
         STM   R2,R4,CHKREGS
         LR    R3,R4
         LA    R4,1                     the buffer is stored into
         L     R15,=V(DMSSVTCK)
         BALR  R14,R15
         LM    R2,R4,CHKREGS
         LTR   R15,R15
         BZ    MOVEOK
         ST    R15,16(,R13)             2: not the caller's storage
         SR    R0,R0
         B     RETURN
MOVEOK   DS    0H
         BCTR  R4,0
         EX    R4,MOVELINE
DONE     ST    R3,12(,R9)
         MVC   12(1,R9),SAVECODE
         XC    16(4,R13),16(R13)        R15 = 0
         LR    R0,R3
RETURN   L     R14,12(,R13)
         L     R15,16(,R13)
         LM    R1,R12,24(R13)
         BR    R14
MOVELINE MVC   0(0,R2),LINE
INTRANS  TR    LINE(0),DMSCRDTB
SAVECODE DS    C
         DS    0F
CHKREGS  DS    3F
         DS    0D
CONCCW   DC    X'0A',AL3(LINE),X'20',X'00',AL2(L'LINE)
LINE     DS    CL130
UPTABLE  DS    0CL256                   EBCDIC a-z to A-Z
         DC    X'000102030405060708090A0B0C0D0E0F'
         DC    X'101112131415161718191A1B1C1D1E1F'
         DC    X'202122232425262728292A2B2C2D2E2F'
         DC    X'303132333435363738393A3B3C3D3E3F'
         DC    X'404142434445464748494A4B4C4D4E4F'
         DC    X'505152535455565758595A5B5C5D5E5F'
         DC    X'606162636465666768696A6B6C6D6E6F'
         DC    X'707172737475767778797A7B7C7D7E7F'
         DC    X'80C1C2C3C4C5C6C7C8C98A8B8C8D8E8F'
         DC    X'90D1D2D3D4D5D6D7D8D99A9B9C9D9E9F'
         DC    X'A0A1E2E3E4E5E6E7E8E9AAABACADAEAF'
         DC    X'B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF'
         DC    X'C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF'
         DC    X'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF'
         DC    X'E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEF'
         DC    X'F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF'
DMSCRDTB DS    0CL256                   SET INPUT: typed byte to byte
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
