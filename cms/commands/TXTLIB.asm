LBT      TITLE 'TXTLIB - MAKE, CHANGE AND MAP TEXT LIBRARIES (DMSLBT)'
*
* TXTLIB GEN lib fn1 [fn2 ...]
*    makes 'lib TXTLIB A1' of the object decks in the files 'fn TEXT
*    *': each deck (ESD ... END) becomes a member, named in the
*    dictionary by its first control section and by every other
*    section and entry point (SD and LD items) of its ESD cards.
* TXTLIB ADD lib fn1 [fn2 ...]
*    adds the decks of the files to the library, after its members.
* TXTLIB DEL lib member1 [member2 ...]
*    removes members, each named by its first name (its first
*    control section), with all the names that point at it; a
*    library left empty is erased.
* TXTLIB MAP lib [(DISK|TERM]
*    lists the dictionary: each member's first name with its index
*    (the item its deck starts at), its other names under it, and
*    the count of names; DISK (the default) writes it as 'lib MAP
*    A1' (F 30), TERM types it.
* TXTLIB LIST lib
*    is MAP lib (TERM).
*
* The format is VM/370's (DMSLBT), F 80 throughout:
*    item 1: the header: C'DMSLIB', the item of the first dictionary
*       record (halfword), the dictionary's bytes (fullword, 12 an
*       entry), its records (fullword) and that count times 12
*       (fullword), then blanks;
*    from item 2: the members, each its deck's cards as they were
*       (records that are not object-deck cards are left out, and so
*       are LDT cards), then an LDT card (X'02',C'LDT', blanks) and a
*       delimiter record starting X'61FFFF61';
*    then the dictionary: 12-byte entries, six to a record in its
*       first 72 bytes (the last 8 are zero): the name, the item
*       its member starts at (halfword), a zero byte and X'80'.
* A new library is written as TXTLIB CMSUT1 A1 and renamed, so the
* old one is only replaced once the new one is complete.
*
* Entered: as a MODULE by SVC 202, R1 -> the command's tokens; R12
*          and R15 the entry, R13 a save area, R14 the return.
* Exits:   R15 = 0; 4 a TEXT file not found (DMSLBT002W, the others
*          are still added) or nothing left to make a library of
*          (DMSLBT213W); 24 no function (DMSLBT047E), an unknown one
*          (DMSLBT014E), no library (DMSLBT046E), no file or member
*          names (DMSLBT001E) or a bad option (DMSLBT003E); 28 no such
*          library (DMSLBT002E); 32 a deck without an END card or a
*          control section, a library not in the format (DMSLBT056E),
*          a member not found (DMSLBT013E); 88 over 1000 names
*          (DMSLBT106E); 100 a disk error (DMSLBT104S, DMSLBT105S);
*          104 it does not fit in storage (DMSLBT109S).
*
         REGEQU
         CMSLAYO
