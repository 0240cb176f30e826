ASM      TITLE 'DMSASM - ASSEMBLE, GLOBAL MACLIB AND TXTLIB'
*
* ASSEMBLE fn
*    assembles 'fn ASSEMBLE *' and writes 'fn TEXT A1' (the object
*    deck, F 80) and 'fn LISTING A1' (F 121, carriage control first),
*    searching the macro libraries GLOBAL MACLIB named, in that order.
*    CMS reads the source and the MACLIB files into the user area and
*    hands them to CP with DIAGNOSE X'0108', this system's assembler
*    service (docs/cp.md): CP assembles storage to storage, and CMS
*    writes the files itself.  The return code is the assembler's (0,
*    4, 8, 12 or 16).
* GLOBAL MACLIB [lib1 ... lib8]
*    names the MACLIB files ASSEMBLE searches (none: no library).
* GLOBAL TXTLIB [lib1 ... lib8]
*    names the TXTLIB files the loader (DMSLDR) searches for names a
*    program leaves undefined, in that order (none: no library).  As
*    in VM/370 the list is cleared first; a library not found
*    (DMSGLB002W) or not in the format (DMSGLB056E) is left out.
* QUERY MACLIB, QUERY TXTLIB (DMSQLB, from DMSQRY)
*    types 'MACLIB   = lib1     lib2 ...' (or NONE), as VM/370 does.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   ASSEMBLE R15 = the assembler's return code; 24 no file name
*          (DMSASM001E); 28 no source or no MACLIB (DMSASM002E); 40
*          no CP (DMSASM950E); 88 a MACLIB not in the format
*          (DMSASM952E); 100 a disk error (DMSASM951E); 104 the
*          source, the libraries, the deck and the listing do not fit
*          in storage (DMSASM953E).
*          GLOBAL R15 = 0; 24 not MACLIB or TXTLIB (DMSGLB014E) or
*          over 8 MACLIBs; TXTLIB: 28 a library not found, 32 one not
*          in the format, 88 over 8 names (DMSGLB108S).
*
         REGEQU
         CMSLAYO
DMSASM   CSECT
         ENTRY DMSGLB,DMSQLB,DMSGLBT
         USING NUCON,R0
         USING DMSASM,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
         CLI   8(R9),X'FF'
         BE    NONAME
         TM    SYSFLAGS,CPAVAIL
         BZ    NOCP
         MVC   FILEFN,8(R9)
         MVC   PNAME,FILEFN
         L     R6,=A(USERAREA)          the next free byte
         ST    R6,PSOURCE
         MVC   READFID(8),FILEFN
         MVC   READFID+8(8),=CL8'ASSEMBLE'
         BAL   R14,READFILE
         LTR   R15,R15
         BNZ   READBAD
         ST    R7,PSRCCNT
         ST    R6,PLIBS
         L     R2,GLBCOUNT
         ST    R2,PLIBCNT
         LA    R3,GLBNAMES
LIBNEXT  LTR   R2,R2
         BZ    AREAS
         LR    R8,R6                    its record count goes here
         LA    R6,4(,R6)
         MVC   READFID(8),0(R3)
         MVC   READFID+8(8),=CL8'MACLIB'
         BAL   R14,READFILE
         LTR   R15,R15
         BNZ   READBAD
         ST    R7,0(,R8)
         LA    R3,8(,R3)
         BCT   R2,LIBNEXT
*
* The rest of storage: a quarter for the deck, the rest the listing.
*
AREAS    LA    R6,7(,R6)
         N     R6,=F'-8'
         L     R4,STORSIZE
         SR    R4,R6
         BNP   TOOBIG
         LR    R5,R4
         SRL   R5,2
         SR    R2,R2
         LR    R3,R5
         D     R2,=F'80'
         M     R2,=F'80'                whole cards
         ST    R6,PDECK
         ST    R3,PDECKSZ
         AR    R6,R3
         SR    R4,R3
         ST    R6,PLISTA
         ST    R4,PLISTSZ
         LA    R2,PLIST
         DIAG  R2,R3,X'0108'            CP assembles
         BC    8,ASSEMBLD
         BC    4,TOOBIG
         B     BADLIB
