QRY      TITLE 'DMSQRY - QUERY AND SET: SHOW AND CHANGE CMS SETTINGS'
*
* QUERY SEARCH        a line for each accessed disk, in mode order:
*                     label, device, mode, R/W or R/O
* QUERY DISK [mode|*] mode (cuu): n FILES; u REC IN USE, l LEFT (OF t),
*                     p% FULL (c CYL), type, R/W or R/O
* QUERY IMPCP         IMPCP = ON or OFF
* QUERY IMPEX         IMPEX = ON or OFF
* QUERY RDYMSG        RDYMSG = LMSG or SMSG
* SET IMPCP ON|OFF    whether a command CMS does not know goes to CP
* SET IMPEX ON|OFF    whether a word typed runs 'word EXEC' (implied
*                     EXEC)
* SET RDYMSG LMSG|SMSG  the ready message with or without the times
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 no function (DMSQRY047E), an unknown function
*          (DMSQRY014E) or parameter (DMSQRY070E); 36 a mode not
*          accessed (DMSQRY069E).  SET's messages are DMSSETnnnE.
*
         REGEQU
         MFDD
         ADTD
DMSQRY   CSECT
         ENTRY DMSSET
         USING NUCON,R0
         USING DMSQRY,R12
         USING ADTD,R10
         STM   R14,R12,12(R13)
         LR    R9,R1
         MVC   MSGQ047(6),=C'DMSQRY'    the messages are QUERY's
         MVC   MSGQ014(6),=C'DMSQRY'
         MVC   MSGQ070(6),=C'DMSQRY'
         CLI   8(R9),X'FF'
         BE    NOFUNC
         CLC   8(8,R9),=CL8'SEARCH'
         BE    QSEARCH
         CLC   8(8,R9),=CL8'DISK'
         BE    QDISK
         CLC   8(8,R9),=CL8'IMPCP'
         BE    QIMPCP
         CLC   8(8,R9),=CL8'RDYMSG'
         BE    QRDYMSG
         CLC   8(8,R9),=CL8'IMPEX'
         BE    QIMPEX
         B     BADFUNC
QIMPEX   MVC   LINE(8),=C'IMPEX = '
         MVC   LINE+8(3),=C'ON '
         TM    OPTFLAGS,NOIMPEX
         BZ    QSHOW3
         MVC   LINE+8(3),=C'OFF'
         B     QSHOW3
QIMPCP   MVC   LINE(8),=C'IMPCP = '
         MVC   LINE+8(3),=C'ON '
         TM    OPTFLAGS,NOIMPCP
         BZ    QSHOW3
         MVC   LINE+8(3),=C'OFF'
QSHOW3   LA    R2,LINE+11
         B     SHOWEND
QRDYMSG  MVC   LINE(9),=C'RDYMSG = '
         MVC   LINE+9(4),=C'LMSG'
         TM    OPTFLAGS,NORDYTIM
         BZ    QSHOW4
         MVC   LINE+9(4),=C'SMSG'
QSHOW4   LA    R2,LINE+13
         B     SHOWEND
*
* QUERY SEARCH
*
QSEARCH  LA    R5,ALPHABET
         LA    R6,26
SRCHMODE BAL   R14,FINDADT
         LTR   R10,R10
         BZ    SRCHNEXT
         MVC   LINE,=CL80' '
         MVC   LINE(6),ADTLABEL
         LH    R0,ADTDEV
         LA    R1,3
         LA    R2,LINE+7
         L     R15,=V(DMSCVH)
         BALR  R14,R15
         MVC   LINE+12(1),0(R5)
         BAL   R14,RWRO
         MVC   LINE+15(3),0(R3)
         LA    R2,LINE+18
         BAL   R14,SHOW
SRCHNEXT LA    R5,1(,R5)
         BCT   R6,SRCHMODE
         B     DONE
