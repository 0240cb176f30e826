LIN      TITLE 'DMSLIN - LINEDIT: TYPE A LINE WITH VALUES PUT IN IT'
*
* LINEDIT copies the text, replacing each run of periods by the next
* value: D decimal (no leading zeros), H hexadecimal (one digit a
* period, the low-order ones), then types it, with a period at the end
* when asked (and the text does not end with one).
*
* Entered: by SVC 202, R1 -> CL8'LINEDIT',A(text),AL2(length),
*          AL1(values),C'.' or C' ' (the final period), then for each
*          value CL4'D' or CL4'H' and F value; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0.
*
         REGEQU
DMSLIN   CSECT
         USING NUCON,R0
         USING DMSLIN,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
         L     R3,8(,R9)
         LA    R3,0(,R3)                the text
         LH    R4,12(,R9)               its length
         SR    R5,R5
         IC    R5,14(,R9)               values left
         LA    R6,16(,R9)               the next value
         LA    R2,LINE
COPY     LTR   R4,R4
         BNP   ENDTEXT
         CLI   0(R3),C'.'
         BNE   PLAIN
         LTR   R5,R5
         BZ    PLAIN                    no value left: a period
         SR    R7,R7                    the run of periods
RUN      LTR   R4,R4
         BNP   PUTVALUE
         CLI   0(R3),C'.'
         BNE   PUTVALUE
         LA    R7,1(,R7)
         LA    R3,1(,R3)
         BCTR  R4,0
         B     RUN
PUTVALUE L     R0,4(,R6)
         CLI   0(R6),C'H'
         BE    HEX
         L     R15,=V(DMSCVDT)
         BALR  R14,R15
         B     NEXTVAL
HEX      CH    R7,=H'8'
         BNH   HEXLEN
         LA    R7,8
HEXLEN   LR    R1,R7
         L     R15,=V(DMSCVH)
         BALR  R14,R15
         AR    R2,R7
NEXTVAL  LA    R6,8(,R6)
         BCTR  R5,0
         B     COPY
PLAIN    MVC   0(1,R2),0(R3)
         LA    R2,1(,R2)
         LA    R3,1(,R3)
         BCTR  R4,0
         B     COPY
ENDTEXT  CLI   15(R9),C'.'
         BNE   SHOW
         BCTR  R2,0
         CLI   0(R2),C'.'
         LA    R2,1(,R2)
         BE    SHOW
         MVI   0(R2),C'.'
         LA    R2,1(,R2)
SHOW     LA    R3,LINE
         SR    R2,R3
         STH   R2,LINELEN
         LA    R1,TYPLIST
         SVC   202
         SR    R15,R15
         L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         DS    0F
TYPLIST  DC    CL8'TYPLIN',AL1(1),AL3(LINE),C'B',X'00'
LINELEN  DC    H'0'
LINE     DS    CL160
         LTORG
         NUCON
         END
