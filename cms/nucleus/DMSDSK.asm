DSK      TITLE 'DMSDSK - DISK DUMP AND DISK LOAD: A FILE ON CARDS'
*
* DISK DUMP fn ft [fm]
*    punches the file (fm default A) on the punch at 00D in VM/370's
*    DISK DUMP card format: each card has X'02' and CMS in columns
*    1-4, a blank in column 5 (N on the end card), 50 bytes of the
*    file's data blocks in 6-55, the number of the data block they
*    come from (a halfword, from 1) in 56-57, the filename, filetype,
*    mode letter and number in 58-75 (76 blank) and a sequence number
*    from 0001 in 77-80.  The data blocks go as they are on the disk,
*    16 cards a block: for an F file only the 50-byte pieces of the
*    last block its records reach, for a V file every block.  The
*    end card holds bytes 20-39 of the file's FST (pointers, mode,
*    record count, first chain link, record format, flags, record
*    length, blocks, year) in columns 6-25.  Under CP the punch is
*    then closed (CP CLOSE 00D NAME fn ft): the spool file goes where
*    SPOOL PUNCH sends it.
* DISK LOAD
*    reads the cards of the reader at 00C up to the end of the deck
*    and writes each file on them on the A disk under its own name and
*    mode number, replacing a file of that name, and types its fileid.
*    The data goes to the work file DISK CMSUT1 A1 as 800-byte items;
*    at the file's end card the work file's FST becomes the file's,
*    with the end card's record format, length and counts, in one
*    directory update.  Under CP the reader is closed at the end (with
*    HOLD after a bad deck, so the spool file stays).
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 no function or a bad one, an incomplete fileid
*          or words after it (DMSDSK047E, DMSDSK014E, DMSDSK054E,
*          DMSDSK070E); 20 * in the fileid (DMSDSK062E); 28 no such
*          file (DMSDSK002E); 8 the reader is empty (DMSDSK205W);
*          32 a card not in the format, or the deck ends before an end
*          card (DMSDSK078E, DMSDSK077E); 36 the A disk is read-only
*          or not accessed (DMSDSK037E); 100 an I/O error (DMSDSK104S
*          reading the disk, DMSDSK105S writing it, DMSDSK118S
*          punching, DMSDSK124S reading cards).
* Calls:   DMSLFS (find a file), DMSDIO (its chain and data blocks),
*          DMSIOS (punch and reader), ERASE, WRBUF, FINIS, DMSBWDU (the
*          directory update), CP (CLOSE), DMSMSG.
*
         REGEQU
         ADTD
         FSTD
         CHAIND
DMSDSK   CSECT
         USING NUCON,R0
         USING DMSDSK,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
         CLC   8(8,R9),=CL8'DUMP'
         BE    DUMP
         CLC   8(8,R9),=CL8'LOAD'
         BE    LOAD
         CLI   8(R9),X'FF'
         BE    NOFUNC
         LA    R1,MSG014
         SR    R2,R2
         LA    R3,8(,R9)
         LA    R4,8
         LA    R15,24
         B     MESSAGE
NOFUNC   LA    R1,MSG047
         LA    R15,24
         B     MSGPLAIN
*
* DISK DUMP fn ft [fm]
*
DUMP     CLI   16(R9),X'FF'
         BE    INCOMPL
         CLI   24(R9),X'FF'
         BE    INCOMPL
         CLI   16(R9),C'*'
         BE    STARID
         CLI   24(R9),C'*'
         BE    STARID
         MVC   PATTERN(16),16(R9)
         MVC   PATTERN+16(2),=C'A '
         CLI   32(R9),X'FF'
         BE    DUMPFIND
         CLI   40(R9),X'FF'
         BNE   EXTRA
         MVC   PATTERN+16(1),32(R9)