MAXENT   EQU   1000                     names in a dictionary
MAXEP    EQU   255                      names of one deck
ENTLEN   EQU   12
DICTREC  EQU   72                       dictionary bytes in a record
EPOFF    EQU   MAXENT*ENTLEN+80         work area: dictionary, then
RECOFF   EQU   EPOFF+MAXEP*8            one deck's names, then records
TXTLIB   CSECT
         USING NUCON,R0
         USING TXTLIB,R12,R11
         STM   R14,R12,12(R13)
         LR    R12,R15
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         ST    R13,SAVEAREA+4
         LA    R13,SAVEAREA
         LR    R9,R1
         XC    RC,RC
         XC    NENT,NENT
         MVI   CHANGED,0
         CLI   8(R9),X'FF'
         BE    NOFUNC
         CLI   8(R9),C'('
         BE    NOFUNC
         CLI   16(R9),X'FF'
         BE    NOLIB
         CLI   16(R9),C'('
         BE    NOLIB
         MVC   LIBFN,16(R9)
         MVC   FUNC,8(R9)
         CLC   8(8,R9),=CL8'GEN'
         BE    GEN
         CLC   8(8,R9),=CL8'ADD'
         BE    GEN
         CLC   8(8,R9),=CL8'DEL'
         BE    DEL
         CLC   8(8,R9),=CL8'MAP'
         BE    MAP
         CLC   8(8,R9),=CL8'LIST'
         BE    LIST
         LA    R2,MSGLINE
         ADDTEXT 'DMSLBT014E INVALID FUNCTION '''
         LA    R1,8(,R9)
         BAL   R14,NAME
         ADDTEXT ''''
         B     ERR24
NOFUNC   LA    R2,MSGLINE
         ADDTEXT 'DMSLBT047E NO FUNCTION SPECIFIED'
         B     ERR24
NOLIB    LA    R2,MSGLINE
         ADDTEXT 'DMSLBT046E NO LIBRARY NAME SPECIFIED'
ERR24    BAL   R14,TYPEMSG
         LA    R15,24
         ST    R15,RC
         B     RETURN
*
* GEN and ADD: the decks of each file become members.
*
GEN      CLI   24(R9),X'FF'
         BE    NOFILES
         CLI   24(R9),C'('
         BE    NOFILES
         L     R6,=A(WORKAREA+RECOFF+80) GEN: members after the
         LA    R7,2                     header (item 1)
         CLI   FUNC,C'A'
         BNE   GENFIRST
         BAL   R14,READLIB              ADD: after the old members
         LTR   R15,R15
         BNZ   RETURN
GENFIRST LA    R9,24(,R9)
GENFILE  CLI   0(R9),X'FF'
         BE    GENDONE
         CLI   0(R9),C'('
         BE    GENDONE
         BAL   R14,ADDFILE
         CLC   RC,=F'88'                the dictionary is full
         BE    GENDONE
         CLC   RC,=F'100'               a disk error or no storage:
         BNL   RETURN                   nothing is written
         LA    R9,8(,R9)
         B     GENFILE
GENDONE  CLI   CHANGED,0
         BNE   WRITELIB
         CLI   FUNC,C'G'
         BNE   RETURN                   ADD: the library is as it was
         B     NOTMADE
NOFILES  LA    R2,MSGLINE
         ADDTEXT 'DMSLBT001E NO FILE NAMES SPECIFIED'
         B     ERR24
*
* ADDFILE: the decks of 'fn TEXT *' (fn at R9) become members from R6
* (item R7).  A deck without an END card or a control section is left
* out (DMSLBT056E); the others stay.
*
ADDFILE  ST    R14,ADDRET
         MVC   READFID(8),0(R9)
         MVC   READFID+8(8),=CL8'TEXT'
         XC    READITEM,READITEM
         MVI   DECKSTAT,0               0 none, 1 a deck, 2 after END
ADDREC   LA    R1,3*80(,R6)             the card, an LDT, a delimiter
         C     R1,STORSIZE
         BH    FULL
         ST    R6,READBUF
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=ADDEOF,NONE=TEXTNONE,CUT=ADDHAVE,ERROR=READERR
ADDHAVE  CLI   0(R6),X'02'
         BNE   ADDREC                   not an object-deck card
         CLC   1(3,R6),=C'LDT'
         BE    ADDREC
         CLI   DECKSTAT,2
         BNE   ADDSTART
         MVC   CARDTMP,0(R6)            a new deck after an END card:
         BAL   R14,ENDMEMB              the last one is complete
         CLC   RC,=F'88'
         BE    ADDCLOSE
         MVC   0(80,R6),CARDTMP
         B     ADDNEW
ADDSTART CLI   DECKSTAT,0
         BNE   ADDKEEP
ADDNEW   ST    R6,MEMADDR
         ST    R7,MEMITEM
         MVC   FIRSTSD,=CL8' '
         XC    NEP,NEP
         MVI   DECKSTAT,1
ADDKEEP  CLC   1(3,R6),=C'ESD'
         BNE   ADDEND
         BAL   R14,ESDNAMES
ADDEND   CLC   1(3,R6),=C'END'
         BNE   ADDNEXT
         MVI   DECKSTAT,2
ADDNEXT  LA    R6,80(,R6)
         LA    R7,1(,R7)
         B     ADDREC
ADDEOF   CLI   DECKSTAT,1
         BE    NOEND
         CLI   DECKSTAT,2
         BNE   ADDCLOSE
         BAL   R14,ENDMEMB
         B     ADDCLOSE
NOEND    MVC   BADREC,=C'END'           a deck cut short: left out
         BAL   R14,FLUSH
ADDCLOSE MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         L     R14,ADDRET
         BR    R14
TEXTNONE LA    R2,MSGLINE
         ADDTEXT 'DMSLBT002W FILE '''
         LA    R1,READFID
         BAL   R14,NAME
         ADDTEXT ' TEXT'' NOT FOUND'
         BAL   R14,TYPEMSG
         LA    R15,4
         BAL   R14,SETRC
         B     ADDCLOSE
