LBM      TITLE 'DMSLBM - MACLIB: BUILD AND LIST MACRO LIBRARIES'
*
* MACLIB GEN lib fn1 [fn2 ...]
*    makes 'lib MACLIB A1' of the macro definitions (MACRO ... MEND)
*    in the files 'fn MACRO *', each member named by its prototype.
* MACLIB ADD lib fn1 [fn2 ...]
*    adds them to the library; a member of the same name is replaced.
* MACLIB LIST lib  (or MAP)
*    types the members: name, first record (index) and size.
* The format is VM/370's: the LIBPDS header, the members each ended by
* an X'61FFFF61' record, the dictionary of 16-byte entries (name,
* first record, number of records) at the end (assembler/maclib.py
* describes it for the host).  The files are read into the user area
* and the library written from there, F 80.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 no function, no library or no file name
*          (DMSLBM001E), an unknown function (DMSLBM014E); 28 a file
*          not found (DMSLBM002E); 32 a MACRO file whose records are
*          not macro definitions (DMSLBM955E); 88 a library not in the
*          format (DMSLBM952E); 100 a disk error (DMSLBM951E); 104 it
*          does not fit in storage or over 200 members (DMSLBM953E).
*
         REGEQU
         CMSLAYO
DMSLBM   CSECT
         USING NUCON,R0
         USING DMSLBM,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
         CLI   8(R9),X'FF'
         BE    NONAME
         CLI   16(R9),X'FF'
         BE    NONAME
         MVC   LIBFN,16(R9)
         L     R6,=A(USERAREA+80)       members go here, the header
         LA    R7,2                     first (item 1)
         SR    R11,R11                  dictionary entries
         CLC   8(8,R9),=CL8'GEN'
         BE    MACFILES
         CLC   8(8,R9),=CL8'ADD'
         BE    ADD
         CLC   8(8,R9),=CL8'LIST'
         BE    LIST
         CLC   8(8,R9),=CL8'MAP'
         BE    LIST
         WRTERM 'DMSLBM014E INVALID FUNCTION'
         LA    R15,24
         B     RETURN
ADD      BAL   R14,LOADLIB
         LTR   R15,R15
         BNZ   RETURN
MACFILES LA    R9,24(,R9)
         CLI   0(R9),X'FF'
         BE    NONAME
NEXTFILE CLI   0(R9),X'FF'
         BE    WRITELIB
         CLI   0(R9),C'('
         BE    WRITELIB
         MVC   READFID(8),0(R9)
         MVC   READFID+8(8),=CL8'MACRO'
         BAL   R14,READMAC
         LTR   R15,R15
         BNZ   RETURN
         LA    R9,8(,R9)
         B     NEXTFILE
*
* READMAC: the definitions of READFID become members from R6 (item R7).
*
READMAC  ST    R14,MACRET
         XC    READITEM,READITEM
         SR    R8,R8                    nesting depth of MACRO
MACREC   LA    R1,80(,R6)
         C     R1,STORSIZE
         BH    MACFULL
         MVI   0(R6),C' '
         MVC   1(79,R6),0(R6)
         ST    R6,READBUF
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=MACEOF,NONE=MACNONE,CUT=MACHAVE,ERROR=MACDISK
MACHAVE  LR    R2,R6
         BAL   R14,OPWORD
         LTR   R8,R8
         BNZ   INMACRO
         CLC   OPBUF,=CL8' '            outside: blank or a comment
         BE    MACREC
         CLC   OPBUF,=CL8'MACRO'
         BNE   MACBAD
         CH    R11,=Y(MAXENT)
         BNL   MACFULL
         LR    R3,R11                   a new member starts
         SLL   R3,4
         LA    R10,DICT(R3)
         MVC   0(8,R10),=CL8' '
         ST    R7,8(,R10)
         MVI   NEEDNAME,1
         LA    R8,1
         B     MACKEEP
INMACRO  CLI   NEEDNAME,0
         BE    MACNEST
         CLC   OPBUF,=CL8' '
         BE    MACKEEP
         MVC   0(8,R10),OPBUF           the prototype names it
         MVI   NEEDNAME,0
         B     MACKEEP
MACNEST  CLC   OPBUF,=CL8'MACRO'
         BNE   MACMEND
         LA    R8,1(,R8)
         B     MACKEEP
MACMEND  CLC   OPBUF,=CL8'MEND'
         BNE   MACKEEP
         BCTR  R8,0
         LTR   R8,R8
         BNZ   MACKEEP
         LA    R6,80(,R6)               the member is complete
         LA    R7,1(,R7)
         LR    R3,R7
         S     R3,8(,R10)
         ST    R3,12(,R10)              its records
         BAL   R14,ENTER
         LA    R1,80(,R6)
         C     R1,STORSIZE
         BH    MACFULL
         MVC   0(4,R6),=X'61FFFF61'     end of member
         MVI   4(R6),C' '
         MVC   5(75,R6),4(R6)
         LA    R6,80(,R6)
         LA    R7,1(,R7)
         B     MACREC
