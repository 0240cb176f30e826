CPY      TITLE 'DMSCPY - COPYFILE: COPY A FILE'
*
* COPYFILE fn1 ft1 fm1 fn2 ft2 fm2 [( options]
*    copies every record of the first file into the second, keeping
*    its record format and lengths.  = in the second fileid means the
*    same as the first.  A second file that exists is replaced only
*    with REPLACE; APPEND adds the records after its own.  FRom n
*    starts at record n, FOr n copies n records at most; UPcase and
*    LOwcase translate the letters a-z and A-Z of each record.  The
*    records pass through the user area (X'20000'), as CMS's own
*    COPYFILE used the user area.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 fewer than six fileid words (DMSCPY054E), an
*          unknown option (DMSCPY003E) or a bad number (DMSCPY070E);
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
         MVI   CASE,0
         LA    R3,1
         ST    R3,FIRSTREC
         XC    MAXRECS,MAXRECS          0: every record
         CLI   0(R2),X'FF'
         BE    OPTSDONE
         CLI   0(R2),C'('
         BNE   BADOPT
OPTNEXT  LA    R2,8(,R2)
OPTS     CLI   0(R2),X'FF'
         BE    OPTSDONE
         CLI   0(R2),C')'
         BE    OPTNEXT
         LA    R3,OPTABLE
OPTFIND  CLI   0(R3),X'FF'
         BE    BADOPT
         SR    R4,R4
         IC    R4,0(,R3)                the shortest form, less one
         EX    R4,OPTCLC
         BNE   OPTTRY
         LA    R5,2(,R4)                the rest must match too
OPTREST  CH    R5,=H'8'
         BNL   OPTHIT
         LA    R6,0(R5,R2)
         CLI   0(R6),C' '
         BE    OPTHIT
         LA    R7,1(R5,R3)
         CLC   0(1,R6),0(R7)
         BNE   OPTTRY
         LA    R5,1(,R5)
         B     OPTREST
OPTTRY   LA    R3,16(,R3)
         B     OPTFIND
OPTHIT   L     R4,12(,R3)
         BR    R4
OPTCLC   CLC   0(0,R2),1(R3)
OPTREPL  MVI   REPLACE,1
         B     OPTNEXT
OPTAPP   MVI   REPLACE,2
         B     OPTNEXT
OPTUP    MVI   CASE,C'U'
         B     OPTNEXT
OPTLOW   MVI   CASE,C'L'
         B     OPTNEXT
OPTFROM  BAL   R14,NUMBER
         BNP   BADNUM                   record 0 is not one
         ST    R3,FIRSTREC
         B     OPTNEXT
OPTFOR   BAL   R14,NUMBER
         BNP   BADNUM
         ST    R3,MAXRECS
         B     OPTNEXT
*
* NUMBER: the decimal word after the option at R2 in R3 (R2 moves to
* it); the condition code of R3, or BADNUM for a word that is not one.
*
NUMBER   LA    R2,8(,R2)
         CLI   0(R2),X'FF'
         BE    BADNUM
         SR    R3,R3
         LR    R5,R2
         LA    R6,8
NUMDIGIT CLI   0(R5),C' '
         BE    NUMEND
         CLI   0(R5),C'0'
         BL    BADNUM
         CLI   0(R5),C'9'
         BH    BADNUM
         MH    R3,=H'10'
         IC    R4,0(,R5)
         N     R4,=X'0000000F'
         AR    R3,R4
         LA    R5,1(,R5)
         BCT   R6,NUMDIGIT
NUMEND   CH    R6,=H'8'
         BE    BADNUM                   no digits
         LTR   R3,R3
         BR    R14
BADOPT   LA    R1,MSG003
         B     BADWORD
BADNUM   LA    R1,MSG070
BADWORD  LR    R3,R2
         SR    R2,R2
         LA    R4,8
         LA    R5,24
         B     MESSAGE
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
         SR    R6,R6                    records read
         SR    R7,R7                    records written
LOOP     CLC   MAXRECS,=F'0'
         BE    READONE
         C     R7,MAXRECS
         BNL   DONE
READONE  LA    R1,READLIST
         SVC   202
         FSREADRC EOF=DONE,NONE=NOFILE,ERROR=FAILED
         LA    R6,1(,R6)
         C     R6,FIRSTREC
         BL    LOOP                     before FROM's record
         LA    R7,1(,R7)
         CLI   CASE,0
         BE    WRITEONE
         BAL   R14,TRANSLAT
WRITEONE MVC   WRITEFM,READFM
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
*
* TRANSLAT: the record just read (READLEN bytes at the user area) in
* upper (UPCASE) or lower case (LOWCASE).
*
TRANSLAT L     R2,READBUF
         L     R3,READLEN
         LA    R4,UPPER
         CLI   CASE,C'U'
         BE    TRPIECE
         LA    R4,LOWER
TRPIECE  LTR   R3,R3
         BNPR  R14
         LR    R5,R3
         CH    R5,=H'256'
         BNH   TRLAST
         LA    R5,256
TRLAST   BCTR  R5,0
         EX    R5,TRINST
         LA    R2,1(R5,R2)
         SR    R3,R5
         BCTR  R3,0
         B     TRPIECE
TRINST   TR    0(0,R2),0(R4)
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
CASE     DS    C
         DS    0F
FIRSTREC DS    F
MAXRECS  DS    F
*
* The options: the length of the shortest form less one, the name,
* the routine, 16 bytes an entry; X'FF' ends the table.
*
OPTABLE  DS    0F
         DC    AL1(2),CL8'REPLACE',AL3(0),A(OPTREPL)
         DC    AL1(2),CL8'APPEND',AL3(0),A(OPTAPP)
         DC    AL1(1),CL8'FROM',AL3(0),A(OPTFROM)
         DC    AL1(1),CL8'FOR',AL3(0),A(OPTFOR)
         DC    AL1(1),CL8'UPCASE',AL3(0),A(OPTUP)
         DC    AL1(1),CL8'LOWCASE',AL3(0),A(OPTLOW)
         DC    X'FF'
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
* UPPER and LOWER: TR tables that change only the letters (cp 037).
UPPER    DS    0XL256
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
LOWER    DS    0XL256
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
         DC    X'C0818283848586878889CACBCCCDCECF'
         DC    X'D0919293949596979899DADBDCDDDEDF'
         DC    X'E0E1A2A3A4A5A6A7A8A9EAEBECEDEEEF'
         DC    X'F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF'
MSG054   MSGDESC DMSCPY054E,'INCOMPLETE FILEID SPECIFIED'
MSG002   MSGDESC DMSCPY002E,'FILE','NOT FOUND'
MSG024   MSGDESC DMSCPY024E,'FILE','ALREADY EXISTS'
MSG003   MSGDESC DMSCPY003E,'INVALID OPTION'
MSG070   MSGDESC DMSCPY070E,'INVALID PARAMETER'
MSG109   MSGDESC DMSCPY109S,'VIRTUAL STORAGE CAPACITY EXCEEDED'
         LTORG
         NUCON
         END