*
* ENDMEMB: the deck from MEMADDR to R6 is complete: its LDT card and
* delimiter follow it and its names join the dictionary.
*
ENDMEMB  ST    R14,ENDRET
         CLC   FIRSTSD,=CL8' '
         BNE   ENDNAMES
         MVC   BADREC,=C'ESD'           no control section
         BAL   R14,FLUSH
         B     ENDOUT
ENDNAMES L     R3,NEP
         LA    R3,1(,R3)                the first SD and the others
         A     R3,NENT
         CH    R3,=Y(MAXENT)
         BH    DICTFULL
         MVC   0(80,R6),LDTCARD
         MVC   80(80,R6),DELIM
         LA    R6,160(,R6)
         LA    R7,2(,R7)
         L     R4,NENT
         MH    R4,=Y(ENTLEN)
         A     R4,=A(WORKAREA)
         LA    R5,FIRSTSD
         L     R8,NEP
         LA    R8,1(,R8)
         L     R3,=A(WORKAREA+EPOFF-8)  (the first SD comes first)
ENDENTRY MVC   0(8,R4),0(R5)
         MVC   8(2,R4),MEMITEM+2
         MVI   10(R4),0
         MVI   11(R4),X'80'
         LA    R4,ENTLEN(,R4)
         LA    R3,8(,R3)
         LR    R5,R3
         BCT   R8,ENDENTRY
         L     R3,NEP
         LA    R3,1(,R3)
         A     R3,NENT
         ST    R3,NENT
         MVI   CHANGED,1
ENDOUT   MVI   DECKSTAT,0
         L     R14,ENDRET
         BR    R14
DICTFULL LA    R2,MSGLINE
         ADDTEXT 'DMSLBT106E NUMBER OF MEMBER NAMES EXCEED MAX '
         ADDTEXT '''1000''.'
         ADDTEXT ' FILE '''
         LA    R1,READFID
         BAL   R14,NAME
         ADDTEXT ' TEXT'' NOT ADDED'
         BAL   R14,TYPEMSG
         LA    R15,88
         BAL   R14,SETRC
         L     R6,MEMADDR
         L     R7,MEMITEM
         B     ENDOUT
*
* FLUSH: the deck from MEMADDR is left out (DMSLBT056E, BADREC the
* kind of record at fault).
*
FLUSH    ST    R14,FLUSHRET
         LA    R2,MSGLINE
         ADDTEXT 'DMSLBT056E FILE '''
         LA    R1,READFID
         BAL   R14,NAME
         ADDTEXT ' TEXT'' CONTAINS INVALID '
         MVC   0(3,R2),BADREC
         LA    R2,3(,R2)
         ADDTEXT ' RECORD FORMATS'
         BAL   R14,TYPEMSG
         LA    R15,32
         BAL   R14,SETRC
         L     R6,MEMADDR
         L     R7,MEMITEM
         MVI   DECKSTAT,0
         L     R14,FLUSHRET
         BR    R14
*
* ESDNAMES: the SD and LD items of the ESD card at R6: the first SD is
* FIRSTSD, the others go to the deck's name table.
*
ESDNAMES LH    R3,10(,R6)               bytes of items
         LA    R5,16(,R6)
ESDITEM  LTR   R3,R3
         BNPR  R14
         CLI   8(R5),X'01'              SD (0) or LD (1) only
         BH    ESDNEXT
         CLC   0(8,R5),=CL8' '
         BE    ESDNEXT                  (a nameless section)
         CLI   8(R5),X'00'
         BNE   ESDEP
         CLC   FIRSTSD,=CL8' '
         BNE   ESDEP
         MVC   FIRSTSD,0(R5)
         B     ESDNEXT