MACKEEP  LA    R6,80(,R6)
         LA    R7,1(,R7)
         B     MACREC
MACEOF   LTR   R8,R8
         BNZ   MACBAD                   no MEND
         SR    R15,R15
         B     MACDONE
MACBAD   LA    R15,32
         B     MACDONE
MACFULL  LA    R15,104
         B     MACDONE
MACDISK  LA    R15,100
         B     MACDONE
MACNONE  LA    R15,28
MACDONE  ST    R15,SAVERC
         MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         L     R15,SAVERC
         LTR   R15,R15
         BZ    MACRETN
         BAL   R14,ERROR
MACRETN  L     R14,MACRET
         BR    R14
*
* ENTER: the entry at R10 joins the dictionary; an older member of the
* same name is replaced by it.
*
ENTER    LTR   R3,R11
         BZ    ENTERNEW
         LA    R4,DICT
ENTERDUP CLC   0(8,R4),0(R10)
         BE    ENTERREP
         LA    R4,16(,R4)
         BCT   R3,ENTERDUP
ENTERNEW LA    R11,1(,R11)
         BR    R14
ENTERREP MVC   8(8,R4),8(R10)
         BR    R14
*
* OPWORD: the operation word of the statement at R2 in OPBUF (blanks
* for a comment or a blank record).
*
OPWORD   MVC   OPBUF,=CL8' '
         CLI   0(R2),C'*'
         BER   R14
         CLC   0(2,R2),=C'.*'
         BER   R14
         LA    R3,71
         CLI   0(R2),C' '
         BE    OPBLANKS
OPLABEL  CLI   0(R2),C' '               past the name field
         BE    OPBLANKS
         LA    R2,1(,R2)
         BCT   R3,OPLABEL
         BR    R14
OPBLANKS CLI   0(R2),C' '
         BNE   OPCOPY
         LA    R2,1(,R2)
         BCT   R3,OPBLANKS
         BR    R14
OPCOPY   LA    R4,OPBUF
         LA    R5,8
OPCHAR   CLI   0(R2),C' '
         BER   R14
         MVC   0(1,R4),0(R2)
         LA    R2,1(,R2)
         LA    R4,1(,R4)
         BCT   R5,OPCHAR
         BR    R14
*
* WRITELIB: header, members, dictionary to 'lib MACLIB A1'.
*
WRITELIB ST    R7,HDRDICT               the dictionary's first item
         ST    R11,HDRCOUNT
         MVC   HEADER+6(8),HDRDICT
         LR    R3,R11
         SLL   R3,4
         LA    R3,DICT(R3)
         XC    0(80,R3),0(R3)           the last record's padding
         MVC   WRITFID(8),LIBFN
         BAL   R14,ERASEOLD
         LA    R2,HEADER
         BAL   R14,WRITE1
         L     R4,=A(USERAREA+80)
WRMEMBER CR    R4,R6
         BNL   WRDICT
         LR    R2,R4
         BAL   R14,WRITE1
         LA    R4,80(,R4)
         B     WRMEMBER
WRDICT   LA    R4,DICT
         LR    R5,R11
         LA    R5,4(,R5)
         SR    R4,R4
         D     R4,=F'5'                 records: entries + 4, over 5
         LTR   R5,R5
         BNZ   WRDICTN
         LA    R5,1
WRDICTN  LA    R4,DICT
WRDICTR  LR    R2,R4
         BAL   R14,WRITE1
         LA    R4,80(,R4)
         BCT   R5,WRDICTR
         MVC   FINFID,WRITFID
         LA    R1,FINLIST
         SVC   202
         LTR   R15,R15
         BNZ   WRFAIL
         B     RETURN
WRITE1   ST    R2,WRITBUF
         LA    R1,WRITLIST
         SVC   202
         LTR   R15,R15
         BZR   R14
WRFAIL   LA    R15,100
         BAL   R14,ERROR
         B     RETURN
*
* ERASEOLD: erase 'WRITFID A' if it is there, since writing a file
* that exists adds to it.
*
ERASEOLD ST    R14,ERASERET
         MVC   STATEFID(16),WRITFID
         MVC   ERASEFID(16),WRITFID
         LA    R1,STATLIST
         SVC   202
         LTR   R15,R15
         BNZ   ERASED
         LA    R1,ERASLIST
         SVC   202
ERASED   L     R14,ERASERET
         BR    R14
*
* LOADLIB: 'lib MACLIB *' into the user area, its dictionary into
* DICT; R6 and R7 where new members go (over the old dictionary).
*
LOADLIB  ST    R14,MACRET
         MVC   READFID(8),LIBFN
         MVC   READFID+8(8),=CL8'MACLIB'
         XC    READITEM,READITEM
         L     R6,=A(USERAREA)
         SR    R7,R7                    records read
LOADREC  LA    R1,80(,R6)
         C     R1,STORSIZE
         BH    MACFULL
         ST    R6,READBUF
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=LOADED,NONE=MACNONE,ERROR=MACDISK
         LA    R6,80(,R6)
         LA    R7,1(,R7)
         B     LOADREC
