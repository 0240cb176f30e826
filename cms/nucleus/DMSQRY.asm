QRY      TITLE 'DMSQRY - QUERY AND SET: SHOW AND CHANGE CMS SETTINGS'
*
* QUERY SEARCH        a line for each accessed disk, in mode order:
*                     label, device, mode, R/W or R/O
* QUERY DISK [mode|*] mode (cuu): n FILES; u REC IN USE, l LEFT (OF t),
*                     p% FULL (c CYL), type, R/W or R/O
* QUERY BLIP          BLIP     = ON (the default string), OFF, or
*                     the string SET BLIP gave
* QUERY IMPCP         IMPCP = ON or OFF
* QUERY IMPEX         IMPEX = ON or OFF
* QUERY RDYMSG        RDYMSG = LMSG or SMSG
* QUERY MACLIB|TXTLIB the GLOBAL libraries (DMSQLB in DMSASM)
* QUERY INPUT         a line 'INPUT    = c xx' for each character c
*                     SET INPUT translates (xx: what it becomes, hex)
* QUERY OUTPUT        a line 'OUTPUT   = xx c' for each byte xx SET
*                     OUTPUT translates to the character c
* SET BLIP ON|OFF     the blip DMSITE types every 2 seconds while a
* SET BLIP c [( n [)]]  command runs: the default, none, or up to 8
*                     characters c (the first n of them)
* SET IMPCP ON|OFF    whether a command CMS does not know goes to CP
* SET IMPEX ON|OFF    whether a word typed runs 'word EXEC' (implied
*                     EXEC)
* SET INPUT c xx      a typed character c (or hex xx) becomes X'xx';
* SET INPUT           without operands: no input translation
* SET OUTPUT xx c     X'xx' in a typed line becomes the character c;
* SET OUTPUT          without operands: no output translation
*                     (the tables are DMSCRDTB and DMSCWRTB: all 256
*                     bytes may be translated, as in VM/370)
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
         CLC   8(8,R9),=CL8'BLIP'
         BE    QBLIP
         CLC   8(8,R9),=CL8'SEARCH'
         BE    QSEARCH
         CLC   8(8,R9),=CL8'MACLIB'
         BE    QLIBS
         CLC   8(8,R9),=CL8'TXTLIB'
         BE    QLIBS
         CLC   8(8,R9),=CL8'DISK'
         BE    QDISK
         CLC   8(8,R9),=CL8'IMPCP'
         BE    QIMPCP
         CLC   8(8,R9),=CL8'RDYMSG'
         BE    QRDYMSG
         CLC   8(8,R9),=CL8'IMPEX'
         BE    QIMPEX
         CLC   8(8,R9),=CL8'INPUT'
         BE    QINPUT
         CLC   8(8,R9),=CL8'OUTPUT'
         BE    QOUTPUT
         B     BADFUNC
QLIBS    L     R15,=V(DMSQLB)           GLOBAL's lists: DMSASM types
         BR    R15                      them and returns for QUERY
*
* QUERY INPUT, QUERY OUTPUT: the bytes whose table entry is not the
* byte itself, the option's name on the first line only (VM/370's
* format); with none, a line saying no table is in use.
*
QINPUT   L     R6,=V(DMSCRDTB)
         MVC   OPTNAME,=CL8'INPUT'
         B     QTRANS
QOUTPUT  L     R6,=V(DMSCWRTB)
         MVC   OPTNAME,=CL8'OUTPUT'
QTRANS   SR    R7,R7                    the byte
         SR    R8,R8                    lines typed
QTRLOOP  SR    R0,R0
         IC    R0,0(R7,R6)
         CR    R0,R7
         BE    QTRNEXT
         MVC   LINE,=CL80' '
         MVC   LINE(8),OPTNAME
         MVC   LINE+8(3),=C' = '
         CLI   OPTNAME,C'O'
         BE    QTROUT
         STC   R7,LINE+11               INPUT = c xx
         LA    R2,LINE+13
         BAL   R14,HEXBYTE
         B     QTRSHOW
QTROUT   STC   R0,LINE+14               OUTPUT = xx c
         LR    R0,R7
         LA    R2,LINE+11
         BAL   R14,HEXBYTE
QTRSHOW  LA    R2,LINE+15
         BAL   R14,SHOW
         MVC   OPTNAME,=CL8' '
         LA    R8,1(,R8)