ESDEP    L     R1,NEP
         CH    R1,=Y(MAXEP)
         BNL   ESDNEXT                  (more than a deck can have)
         LR    R4,R1
         SLL   R4,3
         A     R4,=A(WORKAREA+EPOFF)
         MVC   0(8,R4),0(R5)
         LA    R1,1(,R1)
         ST    R1,NEP
ESDNEXT  LA    R5,16(,R5)
         SH    R3,=H'16'
         B     ESDITEM
*
* READLIB: 'lib TXTLIB *' into storage from R6, its dictionary into
* the table; R6 and R7 then where new members go (over the old
* dictionary).  R15 = 0, or the return code after the message.
*
READLIB  ST    R14,READRET
         L     R6,=A(WORKAREA+RECOFF)
         LA    R7,1
         MVC   READFID(8),LIBFN
         MVC   READFID+8(8),=CL8'TXTLIB'
         XC    READITEM,READITEM
RLREC    LA    R1,80(,R6)
         C     R1,STORSIZE
         BH    FULL
         ST    R6,READBUF
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=RLEOF,NONE=LIBNONE,CUT=RLBAD,ERROR=READERR
         CLI   READFMT,C'F'
         BNE   RLBAD
         CLC   READLEN,=F'80'
         BNE   RLBAD
         LA    R6,80(,R6)
         LA    R7,1(,R7)
         B     RLREC
RLEOF    MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         L     R2,=A(WORKAREA+RECOFF)
         BCTR  R7,0                     records read
         CH    R7,=H'2'
         BL    RLBAD
         CLC   0(6,R2),=C'DMSLIB'
         BNE   RLBAD
         LH    R3,6(,R2)                first dictionary item
         N     R3,=X'0000FFFF'
         CH    R3,=H'2'
         BL    RLBAD
         L     R5,8(,R2)                its bytes
         SR    R4,R4
         D     R4,=A(ENTLEN)
         LTR   R4,R4
         BNZ   RLBAD
         C     R5,=A(MAXENT)
         BH    RLBAD
         ST    R5,NENT
         LR    R4,R7                    dictionary bytes the records
         SR    R4,R3                    from R3 can hold
         LA    R4,1(,R4)
         MH    R4,=Y(DICTREC)
         L     R5,8(,R2)
         CR    R5,R4
         BH    RLBAD
         LR    R7,R3                    new members go there
         BCTR  R3,0
         MH    R3,=H'80'
         AR    R3,R2
         LR    R6,R3
         L     R4,=A(WORKAREA)
RLDICT   LTR   R5,R5
         BNP   RLDONE
         MVC   0(DICTREC,R4),0(R3)
         LA    R3,80(,R3)
         LA    R4,DICTREC(,R4)
         SH    R5,=Y(DICTREC)
         B     RLDICT
RLDONE   SR    R15,R15
         L     R14,READRET
         BR    R14
RLBAD    LA    R2,MSGLINE
         ADDTEXT 'DMSLBT056E FILE '''
         LA    R1,LIBFN
         BAL   R14,NAME
         ADDTEXT ' TXTLIB'' CONTAINS INVALID RECORD FORMATS'
         BAL   R14,TYPEMSG
         MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         LA    R15,32
         B     RLOUT
LIBNONE  LA    R2,MSGLINE
         ADDTEXT 'DMSLBT002E FILE '''
         LA    R1,LIBFN
         BAL   R14,NAME
         ADDTEXT ' TXTLIB'' NOT FOUND'
         BAL   R14,TYPEMSG
         LA    R15,28
RLOUT    ST    R15,RC
         L     R14,READRET
         BR    R14
*
* DEL: each member named goes, records and names.
*
DEL      CLI   24(R9),X'FF'
         BE    NOCSECT
         CLI   24(R9),C'('
         BE    NOCSECT
         BAL   R14,READLIB
         LTR   R15,R15
         BNZ   RETURN
         LA    R9,24(,R9)