DUMPFIND SR    R0,R0
         LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   NOTFOUND
         MVC   FILEFST,0(R1)
         ST    R2,FILEADT
         LH    R5,FILEFST+FSTBLKCT-FSTD
         N     R5,=X'0000FFFF'          V: every block, whole
         SR    R4,R4
         CLI   FILEFST+FSTRECFM-FSTD,C'V'
         BE    DUMPSIZE
         LH    R5,FILEFST+FSTRECCT-FSTD
         N     R5,=X'0000FFFF'
         M     R4,FILEFST+FSTLRECL-FSTD F: the bytes its records use
         D     R4,=F'800'
DUMPSIZE ST    R5,FULLBLKS
         LA    R4,49(,R4)
         SRDA  R4,32
         D     R4,=F'50'
         ST    R5,LASTPCS               pieces of a last, partial block
         L     R1,FILEADT
         LH    R2,FILEFST+FSTFCLPT-FSTD
         N     R2,=X'0000FFFF'
         L     R3,=A(FCLBUF)
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   READERR
         L     R2,=F'-1'
         ST    R2,NCLHELD               no Nth chain link read yet
         MVC   CARD(5),CARDID
         MVC   CARD+57(16),FILEFST
         MVC   CARD+73(2),FILEFST+FSTFMODE-FSTD
         MVI   CARD+75,C' '
         XC    SEQUENCE,SEQUENCE
         SR    R6,R6                    data block index
DUMPBLK  LA    R7,16                    pieces of this block
         C     R6,FULLBLKS
         BL    DUMPREAD
         BH    DUMPEND
         L     R7,LASTPCS
         LTR   R7,R7
         BZ    DUMPEND
DUMPREAD BAL   R14,BLOCKNUM
         LTR   R15,R15
         BNZ   READERR
         L     R1,FILEADT
         L     R3,=A(DATABUF)
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   READERR
         LA    R2,1(,R6)
         STH   R2,HALF
         MVC   CARD+55(2),HALF
         L     R8,=A(DATABUF)
DUMPPC   MVC   CARD+5(50),0(R8)
         BAL   R14,PUNCHIT
         LTR   R15,R15
         BNZ   PUNCHERR
         LA    R8,50(,R8)
         BCT   R7,DUMPPC
         LA    R6,1(,R6)
         B     DUMPBLK
DUMPEND  MVI   CARD+4,C'N'              the end card: the FST's
         MVI   CARD+5,C' '              bytes 20-39
         MVC   CARD+6(49),CARD+5
         MVC   CARD+5(20),FILEFST+FSTWRPNT-FSTD
         BAL   R14,PUNCHIT
         LTR   R15,R15
         BNZ   PUNCHERR
         TM    SYSFLAGS,CPAVAIL
         BZ    DONE
         MVC   CLOSEPFN(16),FILEFST
         LA    R1,CLOSEPUN
         SVC   202
DONE     SR    R15,R15
         B     RETURN
*
* BLOCKNUM: R2 = the disk block of data block R6 (from 0) of the
* file, from the first chain link (FCLBUF) or the Nth chain link it
* names (read into LINKBUF when not the one held).  R15 = 0 or 8.
*
BLOCKNUM ST    R14,BNRET
         SR    R15,R15
         LR    R3,R6
         CH    R3,=AL2(FCLNDATA)
         BNL   BNNTH
         AR    R3,R3
         L     R1,=A(FCLBUF+FCLDATA-FCLD)
         LH    R2,0(R3,R1)
         B     BNDONE
BNNTH    SH    R3,=AL2(FCLNDATA)
         SR    R2,R2
         D     R2,=A(NCLNDATA)          R3 the link - 1, R2 the entry
         ST    R2,NCLENTRY
         C     R3,NCLHELD
         BE    BNHAVE
         ST    R3,NCLHELD
         AR    R3,R3
         L     R1,=A(FCLBUF)
         LH    R2,0(R3,R1)
         N     R2,=X'0000FFFF'
         L     R1,FILEADT
         L     R3,=A(LINKBUF)
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   BNDONE
BNHAVE   L     R3,NCLENTRY
         AR    R3,R3
         L     R1,=A(LINKBUF)
         LH    R2,0(R3,R1)