QTRNEXT  LA    R7,1(,R7)
         CH    R7,=H'256'
         BL    QTRLOOP
         LTR   R8,R8
         BNZ   DONE
         MVC   LINE,=CL80' '
         MVC   LINE(L'NOINTAB),NOINTAB
         LA    R2,LINE+L'NOINTAB
         CLI   OPTNAME,C'O'
         BNE   SHOWEND
         MVC   LINE(L'NOOUTTAB),NOOUTTAB
         LA    R2,LINE+L'NOOUTTAB
         B     SHOWEND
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
* QUERY BLIP, SET BLIP: the blip string is DMSITE's (DMSITEBL: state
* 0 OFF, 1 ON, 2 a string; the number of characters; 8 characters;
* then the default, which SET BLIP ON copies).  SET BLIP's operands
* and messages are VM/370's (DMSSET): ON and OFF take nothing after
* them; a string (cut at 8) may be followed by ( n ) to type only its
* first n characters, n a digit 1-8 (more than the string has types
* blanks after it).  The new state is stored by one MVC, so a blip
* never sees half of it.
*
QBLIP    L     R6,=V(DMSITEBL)
         MVC   LINE(11),=C'BLIP     = '
         MVC   LINE+11(3),=C'OFF'
         LA    R2,LINE+14
         CLI   0(R6),0
         BE    SHOWEND
         MVC   LINE+11(2),=C'ON'
         LA    R2,LINE+13
         CLI   0(R6),1
         BE    SHOWEND
         SR    R3,R3
         IC    R3,1(,R6)
         BCTR  R3,0
         EX    R3,QBLIPMVC
         LA    R2,LINE+12(R3)
         B     SHOWEND
QBLIPMVC MVC   LINE+11(0),2(R6)
SBLIP    L     R6,=V(DMSITEBL)
         LA    R3,16(,R9)
         CLI   0(R3),X'FF'
         BE    SBLIPMIS
         CLC   0(8,R3),=CL8'ON'
         BE    SBLIPON
         CLC   0(8,R3),=CL8'OFF'
         BE    SBLIPOFF
         LA    R3,24(,R9)
         CLI   0(R3),X'FF'
         BE    SBLIPCNT                 the whole string
         CLC   0(8,R3),=CL8'('
         BNE   SBLIP070
         LA    R3,8(,R3)
         CLI   0(R3),X'FF'
         BE    SBLIPCNT                 ( alone: the whole string
         CLI   0(R3),C'1'
         BL    SBLIP026
         CLI   0(R3),C'8'
         BH    SBLIP026
         CLI   1(R3),C' '
         BNE   SBLIP026
         SR    R4,R4
         IC    R4,0(,R3)
         N     R4,=F'15'                its count
         LA    R3,8(,R3)
         CLI   0(R3),X'FF'
         BE    SBLIPSET
         CLC   0(8,R3),=CL8')'
         BNE   SBLIP070
         LA    R3,8(,R3)
         CLI   0(R3),X'FF'
         BE    SBLIPSET
         B     SBLIP070
SBLIPCNT LA    R3,16(,R9)               characters up to a blank
         LA    R4,8
SBLIPLEN LA    R1,0(R4,R3)
         BCTR  R1,0
         CLI   0(R1),C' '
         BNE   SBLIPSET
         BCT   R4,SBLIPLEN
SBLIPSET MVI   BLIPNEW,2
         STC   R4,BLIPNEW+1
         MVC   BLIPNEW+2(8),16(R9)
         MVC   0(10,R6),BLIPNEW
         B     DONE
SBLIPON  CLI   8(R3),X'FF'
         BNE   SBLIPNXT
         MVC   0(10,R6),10(R6)          the default
         B     DONE
SBLIPOFF CLI   8(R3),X'FF'
         BNE   SBLIPNXT
         MVI   0(R6),0
         B     DONE
SBLIPNXT LA    R3,8(,R3)
SBLIP070 LA    R1,MSGQ070               DMSSET070E INVALID PARAMETER x
         LA    R4,8
         LA    R5,24
         B     MESSAGE
SBLIP026 LA    R1,MSGS026B
         LA    R4,8
         LA    R5,24
         B     MESSAGE
SBLIPMIS LA    R1,MSGS050               PARAMETER MISSING AFTER BLIP
         LA    R3,8(,R9)
         LA    R4,8
         LA    R5,24
         B     MESSAGE
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
         CLC   8(8,R9),=CL8'BLIP'
         BE    SBLIP
         CLC   8(8,R9),=CL8'IMPCP'
         BE    SIMPCP
         CLC   8(8,R9),=CL8'RDYMSG'
         BE    SRDYMSG
         CLC   8(8,R9),=CL8'IMPEX'
         BE    SIMPEX
         CLC   8(8,R9),=CL8'INPUT'
         BE    SINPUT
         CLC   8(8,R9),=CL8'OUTPUT'
         BE    SOUTPUT
         B     BADFUNC
*
* SET INPUT c xx (c one character or two hex digits), SET OUTPUT xx c;
* without operands the table is made the identity again.
*
SINPUT   L     R6,=V(DMSCRDTB)
         LA    R1,MSGS026I
         ST    R1,MSGS026
         CLI   16(R9),X'FF'
         BE    STRRESET
         BAL   R14,STRCOUNT
         SR    R5,R5
         IC    R5,16(,R9)
         CLI   17(R9),C' '
         BE    SINSECND
         LA    R3,16(,R9)
         BAL   R14,HEXBIN
         LR    R5,R0
SINSECND LA    R3,24(,R9)
         BAL   R14,HEXBIN
         STC   R0,0(R5,R6)
         B     DONE
SOUTPUT  L     R6,=V(DMSCWRTB)
         LA    R1,MSGS026O
         ST    R1,MSGS026
         CLI   16(R9),X'FF'
         BE    STRRESET
         BAL   R14,STRCOUNT
         LA    R3,16(,R9)
         BAL   R14,HEXBIN
         LR    R5,R0
         LA    R3,24(,R9)
         CLI   25(R9),C' '
         BNE   BADCHAR
         LA    R5,0(R5,R6)
         MVC   0(1,R5),24(R9)
         B     DONE
STRRESET SR    R7,R7
STRRLOOP STC   R7,0(R7,R6)
         LA    R7,1(,R7)
         CH    R7,=H'256'
         BL    STRRLOOP
         B     DONE
*
* STRCOUNT: exactly two operands after INPUT or OUTPUT, or a message.
* HEXBIN: R0 = the two hex digits of the token at R3, or DMSSET026E.
*
STRCOUNT CLI   24(R9),X'FF'
         BE    NOTRCHAR
         CLI   32(R9),X'FF'
         BER   R14
         LA    R1,MSGQ070
         LA    R3,32(,R9)
         LA    R4,8
         LA    R5,24
         B     MESSAGE
NOTRCHAR LA    R1,MSGS061
         SR    R4,R4
         LA    R5,24
         B     MESSAGE
HEXBIN   CLI   1(R3),C' '
         BE    BADCHAR
         CLI   2(R3),C' '
         BNE   BADCHAR
         SR    R0,R0
         LR    R1,R3
         LA    R4,2
HEXLOOP  SR    R15,R15
         IC    R15,0(,R1)
         CLI   0(R1),C'A'
         BL    BADCHAR
         CLI   0(R1),C'F'
         BNH   HEXAF
         CLI   0(R1),C'0'
         BL    BADCHAR
         CLI   0(R1),C'9'
         BH    BADCHAR
         SH    R15,=H'240'              X'F0'-X'F9' to 0-9
         B     HEXADD
HEXAF    SH    R15,=H'183'              X'C1'-X'C6' to 10-15
HEXADD   SLL   R0,4
         AR    R0,R15
         LA    R1,1(,R1)
         BCT   R4,HEXLOOP
         BR    R14
BADCHAR  L     R1,MSGS026
         LA    R4,8
         LA    R5,24
         B     MESSAGE
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
HEXBYTE  STC   R0,HEXIN                 R0's low byte in hex at R2
         UNPK  HEXOUT(3),HEXIN(2)
         TR    HEXOUT(2),HEXDIGIT-240
         MVC   0(2,R2),HEXOUT
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
MSGS026  DS    A                        DMSSET026E for INPUT or OUTPUT
OPTNAME  DS    CL8
HEXIN    DC    XL2'00'
HEXOUT   DS    CL3
HEXDIGIT DC    C'0123456789ABCDEF'
NOINTAB  DC    C'NO USER DEFINED INPUT TRANSLATE TABLE IN USE'
NOOUTTAB DC    C'NO USER DEFINED OUTPUT TRANSLATE TABLE IN USE'
ALPHABET DC    C'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
         DS    0F
TYPLIST  DC    CL8'TYPLIN',AL1(1),AL3(LINE),C'B',X'00'
LINELEN  DC    H'0'
LINE     DC    CL80' '
MSGQ047  MSGDESC DMSQRY047E,'NO FUNCTION SPECIFIED'
MSGQ014  MSGDESC DMSQRY014E,'INVALID FUNCTION'
MSGQ070  MSGDESC DMSQRY070E,'INVALID PARAMETER'
MSGS061  MSGDESC DMSSET061E,'NO TRANSLATION CHARACTER SPECIFIED'
MSGS050  MSGDESC DMSSET050E,'PARAMETER MISSING AFTER'
MSGS026B MSGDESC DMSSET026E,'INVALID PARAMETER','FOR BLIP FUNCTION'
BLIPNEW  DS    XL10
MSGS026I MSGDESC DMSSET026E,'INVALID PARAMETER','FOR INPUT FUNCTION'
MSGS026O MSGDESC DMSSET026E,'INVALID PARAMETER','FOR OUTPUT FUNCTION'
MSGQ069  MSGDESC DMSQRY069E,'DISK','NOT ACCESSED'
         LTORG
         NUCON
         END
