CVH      TITLE 'DMSCVH - HEXADECIMAL, DECIMAL AND TEXT FOR MESSAGES'
*
* DMSCVH turns a binary word into printable digits for messages.
*
* Entered: DMSCVH  hexadecimal: R0 value, R1 digits wanted (1-8, the
*                  low-order ones), R2 where to put them;
*          DMSCVD  decimal: R0 value (not negative), R1 digits wanted
*                  (1-10, leading zeros kept), R2 where to put them;
*          DMSCVDT decimal without leading zeros, appended: R0 value
*                  (not negative), R2 where; R2 comes back past it;
*          DMSAPP  append to a message: R2 where, R3 the text, R4 its
*                  length; trailing blanks of the text are left out
*                  and R2 comes back past what was moved;
*          R14 return, R15 entry address.
* Exits:   the digits stored; every register unchanged.
*
         REGEQU
DMSCVH   CSECT
         ENTRY DMSCVD,DMSAPP,DMSCVDT
         USING DMSCVH,R15
         STM   R0,R5,CVHSAVE
         LA    R4,8
         SR    R4,R1                    digits to drop on the left
         SLL   R4,2
         SLL   R0,0(R4)                 wanted digits now leftmost
HEXLOOP  LR    R5,R0
         SRL   R5,28                    the leftmost digit
         IC    R5,HEXDIGIT(R5)
         STC   R5,0(,R2)
         SLL   R0,4
         LA    R2,1(,R2)
         BCT   R1,HEXLOOP
         LM    R0,R5,CVHSAVE
         BR    R14
         DROP  R15
         USING DMSCVD,R15
DMSCVD   STM   R0,R5,CVDSAVE
         CVD   R0,CVDWORK
         UNPK  CVDTEXT,CVDWORK          16 digits
         OI    CVDTEXT+15,X'F0'         the sign nibble made a digit
         LA    R4,CVDTEXT+16
         SR    R4,R1
         BCTR  R1,0
         EX    R1,CVDMOVE
         LM    R0,R5,CVDSAVE
         BR    R14
CVDMOVE  MVC   0(0,R2),0(R4)
         DROP  R15
         USING DMSAPP,R15
DMSAPP   STM   R3,R5,APPSAVE
APPTRIM  LTR   R4,R4
         BNP   APPDONE
         LA    R5,0(R3,R4)
         BCTR  R5,0
         CLI   0(R5),C' '
         BNE   APPMOVE
         BCTR  R4,0
         B     APPTRIM
APPMOVE  BCTR  R4,0
         EX    R4,APPMVC
         LA    R2,1(R4,R2)
APPDONE  LM    R3,R5,APPSAVE
         BR    R14
APPMVC   MVC   0(0,R2),0(R3)
         DROP  R15
         USING DMSCVDT,R15
DMSCVDT  STM   R3,R5,CVTSAVE
         CVD   R0,CVTWORK
         UNPK  CVTTEXT,CVTWORK          16 digits
         OI    CVTTEXT+15,X'F0'
         LA    R3,CVTTEXT
         LA    R4,15                    keep at least one digit
CVTSKIP  CLI   0(R3),C'0'
         BNE   CVTMOVE
         LA    R3,1(,R3)
         BCT   R4,CVTSKIP
CVTMOVE  EX    R4,CVTMVC
         LA    R2,1(R4,R2)
         LM    R3,R5,CVTSAVE
         BR    R14
CVTMVC   MVC   0(0,R2),0(R3)
         DS    0D
CVTWORK  DS    D
CVTSAVE  DS    3F
CVTTEXT  DS    CL16
         DS    0D
CVDWORK  DS    D
CVHSAVE  DS    6F
CVDSAVE  DS    6F
APPSAVE  DS    3F
CVDTEXT  DS    CL16
HEXDIGIT DC    C'0123456789ABCDEF'
         END
