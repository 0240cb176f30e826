CPY      TITLE 'DMSCPY - COPYFILE: COPY A FILE'
*
* COPYFILE fn1 ft1 fm1 fn2 ft2 fm2 [( REPLACE|APPEND]
*    copies every record of the first file into the second, keeping
*    its record format and lengths.  = in the second fileid means the
*    same as the first.  A second file that exists is replaced only
*    with REPLACE; APPEND adds the records after its own.  The
*    records pass through the user area (X'20000'), as CMS's own
*    COPYFILE used the user area.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 fewer than six fileid words (DMSCPY054E);
*          28 no first file (DMSCPY002E) or the second exists
*          (DMSCPY024E); 104 no user area (DMSCPY109S: storage of
*          128K or less); others: the return code of WRBUF.
*
         REGEQU
         CMSLAYO
DMSCPY   CSECT
         USING NUCON,R0
         USING DMSCPY,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
         LA    R2,8(,R9)
         LA    R3,6
COUNT    CLI   0(R2),X'FF'
         BE    SHORT
         CLI   0(R2),C'('
         BE    SHORT
         LA    R2,8(,R2)
         BCT   R3,COUNT
         MVI   REPLACE,0
OPTS     CLI   0(R2),X'FF'
         BE    OPTSDONE
         CLC   0(8,R2),=CL8'REPLACE'
         BNE   OPTAPP
         MVI   REPLACE,1
OPTAPP   CLC   0(8,R2),=CL8'APPEND'
         BNE   OPTNEXT
         MVI   REPLACE,2
OPTNEXT  LA    R2,8(,R2)
         B     OPTS
OPTSDONE MVC   INFID(16),8(R9)
         MVC   INFID+16(2),24(R9)
         LA    R2,32(,R9)               the second fileid
         LA    R3,OUTFID
         LA    R4,INFID
         LA    R5,3
SECOND   MVC   0(8,R3),0(R2)
         CLI   0(R2),C'='
         BNE   SECNEXT
         MVC   0(8,R3),0(R4)
SECNEXT  LA    R2,8(,R2)
         LA    R3,8(,R3)
         LA    R4,8(,R4)
         BCT   R5,SECOND
         MVC   OUTFID+16(2),OUTFM       only two bytes of the mode
         MVC   STATEFID,OUTFID
         LA    R1,STATLIST
         SVC   202
         LTR   R15,R15
         BNZ   NEWFILE
         CLI   REPLACE,1
         BE    ERASEOLD
         CLI   REPLACE,2                APPEND: FSWRITE adds to it
         BE    NEWFILE
         LA    R1,MSG024
         LA    R2,OUTFID
         LA    R5,28
         B     MESSAGE
ERASEOLD MVC   ERASEFID,OUTFID          REPLACE: the old one goes
         LA    R1,ERASLIST              (writing it would append)
         SVC   202
NEWFILE  MVC   READFID,INFID
         MVC   WRITEFID,OUTFID
         L     R2,=A(USERAREA)
         ST    R2,READBUF
         ST    R2,WRITEBUF
         L     R3,STORSIZE              the user area is the buffer:
         SR    R3,R2                    as much of 65,535 bytes as
         C     R3,=F'65535'             there is
         BNH   BUFSIZE
         L     R3,=F'65535'
BUFSIZE  LTR   R3,R3
         BNP   NOROOM
         ST    R3,READSIZE
LOOP     LA    R1,READLIST
         SVC   202
         CH    R15,=H'12'
         BE    DONE
         CH    R15,=H'1'
         BE    NOFILE
         LTR   R15,R15
         BNZ   FAILED
         MVC   WRITEFM,READFM
         MVC   WRITELEN,READLEN
         LA    R1,WRITLIST
         SVC   202
         LTR   R15,R15
         BNZ   FAILED
         B     LOOP
DONE     SR    R5,R5
         B     CLOSE
FAILED   LR    R5,R15
CLOSE    MVC   FINFID,OUTFID
         LA    R1,FINLIST
         SVC   202
         MVC   FINFID,INFID
         LA    R1,FINLIST
         SVC   202
         LR    R15,R5
         B     RETURN
NOROOM   LA    R1,MSG109
         SR    R2,R2
         SR    R4,R4
         LA    R5,104
         B     MESSAGE
SHORT    LA    R1,MSG054
         SR    R2,R2
         SR    R4,R4
         LA    R5,24
         B     MESSAGE
NOFILE   LA    R1,MSG002
         LA    R2,INFID
         LA    R5,28
MESSAGE  L     R15,=V(DMSMSG)
         BALR  R14,R15
         LR    R15,R5
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
REPLACE  DS    C
INFID    DS    CL18
OUTFID   DS    CL16
OUTFM    DS    CL8
         DS    0F
STATLIST DC    CL8'STATE'
STATEFID DC    CL18' '
         DC    CL6' ',8X'FF'
ERASLIST DC    CL8'ERASE'
ERASEFID DC    CL18' '
         DC    CL6' ',8X'FF'
READLIST DC    CL8'RDBUF'
READFID  DC    CL18' '
         DC    H'0'
READBUF  DC    A(0)
READSIZE DC    F'65535'
READFM   DC    CL2' ',H'1'
READLEN  DC    F'0'
WRITLIST DC    CL8'WRBUF'
WRITEFID DC    CL18' '
         DC    H'0'
WRITEBUF DC    A(0)
WRITELEN DC    F'0'
WRITEFM  DC    CL2' ',H'1'
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
MSG054   MSGDESC DMSCPY054E,'INCOMPLETE FILEID SPECIFIED'
MSG002   MSGDESC DMSCPY002E,'FILE','NOT FOUND'
MSG024   MSGDESC DMSCPY024E,'FILE','ALREADY EXISTS'
MSG109   MSGDESC DMSCPY109S,'VIRTUAL STORAGE CAPACITY EXCEEDED'
         LTORG
         NUCON
         END