BNDONE   N     R2,=X'0000FFFF'
         L     R14,BNRET
         BR    R14
*
* PUNCHIT: CARD on the punch, with the next sequence number in
* columns 77-80.  R15 = 0 or the DMSIOS code.
*
PUNCHIT  ST    R14,PCHRET
         L     R2,SEQUENCE
         LA    R2,1(,R2)
         ST    R2,SEQUENCE
         CVD   R2,DECIMAL
         UNPK  CARD+76(4),DECIMAL+5(3)  the last four digits
         OI    CARD+79,X'F0'
         LA    R1,X'00D'
         LA    R2,PUNCHCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         L     R14,PCHRET
         BR    R14
*
* DISK LOAD
*
LOAD     CLI   16(R9),X'FF'
         BNE   EXTRA
         L     R11,=V(DMSADT)
         USING ADTD,R11
         LA    R2,ADTMAX
LOADADT  CLI   ADTMODE,C'A'
         BE    LOADHAVE
         LA    R11,ADTDLEN(,R11)
         BCT   R2,LOADADT
         B     READONLY
LOADHAVE TM    ADTFLAGS,ADTRW
         BZ    READONLY
         DROP  R11
         MVC   ERASEFID,WORKFID         no work file from before
         BAL   R14,ERASEIF
         MVI   STATE,NOTHING
LOADNEW  XC    POSITION,POSITION
         BAL   R14,CLEARBUF
LOADCARD LA    R1,X'00C'
         LA    R2,READCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         CH    R15,=H'4'
         BE    DECKEND                  unit exception or check
         LTR   R15,R15
         BNZ   CARDERR
         CLC   CARDIN(4),CARDID
         BNE   BADCARD
         CLI   CARDIN+4,C'N'
         BE    ENDCARD
         MVI   STATE,INFILE
         L     R2,POSITION
         L     R3,=A(DATABUF)
         AR    R3,R2
         MVC   0(50,R3),CARDIN+5
         LA    R2,50(,R2)
         ST    R2,POSITION
         CH    R2,=H'800'
         BL    LOADCARD
         BAL   R14,WRITEBLK
         LTR   R15,R15
         BNZ   WRITEERR
         B     LOADNEW
DECKEND  CLI   STATE,INFILE
         BE    NOEND
         CLI   STATE,NOTHING
         BE    EMPTY
         TM    SYSFLAGS,CPAVAIL
         BZ    DONE
         MVC   CLOSERHL,=CL8' '         the deck was read: let it go
         LA    R1,CLOSERDR
         SVC   202
         B     DONE
*
* The end card: the work file becomes the file it names.
*
ENDCARD  CLI   STATE,INFILE
         BNE   BADCARD                  an end card with no data
         L     R2,POSITION
         LTR   R2,R2
         BZ    ENDCLOSE
         BAL   R14,WRITEBLK             the last, partial block
         LTR   R15,R15
         BNZ   WRITEERR
ENDCLOSE MVC   FINFID,WORKFID
         LA    R1,FINLIST
         SVC   202
         LTR   R15,R15
         BNZ   WRITEERR
         MVC   NEWFID,CARDIN+57         the file's name and type
         MVC   ERASEFID(16),NEWFID
         MVC   ERASEFID+16(2),=C'A '
         BAL   R14,ERASEIF              replaced: erased first
         SR    R0,R0
         LA    R1,WORKPAT
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   WRITEERR
         MVC   FILEFST,0(R1)
         LR    R11,R2                   the A disk's ADT
         MVC   FILEFST+FSTWRPNT-FSTD(18),CARDIN+5
         MVC   FILEFST+FSTFCLPT-FSTD(2),FSTFCLPT-FSTD(R1)
         CLC   FILEFST+FSTBLKCT-FSTD(2),FSTBLKCT-FSTD(R1)
         BNE   BADDECK                  not the blocks the deck had
         CLI   FILEFST+FSTRECFM-FSTD,C'F'
         BE    ENDNAME
         CLI   FILEFST+FSTRECFM-FSTD,C'V'
         BNE   BADDECK