LOADED   MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         L     R2,=A(USERAREA)
         CLC   0(6,R2),HEADER
         BNE   NOTLIB
         MVC   HDRDICT(8),6(R2)
         L     R3,HDRDICT               the dictionary's first item
         CH    R3,=H'2'
         BL    NOTLIB
         CR    R3,R7
         BH    NOTLIB
         L     R11,HDRCOUNT
         CH    R11,=Y(MAXENT)
         BH    NOTLIB
         LR    R5,R11
         SLL   R5,4                     its bytes
         LR    R4,R7
         SR    R4,R3
         LA    R4,1(,R4)
         MH    R4,=H'80'
         CR    R5,R4
         BH    NOTLIB
         BCTR  R3,0
         MH    R3,=H'80'
         AR    R3,R2                    the dictionary in storage
         LA    R4,DICT
         LR    R1,R5
DICTCOPY LTR   R1,R1
         BNP   DICTDONE
         MVC   0(16,R4),0(R3)
         LA    R3,16(,R3)
         LA    R4,16(,R4)
         SH    R1,=H'16'
         B     DICTCOPY
DICTDONE L     R7,HDRDICT
         LR    R6,R7
         BCTR  R6,0
         MH    R6,=H'80'
         AR    R6,R2
         SR    R15,R15
         L     R14,MACRET
         BR    R14
NOTLIB   WRTERM 'DMSLBM952E THE LIBRARY IS NOT IN MACLIB FORMAT'
         LA    R15,88
         L     R14,MACRET
         BR    R14
*
* LIST: one line a member.
*
LIST     BAL   R14,LOADLIB
         LTR   R15,R15
         BNZ   RETURN
         WRTERM 'MACRO    INDEX  SIZE'
         LTR   R5,R11
         BZ    LISTED
         LA    R4,DICT
LISTONE  MVI   MSGBUF,C' '
         MVC   MSGBUF+1(30),MSGBUF
         MVC   MSGBUF(8),0(R4)
         L     R0,8(,R4)
         LA    R2,MSGBUF+9
         LA    R1,5
         L     R15,=V(DMSCVD)
         BALR  R14,R15
         L     R0,12(,R4)
         LA    R2,MSGBUF+16
         LA    R1,4
         L     R15,=V(DMSCVD)
         BALR  R14,R15
         LA    R1,LISTLINE
         SVC   202
         LA    R4,16(,R4)
         BCT   R5,LISTONE
LISTED   SR    R15,R15
         B     RETURN
*
* Messages; R15 the return code (kept).
*
ERROR    ST    R14,ERRRET
         ST    R15,SAVERC
         CH    R15,=H'28'
         BNE   ERR32
         LA    R1,MSG002
         LA    R2,READFID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         B     ERRDONE
ERR32    CH    R15,=H'32'
         BNE   ERR100
         LA    R1,MSG955
         LA    R2,READFID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         B     ERRDONE
ERR100   CH    R15,=H'100'
         BNE   ERR104
         WRTERM 'DMSLBM951E DISK ERROR'
         B     ERRDONE
ERR104   WRTERM 'DMSLBM953E THE LIBRARY DOES NOT FIT IN STORAGE'
ERRDONE  L     R15,SAVERC
         L     R14,ERRRET
         BR    R14
NONAME   WRTERM 'DMSLBM001E NO FILENAME SPECIFIED'
         LA    R15,24
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
MAXENT   EQU   200
         DS    0F
MACRET   DS    F
ERRRET   DS    F
SAVERC   DS    F
HDRDICT  DS    F
HDRCOUNT DS    F
LIBFN    DS    CL8
OPBUF    DS    CL8
NEEDNAME DS    X
HEADER   DC    C'LIBPDS',XL8'00',CL66' '
         DS    0F
READLIST DC    CL8'RDBUF'
READFID  DC    CL8' ',CL8' ',CL2'* '
READITEM DC    H'0'
READBUF  DC    A(0),F'80'
         DC    CL2' ',H'1'
         DC    F'0'
WRITLIST DC    CL8'WRBUF'
WRITFID  DC    CL8' ',CL8'MACLIB',CL2'A1'
         DC    H'0'
WRITBUF  DC    A(0)
         DC    F'80'
         DC    CL2'F',H'1',F'0'
ERASERET DS    F
         DS    0F
STATLIST DC    CL8'STATE'
STATEFID DC    CL8' ',CL8' ',CL2'A ',CL6' ',8X'FF'
         DS    0F
ERASLIST DC    CL8'ERASE'
ERASEFID DC    CL8' ',CL8' ',CL8'A',8X'FF'
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
         DS    0F
LISTLINE DC    CL8'TYPLIN',AL1(1),AL3(MSGBUF-NUCON),C'B',X'00',AL2(20)
MSG002   MSGDESC DMSLBM002E,'FILE','NOT FOUND'
MSG955   MSGDESC DMSLBM955E,'FILE','IS NOT MACRO ... MEND'
         LTORG
         DS    0F
DICT     DS    (MAXENT*16+80)X
         NUCON
         END
