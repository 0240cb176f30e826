LDR      TITLE 'DMSLDR - LOAD AND START: RUN A PROGRAM FROM TEXT DECKS'
*
* LOAD fn [fn ...] [( [NOAUTO] [NOLIBE]]
*    reads each file 'fn TEXT *', an OS/360 object deck (ESD, TXT, RLD
*    and END cards, as the assembler punches them), into the user area
*    from X'20000' on, one deck after another on doubleword boundaries:
*    every control section of a deck moves by the same amount and its
*    address constants are relocated (RLD).  A name with no TEXT file
*    is the member of a GLOBAL TXTLIB that has it in its dictionary.
*    External names (ER, V-constants) are resolved once every file is
*    in: while a name is still undefined the loader looks, as VM/370's
*    (DMSLIB) does, for a file 'name TEXT *' (not with NOAUTO), then
*    for the name in the dictionaries of the GLOBAL TXTLIBs in order
*    (not with NOLIBE), and loads the file or member it finds, whose
*    own names may need more.  A weak name (WX) is not looked for.
*    Names left undefined are typed after DMSLIO201W, eight to a line,
*    and their address constants keep their assembled values (zero
*    for a V-constant); the return code is 4.  A name defined again
*    keeps its first definition (DMSLIO202W).  The entry point is the
*    first END card's, else the first section.
* INCLUDE fn [fn ...] [( [NOAUTO] [NOLIBE]]
*    loads more decks after those LOAD (and earlier INCLUDEs) brought
*    in, keeping their names and entry point: the names still
*    undefined are looked for again, with the new decks' own.  With
*    nothing loaded yet it is LOAD.
* The loader's tables: the names (SYMTAB, here) and the address
*    constants waiting for a name (the top 4K of storage, below which
*    programs must end); START and a MODULE's run drop the waiting
*    ones.
* START [entry|*] [args ...]
*    types DMSLIO740I EXECUTION BEGINS... and runs the loaded program:
*    R1 -> its tokenized parameter list (entry word and args, copied to
*    user storage), R12 and R15 its entry, R13 an 18-word save area in
*    user storage, R14 the return address; PSW key E, supervisor state,
*    enabled for the blip only.  The program's R15 at return is START's
*    return code.  The nucleus (key F) cannot be stored into by it.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save area,
*          R14 return.
* Exits:   R15 = 0 or the program's return code; LOAD: 4 names left
*          undefined (DMSLIO201W); 24 a bad option (DMSLIO003E); 28 no
*          such file (DMSLIO002E); 32 a deck this loader cannot read:
*          no END card, over 20 ESD items, or PC, CM or XD items
*          (DMSLIO953E); 104 past the end of storage (DMSLIO109S) or
*          over 64 names or 512 waiting constants (DMSLIO116S).
*          START: 40 nothing loaded (DMSLIO952E), a name not loaded
*          (DMSLIO954E).
* GENMOD fn
*    writes 'fn MODULE A1' (V records: origin, end and entry, then the
*    loaded storage in pieces of up to 4,096 bytes), replacing one of
*    that name.  Typing fn (or SVC 202 with it) then loads and runs
*    the module (DMSMOD).
*          Messages 950-999 are this system's own.
*
         REGEQU
         CMSLAYO
MAXSYM   EQU   64                       names: sections, entries, refs
MAXFIX   EQU   512                      constants waiting for a name
FIXBYTES EQU   MAXFIX*8                 (the top of storage)
NOAUTO   EQU   X'80'                    LDFLAGS: no 'name TEXT' search
NOLIBE   EQU   X'40'                    no TXTLIB search
DMSLDR   CSECT
         ENTRY DMSLST$,DMSLDRET,DMSMOD,DMSGEN,DMSINC
         USING NUCON,R0
         USING DMSLDR,R12,R11
         STM   R14,R12,12(R13)
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         LR    R9,R1
         BAL   R14,OPTIONS
         LTR   R15,R15
         BNZ   RETURN
         BAL   R14,FRESH
         LA    R9,8(,R9)
NEXTFILE CLI   0(R9),X'FF'
         BE    LOADED
         CLI   0(R9),C'('
         BE    LOADED
         MVC   READFN,0(R9)
         BAL   R14,NAMEDECK
         LTR   R15,R15
         BNZ   RETURN
         LA    R9,8(,R9)
         B     NEXTFILE
LOADED   BAL   R14,LIBSRCH
         LTR   R15,R15
         BNZ   RETURN
         BAL   R14,FIXUPS
         BAL   R14,UNDEFS
         B     RETURN
*
* FRESH: nothing loaded; the tables empty.
*
FRESH    L     R2,=A(USERAREA)
         ST    R2,LOADPT
         ST    R2,LOADEND
         XC    SYMCOUNT,SYMCOUNT
         XC    FIXCOUNT,FIXCOUNT
         XC    ENTRY,ENTRY
         BR    R14
*
* OPTIONS: after '(': NOAUTO, NOLIBE (AUTO, LIBE the defaults).  Also
* where the waiting constants go: the top of storage.
*
OPTIONS  L     R1,STORSIZE
         S     R1,=A(FIXBYTES)
         ST    R1,FIXBASE
         MVI   LDFLAGS,0
         SR    R15,R15
         LR    R2,R9
OPTFIND  LA    R2,8(,R2)
         CLI   0(R2),X'FF'
         BER   R14
         CLI   0(R2),C'('
         BNE   OPTFIND
OPTNEXT  LA    R2,8(,R2)
         CLI   0(R2),X'FF'
         BER   R14
         CLI   0(R2),C')'
         BER   R14
         CLC   0(8,R2),=CL8'NOAUTO'
         BNE   OPTNOLIB
         OI    LDFLAGS,NOAUTO
         B     OPTNEXT
OPTNOLIB CLC   0(8,R2),=CL8'NOLIBE'
         BNE   OPTAUTO
         OI    LDFLAGS,NOLIBE
         B     OPTNEXT
OPTAUTO  CLC   0(8,R2),=CL8'AUTO'
         BNE   OPTLIBE
         NI    LDFLAGS,255-NOAUTO
         B     OPTNEXT
OPTLIBE  CLC   0(8,R2),=CL8'LIBE'
         BNE   OPTBADW
         NI    LDFLAGS,255-NOLIBE
         B     OPTNEXT
OPTBADW  ST    R14,OPTRET               DMSLIO003E INVALID OPTION 'x'
         MVC   OPTBAD+1(8),0(R2)
         LA    R1,MSG003
         BAL   R14,QUOTED
         LA    R15,24
         L     R14,OPTRET
         BR    R14
*
* QUOTED: the message R1 with the name in OPTBAD+1 in quotes.
*
QUOTED   LA    R3,OPTBAD+9
QUOTTRIM BCTR  R3,0
         CLI   0(R3),C' '
         BE    QUOTTRIM
         MVI   1(R3),C''''
         LA    R4,2(,R3)
         LA    R3,OPTBAD
         SR    R4,R3
         SR    R2,R2
         L     R15,=V(DMSMSG)
         BR    R15
*
* INCLUDE: the same, from where the last deck ended.
*
         DROP  R12,R11
DMSINC   DS    0H
         USING DMSINC,R12
         STM   R14,R12,12(R13)
         L     R12,INCBASE
         DROP  R12
         USING DMSLDR,R12,R11
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         B     INCGO
INCBASE  DC    A(DMSLDR)
INCGO    LR    R9,R1
         BAL   R14,OPTIONS
         LTR   R15,R15
         BNZ   RETURN
         L     R2,ENTRY
         LTR   R2,R2                    anything loaded?
         BNZ   INCLMORE
         BAL   R14,FRESH                no: INCLUDE is LOAD
INCLMORE L     R0,SYMCOUNT              names not found before are
         LA    R2,SYMTAB                looked for again
INCLNAME LTR   R0,R0
         BZ    INCLFILE
         CLI   12(R2),C'N'
         BNE   INCLNEXT
         MVI   12(R2),C'R'
INCLNEXT LA    R2,16(,R2)
         BCT   R0,INCLNAME
INCLFILE LA    R9,8(,R9)
         B     NEXTFILE
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* NAMEDECK: the deck LOAD or INCLUDE names (READFN): 'fn TEXT *',
* else the GLOBAL TXTLIB member of that name.
*
NAMEDECK ST    R14,NAMERET
         MVC   READFT,=CL8'TEXT'
         XC    READITEM,READITEM
         BAL   R14,ONEDECK
         CH    R15,=H'28'
         BNE   NAMEOUT
         MVC   LOOKNAME,READFN          no such file: a member?
         BAL   R14,LIBFIND
         LTR   R15,R15
         BNZ   NAMENONE
         BAL   R14,ONEDECK
         B     NAMEOUT
NAMENONE MVC   FILEID(8),LOOKNAME
         MVC   FILEID+8(8),=CL8'TEXT'
         LA    R1,MSG002
         LA    R2,FILEID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,28
NAMEOUT  L     R14,NAMERET
         BR    R14
*
* LIBSRCH: while a name is undefined (R), 'name TEXT *' or a TXTLIB
* member that has it is loaded; a name looked for in vain becomes N.
*
LIBSRCH  ST    R14,SRCHRET
         TM    LDFLAGS,NOAUTO+NOLIBE
         BO    SRCHDONE
SRCHSCAN L     R0,SYMCOUNT
         LA    R2,SYMTAB
SRCHLOOP LTR   R0,R0
         BZ    SRCHDONE
         CLI   12(R2),C'R'
         BE    SRCHONE
         LA    R2,16(,R2)
         BCT   R0,SRCHLOOP
         B     SRCHDONE
SRCHONE  MVI   12(R2),C'N'
         MVC   LOOKNAME,0(R2)
         TM    LDFLAGS,NOAUTO
         BO    SRCHLIB
         MVC   READFN,LOOKNAME
         MVC   READFT,=CL8'TEXT'
         XC    READITEM,READITEM
         BAL   R14,ONEDECK
         CH    R15,=H'28'
         BE    SRCHLIB
         LTR   R15,R15
         BNZ   SRCHOUT
         B     SRCHSCAN
SRCHLIB  BAL   R14,LIBFIND
         LTR   R15,R15
         BNZ   SRCHSCAN
         BAL   R14,ONEDECK
         LTR   R15,R15
         BZ    SRCHSCAN
         B     SRCHOUT
SRCHDONE SR    R15,R15
SRCHOUT  L     R14,SRCHRET
         BR    R14
*
* LIBFIND: LOOKNAME in the dictionaries of the GLOBAL TXTLIBs (the
* DMSLIB header, then 12-byte entries six to a record, docs/cms.md).
* Found: R15 = 0, READFN, READFT and READITEM name the member's first
* card.  Else R15 = 4 (and with NOLIBE).
*
LIBFIND  STM   R14,R10,FINDSAVE
         TM    LDFLAGS,NOLIBE
         BO    FINDNO
         L     R8,=V(DMSGLBT)           GLOBAL TXTLIB's count, names
         L     R10,0(,R8)
         LA    R8,4(,R8)
FINDLIB  LTR   R10,R10
         BZ    FINDNO
         MVC   READFN,0(R8)
         MVC   READFT,=CL8'TXTLIB'
         MVC   READITEM,=H'1'
         LA    R1,READLIST
         SVC   202
         LTR   R15,R15
         BNZ   FINDNEXT
         CLC   CARDBUF(6),=C'DMSLIB'
         BNE   FINDNEXT
         MVC   READITEM,CARDBUF+6       the dictionary's first record
         L     R4,CARDBUF+8             and its bytes
FINDREC  LTR   R4,R4
         BNP   FINDNEXT
         LA    R1,READLIST
         SVC   202
         LTR   R15,R15
         BNZ   FINDNEXT
         XC    READITEM,READITEM
         LA    R5,CARDBUF
         LA    R6,6
FINDENT  CLC   0(8,R5),LOOKNAME
         BE    FINDYES
         LA    R5,12(,R5)
         SH    R4,=H'12'
         BNP   FINDNEXT
         BCT   R6,FINDENT
         B     FINDREC
FINDYES  MVC   READITEM,8(R5)           the member's first card
         MVC   FINFN,READFN
         LA    R1,FINLIST
         SVC   202
         LM    R14,R10,FINDSAVE
         SR    R15,R15
         BR    R14
FINDNEXT MVC   FINFN,READFN
         LA    R1,FINLIST
         SVC   202
         LA    R8,8(,R8)
         BCTR  R10,0
         B     FINDLIB
FINDNO   LM    R14,R10,FINDSAVE
         LA    R15,4
         BR    R14
*
* ONEDECK: load the deck of 'READFN READFT *' from item READITEM (0:
* the first) to its END card; R15 = 28, no message, if no such file.
*
ONEDECK  ST    R14,DECKRET
         MVC   DECKLOW,=X'7FFFFFFF'     lowest section address
         XC    DECKHIGH,DECKHIGH
         XC    IDTABLE(240),IDTABLE
CARD     LA    R1,READLIST
         SVC   202
         XC    READITEM,READITEM        then on from there
         CH    R15,=H'1'
         BE    NOTEXT
         CH    R15,=H'12'
         BE    BADDECK                  no END card
         LTR   R15,R15
         BNZ   BADDECK
         CLI   CARDBUF,X'02'
         BNE   CARD                     not an object card: skip it
         CLC   CARDBUF+1(3),=C'ESD'
         BE    ESDCARD
         CLC   CARDBUF+1(3),=C'TXT'
         BE    TXTCARD
         CLC   CARDBUF+1(3),=C'RLD'
         BE    RLDCARD
         CLC   CARDBUF+1(3),=C'END'
         BE    ENDCARD
         B     CARD
*
* ESD: items of 16 bytes from column 17; the first has the ESDID in
* columns 15-16 unless it is an LD (LDs take no ESDID).
*
ESDCARD  LH    R3,CARDBUF+10            bytes of items
         LH    R4,CARDBUF+14            ESDID of the first
         LA    R5,CARDBUF+16
ESDITEM  LTR   R3,R3
         BNP   CARD
         CLI   8(R5),X'00'              SD
         BE    ESDSD
         CLI   8(R5),X'01'              LD
         BE    ESDLD
         CLI   8(R5),X'02'              ER
         BE    ESDER
         CLI   8(R5),X'0A'              WX
         BE    ESDER
         B     BADDECK                  PC, CM, XD: not supported
ESDSD    BAL   R14,IDSLOT               R6 -> the ESDID's entry
         L     R7,8(,R5)
         LA    R7,0(,R7)                assembled address
         ST    R7,0(,R6)
         MVI   0(R6),C'S'
         C     R7,DECKLOW
         BNL   SDHIGH
         ST    R7,DECKLOW
SDHIGH   L     R8,12(,R5)
         LA    R8,0(R7,R8)              end of the section
         C     R8,DECKHIGH
         BNH   SDNAME
         ST    R8,DECKHIGH
SDNAME   BAL   R14,ADDSYM               its name, relocated later
         LA    R4,1(,R4)
         B     ESDNEXT
ESDLD    BAL   R14,ADDSYM
         B     ESDNEXT
ESDER    BAL   R14,IDSLOT
         MVI   0(R6),C'R'               an external: its name's entry
         BAL   R14,REFSYM
         ST    R2,4(,R6)
         LA    R4,1(,R4)
ESDNEXT  LA    R5,16(,R5)
         SH    R3,=H'16'
         B     ESDITEM
*
* IDSLOT: R6 -> the 12-byte entry of ESDID R4 (1-20).
*
IDSLOT   CH    R4,=H'20'
         BH    BADDECK
         LR    R6,R4
         BCTR  R6,0
         MH    R6,=H'12'
         LA    R6,IDTABLE(R6)
         BR    R14
*
* ADDSYM: the SD or LD at R5 into the symbol table, as an assembled
* address to be relocated by this deck's factor (state U); a name
* defined before keeps its first definition.  The states: U and D
* defined, R undefined, N looked for in vain, W a weak reference.
*
ADDSYM   ST    R14,SYMRET
         LR    R1,R5
         BAL   R14,FINDSYM
         LTR   R2,R2
         BZ    ADDNEW
         CLI   12(R2),C'D'
         BE    ADDDUP
         CLI   12(R2),C'U'
         BNE   ADDSET                   a name wanted: defined now
ADDDUP   STM   R2,R5,UNDSAVE            DMSLIO202W DUPLICATE IDENTIFIER
         MVC   OPTBAD+1(8),0(R5)
         LA    R1,MSG202
         BAL   R14,QUOTED
         LM    R2,R5,UNDSAVE
         B     ADDOUT
ADDNEW   BAL   R14,NEWSYM
ADDSET   L     R7,8(,R5)
         LA    R7,0(,R7)
         ST    R7,8(,R2)
         MVI   12(R2),C'U'
ADDOUT   L     R14,SYMRET
         BR    R14
*
* REFSYM: R2 -> the entry of the ER or WX name at R5 (a new one R or
* W; a weak one an ER makes R).
*
REFSYM   ST    R14,SYMRET
         LR    R1,R5
         BAL   R14,FINDSYM
         LTR   R2,R2
         BNZ   REFOLD
         BAL   R14,NEWSYM
         XC    8(4,R2),8(R2)
         MVI   12(R2),C'W'
REFOLD   CLI   12(R2),C'W'
         BNE   REFOUT
         CLI   8(R5),X'0A'
         BE    REFOUT
         MVI   12(R2),C'R'
REFOUT   L     R14,SYMRET
         BR    R14
*
* FINDSYM: R2 -> the entry of the name at R1, or 0.  NEWSYM: R2 -> a
* new entry named as the ESD item at R5.
*
FINDSYM  L     R0,SYMCOUNT
         LA    R2,SYMTAB
FINDLOOP LTR   R0,R0
         BZ    FINDNONE
         CLC   0(8,R2),0(R1)
         BER   R14
         LA    R2,16(,R2)
         BCT   R0,FINDLOOP
FINDNONE SR    R2,R2
         BR    R14
NEWSYM   L     R1,SYMCOUNT
         CH    R1,=Y(MAXSYM)
         BNL   TABFULL
         LR    R2,R1
         SLL   R2,4
         A     R2,=A(SYMTAB)
         MVC   0(8,R2),0(R5)
         LA    R1,1(,R1)
         ST    R1,SYMCOUNT
         BR    R14
*
* The first TXT, RLD or END card fixes the deck's place: the factor
* that moves its lowest section to LOADPT.
*
PLACE    CLI   PLACED,1
         BER   R14
         MVI   PLACED,1
         L     R2,LOADPT
         S     R2,DECKLOW
         ST    R2,FACTOR
         L     R3,DECKHIGH
         S     R3,DECKLOW
         A     R3,LOADPT
         C     R3,FIXBASE
         BH    TOOBIG
         LA    R3,7(,R3)
         N     R3,=X'00FFFFF8'
         ST    R3,NEXTPT
         L     R3,SYMCOUNT              relocate this deck's names
         LA    R4,SYMTAB
RELSYM   LTR   R3,R3
         BZR   R14
         CLI   12(R4),C'U'
         BNE   RELNEXT
         L     R5,8(,R4)
         A     R5,FACTOR
         ST    R5,8(,R4)
         MVI   12(R4),C'D'
RELNEXT  LA    R4,16(,R4)
         BCT   R3,RELSYM
         BR    R14
*
* TXT: bytes (columns 11-12) at the address in columns 6-8.
*
TXTCARD  BAL   R14,PLACE
         L     R2,CARDBUF+4
         LA    R2,0(,R2)
         A     R2,FACTOR
         LH    R3,CARDBUF+10
         LTR   R3,R3
         BNP   CARD
         LA    R4,0(R2,R3)
         C     R4,FIXBASE
         BH    TOOBIG
         C     R2,=A(USERAREA)
         BL    TOOBIG
         BCTR  R3,0
         EX    R3,TXTMOVE
         B     CARD
TXTMOVE  MVC   0(0,R2),CARDBUF+16
*
* RLD: entries R-pointer, P-pointer, flag, address; a flag ending in
* 1 means the next entry has the same pointers and omits them.
*
RLDCARD  BAL   R14,PLACE
         LH    R3,CARDBUF+10
         LA    R5,CARDBUF+16
RLDITEM  LTR   R3,R3
         BNP   CARD
         MVC   RPOINT(4),0(R5)          R and P pointers
         LA    R5,4(,R5)
         SH    R3,=H'4'
RLDSAME  MVC   FLAGBYTE,0(R5)
         BAL   R14,RELOCATE
         LA    R5,4(,R5)
         SH    R3,=H'4'
         TM    FLAGBYTE,X'01'           same pointers follow?
         BO    RLDSAME
         B     RLDITEM
*
* RELOCATE: the address constant the entry at R5 describes gets its
* section's move (FACTOR) added or subtracted now; one for an external
* name waits in the fixup table (address, flags; the name's entry).
*
RELOCATE ST    R14,RELRET
         LH    R4,RPOINT
         BAL   R14,IDSLOT
         L     R2,0(,R5)
         LA    R2,0(,R2)
         A     R2,FACTOR                where the constant is
         CLI   0(R6),C'S'
         BNE   RELEXT
         L     R7,FACTOR                a section: its move
         BAL   R14,APPLY
         B     RELDONE
RELEXT   CLI   0(R6),C'R'
         BNE   BADDECK
         L     R1,FIXCOUNT
         CH    R1,=Y(MAXFIX)
         BNL   TABFULL
         LR    R7,R1
         SLL   R7,3
         A     R7,FIXBASE
         ST    R2,0(,R7)
         MVC   0(1,R7),FLAGBYTE
         MVC   4(4,R7),4(R6)
         LA    R1,1(,R1)
         ST    R1,FIXCOUNT
RELDONE  L     R14,RELRET
         BR    R14
*
* APPLY: R7 added to (or, flag X'02', subtracted from) the constant at
* R2 whose length (1-4) FLAGBYTE gives.
*
APPLY    SR    R8,R8
         IC    R8,FLAGBYTE
         SRL   R8,2
         N     R8,=F'3'
         LA    R8,1(,R8)                its length, 1-4
         MVC   WORK,=F'0'
         LA    R1,WORK+4
         SR    R1,R8
         BCTR  R8,0
         EX    R8,GETCON
         L     R1,WORK
         TM    FLAGBYTE,X'02'           subtract?
         BO    APPSUB
         AR    R1,R7
         B     APPPUT
APPSUB   SR    R1,R7
APPPUT   ST    R1,WORK
         LA    R1,WORK+3
         SR    R1,R8
         EX    R8,PUTCON
         BR    R14
GETCON   MVC   0(0,R1),0(R2)
PUTCON   MVC   0(0,R2),0(R1)
*
* FIXUPS: the waiting constants whose names are defined now get their
* addresses; the others go on waiting.
*
FIXUPS   ST    R14,FIXRET
         L     R3,FIXCOUNT
         L     R4,FIXBASE
         LR    R5,R4                    where the ones kept go
FIXLOOP  LTR   R3,R3
         BZ    FIXEND
         L     R6,4(,R4)
         CLI   12(R6),C'D'
         BNE   FIXKEEP
         L     R2,0(,R4)
         LA    R2,0(,R2)
         MVC   FLAGBYTE,0(R4)
         L     R7,8(,R6)
         BAL   R14,APPLY
         B     FIXNEXT
FIXKEEP  MVC   0(8,R5),0(R4)
         LA    R5,8(,R5)
FIXNEXT  LA    R4,8(,R4)
         BCT   R3,FIXLOOP
FIXEND   S     R5,FIXBASE
         SRL   R5,3
         ST    R5,FIXCOUNT
         L     R14,FIXRET
         BR    R14
*
* UNDEFS: DMSLIO201W and the names still undefined (R, N), eight to a
* line after a blank, as VM/370 types them; R15 = 4, or 0 if none.
*
UNDEFS   ST    R14,FIXRET
         SR    R8,R8
         BAL   R14,UNDCLEAR
         L     R3,SYMCOUNT
         L     R4,=A(SYMTAB)
UNDLOOP  LTR   R3,R3
         BZ    UNDEND
         CLI   12(R4),C'R'
         BE    UNDONE
         CLI   12(R4),C'N'
         BNE   UNDNEXT
UNDONE   LTR   R8,R8
         BNZ   UNDPUT
         STM   R2,R4,UNDSAVE
         LA    R1,MSG201
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LM    R2,R4,UNDSAVE
UNDPUT   MVC   0(8,R5),0(R4)
         LA    R5,9(,R5)
         LA    R8,1(,R8)
         LA    R1,UNDLINE+68
         CR    R5,R1
         BL    UNDNEXT
         BAL   R14,UNDTYPE
UNDNEXT  LA    R4,16(,R4)
         BCT   R3,UNDLOOP
UNDEND   LA    R1,UNDLINE+1
         CR    R5,R1
         BE    UNDRC
         BAL   R14,UNDTYPE
UNDRC    SR    R15,R15
         LTR   R8,R8
         BZ    UNDOUT
         LA    R15,4
UNDOUT   L     R14,FIXRET
         BR    R14
UNDTYPE  ST    R14,RELRET
         LA    R1,UNDLIST
         SVC   202
         L     R14,RELRET
UNDCLEAR MVI   UNDLINE,C' '
         MVC   UNDLINE+1(71),UNDLINE
         LA    R5,UNDLINE+1
         BR    R14
*
* END: the entry point, if there is one and none was set before.
*
ENDCARD  BAL   R14,PLACE
         L     R2,ENTRY
         LTR   R2,R2
         BNZ   ENDDONE
         L     R2,CARDBUF+4
         LA    R2,0(,R2)
         CLC   CARDBUF+5(3),=C'   '     no entry address given
         BNE   ENDADDR
         L     R2,DECKLOW
ENDADDR  A     R2,FACTOR
         ST    R2,ENTRY
ENDDONE  MVC   LOADPT,NEXTPT
         MVC   LOADEND,NEXTPT
         SR    R15,R15
         B     DECKEND
NOTEXT   LA    R15,28                   (the caller says so)
         B     DECKEND
TABFULL  LA    R1,MSG116
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,104
         B     DECKEND
BADDECK  LA    R1,MSG953
         MVC   FILEID(18),READFN
         LA    R2,FILEID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,32
         B     DECKEND
TOOBIG   LA    R1,MSG109
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,104
DECKEND  MVI   PLACED,0
         ST    R15,DECKRC
         MVC   FINFN(18),READFN
         LA    R1,FINLIST
         SVC   202
         L     R15,DECKRC
         L     R14,DECKRET
         BR    R14
*
* START [entry|*] [args]: run what LOAD loaded.
*
         DROP  R12,R11
         USING DMSLST$,R12
DMSLST$  STM   R14,R12,12(R13)
         L     R12,=A(DMSLDR)
         DROP  R12
         USING DMSLDR,R12,R11
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         L     R10,ENTRY
         LTR   R10,R10
         BNZ   STARTOK
         LA    R1,MSG952
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,40
         B     RETURN
STARTOK  LR    R9,R1
         CLI   8(R9),X'FF'
         BE    NOENTRY
         CLI   8(R9),C'*'
         BE    NOENTRY
         MVC   UNDEFNM,8(R9)            START name: find the name
         L     R1,SYMCOUNT
         LA    R2,SYMTAB
STFIND   LTR   R1,R1
         BZ    STUNDEF
         CLC   0(8,R2),8(R9)
         BNE   STNEXT
         CLI   12(R2),C'D'              (not a name only referred to)
         BE    STFOUND
STNEXT   DS    0H
         LA    R2,16(,R2)
         BCT   R1,STFIND
STUNDEF  LA    R1,MSG954
         SR    R2,R2
         LA    R3,UNDEFNM
         LA    R4,8
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,40
         B     RETURN
STFOUND  L     R10,8(,R2)
NOENTRY  LA    R3,8(,R9)                START's words from the entry
         MVI   QUIETRUN,0
RUNIT    L     R2,=A(USERPARM)          the program's own list
         LA    R4,15
COPYPARM MVC   0(8,R2),0(R3)
         CLI   0(R3),X'FF'
         BE    PARMDONE
         LA    R2,8(,R2)
         LA    R3,8(,R3)
         BCT   R4,COPYPARM
         MVC   0(8,R2),=8X'FF'
PARMDONE CLI   QUIETRUN,1
         BE    RUNNING                  a MODULE runs without it
         LA    R1,MSG740
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
RUNNING  XC    FIXCOUNT,FIXCOUNT        (the program may use the top)
         STM   R0,R15,STARTREG          DMSLDRET comes back to these
         ST    R10,USERPSW+4
         MVI   USERPSW+4,0
         MVC   SVCRPSW,USERPSW          (in low storage: R12 changes)
         MVC   SVCRPSW(1),NUCMASK       the nucleus's mask (the blip)
         L     R1,=A(USERPARM)
         L     R13,=A(USERSAVE)
         L     R14,=A(BACK)
         LR    R12,R10
         LR    R15,R10
         LPSW  SVCRPSW
*
* The program returns here (BR 14) still in key E; SVC 201 takes it
* back to the nucleus key, in DMSSVT, which goes to DMSLDRET with the
* program's R15 in R0 (R15 the entry address).
*
BACK     SVC   201
         DROP  R12,R11
         USING DMSLDRET,R15
DMSLDRET LM    R1,R14,STARTREG+4        START's registers again
         DROP  R15
         USING DMSLDR,R12,R11
         LR    R15,R0                   the program's return code
         B     RETURN
*
* DMSMOD: a command the nucleus does not have, called by SVC 202 from
* DMSSVT: if there is a file 'name MODULE *', load its image and run
* it as START does (its list: the command's own words, name first;
* no DMSLIO740I); else R15 = -3.
*
         DROP  R12,R11
         USING DMSMOD,R12
DMSMOD   STM   R14,R12,12(R13)
         L     R12,=A(DMSLDR)
         DROP  R12
         USING DMSLDR,R12,R11
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         XC    FIXCOUNT,FIXCOUNT        the module may use the top
         XC    SYMCOUNT,SYMCOUNT        and LOAD's names are gone
         LR    R9,R1
         MVC   MODFN,0(R9)
         MVC   MODFN+16(2),=C'* '
         XC    MODITEM,MODITEM
         L     R2,=A(MODHEAD)
         ST    R2,MODBUF
         MVC   MODSIZE,=F'12'
         LA    R1,MODLIST               the header: origin, end, entry
         SVC   202
         LTR   R15,R15
         BZ    MODFOUND
         LH    R15,=H'-3'               no such command
         B     RETURN
MODFOUND LM    R2,R4,MODHEAD
         C     R2,=A(USERAREA)
         BL    MODBAD
         C     R3,STORSIZE
         BH    MODBAD
MODREAD  CR    R2,R3
         BNL   MODREADY
         ST    R2,MODBUF
         LR    R5,R3
         SR    R5,R2
         ST    R5,MODSIZE
         LA    R1,MODLIST
         SVC   202
         LTR   R15,R15
         BNZ   MODBAD
         A     R2,MODBYTES
         B     MODREAD
MODREADY ST    R4,ENTRY
         MVC   FINFN,MODFN
         MVC   FINFN+8(8),=CL8'MODULE'
         LA    R1,FINLIST
         SVC   202
         LR    R10,R4
         LR    R3,R9
         MVI   QUIETRUN,1
         B     RUNIT
MODBAD   LA    R1,MSG953
         MVC   FILEID(8),MODFN
         MVC   FILEID+8(8),=CL8'MODULE'
         LA    R2,FILEID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,32
         B     RETURN
*
* GENMOD fn: write 'fn MODULE A1' from what LOAD loaded.
*
         DROP  R12,R11
         USING DMSGEN,R12
DMSGEN   STM   R14,R12,12(R13)
         L     R12,=A(DMSLDR)
         DROP  R12
         USING DMSLDR,R12,R11
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         LR    R9,R1
         L     R4,ENTRY
         LTR   R4,R4
         BNZ   GENOK
         LA    R1,MSG952
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,40
         B     RETURN
GENOK    MVC   GENFN,=CL8'* '
         CLI   8(R9),X'FF'
         BE    GENNAME
         MVC   GENFN,8(R9)
GENNAME  CLI   GENFN,C'*'
         BNE   GENERASE
         LA    R1,MSG952                no name: nothing to call it
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,24
         B     RETURN
GENERASE MVC   GENWFN,GENFN
         MVC   GENSTFN,GENFN            a module so named is replaced:
         LA    R1,GENSTATE              erased first, as writing it
         SVC   202                      would add to it
         LTR   R15,R15
         BNZ   GENWRITE
         MVC   GENERFN,GENFN
         LA    R1,GENERASL
         SVC   202
GENWRITE DS    0H
         L     R2,=A(USERAREA)
         L     R3,LOADEND
         STM   R2,R4,MODHEAD
         L     R5,=A(MODHEAD)
         ST    R5,GENBUF
         MVC   GENSIZE,=F'12'
         LA    R1,GENLIST
         SVC   202
         LTR   R15,R15
         BNZ   GENDONE
GENLOOP  CR    R2,R3
         BNL   GENCLOSE
         ST    R2,GENBUF
         LR    R5,R3
         SR    R5,R2
         CH    R5,=H'4096'
         BNH   GENPART
         LH    R5,=H'4096'
GENPART  ST    R5,GENSIZE
         LA    R1,GENLIST
         SVC   202
         LTR   R15,R15
         BNZ   GENDONE
         AR    R2,R5
         B     GENLOOP
GENCLOSE MVC   FINFN,GENFN
         MVC   FINFN+8(8),=CL8'MODULE'
         LA    R1,FINLIST
         SVC   202
GENDONE  B     RETURN
         DS    0D
USERPSW  DC    AL1(0),AL1(USERPSWK),H'0',A(0)
STARTREG DS    16F
LOADPT   DS    A
NEXTPT   DS    A
FACTOR   DS    F
ENTRY    DC    A(0)
DECKLOW  DS    A
DECKHIGH DS    A
DECKRET  DS    A
DECKRC   DS    F
RELRET   DS    A
WORK     DS    F
SYMCOUNT DS    F
RPOINT   DS    2H
PLACED   DC    X'00'
FLAGBYTE DS    X
QUIETRUN DS    X
LOADEND  DS    A
GENFN    DS    CL8
         DS    0F
MODHEAD  DS    3F                       origin, end, entry
MODLIST  DC    CL8'RDBUF'
MODFN    DC    CL8' ',CL8'MODULE',CL2'* '
MODITEM  DC    H'0'
MODBUF   DC    A(0)
MODSIZE  DC    F'0'
         DC    CL2' ',H'1'
MODBYTES DC    F'0'
GENSTATE DC    CL8'STATE'
GENSTFN  DC    CL8' ',CL8'MODULE',CL8'A',8X'FF'
GENERASL DC    CL8'ERASE'
GENERFN  DC    CL8' ',CL8'MODULE',CL8'A',8X'FF'
GENLIST  DC    CL8'WRBUF'
GENWFN   DC    CL8' ',CL8'MODULE',CL2'A1'
         DC    H'0'
GENBUF   DC    A(0)
GENSIZE  DC    F'0'
         DC    CL2'V',H'1',F'0'

UNDEFNM  DS    CL8
FIXCOUNT DC    F'0'                     constants waiting for a name
FIXBASE  DS    A                        their table (top of storage)
NAMERET  DS    A
SRCHRET  DS    A
SYMRET   DS    A
FIXRET   DS    A
OPTRET   DS    A
FINDSAVE DS    13F
UNDSAVE  DS    3F
LOOKNAME DS    CL8                      the name looked for
LDFLAGS  DC    X'00'                    NOAUTO, NOLIBE
OPTBAD   DC    C'''',CL9' '
UNDLINE  DS    CL72
         DS    0F
UNDLIST  DC    CL8'TYPLIN',AL1(1),AL3(UNDLINE),C'B',X'00',AL2(72)
FILEID   DC    CL8' ',CL8'TEXT',CL2'* '
         DS    0F
READLIST DC    CL8'RDBUF'
READFN   DC    CL8' '
READFT   DC    CL8'TEXT',CL2'* '
READITEM DC    H'0'
         DC    A(CARDBUF),F'80'
         DC    CL2' ',H'1'
         DC    F'0'
FINLIST  DC    CL8'FINIS'
FINFN    DC    CL8' ',CL8'TEXT',CL2'* '
         DS    0F
CARDBUF  DS    CL80
MSG002   MSGDESC DMSLIO002E,'FILE','NOT FOUND'
MSG953   MSGDESC DMSLIO953E,'FILE','IS NOT A DECK THIS LOADER READS'
MSG954   MSGDESC DMSLIO954E,'UNDEFINED NAME'
MSG003   MSGDESC DMSLIO003E,'INVALID OPTION'
MSG201   MSGDESC DMSLIO201W,'THE FOLLOWING NAMES ARE UNDEFINED:'
MSG116   MSGDESC DMSLIO116S,'LOADER TABLE OVERFLOW'
MSG202   MSGDESC DMSLIO202W,'DUPLICATE IDENTIFIER'
MSG109   MSGDESC DMSLIO109S,'VIRTUAL STORAGE CAPACITY EXCEEDED'
MSG952   MSGDESC DMSLIO952E,'NO PROGRAM LOADED'
MSG740   MSGDESC DMSLIO740I,'EXECUTION BEGINS...'
         LTORG
         DS    0F
IDTABLE  DS    20XL12                   per ESDID: kind, value, name
SYMTAB   DS    64XL16                   name, address, state
         NUCON
         END