ENDNAME  MVC   FILEFST(16),NEWFID
         MVI   FILEFST+FSTFMODE-FSTD,C'A'
         MVC   FILEFST+FSTFMODE+1-FSTD(1),CARDIN+74
         MVI   FILEFST+FSTFLAGS-FSTD,0
         LA    R2,FILEFST
         LA    R3,WORKFID
         L     R15,=V(DMSBWDU)          one update: the work file's
         BALR  R14,R15                  entry becomes the file's
         LTR   R15,R15
         BNZ   WRITEERR
         MVC   LOADED(8),NEWFID
         MVC   LOADED+9(8),NEWFID+8
         MVC   LOADED+18(2),FILEFST+FSTFMODE-FSTD
         WRTERM LOADED,20
         MVI   STATE,BETWEEN
         B     LOADNEW
BADDECK  MVC   ERASEFID,WORKFID
         BAL   R14,ERASEIF
         B     BADCARD
*
* WRITEBLK: DATABUF as the next 800-byte item of the work file.
*
WRITEBLK ST    R14,WBRET
         LA    R1,WRITLIST
         SVC   202
         L     R14,WBRET
         BR    R14
*
* ERASEIF: ERASE the file ERASEFID names if there is one (ERASE would
* say so when there is none).
*
ERASEIF  ST    R14,ERIFRET
         MVC   ERIFPAT,ERASEFID
         MVI   ERIFPAT+17,C' '
         SR    R0,R0
         LA    R1,ERIFPAT
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   ERIFDONE
         LA    R1,ERASLIST
         SVC   202
ERIFDONE L     R14,ERIFRET
         BR    R14
CLEARBUF L     R1,=A(DATABUF)
         LA    R2,4
CLEARPC  XC    0(200,R1),0(R1)
         LA    R1,200(,R1)
         BCT   R2,CLEARPC
         BR    R14
*
* Errors.
*
INCOMPL  LA    R1,MSG054
         LA    R15,24
         B     MSGPLAIN
STARID   LA    R1,MSG062
         LA    R15,20
         B     MSGPLAIN
EXTRA    LA    R1,MSG070
         SR    R2,R2
         LA    R3,8(,R9)
         CLC   8(8,R9),=CL8'LOAD'
         BE    EXTRAAT
         LA    R3,32(,R9)
EXTRAAT  LA    R3,8(,R3)
         LA    R4,8
         LA    R15,24
         B     MESSAGE
NOTFOUND CH    R15,=H'8'
         BE    READERR
         LA    R1,MSG002
         LA    R2,PATTERN
         LA    R15,28
         B     MSGFILE
READERR  LA    R1,MSG104
         LA    R2,PATTERN
         LA    R15,100
         B     MSGFILE
PUNCHERR LA    R1,MSG118
         LA    R15,100
         B     MSGPLAIN
READONLY LA    R1,MSG037
         SR    R2,R2
         LA    R3,=C'A'
         LA    R4,1
         LA    R15,36
         B     MESSAGE
EMPTY    LA    R1,MSG205
         LA    R15,8
         B     MSGPLAIN
NOEND    LA    R1,MSG077
         B     BADLOAD
BADCARD  LA    R1,MSG078
BADLOAD  LA    R15,32
         ST    R15,16(,R13)
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         B     HOLDRDR
CARDERR  LA    R1,MSG124
         LA    R15,100
         ST    R15,16(,R13)
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         B     HOLDRDR
WRITEERR ST    R15,16(,R13)
         LA    R1,MSG105
         LA    R2,WORKFID
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         MVC   16(4,R13),=F'100'
HOLDRDR  MVC   FINFID,WORKFID           what was written of the file
         LA    R1,FINLIST               goes: closed, then erased
         SVC   202
         MVC   ERASEFID,WORKFID
         BAL   R14,ERASEIF              goes
         TM    SYSFLAGS,CPAVAIL
         BZ    ERRRET
         MVC   CLOSERHL,=CL8'HOLD'      the spool file stays
         LA    R1,CLOSERDR
         SVC   202