DELNAME  CLI   0(R9),X'FF'
         BE    DELDONE
         CLI   0(R9),C'('
         BE    DELDONE
         BAL   R14,DELONE
         LA    R9,8(,R9)
         B     DELNAME
DELDONE  CLI   CHANGED,0
         BE    RETURN
         L     R1,NENT
         LTR   R1,R1
         BNZ   WRITELIB
         MVC   STATEFID(8),LIBFN        nothing left: no library
         MVC   STATEFID+8(8),=CL8'TXTLIB'
         BAL   R14,ERASEOLD
NOTMADE  LA    R2,MSGLINE
         ADDTEXT 'DMSLBT213W LIBRARY '''
         LA    R1,LIBFN
         BAL   R14,NAME
         ADDTEXT ' TXTLIB'' NOT CREATED, OR ERASED IF EMPTY.'
         BAL   R14,TYPEMSG
         LA    R15,4
         BAL   R14,SETRC
         B     RETURN
NOCSECT  LA    R2,MSGLINE
         ADDTEXT 'DMSLBT001E NO CSECT NAMES SPECIFIED'
         B     ERR24
*
* DELONE: the member whose first name is at R9.  Its records (from its
* index to its delimiter) leave the storage copy, its entries the
* dictionary, and the later members' indexes go down.
*
DELONE   ST    R14,DELRET
         XC    DELLAST,DELLAST
         L     R4,=A(WORKAREA)
         L     R5,NENT
         SR    R3,R3                    the index before
DELFIND  LTR   R5,R5
         BNP   DELNONE
         CLC   0(8,R4),0(R9)
         BNE   DELSKIP
         CLC   8(2,R4),DELLAST+2        not a member's first name
         BNE   DELFOUND
DELSKIP  MVC   DELLAST+2(2),8(R4)
         LA    R4,ENTLEN(,R4)
         BCT   R5,DELFIND
         B     DELNONE
DELFOUND LH    R3,8(,R4)                the member's first item
         N     R3,=X'0000FFFF'
         LR    R2,R3
         BCTR  R2,0
         MH    R2,=H'80'
         A     R2,=A(WORKAREA+RECOFF)   its first record
         LR    R8,R2
DELEND   CR    R8,R6
         BNL   DELNONE                  (no delimiter: not touched)
         CLC   0(4,R8),DELIM
         LA    R8,80(,R8)
         BNE   DELEND
         LR    R1,R8                    its records: R10
         SR    R1,R2
         SR    R0,R0
         D     R0,=F'80'
         LR    R10,R1
DELMOVE  CR    R8,R6                    the records after it move down
         BNL   DELMOVED
         MVC   0(80,R2),0(R8)
         LA    R2,80(,R2)
         LA    R8,80(,R8)
         B     DELMOVE
DELMOVED LR    R6,R2
         SR    R7,R10
         L     R4,=A(WORKAREA)          the names: its go, the later
         LR    R2,R4                    ones' indexes go down
         L     R5,NENT
DELENT   LTR   R5,R5
         BNP   DELENTS
         LH    R1,8(,R4)
         N     R1,=X'0000FFFF'
         CR    R1,R3
         BE    DELENTN
         BL    DELKEEP
         SR    R1,R10
         STH   R1,8(,R4)
DELKEEP  MVC   0(ENTLEN,R2),0(R4)
         LA    R2,ENTLEN(,R2)
DELENTN  LA    R4,ENTLEN(,R4)
         BCT   R5,DELENT
DELENTS  LR    R1,R2
         S     R1,=A(WORKAREA)
         SR    R0,R0
         D     R0,=A(ENTLEN)
         ST    R1,NENT
         MVI   CHANGED,1
         L     R14,DELRET
         BR    R14
DELNONE  LA    R2,MSGLINE
         ADDTEXT 'DMSLBT013E MEMBER '''
         LR    R1,R9
         BAL   R14,NAME
         ADDTEXT ''' NOT FOUND IN FILE '''
         LA    R1,LIBFN
         BAL   R14,NAME
         ADDTEXT ' TXTLIB'''
         BAL   R14,TYPEMSG
         LA    R15,32
         BAL   R14,SETRC
         L     R14,DELRET
         BR    R14