*
* QUERY DISK [mode|*]
*
QDISK    LA    R5,=C'A'
         CLI   16(R9),X'FF'
         BE    QDISKONE
         LA    R5,16(,R9)
         CLI   16(R9),C'*'
         BE    QDISKALL
QDISKONE BAL   R14,FINDADT
         LTR   R10,R10
         BZ    NOTACC
         BAL   R14,DISKLINE
         B     DONE
QDISKALL LA    R5,ALPHABET
         LA    R6,26
QALLLOOP BAL   R14,FINDADT
         LTR   R10,R10
         BZ    QALLNEXT
         BAL   R14,DISKLINE
QALLNEXT LA    R5,1(,R5)
         BCT   R6,QALLLOOP
         B     DONE
*
* DISKLINE: the QUERY DISK line of the disk R10 (mode at 0(R5)).
*
DISKLINE ST    R14,LINERET
         MVC   PATTERN(16),=CL16'*'
         MVC   PATTERN+8(8),=CL8'*'
         MVC   PATTERN+16(1),0(R5)
         MVI   PATTERN+17,C' '
         SR    R7,R7                    files
         SR    R0,R0
COUNTF   LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   COUNTED
         LA    R7,1(,R7)
         LA    R0,1
         B     COUNTF
COUNTED  MVC   LINE,=CL80' '
         MVC   LINE(1),0(R5)
         MVC   LINE+1(2),=C' ('
         LH    R0,ADTDEV
         LA    R1,3
         LA    R2,LINE+3
         L     R15,=V(DMSCVH)
         BALR  R14,R15
         MVC   LINE+6(3),=C'): '
         LA    R2,LINE+9
         LR    R0,R7
         BAL   R14,DECIMAL
         MVC   0(8,R2),=C' FILES; '
         LA    R2,8(,R2)
         L     R0,ADTMFD+MFDUSED-MFDD
         BAL   R14,DECIMAL
         MVC   0(13,R2),=C' REC IN USE, '
         LA    R2,13(,R2)
         L     R0,ADTMFD+MFDLEFT-MFDD
         BAL   R14,DECIMAL
         MVC   0(10,R2),=C' LEFT (OF '
         LA    R2,10(,R2)
         L     R0,ADTMFD+MFDNUM-MFDD
         BAL   R14,DECIMAL
         MVC   0(3,R2),=C'), '
         LA    R2,3(,R2)
         L     R1,ADTMFD+MFDUSED-MFDD
         M     R0,=F'100'
         D     R0,ADTMFD+MFDNUM-MFDD
         LR    R0,R1
         BAL   R14,DECIMAL
         MVC   0(8,R2),=C'% FULL ('
         LA    R2,8(,R2)
         L     R0,ADTMFD+MFDCYL-MFDD
         BAL   R14,DECIMAL
         MVC   0(7,R2),=C' CYL), '
         LA    R2,7(,R2)
         MVC   0(4,R2),=C'2314'
         CLI   ADTMFD+MFDDTYPE-MFDD,X'08'
         BE    DISKTYPE
         MVC   0(4,R2),=C'2311'
DISKTYPE MVC   4(2,R2),=C', '
         LA    R2,6(,R2)
         BAL   R14,RWRO
         MVC   0(3,R2),0(R3)
         LA    R2,3(,R2)
         BAL   R14,SHOW
         L     R14,LINERET
         BR    R14
*
* SET IMPCP ON|OFF, SET RDYMSG LMSG|SMSG
*
         DROP  R12
         USING DMSSET,R12
DMSSET   STM   R14,R12,12(R13)
         L     R12,=A(DMSQRY)
         DROP  R12
         USING DMSQRY,R12
         LR    R9,R1
         MVC   MSGQ047(6),=C'DMSSET'
         MVC   MSGQ014(6),=C'DMSSET'
         MVC   MSGQ070(6),=C'DMSSET'
         CLI   8(R9),X'FF'
         BE    NOFUNC
         CLC   8(8,R9),=CL8'IMPCP'
         BE    SIMPCP
         CLC   8(8,R9),=CL8'RDYMSG'
         BE    SRDYMSG
         CLC   8(8,R9),=CL8'IMPEX'
         BE    SIMPEX
         B     BADFUNC