ASSEMBLD ST    R3,ASMRC
         MVC   WRITFID(8),FILEFN
         MVC   WRITFID+8(8),=CL8'TEXT'
         BAL   R14,ERASEOLD
         L     R6,PDECK
         L     R7,PDECKLEN
         LA    R8,80
         BAL   R14,WRITFILE
         LTR   R15,R15
         BNZ   DISKERR
         MVC   WRITFID+8(8),=CL8'LISTING'
         BAL   R14,ERASEOLD
         L     R6,PLISTA
         L     R7,PLISTLEN
         LA    R8,121
         BAL   R14,WRITFILE
         LTR   R15,R15
         BNZ   DISKERR
         L     R15,ASMRC
         LTR   R15,R15
         BZ    RETURN
*
* A flagged assembly: each flagged statement and its message (the
* listing's *** lines) at the console, as the assembler's TERM
* option gave them.
*
         L     R6,PLISTA
         L     R7,PLISTLEN
         SR    R8,R8                    the record before
SCAN     CH    R7,=H'121'
         BL    SCANNED
         LA    R2,1(,R6)                past the carriage control
         LA    R3,120
SCANSKIP CLI   0(R2),C' '
         BNE   SCANWORD
         LA    R2,1(,R2)
         BCT   R3,SCANSKIP
         B     SCANNEXT
SCANWORD CLC   0(3,R2),=C'***'
         BNE   SCANNEXT
         LTR   R8,R8
         BZ    SCANMSG
         LA    R2,1(,R8)
         BAL   R14,SHOWREC
SCANMSG  LA    R2,1(,R6)
         BAL   R14,SHOWREC
SCANNEXT LR    R8,R6
         LA    R6,121(,R6)
         SH    R7,=H'121'
         B     SCAN
SCANNED  L     R15,ASMRC
         B     RETURN
SHOWREC  ST    R2,SHOWADDR
         MVC   SHOWLIST+9(3),SHOWADDR+1
         LA    R1,SHOWLIST
         SVC   202
         BR    R14
*
* READFILE: the records of READFID, 80 bytes each (shorter ones padded
* with blanks), from R6 on.  R6 comes back past them, R7 their count;
* R15 = 0, 1 no such file, 104 no room, else a disk error.
*
READFILE ST    R14,READRET
         SR    R7,R7
         XC    READITEM,READITEM
READREC  LA    R1,80(,R6)
         C     R1,STORSIZE
         BH    READFULL
         MVI   0(R6),C' '
         MVC   1(79,R6),0(R6)
         ST    R6,READBUF
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=READEND,CUT=READONE,ERROR=READDONE
READONE  LA    R6,80(,R6)
         LA    R7,1(,R7)
         B     READREC
READFULL LA    R15,104
         B     READDONE
READEND  SR    R15,R15
READDONE ST    R15,READRC
         MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         L     R15,READRC
         L     R14,READRET
         BR    R14
READBAD  CH    R15,=H'1'
         BE    NOFILE
         CH    R15,=H'104'
         BE    TOOBIG
         B     DISKERR
*
* WRITFILE: R7 bytes from R6 as records of R8 bytes to WRITFID; R15
* the first nonzero WRBUF or FINIS code.  No bytes: no file.
*
WRITFILE ST    R14,WRITRET
         ST    R8,WRITSIZE
         SR    R15,R15
WRITREC  LTR   R7,R7
         BNP   WRITDONE
         ST    R6,WRITBUF
         LA    R1,WRITLIST
         SVC   202
         LTR   R15,R15
         BNZ   WRITDONE
         AR    R6,R8
         SR    R7,R8
         B     WRITREC
WRITDONE ST    R15,READRC
         MVC   FINFID,WRITFID
         LA    R1,FINLIST
         SVC   202
         L     R14,READRC
         LTR   R14,R14
         BNZ   WRITRC
         LR    R14,R15
WRITRC   LR    R15,R14
         L     R14,WRITRET
         BR    R14
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
* Errors.
*
NONAME   WRTERM 'DMSASM001E NO FILENAME SPECIFIED'
         LA    R15,24
         B     RETURN
NOFILE   LA    R1,MSG002
         LA    R2,READFID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,28
         B     RETURN
NOCP     WRTERM 'DMSASM950E CP IS NOT AVAILABLE'
         LA    R15,40
         B     RETURN
DISKERR  WRTERM 'DMSASM951E DISK ERROR WRITING TEXT OR LISTING'
         LA    R15,100
         B     RETURN
BADLIB   WRTERM 'DMSASM952E A GLOBAL MACLIB IS NOT IN MACLIB FORMAT'
         LA    R15,88
         B     RETURN
TOOBIG   WRTERM 'DMSASM953E THE ASSEMBLY DOES NOT FIT IN STORAGE'
         LA    R15,104
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* GLOBAL MACLIB [lib ...]
*
         DROP  R12
         USING DMSGLB,R12
DMSGLB   STM   R14,R12,12(R13)
         L     R12,=A(DMSASM)
         DROP  R12
         USING DMSASM,R12
         LR    R9,R1
         CLC   8(8,R9),=CL8'TXTLIB'
         BE    GLBTXT
         CLC   8(8,R9),=CL8'MACLIB'
         BNE   GLBBAD
         LA    R3,16(,R9)
         SR    R2,R2
         LA    R4,GLBWORK
GLBNEXT  CLI   0(R3),X'FF'
         BE    GLBSET
         CH    R2,=H'8'
         BNL   GLBBAD
         MVC   0(8,R4),0(R3)
         LA    R2,1(,R2)
         LA    R3,8(,R3)
         LA    R4,8(,R4)
         B     GLBNEXT
GLBSET   ST    R2,GLBCOUNT
         MVC   GLBNAMES(64),GLBWORK
         SR    R15,R15
         B     RETURN
GLBBAD   WRTERM 'DMSGLB014E INVALID FUNCTION'
         LA    R15,24
         B     RETURN
*
* GLOBAL TXTLIB [lib ...]: each library must be there and start with
* the DMSLIB header (docs/cms.md).
*
GLBTXT   XC    DMSGLBT,DMSGLBT          the old list goes
         XC    GLBTRC,GLBTRC
         LA    R3,16(,R9)
         SR    R2,R2
GLBTCNT  CLI   0(R3),X'FF'
         BE    GLBTGO
         LA    R2,1(,R2)
         LA    R3,8(,R3)
         B     GLBTCNT
GLBTGO   CH    R2,=H'8'
         BH    GLBT108
         LA    R3,16(,R9)
GLBTNEXT CLI   0(R3),X'FF'
         BE    GLBTDONE
         MVC   GLBTFN,0(R3)
         MVC   GLBTITEM,=H'1'
         LA    R1,GLBTLIST
         SVC   202
         ST    R15,GLBTWRC
         MVC   FINFID(8),GLBTFN
         MVC   FINFID+8(10),=CL10'TXTLIB'
         LA    R1,FINLIST
         SVC   202
         MVC   FINFID+16(2),=C'* '
         L     R15,GLBTWRC
         CH    R15,=H'1'
         BE    GLBT002
         CH    R15,=H'8'                (a record over 80 bytes)
         BE    GLBTHEAD
         LTR   R15,R15
         BNZ   GLBT056
GLBTHEAD CLC   GLBTBUF(6),=C'DMSLIB'
         BNE   GLBT056
         L     R1,DMSGLBT
         LR    R2,R1
         SLL   R2,3
         LA    R2,DMSGLBT+4(R2)
         MVC   0(8,R2),GLBTFN
         LA    R1,1(,R1)
         ST    R1,DMSGLBT
GLBTSKIP LA    R3,8(,R3)
         B     GLBTNEXT
GLBT002  LA    R1,MSG002W
         LA    R15,28
         B     GLBTMSG
GLBT056  LA    R1,MSG056E
         LA    R15,32
GLBTMSG  ST    R15,GLBTRC
         LA    R2,FINFID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         B     GLBTSKIP
GLBTDONE L     R15,GLBTRC
         B     RETURN
GLBT108  WRTERM 'DMSGLB108S MORE THAN 8 LIBRARIES SPECIFIED'
         LA    R15,88
         B     RETURN
*
* QUERY MACLIB, QUERY TXTLIB: DMSQRY branches here with its registers
* saved and R9 -> the tokens.
*
         DROP  R12
         USING DMSQLB,R15
DMSQLB   L     R12,=A(DMSASM)
         DROP  R15
         USING DMSASM,R12
         MVC   QLINE,=CL80' '
         MVC   QLINE(8),8(R9)
         MVC   QLINE+9(1),=C'='
         LA    R4,DMSGLBT
         CLC   8(8,R9),=CL8'TXTLIB'
         BE    QLBNAMES
         LA    R4,GLBCOUNT
QLBNAMES LA    R2,QLINE+11
         L     R5,0(,R4)
         LTR   R5,R5
         BNZ   QLBNAME
         MVC   0(4,R2),=C'NONE'
         B     QLBSHOW
QLBNAME  MVC   0(8,R2),4(R4)
         LA    R2,9(,R2)
         LA    R4,8(,R4)
         BCT   R5,QLBNAME
QLBSHOW  LA    R1,QLIST
         SVC   202
         SR    R15,R15
         B     RETURN
*
* The parameter list of DIAGNOSE X'0108' (docs/cp.md).
*
         DS    0D
PLIST    DS    0XL48
PSOURCE  DC    A(0)                     the source records
PSRCCNT  DC    F'0'                     how many
PLIBS    DC    A(0)                     the libraries: count, records
PLIBCNT  DC    F'0'                     how many libraries
PDECK    DC    A(0)                     the deck area
PDECKSZ  DC    F'0'                     its size
PDECKLEN DC    F'0'                     the deck's bytes (CP sets)
PLISTA   DC    A(0)                     the listing area
PLISTSZ  DC    F'0'
PLISTLEN DC    F'0'                     the listing's bytes (CP sets)
PNAME    DC    CL8' '                   the deck's name
GLBCOUNT DC    F'0'                     GLOBAL MACLIB: how many
GLBNAMES DC    8CL8' '                  their names, in search order
GLBWORK  DC    8CL8' '
DMSGLBT  DC    F'0'                     GLOBAL TXTLIB: how many
         DC    8CL8' '                  their names, in search order
GLBTRC   DS    F
GLBTWRC  DS    F
GLBTLIST DC    CL8'RDBUF'
GLBTFN   DC    CL8' ',CL8'TXTLIB',CL2'* '
GLBTITEM DC    H'1',A(GLBTBUF),F'80',CL2' ',H'1',F'0'
GLBTBUF  DS    CL80
QLINE    DS    CL80
QLIST    DC    CL8'TYPLIN',AL1(1),AL3(QLINE),C'B',X'00',AL2(80)
MSG002W  MSGDESC DMSGLB002W,'FILE','NOT FOUND'
MSG056E  MSGDESC DMSGLB056E,'FILE','CONTAINS INVALID RECORD FORMATS'
ASMRC    DC    F'0'
READRET  DS    F
READRC   DS    F
WRITRET  DS    F
FILEFN   DS    CL8
READLIST DC    CL8'RDBUF'
READFID  DC    CL8' ',CL8' ',CL2'* '
READITEM DC    H'0'
READBUF  DC    A(0),F'80'
         DC    CL2' ',H'1'
         DC    F'0'
WRITLIST DC    CL8'WRBUF'
WRITFID  DC    CL8' ',CL8' ',CL2'A1'
         DC    H'0'
WRITBUF  DC    A(0)
WRITSIZE DC    F'0'
         DC    CL2'F',H'1',F'0'
ERASERET DS    F
         DS    0F
STATLIST DC    CL8'STATE'
STATEFID DC    CL8' ',CL8' ',CL2'A ',CL6' ',8X'FF'
         DS    0F
ERASLIST DC    CL8'ERASE'
ERASEFID DC    CL8' ',CL8' ',CL8'A',8X'FF'
SHOWADDR DS    F
SHOWLIST DC    CL8'TYPLIN',AL1(1),AL3(0),C'B',X'00',AL2(120)
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
MSG002   MSGDESC DMSASM002E,'FILE','NOT FOUND'
         LTORG
         NUCON
         END