ERRRET   L     R15,16(,R13)
         B     RETURN
MSGFILE  SR    R4,R4
         B     MESSAGE
MSGPLAIN SR    R2,R2
         SR    R4,R4
MESSAGE  ST    R15,16(,R13)
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         L     R15,16(,R13)
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
NOTHING  EQU   0                        STATE: no card read yet,
INFILE   EQU   1                        in a file's cards,
BETWEEN  EQU   2                        after a file's end card
         DS    0D
PUNCHCCW DC    X'01',AL3(CARD),X'20',X'00',H'80'
READCCW  DC    X'02',AL3(CARDIN),X'20',X'00',H'80'
DECIMAL  DS    D
FILEADT  DS    A
FULLBLKS DS    F
LASTPCS  DS    F
NCLHELD  DS    F
NCLENTRY DS    F
SEQUENCE DS    F
POSITION DS    F
BNRET    DS    F
PCHRET   DS    F
WBRET    DS    F
ERIFRET  DS    F
ERIFPAT  DS    CL18
HALF     DS    H
STATE    DS    X
CARDID   DC    X'02',C'CMS '            12-2-9 punch, CMS, blank
PATTERN  DC    CL18' '
NEWFID   DS    CL16
LOADED   DC    CL20' '
         DS    0F
FILEFST  DS    CL40                     (LH and M of its fields)
CARD     DS    CL80
CARDIN   DS    CL80
WORKPAT  DC    CL16'DISK    CMSUT1',C'A '
WORKFID  DC    CL16'DISK    CMSUT1',C'A1'
         DS    0F
ERASLIST DC    CL8'ERASE'
ERASEFID DC    CL18' '
         DC    CL6' ',8X'FF'
         DS    0F
WRITLIST DC    CL8'WRBUF',CL16'DISK    CMSUT1',C'A1'
         DC    H'0',A(DATABUF),F'800',CL2'F',H'1',F'0'
         DS    0F
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
         DC    CL6' ',8X'FF'
         DS    0F
CLOSEPUN DC    CL8'CP',CL8'CLOSE',CL8'00D',CL8'NAME'
CLOSEPFN DC    CL16' ',8X'FF'
         DS    0F
CLOSERDR DC    CL8'CP',CL8'CLOSE',CL8'00C'
CLOSERHL DC    CL8' ',8X'FF'
MSG014   MSGDESC DMSDSK014E,'INVALID FUNCTION'
MSG047   MSGDESC DMSDSK047E,'NO FUNCTION SPECIFIED'
MSG054   MSGDESC DMSDSK054E,'INCOMPLETE FILEID SPECIFIED'
MSG062   MSGDESC DMSDSK062E,'INVALID ''*'' IN FILEID'
MSG070   MSGDESC DMSDSK070E,'INVALID PARAMETER'
MSG002   MSGDESC DMSDSK002E,'FILE','NOT FOUND'
MSG037   MSGDESC DMSDSK037E,'DISK','IS READ/ONLY OR NOT ACCESSED'
MSG077   MSGDESC DMSDSK077E,'END CARD MISSING FROM INPUT DECK'
MSG078   MSGDESC DMSDSK078E,'INVALID CARD IN INPUT DECK'
MSG104   MSGDESC DMSDSK104S,'ERROR READING FILE','FROM DISK'
MSG105   MSGDESC DMSDSK105S,'ERROR WRITING FILE','ON DISK'
MSG118   MSGDESC DMSDSK118S,'ERROR PUNCHING FILE'
MSG124   MSGDESC DMSDSK124S,'ERROR READING CARD FILE'
MSG205   MSGDESC DMSDSK205W,'READER EMPTY OR NOT READY'
         LTORG
         DS    0D
FCLBUF DS    CL800
LINKBUF  DS    CL800
DATABUF  DS    CL800
         NUCON
         END