*
* WRITELIB: the header, the members (in storage up to R6) and the
* dictionary as TXTLIB CMSUT1 A1; then the old library goes and the
* new one takes its name.
*
WRITELIB L     R2,=A(WORKAREA+RECOFF)
         MVI   0(R2),C' '
         MVC   1(79,R2),0(R2)
         MVC   0(6,R2),=C'DMSLIB'
         STH   R7,6(,R2)                the dictionary's first item
         L     R3,NENT
         MH    R3,=Y(ENTLEN)
         ST    R3,8(,R2)                its bytes
         LA    R3,DICTREC-1(,R3)
         SR    R4,R4
         LR    R5,R3
         D     R4,=A(DICTREC)
         ST    R5,12(,R2)               its records
         MH    R5,=Y(ENTLEN)
         ST    R5,16(,R2)
         L     R3,NENT                  the last record: zeros after
         MH    R3,=Y(ENTLEN)            the entries
         A     R3,=A(WORKAREA)
         XC    0(80,R3),0(R3)
         MVC   STATEFID(16),WORKFID
         BAL   R14,ERASEOLD
         MVC   WRITEFID(16),WORKFID
         L     R4,=A(WORKAREA+RECOFF)
WRREC    CR    R4,R6
         BNL   WRDICT
         ST    R4,WRITEBUF
         BAL   R14,WRITE1
         LA    R4,80(,R4)
         B     WRREC
WRDICT   L     R4,=A(WORKAREA)
         L     R2,=A(WORKAREA+RECOFF)
         L     R5,12(,R2)
WRDICTR  MVC   OUTREC(DICTREC),0(R4)
         XC    OUTREC+DICTREC(80-DICTREC),OUTREC+DICTREC
         LA    R1,OUTREC
         ST    R1,WRITEBUF
         BAL   R14,WRITE1
         LA    R4,DICTREC(,R4)
         BCT   R5,WRDICTR
         MVC   FINFID,WRITEFID
         LA    R1,FINLIST
         SVC   202
         LTR   R15,R15
         BNZ   WRFAIL
         MVC   STATEFID(8),LIBFN
         MVC   STATEFID+8(8),=CL8'TXTLIB'
         BAL   R14,ERASEOLD
         MVC   RNMNEW(8),LIBFN
         LA    R1,RNMLIST
         SVC   202
         B     RETURN
WRITE1   LA    R1,WRITLIST
         SVC   202
         LTR   R15,R15
         BZR   R14
