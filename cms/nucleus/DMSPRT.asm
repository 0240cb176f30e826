PRT      TITLE 'DMSPRT - PRINT AND PUNCH A FILE'
*
* PRINT fn ft [fm]   writes each record to the printer at 00E (CCW
*                    X'09': write, space one line after), cut at 132.
* PUNCH fn ft [fm]   punches each record on a card at the punch at 00D
*                    (CCW X'01', 80 columns: shorter records padded
*                    with blanks, longer ones cut).
* The devices are the virtual machine's unit record devices: under CP
* its spooled printer and punch, on the bare machine real ones.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.  PUNCH enters at DMSPNC.
* Exits:   R15 = 0; 24 no filetype (DMSPRT054E, DMSPNC054E); 28 no
*          such file (DMSPRT002E, DMSPNC002E); 100 the device is not
*          there or failed (DMSPRT105S, DMSPNC105S).
*
         REGEQU
DMSPRT   CSECT
         ENTRY DMSPNC
         USING NUCON,R0
         USING DMSPRT,R12
         STM   R14,R12,12(R13)
         MVC   DEVICE,=X'000E'
         MVC   UNITCCW(1),=X'09'
         MVC   UNITLEN,=H'132'
         MVC   MODID,=C'PRT'
         B     COMMON
         DROP  R12
         USING DMSPNC,R12
DMSPNC   STM   R14,R12,12(R13)
         L     R12,=A(DMSPRT)
         DROP  R12
         USING DMSPRT,R12
         MVC   DEVICE,=X'000D'
         MVC   UNITCCW(1),=X'01'
         MVC   UNITLEN,=H'80'
         MVC   MODID,=C'PNC'
COMMON   LR    R9,R1
         MVC   MSG054+3(3),MODID
         MVC   MSG002+3(3),MODID
         MVC   MSG105+3(3),MODID
         CLI   8(R9),X'FF'
         BE    NOFTYPE
         CLI   16(R9),X'FF'
         BE    NOFTYPE
         MVC   READFID(16),8(R9)
         MVC   READFID+16(2),=C'* '
         CLI   24(R9),X'FF'
         BE    READ
         MVC   READFID+16(2),24(R9)
READ     XC    READITEM,READITEM
         MVI   LINE,C' '
         MVC   LINE+1(L'LINE-1),LINE
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=DONE,NONE=NOFILE,CUT=WRITE,ERROR=DEVERR
WRITE    L     R2,READLEN
         CLC   MODID,=C'PNC'
         BNE   PRTLEN
         LA    R2,80                    a card is always 80 columns
PRTLEN   CH    R2,UNITLEN
         BNH   SETLEN
         LH    R2,UNITLEN
SETLEN   STH   R2,UNITCCW+6
         LH    R1,DEVICE
         LA    R2,UNITCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         LTR   R15,R15
         BZ    READ
DEVERR   LA    R5,100
         LA    R1,MSG105
         SR    R2,R2
         LA    R3,DEVTEXT
         LA    R4,3
         LH    R0,DEVICE
         ST    R1,SAVE1
         LA    R1,3
         LA    R2,DEVTEXT
         L     R15,=V(DMSCVH)
         BALR  R14,R15
         L     R1,SAVE1
         SR    R2,R2
         B     MESSAGE
DONE     SR    R5,R5
         B     CLOSE
NOFTYPE  LA    R1,MSG054
         SR    R2,R2
         SR    R4,R4
         LA    R5,24
         B     MESSAGE
NOFILE   LA    R1,MSG002
         LA    R2,READFID
         LA    R5,28
MESSAGE  L     R15,=V(DMSMSG)
         BALR  R14,R15
CLOSE    MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         LR    R15,R5
         L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         DS    0D
UNITCCW  DC    X'09',AL3(LINE),X'20',X'00',H'0'
DEVICE   DS    H
UNITLEN  DS    H
MODID    DS    CL3
DEVTEXT  DS    CL3
         DS    0F
SAVE1    DS    F
READLIST DC    CL8'RDBUF'
READFID  DC    CL18' '
READITEM DC    H'0'
         DC    A(LINE),F'132'
         DC    CL2' ',H'1'
READLEN  DC    F'0'
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
LINE     DS    CL132
MSG054   MSGDESC DMSPRT054E,'INCOMPLETE FILEID SPECIFIED'
MSG002   MSGDESC DMSPRT002E,'FILE','NOT FOUND'
MSG105   MSGDESC DMSPRT105S,'ERROR WRITING TO DEVICE'
         LTORG
         NUCON
         END
