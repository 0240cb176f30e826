TYP      TITLE 'DMSTYP - TYPE: TYPE A FILE ON THE CONSOLE'
*
* TYPE fn ft [fm]
*    types every record of a file (fm default *: the first found in
*    mode order), each cut at 130 characters.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 no filetype (DMSTYP054E); 28 no such file
*          (DMSTYP002E); 100 a disk error.
*
         REGEQU
DMSTYP   CSECT
         USING NUCON,R0
         USING DMSTYP,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
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
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=DONE,NONE=NOFILE,CUT=SHOW,ERROR=DISKERR
SHOW     L     R2,READLEN
         CH    R2,=H'130'
         BNH   SHOWLEN
         LA    R2,130
SHOWLEN  STH   R2,TYPLEN
         LA    R1,TYPLIST
         SVC   202
         B     READ
DONE     SR    R5,R5
         B     CLOSE
DISKERR  LA    R5,100
CLOSE    MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         LR    R15,R5
         B     RETURN
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
         LR    R15,R5
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         DS    0F
READLIST DC    CL8'RDBUF'
READFID  DC    CL18' '
READITEM DC    H'0'
         DC    A(LINE),F'130'
         DC    CL2' ',H'1'
READLEN  DC    F'0'
TYPLIST  DC    CL8'TYPLIN',AL1(1),AL3(LINE),C'B',X'00'
TYPLEN   DC    H'0'
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
LINE     DS    CL130
MSG054   MSGDESC DMSTYP054E,'INCOMPLETE FILEID SPECIFIED'
MSG002   MSGDESC DMSTYP002E,'FILE','NOT FOUND'
         LTORG
         NUCON
         END