WRFAIL   ST    R15,WORK
         MVC   FINFID,WRITEFID
         LA    R1,FINLIST
         SVC   202
         MVC   STATEFID(16),WORKFID     the partial work file goes
         BAL   R14,ERASEOLD
         LA    R2,MSGLINE
         ADDTEXT 'DMSLBT105S ERROR '''
         L     R15,WORK
         BAL   R14,DECIMAL
         ADDTEXT ''' WRITING FILE ''TXTLIB CMSUT1'' TO DISK'
         BAL   R14,TYPEMSG
         LA    R15,100
         ST    R15,RC
         B     RETURN
*
* ERASEOLD: 'STATEFID A' erased if it is there.
*
ERASEOLD ST    R14,ERASERET
         MVC   ERASEFID(16),STATEFID
         LA    R1,STATLIST
         SVC   202
         LTR   R15,R15
         BNZ   ERASED
         LA    R1,ERASLIST
         SVC   202
ERASED   L     R14,ERASERET
         BR    R14
*
* MAP and LIST: the dictionary, typed (TERM) or as 'lib MAP A1'.
*
LIST     MVI   MAPDISK,0
         LA    R9,24(,R9)
         B     MAPOPTS
MAP      MVI   MAPDISK,1
         LA    R9,24(,R9)
         CLI   0(R9),C'('
         BNE   MAPOPTS
         LA    R9,8(,R9)
         CLI   0(R9),X'FF'
         BE    MAPOPTS
         CLI   0(R9),C')'
         BE    MAPOPTS
         CLC   0(8,R9),=CL8'TERM'
         BE    MAPTERM
         CLC   0(8,R9),=CL8'DISK'
         BNE   BADOPT
         LA    R9,8(,R9)
         B     MAPOPTS
MAPTERM  MVI   MAPDISK,0
         LA    R9,8(,R9)
MAPOPTS  CLI   0(R9),X'FF'
         BE    MAPREAD
         CLI   0(R9),C')'
         BE    MAPREAD
BADOPT   LA    R2,MSGLINE
         ADDTEXT 'DMSLBT003E INVALID OPTION '''
         LR    R1,R9
         BAL   R14,NAME
         ADDTEXT ''''
         B     ERR24
MAPREAD  BAL   R14,READLIB
         LTR   R15,R15
         BNZ   RETURN
         CLI   MAPDISK,0
         BE    MAPHEAD
         MVC   STATEFID(8),LIBFN
         MVC   STATEFID+8(8),=CL8'MAP'
         BAL   R14,ERASEOLD
         MVC   MAPFID(8),LIBFN
MAPHEAD  MVI   MAPLINE,C' '
         MVC   MAPLINE+1(29),MAPLINE
         MVC   MAPLINE(17),=C'     ENTRY  INDEX'
         BAL   R14,MAPPUT
         L     R4,=A(WORKAREA)
         L     R5,NENT
         XC    DELLAST,DELLAST
MAPENT   LTR   R5,R5
         BNP   MAPCOUNT
         MVI   MAPLINE,C' '
         MVC   MAPLINE+1(29),MAPLINE
         MVC   MAPLINE+2(8),0(R4)
         CLC   8(2,R4),DELLAST+2        the same member: the name only
         BE    MAPONE
         MVC   DELLAST+2(2),8(R4)
         LH    R1,8(,R4)
         N     R1,=X'0000FFFF'
         CVD   R1,DOUBLE
         MVC   MAPLINE+10(7),PATTERN
         ED    MAPLINE+10(7),DOUBLE+5
MAPONE   BAL   R14,MAPPUT
         LA    R4,ENTLEN(,R4)
         BCT   R5,MAPENT
MAPCOUNT MVI   MAPLINE,C' '
         MVC   MAPLINE+1(29),MAPLINE
         L     R1,NENT
         CVD   R1,DOUBLE
         MVC   MAPLINE+2(7),PATTERN
         ED    MAPLINE+2(7),DOUBLE+5
         MVC   MAPLINE+9(19),=C' ENTRIES IN LIBRARY'
         BAL   R14,MAPPUT
         CLI   MAPDISK,0
         BE    RETURN
         MVC   FINFID,MAPFID
         LA    R1,FINLIST
         SVC   202
         LTR   R15,R15
         BNZ   MAPFAIL
         B     RETURN
MAPPUT   CLI   MAPDISK,0
         BNE   MAPWRITE
         LA    R1,MAPLINE
         LA    R0,30
         B     TYPE
MAPWRITE LA    R1,MAPLIST
         SVC   202
         LTR   R15,R15
         BZR   R14
MAPFAIL  ST    R15,WORK
         MVC   FINFID,MAPFID
         LA    R1,FINLIST
         SVC   202
         LA    R2,MSGLINE
         ADDTEXT 'DMSLBT105S ERROR '''
         L     R15,WORK
         BAL   R14,DECIMAL
         ADDTEXT ''' WRITING FILE '''
         LA    R1,LIBFN
         BAL   R14,NAME
         ADDTEXT ' MAP'' TO DISK'
         BAL   R14,TYPEMSG
         LA    R15,100
         ST    R15,RC
         B     RETURN
*
* The errors that end the command.
*
FULL     LA    R2,MSGLINE
         ADDTEXT 'DMSLBT109S VIRTUAL STORAGE CAPACITY EXCEEDED'
         BAL   R14,TYPEMSG
         LA    R15,104
         B     FATAL