SIMPEX   CLC   16(8,R9),=CL8'ON'
         BNE   SIMPXOFF
         NI    OPTFLAGS,255-NOIMPEX
         B     DONE
SIMPXOFF CLC   16(8,R9),=CL8'OFF'
         BNE   BADPARM
         OI    OPTFLAGS,NOIMPEX
         B     DONE
SIMPCP   CLC   16(8,R9),=CL8'ON'
         BNE   SIMPOFF
         NI    OPTFLAGS,255-NOIMPCP
         B     DONE
SIMPOFF  CLC   16(8,R9),=CL8'OFF'
         BNE   BADPARM
         OI    OPTFLAGS,NOIMPCP
         B     DONE
SRDYMSG  CLC   16(8,R9),=CL8'LMSG'
         BNE   SRDYS
         NI    OPTFLAGS,255-NORDYTIM
         B     DONE
SRDYS    CLC   16(8,R9),=CL8'SMSG'
         BNE   BADPARM
         OI    OPTFLAGS,NORDYTIM
         B     DONE
*
* Shared ends.
*
SHOWEND  BAL   R14,SHOW
DONE     SR    R15,R15
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
NOFUNC   LA    R1,MSGQ047
         SR    R4,R4
         LA    R5,24
         B     MESSAGE
BADFUNC  LA    R1,MSGQ014
         LA    R3,8(,R9)
         LA    R4,8
         LA    R5,24
         B     MESSAGE
BADPARM  LA    R1,MSGQ070
         LA    R3,16(,R9)
         LA    R4,8
         LA    R5,24
         CLI   16(R9),X'FF'
         BNE   MESSAGE
         SR    R4,R4
         B     MESSAGE
NOTACC   LA    R1,MSGQ069
         LR    R3,R5
         LA    R4,1
         LA    R5,36
MESSAGE  SR    R2,R2
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LR    R15,R5
         B     RETURN
*
* FINDADT: R10 = the ADT of mode 0(R5), or 0.  RWRO: R3 -> R/W or
* R/O for the disk R10.  DECIMAL: R0 at R2, R2 moved past it.  SHOW:
* type LINE up to R2.
*
FINDADT  L     R10,=V(DMSADT)
         LA    R2,ADTMAX
FINDLOOP CLC   ADTMODE,0(R5)
         BER   R14
         LA    R10,ADTDLEN(,R10)
         BCT   R2,FINDLOOP
         SR    R10,R10
         BR    R14
RWRO     LA    R3,=C'R/O'
         TM    ADTFLAGS,ADTRW
         BZR   R14
         LA    R3,=C'R/W'
         BR    R14
DECIMAL  ST    R14,DECRET
         L     R15,=V(DMSCVDT)
         BALR  R14,R15
         L     R14,DECRET
         BR    R14
SHOW     LA    R3,LINE
         SR    R2,R3
         STH   R2,LINELEN
         LA    R1,TYPLIST
         SVC   202
         BR    R14
         DS    0F
LINERET  DS    F
DECRET   DS    F
PATTERN  DS    CL18
ALPHABET DC    C'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
         DS    0F
TYPLIST  DC    CL8'TYPLIN',AL1(1),AL3(LINE),C'B',X'00'
LINELEN  DC    H'0'
LINE     DC    CL80' '
MSGQ047  MSGDESC DMSQRY047E,'NO FUNCTION SPECIFIED'
MSGQ014  MSGDESC DMSQRY014E,'INVALID FUNCTION'
MSGQ070  MSGDESC DMSQRY070E,'INVALID PARAMETER'
MSGQ069  MSGDESC DMSQRY069E,'DISK','NOT ACCESSED'
         LTORG
         NUCON
         END