READERR  ST    R15,WORK
         LA    R2,MSGLINE
         ADDTEXT 'DMSLBT104S ERROR '''
         L     R15,WORK
         BAL   R14,DECIMAL
         ADDTEXT ''' READING FILE '''
         LA    R1,READFID
         BAL   R14,NAME
         MVI   0(R2),C' '
         LA    R2,1(,R2)
         LA    R1,READFID+8
         BAL   R14,NAME
         ADDTEXT ''' FROM DISK'
         BAL   R14,TYPEMSG
         LA    R15,100
FATAL    ST    R15,RC
         MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
RETURN   L     R15,RC
         L     R13,4(,R13)
         L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* SETRC: RC becomes R15 if that is higher.
*
SETRC    C     R15,RC
         BNHR  R14
         ST    R15,RC
         BR    R14
*
* NAME: the 8-byte name at R1 without its trailing blanks to R2.
* DECIMAL: R15 in decimal at R2.  TYPEMSG: MSGLINE up to R2 typed.
* TYPE: R0 bytes at R1 typed.
*
NAME     LA    R15,8
NAMECHAR CLI   0(R1),C' '
         BER   R14
         MVC   0(1,R2),0(R1)
         LA    R1,1(,R1)
         LA    R2,1(,R2)
         BCT   R15,NAMECHAR
         BR    R14
DECIMAL  CVD   R15,DOUBLE
         UNPK  0(4,R2),DOUBLE+5(3)
         OI    3(R2),X'F0'
         LA    R2,4(,R2)
         BR    R14
TYPEMSG  LA    R1,MSGLINE
         LR    R0,R2
         SR    R0,R1
TYPE     ST    R1,TYPLIST+8
         MVI   TYPLIST+8,1
         STH   R0,TYPLIST+14
         LA    R1,TYPLIST
         SVC   202
         BR    R14
*
* APPEND: R0 bytes at R1 to R2 (ADDTEXT); R2 past them.
*
         APPENDR
         LTORG
*
* Parameter lists and state.
*
         DS    0F
READLIST DC    CL8'RDBUF'
READFID  DC    CL8' ',CL8' ',CL2'* '
READITEM DC    H'0'
READBUF  DC    A(0),F'80'
READFMT  DC    CL2' ',H'1'
READLEN  DC    F'0'
WRITLIST DC    CL8'WRBUF'
WRITEFID DC    CL8' ',CL8' ',CL2'A1'
         DC    H'0'
WRITEBUF DC    A(0),F'80'
         DC    CL2'F',H'1',F'0'
         DS    0F
MAPLIST  DC    CL8'WRBUF'
MAPFID   DC    CL8' ',CL8'MAP',CL2'A1'
         DC    H'0',A(MAPLINE),F'30'
         DC    CL2'F',H'1',F'0'
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
         DS    0F
STATLIST DC    CL8'STATE'
STATEFID DC    CL8' ',CL8' ',CL2'A ',CL6' ',8X'FF'
         DS    0F
ERASLIST DC    CL8'ERASE'
ERASEFID DC    CL8' ',CL8' ',CL8'A',8X'FF'
         DS    0F
RNMLIST  DC    CL8'RENAME'
WORKFID  DC    CL8'TXTLIB',CL8'CMSUT1',CL8'A1'
RNMNEW   DC    CL8' ',CL8'TXTLIB',CL8'A1',8X'FF'
TYPLIST  DC    CL8'TYPLIN',AL1(1),AL3(0),C'B',X'00',H'0'
SAVEAREA DC    18F'0'
DOUBLE   DS    D
RC       DS    F
NENT     DS    F                        names in the dictionary
NEP      DS    F                        a deck's names after its first
MEMADDR  DS    A                        this deck's first record
MEMITEM  DS    F                        and its item
DELLAST  DC    F'0'
WORK     DS    F
ADDRET   DS    A
ENDRET   DS    A
FLUSHRET DS    A
READRET  DS    A
DELRET   DS    A
ERASERET DS    A
LIBFN    DS    CL8
FIRSTSD  DS    CL8
BADREC   DS    CL3
DECKSTAT DS    X
CHANGED  DS    X
FUNC     DS    C                        G, A, D, M or L
MAPDISK  DS    X
PATTERN  DC    X'40402020202020'
LDTCARD  DC    X'02',C'LDT',CL76' '
DELIM    DC    X'61FFFF61',CL76' '
CARDTMP  DS    CL80
OUTREC   DS    CL80
MAPLINE  DS    CL30
MSGLINE  DS    CL132
         DS    0D
WORKAREA DS    0D                       the work area, to the end of
         NUCON                          storage
         END   TXTLIB
