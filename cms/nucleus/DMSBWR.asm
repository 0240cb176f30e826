BWR      TITLE 'DMSBWR - WRBUF AND THE DIRECTORY UPDATE'
*
* WRBUF writes the next item of a file.  The first write of a fileid
* opens it for writing in the active file table (AFTD); items fill
* 800-byte data blocks, each written to a block free in both bitmaps
* (the one of the MFD on disk and the working one) as it fills, its
* number kept in the chain links (docs/cms-disk-format.md).  FINIS
* (DMSFNS) calls DMSBWRCL to commit the file: the last data block,
* the Nth chain links and the first chain link are written, then the
* directory is updated by DIRUPD.  Writing a file that exists adds
* items after its own, as VM/370's FSWRITE did (ERASE it first to
* replace it).
* ERASE and RENAME (DMSERS) use its chain freeing and directory
* update through DMSBWFC and DMSBWDU.
*
* DIRUPD keeps the disk readable whatever moment the machine stops:
* every FST block of the new directory is written to a new block,
* never over the old ones, as are the QMSK extension blocks of a disk
* over 1,720 blocks (five for a whole 2314 pack), and the MFD (block
* 4), one record, is rewritten last: it is the commit.  Blocks freed
* by the update are free in the working bitmap at once, but a block is
* allocated only when the MFD on disk has it free too, so nothing the
* MFD on disk names is overwritten before that MFD is replaced.
*
* Entered: by SVC 202, R1 -> the list:
*             0 CL8'WRBUF'  8 CL8 fn  16 CL8 ft  24 CL2 fm (letter and
*             number; blank: A1)  26 H item (0 or the next)
*             28 A(buffer)  32 F bytes  36 CL1 recfm F or V
*          R12 entry, R13 save area, R14 return.
*          DMSBWRCL: R1 -> the AFT entry to commit; R14 return,
*          R15 entry.
* Exits:   R15 = 0; WRBUF: 7 an item number out of sequence; 9 the file
*          is open for reading; 11 recfm not F or V; 12 the disk is
*          read-only; 13 the disk is full, or DMSACC gave it no
*          working bitmap (over 32,768 blocks, or no storage for
*          one at the top of storage); 14 an F item of
*          another length; 15 a V item of 0 or over 65,535 bytes;
*          19 65,535 items already; 36 the disk is not accessed.
*
         REGEQU
         CHAIND
         MFDD
         ADTD
         FSTD
         AFTD
DMSBWR   CSECT
         ENTRY DMSBWRCL,DMSBWFC,DMSBWDU,DMSBWXC
         USING NUCON,R0
         USING DMSBWR,R12
         USING AFTD,R10
         USING ADTD,R11
         STM   R14,R12,12(R13)
         LR    R9,R1
         L     R10,=V(DMSAFT)
         LA    R2,AFTMAX
FINDOPEN TM    AFTFLAG,AFTUSED
         BZ    FINDNEXT
         CLC   AFTFST(16),8(R9)
         BE    ISOPEN
FINDNEXT LA    R10,AFTDLEN(,R10)
         BCT   R2,FINDOPEN
         BAL   R14,OPENNEW
         LTR   R15,R15
         BNZ   RETURN
         B     WRITING
ISOPEN   TM    AFTFLAG,AFTWRITE
         BO    WRITING
         LA    R15,9
         B     RETURN
WRITING  L     R11,AFTADT
         LH    R3,26(,R9)
         N     R3,=X'0000FFFF'
         BZ    INSEQ
         C     R3,AFTITEM
         BE    INSEQ
         LA    R15,7
         B     RETURN
INSEQ    LH    R3,AFTFST+FSTRECCT-FSTD
         N     R3,=X'0000FFFF'
         C     R3,=F'65535'
         BL    ROOM
         LA    R15,19
         B     RETURN
ROOM     L     R6,32(,R9)               bytes of the item
         L     R7,28(,R9)
         LA    R7,0(,R7)
         CLI   AFTFST+FSTRECFM-FSTD,C'V'
         BE    VITEM
         L     R4,AFTFST+FSTLRECL-FSTD
         LTR   R4,R4
         BNZ   FLENGTH
         LTR   R6,R6
         BNP   BADFLEN
         ST    R6,AFTFST+FSTLRECL-FSTD  the first item sets LRECL
         B     PUTITEM
FLENGTH  CR    R4,R6
         BE    PUTITEM
BADFLEN  LA    R15,14
         B     RETURN
VITEM    LTR   R6,R6
         BNP   BADVLEN
         C     R6,=F'65535'
         BNH   VLENOK
BADVLEN  LA    R15,15
         B     RETURN
VLENOK   C     R6,AFTFST+FSTLRECL-FSTD
         BNH   VPREFIX
         ST    R6,AFTFST+FSTLRECL-FSTD  the longest item so far
VPREFIX  STH   R6,ITEMLEN
         STM   R6,R7,ITEMSAVE
         LA    R6,2
         LA    R7,ITEMLEN
         BAL   R14,PUTBYTES
         LM    R6,R7,ITEMSAVE
         LTR   R15,R15
         BNZ   RETURN
PUTITEM  BAL   R14,PUTBYTES
         LTR   R15,R15
         BNZ   RETURN
         LH    R3,AFTFST+FSTRECCT-FSTD
         LA    R3,1(,R3)
         STH   R3,AFTFST+FSTRECCT-FSTD
         L     R3,AFTITEM
         LA    R3,1(,R3)
         ST    R3,AFTITEM
         SR    R15,R15
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* OPENNEW: a free AFT entry (R10) for writing the fileid at 8(R9).
*
OPENNEW  ST    R14,OPENRET
         MVC   MODE,24(R9)
         CLI   MODE,C' '
         BE    DEFMODE
         CLI   MODE,C'*'
         BNE   MODESET
DEFMODE  MVC   MODE,=C'A1'
MODESET  CLI   MODE+1,C' '
         BNE   MODENUM
         MVI   MODE+1,C'1'
MODENUM  LA    R1,MODE
         BAL   R14,FINDADT
         LTR   R11,R11
         BNZ   HAVEDISK
         LA    R15,36
         B     OPENDONE
HAVEDISK TM    ADTFLAGS,ADTRW
         BO    WRITABLE
         LA    R15,12
         B     OPENDONE
WRITABLE L     R2,ADTMAPA               DMSACC gave it no working
         LTR   R2,R2                    bitmap: too large, or no
         BNZ   SMALL                    storage for it
         LA    R15,13
         B     OPENDONE
SMALL    CLI   36(R9),C'F'
         BE    RECFMOK
         CLI   36(R9),C'V'
         BE    RECFMOK
         LA    R15,11
         B     OPENDONE
RECFMOK  L     R10,=V(DMSAFT)
         LA    R2,AFTMAX
FREEFIND TM    AFTFLAG,AFTUSED
         BZ    FREEGOT
         LA    R10,AFTDLEN(,R10)
         BCT   R2,FREEFIND
         LA    R15,14
         B     OPENDONE
FREEGOT  XC    AFTFST,AFTFST
         MVC   AFTFST(16),8(R9)
         MVC   AFTFST+FSTFMODE-FSTD(2),MODE
         MVC   AFTFST+FSTRECFM-FSTD(1),36(R9)
         ST    R11,AFTADT
         LA    R2,1
         ST    R2,AFTITEM
         XC    AFTOFFS,AFTOFFS
         XC    AFTNCLNO,AFTNCLNO
         XC    AFTFCL(200),AFTFCL
         XC    AFTFCL+200(200),AFTFCL+200
         XC    AFTFCL+400(200),AFTFCL+400
         XC    AFTFCL+600(200),AFTFCL+600
         BAL   R14,CLEARNCL
         BAL   R14,CLEARDAT
         MVI   AFTFLAG,AFTUSED+AFTWRITE
         MVC   PATTERN(16),8(R9)        does the file exist already?
         MVC   PATTERN+16(1),ADTMODE
         MVI   PATTERN+17,C' '
         SR    R0,R0
         LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   NEWFILE
         CLC   FSTRECFM-FSTD(1,R1),36(R9)
         BE    APPEND
         MVI   AFTFLAG,0                F items to a V file, or
         LA    R15,11                   the other way round
         B     OPENDONE
APPEND   BAL   R14,OPENOLD              the items go on after its own
         B     OPENDONE
NEWFILE  SR    R15,R15
OPENDONE L     R14,OPENRET
         BR    R14
*
* OPENOLD: the file (FST at R1) is written on: as VM/370's FSWRITE,
* the new items follow its old ones.  Its data blocks stay; the last
* one, when partly used, is read into AFTDATA and will be written to a
* new block, as will the Nth chain link that names it and the first
* chain link: OPENOLD notes those three old blocks (AFTOLDDB,
* AFTOLDNC, AFTOLDFC), freed when the file is committed.  R15 = 0 or 3.
*
OPENOLD  ST    R14,OLDRET
         MVC   AFTFST,0(R1)
         OI    AFTFLAG,AFTAPPND
         XC    AFTOLDNC(4),AFTOLDNC     AFTOLDNC, AFTOLDDB
         MVC   AFTOLDFC,AFTFST+FSTFCLPT-FSTD
         LH    R2,AFTOLDFC
         N     R2,=X'0000FFFF'
         LA    R3,AFTFCL
         BAL   R14,READBLK
         LTR   R15,R15
         BNZ   OLDFAIL
         L     R2,=F'-1'
         ST    R2,AFTDBIDX
         XC    AFTNCLNO,AFTNCLNO
         LH    R7,AFTFST+FSTRECCT-FSTD
         N     R7,=X'0000FFFF'          items so far
         LA    R2,1(,R7)
         ST    R2,AFTITEM
         CLI   AFTFST+FSTRECFM-FSTD,C'V'
         BE    OLDVAR
         L     R5,AFTFST+FSTLRECL-FSTD  F: items times LRECL bytes
         MR    R4,R7
         B     OLDSIZE
OLDVAR   SR    R5,R5                    V: walk the item lengths
OLDWALK  LTR   R7,R7
         BNP   OLDSIZE
         BAL   R14,GETBYTE
         BNZ   OLDFAIL
         LR    R6,R0
         SLL   R6,8
         LA    R5,1(,R5)
         BAL   R14,GETBYTE
         BNZ   OLDFAIL
         OR    R6,R0
         LA    R5,1(R6,R5)
         BCTR  R7,0
         B     OLDWALK
OLDSIZE  ST    R5,AFTOFFS               bytes in the file
         SR    R4,R4
         D     R4,=F'800'               R5 full blocks, R4 more bytes
         STH   R5,AFTFST+FSTBLKCT-FSTD  blocks kept as they are
         LR    R6,R5
         SH    R6,=H'60'
         BM    OLDNONCL                 the next block is in the FCL
         SR    R2,R2
         LR    R3,R6
         D     R2,=F'400'               R3 = link - 1
         LH    R8,AFTFST+FSTBLKCT-FSTD
         LTR   R4,R4
         BZ    OLDHAVE
         LA    R8,1(,R8)                with the partial block: old
OLDHAVE  LR    R1,R3                    blocks counted by the links
         MH    R1,=H'400'
         LA    R1,60(,R1)
         CR    R8,R1
         BNH   OLDNONCL                 that link is new
         LR    R2,R3
         AR    R2,R2
         LH    R2,AFTFCL(R2)
         STH   R2,AFTOLDNC              the link to rewrite
         LR    R3,R1                    its first data block: loads it
         BAL   R14,BRDBK
         BNZ   OLDFAIL
OLDNONCL LTR   R4,R4
         BZ    OLDFULL
         LH    R3,AFTFST+FSTBLKCT-FSTD  the partial last block
         BAL   R14,BRDBK
         BNZ   OLDFAIL
         CH    R3,=H'60'
         BNL   OLDINNCL
         AR    R3,R3
         LH    R2,AFTFCL+FCLDATA-FCLD(R3)
         B     OLDLAST
OLDINNCL SH    R3,=H'60'
         SR    R2,R2
         D     R2,=F'400'
         AR    R2,R2
         LH    R2,AFTNCL(R2)
OLDLAST  STH   R2,AFTOLDDB
         B     OLDDONE
OLDFULL  BAL   R14,CLEARDAT
OLDDONE  L     R2,=F'-1'
         ST    R2,AFTDBIDX
         SR    R15,R15
         L     R14,OLDRET
         BR    R14
OLDFAIL  MVI   AFTFLAG,0
         LA    R15,3
         L     R14,OLDRET
         BR    R14
*
* GETBYTE: R0 = the byte at offset R5 of the file (entry R10); the
* condition code 0 when read.
*
GETBYTE  ST    R14,BYTERET
         STM   R2,R4,BYTESAVE
         SR    R2,R2
         LR    R3,R5
         D     R2,=F'800'
         BAL   R14,BRDBK
         BNZ   BYTEEND
         SR    R0,R0
         IC    R0,AFTDATA(R2)
         SR    R15,R15
BYTEEND  LM    R2,R4,BYTESAVE
         L     R14,BYTERET
         LTR   R15,R15
         BR    R14
*
* BRDBK: data block R3 (from 0) in AFTDATA, and its Nth chain link in
* AFTNCL (DMSBRD's DATABLK); condition code 0 when read.
*
BRDBK    ST    R14,BRDRET
         L     R15,=V(DMSBRDBK)
         BALR  R14,R15
         L     R14,BRDRET
         LTR   R15,R15
         BR    R14
*
* FINDADT: the ADT of the mode letter at 0(R1) in R11, or 0.
*
FINDADT  L     R11,=V(DMSADT)
         LA    R2,ADTMAX
ADTLOOP  CLC   ADTMODE,0(R1)
         BER   R14
         LA    R11,ADTDLEN(,R11)
         BCT   R2,ADTLOOP
         SR    R11,R11
         BR    R14
CLEARNCL XC    AFTNCL(200),AFTNCL
         XC    AFTNCL+200(200),AFTNCL+200
         XC    AFTNCL+400(200),AFTNCL+400
         XC    AFTNCL+600(200),AFTNCL+600
         BR    R14
CLEARDAT XC    AFTDATA(200),AFTDATA
         XC    AFTDATA+200(200),AFTDATA+200
         XC    AFTDATA+400(200),AFTDATA+400
         XC    AFTDATA+600(200),AFTDATA+600
         BR    R14
*
* PUTBYTES: R6 bytes from R7 into the file; a full block is written.
* R15 = 0, or 13 (disk full), 3 (disk error).  R6, R7 change.
*
PUTBYTES ST    R14,PUTRET
PUTLOOP  SR    R15,R15
         LTR   R6,R6
         BNP   PUTEND
         SR    R2,R2
         L     R3,AFTOFFS
         D     R2,=F'800'               R2 = bytes in AFTDATA
         LA    R8,800
         SR    R8,R2
         CR    R8,R6
         BNH   PUTMOST
         LR    R8,R6
PUTMOST  CH    R8,=H'256'               one MVC moves 256 at most
         BNH   PUTMOVE
         LA    R8,256
PUTMOVE  LA    R1,AFTDATA(R2)
         LR    R2,R8
         BCTR  R2,0
         EX    R2,PUTMVC                at most 256 at a time
         LA    R2,1(,R2)
         L     R3,AFTOFFS
         AR    R3,R2
         ST    R3,AFTOFFS
         AR    R7,R2
         SR    R6,R2
         SR    R2,R2
         D     R2,=F'800'
         LTR   R2,R2
         BNZ   PUTLOOP
         BAL   R14,FLUSHBLK             the block is full
         LTR   R15,R15
         BZ    PUTLOOP
PUTEND   L     R14,PUTRET
         BR    R14
PUTMVC   MVC   0(0,R1),0(R7)
*
* FLUSHBLK: write AFTDATA to a new block and chain it.  R15 = 0, 13
* or 3.
*
FLUSHBLK ST    R14,FLUSHRET
         LH    R3,AFTFST+FSTBLKCT-FSTD
         N     R3,=X'0000FFFF'
         C     R3,=F'16060'             60 + 40 x 400 data blocks
         BL    FLUSHOK
         LA    R15,13
         B     FLUSHEND
FLUSHOK  BAL   R14,ALLOC
         LTR   R15,R15
         BNZ   FLUSHEND
         LA    R3,AFTDATA
         BAL   R14,WRITEBLK
         LTR   R15,R15
         BNZ   FLUSHEND
         LH    R3,AFTFST+FSTBLKCT-FSTD
         N     R3,=X'0000FFFF'
         CH    R3,=H'60'
         BNL   INNCL
         AR    R3,R3
         STH   R2,AFTFCL+FCLDATA-FCLD(R3)
         B     CHAINED
INNCL    SH    R3,=H'60'
         SR    R4,R4
         LR    R5,R3
         D     R4,=F'400'               R5 link - 1, R4 entry
         AR    R4,R4
         STH   R2,AFTNCL(R4)
         CH    R4,=H'798'
         BNE   CHAINED
         BAL   R14,WRITENCL             the link is full
         LTR   R15,R15
         BNZ   FLUSHEND
CHAINED  LH    R3,AFTFST+FSTBLKCT-FSTD
         LA    R3,1(,R3)
         STH   R3,AFTFST+FSTBLKCT-FSTD
         BAL   R14,CLEARDAT
         SR    R15,R15
FLUSHEND L     R14,FLUSHRET
         BR    R14
*
* WRITENCL: write AFTNCL (the link of the data blocks counted in
* FSTBLKCT) to a new block, name it in the first chain link, clear it.
*
WRITENCL ST    R14,NCLRET
         BAL   R14,ALLOC
         LTR   R15,R15
         BNZ   NCLEND
         LA    R3,AFTNCL
         BAL   R14,WRITEBLK
         LTR   R15,R15
         BNZ   NCLEND
         LH    R5,AFTFST+FSTBLKCT-FSTD
         N     R5,=X'0000FFFF'
         SH    R5,=H'60'
         SR    R4,R4
         D     R4,=F'400'               R5 = link - 1
         AR    R5,R5
         STH   R2,AFTFCL(R5)            FCLNTH
         BAL   R14,CLEARNCL
         SR    R15,R15
NCLEND   L     R14,NCLRET
         BR    R14
*
* ALLOC: a block free in the bitmap on disk and in the working bitmap
* of the disk R11, marked in the working one; its number in R2.  The
* search starts at ADTHINT, below which every working byte is X'FF'.
* The bitmap on disk is the MFD's 215 bytes, then the extension
* blocks; while no block has been freed since the MFD on disk was
* written (ADTFREED off) every block it marks is marked in the
* working bitmap too, so only the MFD's part is looked at; else XLOAD
* brings in the extension block of the byte.  R15 = 0, or 13 when
* there is none.
*
ALLOC    STM   R3,R8,ALLOCSAV
         ST    R14,ALLOCRET
         L     R5,ADTMFD+MFDNUM-MFDD
         L     R8,ADTMAPA
         LTR   R8,R8
         BZ    ALLOCFUL
         L     R3,ADTHINT               byte offset
ALLOCBYT LR    R4,R3
         SLL   R4,3
         CR    R4,R5
         BNL   ALLOCFUL
         SR    R7,R7
         IC    R7,0(R3,R8)              working
         CH    R7,=H'255'
         BNE   ALLOCONE
         C     R3,ADTHINT               all ones: skip it, and the
         BNE   ALLOCNXT                 next search too when no
         LA    R6,1(,R3)                byte before has a zero
         ST    R6,ADTHINT
         B     ALLOCNXT
ALLOCONE SR    R6,R6
         CH    R3,=AL2(MFDQMSKL)
         BNL   ALLOCEXT
         IC    R6,ADTMFD+MFDQMSK-MFDD(R3) on disk
         B     ALLOCOR
ALLOCEXT TM    ADTFLAGS,ADTFREED
         BZ    ALLOCOR
         BAL   R14,XLOAD
         LTR   R15,R15
         BNZ   ALLOCFUL
         IC    R6,0(,R1)                on disk, in an extension
ALLOCOR  OR    R6,R7
         CH    R6,=H'255'
         BNE   ALLOCBIT
ALLOCNXT LA    R3,1(,R3)
         B     ALLOCBYT
ALLOCBIT LA    R2,X'80'
         LA    R7,1(,R4)                block of bit 0 of the byte
ALLOCTRY LR    R4,R6
         NR    R4,R2
         BZ    ALLOCGOT
         SRL   R2,1
         LA    R7,1(,R7)
         B     ALLOCTRY
ALLOCGOT CR    R7,R5
         BH    ALLOCFUL
         IC    R4,0(R3,R8)
         OR    R4,R2
         STC   R4,0(R3,R8)
         LR    R2,R7
         SR    R15,R15
         LM    R3,R8,ALLOCSAV
         L     R14,ALLOCRET
         BR    R14
ALLOCFUL LA    R15,13
         LM    R3,R8,ALLOCSAV
         L     R14,ALLOCRET
         BR    R14
*
* XLOAD: R1 -> byte R3 (215 or more) of the bitmap on disk of the disk
* R11, in XCDATA, a copy of the extension block that holds it (zeros
* when the MFD names none), read unless it is there already (XCTAG
* the ADT, XCINDEX the block's place after X'FFFD').  R15 = 0 or 3.
*
XLOAD    STM   R2,R6,XLSAVE
         ST    R14,XLRET
         LR    R5,R3
         SH    R5,=AL2(MFDQMSKL)
         SR    R4,R4
         D     R4,=F'800'               R5 the block's place, R4 the
         ST    R4,XLBYTE                byte in it
         L     R1,=A(XCTAG)
         C     R11,0(,R1)
         BNE   XLFETCH
         C     R5,4(,R1)                XCINDEX
         BE    XLHAVE
XLFETCH  XC    0(4,R1),0(R1)
         L     R3,=A(XCDATA)
         LA    R6,4
XLCLEAR  XC    0(200,R3),0(R3)
         LA    R3,200(,R3)
         BCT   R6,XLCLEAR
         LA    R2,ADTMFD
         LA    R3,MFDMAXBN
XLLIST   CLC   0(2,R2),=AL2(MFDXMSK)
         BE    XLFOUND
         CLC   0(2,R2),=AL2(MFDEND)
         BE    XLTAG
         LA    R2,2(,R2)
         BCT   R3,XLLIST
         B     XLTAG
XLFOUND  LA    R3,1(,R5)                skip that many block numbers
XLSKIP   LA    R2,2(,R2)
         LA    R6,ADTMFD+MFDNUM-MFDD
         CR    R2,R6
         BNL   XLTAG                    (the list ends before 364)
         CLC   0(2,R2),=AL2(MFDEND)
         BE    XLTAG                    fewer blocks: zeros
         BCT   R3,XLSKIP
         LH    R2,0(,R2)
         N     R2,=X'0000FFFF'
         L     R3,=A(XCDATA)
         BAL   R14,READBLK
         LTR   R15,R15
         BNZ   XLEND
XLTAG    L     R1,=A(XCTAG)
         ST    R11,0(,R1)
         ST    R5,4(,R1)
XLHAVE   L     R1,=A(XCDATA)
         A     R1,XLBYTE
         SR    R15,R15
XLEND    LM    R2,R6,XLSAVE
         L     R14,XLRET
         BR    R14
*
* FREEBLK: unmark block R2 in the working bitmap of the disk R11.
* The MFD on disk marks it until the next commit (ADTFREED).
*
FREEBLK  STM   R2,R6,FREESAVE
         L     R6,ADTMAPA
         LTR   R6,R6
         BZ    FREEEXIT                 (no bitmap: it is not written)
         OI    ADTFLAGS,ADTFREED        the MFD on disk still has it
         BCTR  R2,0
         SR    R4,R4
         LR    R5,R2
         D     R4,=F'8'                 R5 byte, R4 bit
         LA    R3,X'80'
         SRL   R3,0(R4)
         X     R3,=X'000000FF'
         AR    R6,R5
         IC    R4,0(,R6)
         NR    R4,R3
         STC   R4,0(,R6)
         C     R5,ADTHINT
         BNL   FREEEXIT
         ST    R5,ADTHINT               a zero bit lower down
FREEEXIT LM    R2,R6,FREESAVE
         BR    R14
*
* Entries for DMSERS (ERASE, RENAME), each with R11 -> the ADT:
*   DMSBWFC  free the blocks of the file whose FST is at R1 (in the
*            working bitmap); R15 = 0 or 3
*   DMSBWDU  the directory update: R2 -> FST to add or 0, R3 -> fileid
*            to remove or 0; R15 = 0, 13 or 3
*
         DROP  R12
         USING DMSBWFC,R15
DMSBWFC  STM   R14,R12,EXTSAVE
         L     R12,=A(DMSBWR)
         DROP  R15
         USING DMSBWR,R12
         MVC   OLDFST,0(R1)
         BAL   R14,FREECHN
         B     EXTRET
         DROP  R12
         USING DMSBWDU,R15
DMSBWDU  STM   R14,R12,EXTSAVE
         L     R12,=A(DMSBWR)
         DROP  R15
         USING DMSBWR,R12
         BAL   R14,DIRUPD
EXTRET   L     R14,EXTSAVE
         LM    R0,R12,EXTSAVE+8
         BR    R14
*
* FREEOLD: FREEBLK of block R2 (a halfword number) unless it is 0.
*
FREEOLD  N     R2,=X'0000FFFF'
         BZR   R14
         B     FREEBLK
*
* WRITEBLK: write the 800 bytes at R3 to block R2 of disk R11.
* READBLK: read them.  R15 = 0 or 3.
*
WRITEBLK LA    R4,1
         B     DOBLK
READBLK  SR    R4,R4
DOBLK    ST    R14,BLKRET
         LR    R1,R11
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BZ    BLKDONE
         LA    R15,3
BLKDONE  L     R14,BLKRET
         BR    R14
*
* DMSBWRCL: commit the file of the AFT entry R1 (from FINIS).
*
         DROP  R12
         USING DMSBWRCL,R15
DMSBWRCL STM   R14,R12,CLSAVE
         L     R12,=A(DMSBWR)
         DROP  R15
         USING DMSBWR,R12
         LR    R10,R1
         L     R11,AFTADT
         SR    R15,R15
         LH    R3,AFTFST+FSTRECCT-FSTD
         LTR   R3,R3
         BZ    CLDONE                   nothing was written
         SR    R2,R2
         L     R3,AFTOFFS
         D     R2,=F'800'
         LTR   R2,R2
         BZ    NOPART
         BAL   R14,FLUSHBLK             the last, partial block
         LTR   R15,R15
         BNZ   CLDONE
NOPART   LH    R5,AFTFST+FSTBLKCT-FSTD
         N     R5,=X'0000FFFF'
         SH    R5,=H'60'
         BNP   NONCL
         SR    R4,R4
         D     R4,=F'400'
         LTR   R4,R4
         BZ    NONCL                    the last link went when full
         LH    R5,AFTFST+FSTBLKCT-FSTD
         N     R5,=X'0000FFFF'
         BAL   R14,WRITENCL
         LTR   R15,R15
         BNZ   CLDONE
NONCL    BAL   R14,ALLOC
         LTR   R15,R15
         BNZ   CLDONE
         LA    R3,AFTFCL
         BAL   R14,WRITEBLK
         LTR   R15,R15
         BNZ   CLDONE
         STH   R2,AFTFST+FSTFCLPT-FSTD
         LH    R3,AFTFST+FSTRECCT-FSTD
         LA    R3,1(,R3)
         STH   R3,AFTFST+FSTWRPNT-FSTD
         MVC   AFTFST+FSTRDPNT-FSTD(2),=H'1'
         BAL   R14,STAMP
         XC    REMOVE,REMOVE
         MVC   PATTERN(16),AFTFST
         MVC   PATTERN+16(1),ADTMODE
         MVI   PATTERN+17,C' '
         SR    R0,R0
         LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   CLNEW
         MVC   OLDFST,0(R1)             it replaces this one
         TM    AFTFLAG,AFTAPPND
         BO    CLAPPEND
         BAL   R14,FREECHN
         B     CLREMOVE
CLAPPEND LH    R2,AFTOLDFC              only the blocks written anew
         BAL   R14,FREEOLD
         LH    R2,AFTOLDNC
         BAL   R14,FREEOLD
         LH    R2,AFTOLDDB
         BAL   R14,FREEOLD
CLREMOVE LA    R3,PATTERN
         ST    R3,REMOVE
CLNEW    LA    R2,AFTFST
         L     R3,REMOVE
         BAL   R14,DIRUPD
CLDONE   L     R14,CLSAVE
         LM    R0,R12,CLSAVE+8
         BR    R14
*
* STAMP: the date and time last written (DIAGNOSE X'0C' under CP;
* on the bare machine there is no clock: 01/01/70 00:00).
*
STAMP    MVC   CLOCK(16),=C'01/01/7000:00:00'
         TM    SYSFLAGS,CPAVAIL
         BZ    STAMPED
         LA    R2,TIMEAREA
         DIAG  R2,R0,X'000C'
         MVC   CLOCK(8),TIMEAREA
         MVC   CLOCK+8(8),TIMEAREA+8
STAMPED  MVC   DIGITS(2),CLOCK          MM
         MVC   DIGITS+2(2),CLOCK+3      DD
         MVI   DIGITS+4,C'0'
         PACK  PACKED(3),DIGITS(5)      X'MMDD0F'
         MVC   AFTFST+FSTDATEW-FSTD(2),PACKED
         MVC   DIGITS(2),CLOCK+8        HH
         MVC   DIGITS+2(2),CLOCK+11     MM
         PACK  PACKED(3),DIGITS(5)
         MVC   AFTFST+FSTTIMEW-FSTD(2),PACKED
         MVC   AFTFST+FSTYEARW-FSTD(2),CLOCK+6
         BR    R14
*
* FREECHN: unmark every block of the file whose FST is OLDFST (disk
* R11) in the working bitmap: data blocks, chain links, the first
* chain link.  R15 = 0 or 3.
*
FREECHN  ST    R14,FREERET
         LH    R2,OLDFST+FSTFCLPT-FSTD
         N     R2,=X'0000FFFF'
         LA    R3,CHAINBUF
         BAL   R14,READBLK
         LTR   R15,R15
         BNZ   FREEEND
         LH    R2,OLDFST+FSTFCLPT-FSTD
         N     R2,=X'0000FFFF'
         BAL   R14,FREEBLK
         LH    R6,OLDFST+FSTBLKCT-FSTD
         N     R6,=X'0000FFFF'          data blocks to free
         LA    R7,CHAINBUF+80
         LA    R8,60
         SR    R9,R9                    Nth links read so far
FREELOOP LTR   R6,R6
         BNP   FREEDONE
         LTR   R8,R8
         BP    FREEONE
         LR    R3,R9
         AR    R3,R3
         LH    R2,CHAINBUF(R3)          the next Nth link
         N     R2,=X'0000FFFF'
         LA    R9,1(,R9)
         BAL   R14,FREEBLK
         L     R3,=A(LINKBUF)
         BAL   R14,READBLK
         LTR   R15,R15
         BNZ   FREEEND
         L     R7,=A(LINKBUF)
         LA    R8,400
FREEONE  LH    R2,0(,R7)
         N     R2,=X'0000FFFF'
         BAL   R14,FREEBLK
         LA    R7,2(,R7)
         BCTR  R8,0
         BCTR  R6,0
         B     FREELOOP
FREEDONE SR    R15,R15
FREEEND  L     R14,FREERET
         BR    R14
*
* DIRUPD: the new directory of disk R11: R2 -> an FST to add (or 0),
* R3 -> a fileid (CL8 fn, CL8 ft) to remove (or 0).  Every FST block
* is copied to a new block, then the MFD is written.  R15 = 0, 13, 3.
*
DIRUPD   ST    R14,DIRRET
         STM   R2,R3,DIRARGS
         LA    R15,13
         L     R2,ADTMAPA
         LTR   R2,R2
         BZ    DIREND                   no working bitmap: not written
         SR    R4,R4                    QMSK extension blocks needed:
         LA    R3,1                     the end of the list takes
         L     R5,ADTMFD+MFDNUM-MFDD    X'FFFF', and X'FFFD' and
         LA    R5,7(,R5)                their numbers when there are
         SRL   R5,3                     any
         ST    R5,MAPLEN                bytes in the bitmap
         SH    R5,=AL2(MFDQMSKL)
         BNP   DIRXNUM
         LA    R5,799(,R5)
         D     R4,=F'800'
         LR    R4,R5
         LA    R3,2(,R5)
DIRXNUM  ST    R4,EXTCOUNT
         ST    R3,EXTROOM
         SR    R5,R5                    FST blocks in the new list
         SR    R6,R6                    index in the old list
DIRNEXT  LR    R3,R6
         AR    R3,R3
         LA    R3,ADTMFD(R3)
         CLI   0(R3),X'FF'
         BE    DIRLAST
         LH    R2,0(,R3)
         N     R2,=X'0000FFFF'
         LA    R3,DIRBUF
         BAL   R14,READBLK
         LTR   R15,R15
         BNZ   DIREND
         BAL   R14,DIRSLOTS
         BAL   R14,DIRWRITE
         LTR   R15,R15
         BNZ   DIREND
         LA    R6,1(,R6)
         B     DIRNEXT
DIRLAST  L     R2,DIRARGS               the new FST still to place?
         LTR   R2,R2
         BZ    DIRMFD
         XC    DIRBUF(200),DIRBUF       a new FST block
         XC    DIRBUF+200(200),DIRBUF+200
         XC    DIRBUF+400(200),DIRBUF+400
         XC    DIRBUF+600(200),DIRBUF+600
         BAL   R14,DIRSLOTS
         BAL   R14,DIRWRITE
         LTR   R15,R15
         BNZ   DIREND
DIRMFD   L     R7,EXTCOUNT              new blocks for the bitmap's
         LA    R8,EXTLIST               bytes from 215 on
DIRXALOC LTR   R7,R7
         BNP   DIRXOLD
         BAL   R14,ALLOC
         LTR   R15,R15
         BNZ   DIREND
         STH   R2,0(,R8)
         LA    R8,2(,R8)
         BCTR  R7,0
         B     DIRXALOC
DIRXOLD  SR    R7,R7                    old FST blocks: free them
DIRFREE  LR    R3,R7
         AR    R3,R3
         LA    R3,ADTMFD(R3)
         CLI   0(R3),X'FF'
         BE    DIROLDX
         LH    R2,0(,R3)
         N     R2,=X'0000FFFF'
         BAL   R14,FREEBLK
         LA    R7,1(,R7)
         B     DIRFREE
DIROLDX  CLC   0(2,R3),=AL2(MFDXMSK)    and the old extension blocks
         BNE   DIRXWRT
         LA    R6,ADTMFD+MFDNUM-MFDD
DIROLDXB LA    R3,2(,R3)
         CR    R3,R6
         BNL   DIRXWRT
         CLC   0(2,R3),=AL2(MFDEND)
         BE    DIRXWRT
         LH    R2,0(,R3)
         BAL   R14,FREEOLD
         B     DIROLDXB
DIRXWRT  L     R7,EXTCOUNT              written now that the bitmap
         LTR   R7,R7                    is final (they mark
         BNP   DIRMFD2                  themselves)
         LR    R3,R5
         AR    R3,R3
         LA    R3,NEWLIST(R3)
         MVC   0(2,R3),=AL2(MFDXMSK)
         LA    R5,1(,R5)
         LA    R8,EXTLIST
         LA    R6,MFDQMSKL              bitmap offset of the block
DIRXONE  XC    DIRBUF(200),DIRBUF       zeros past the bitmap's end
         XC    DIRBUF+200(200),DIRBUF+200
         XC    DIRBUF+400(200),DIRBUF+400
         XC    DIRBUF+600(200),DIRBUF+600
         L     R4,MAPLEN                800 bytes, or what is left
         SR    R4,R6
         C     R4,=F'800'
         BNH   DIRXPART
         L     R4,=F'800'
DIRXPART L     R2,ADTMAPA
         AR    R2,R6                    from
         AR    R6,R4
         LA    R3,DIRBUF                to
DIRXMOVE CH    R4,=H'256'
         BNH   DIRXLAST
         MVC   0(256,R3),0(R2)
         LA    R2,256(,R2)
         LA    R3,256(,R3)
         SH    R4,=H'256'
         B     DIRXMOVE
DIRXLAST BCTR  R4,0
         EX    R4,DIRXMVC
         LH    R2,0(,R8)
         N     R2,=X'0000FFFF'
         LA    R3,DIRBUF
         BAL   R14,WRITEBLK
         LTR   R15,R15
         BNZ   DIREND
         LR    R3,R5
         AR    R3,R3
         LA    R3,NEWLIST(R3)
         MVC   0(2,R3),0(R8)
         LA    R5,1(,R5)
         LA    R8,2(,R8)
         BCT   R7,DIRXONE
DIRMFD2  MVC   MFDBUF(200),ADTMFD
         MVC   MFDBUF+200(200),ADTMFD+200
         MVC   MFDBUF+400(200),ADTMFD+400
         MVC   MFDBUF+600(200),ADTMFD+600
         LR    R3,R5
         AR    R3,R3
         LA    R3,NEWLIST(R3)
         MVC   0(2,R3),=X'FFFF'         MFDEND
         LA    R3,2(,R3)
         LA    R2,NEWLIST
         SR    R3,R2
         BCTR  R3,0
         EX    R3,DIRLIST
         L     R2,ADTMAPA
         MVC   MFDBUF+MFDQMSK-MFDD(MFDQMSKL),0(R2)
         BAL   R14,COUNTS
         LA    R2,4                     the commit
         LA    R3,MFDBUF
         BAL   R14,WRITEBLK
         LTR   R15,R15
         BNZ   DIREND
         MVC   ADTMFD(200),MFDBUF
         MVC   ADTMFD+200(200),MFDBUF+200
         MVC   ADTMFD+400(200),MFDBUF+400
         MVC   ADTMFD+600(200),MFDBUF+600
         L     R2,=A(XCTAG)             the extension on disk is the
         XC    0(4,R2),0(R2)            new one: read again when needed
         NI    ADTFLAGS,255-ADTFREED    and marks no block the working
         SR    R15,R15                  bitmap does not
DIREND   L     R14,DIRRET
         BR    R14
DIRLIST  MVC   MFDBUF(0),NEWLIST        (EX)
DIRXMVC  MVC   0(0,R3),0(R2)            (EX)
*
* DIRSLOTS: in DIRBUF, clear the FST to remove, place the FST to add
* in the first empty slot (then forget it).
*
DIRSLOTS LA    R7,DIRBUF
         LA    R8,FSTDPERB
SLOTLOOP L     R3,DIRARGS+4
         LTR   R3,R3
         BZ    SLOTADD
         CLC   0(16,R7),0(R3)
         BNE   SLOTADD
         XC    0(FSTDLEN,R7),0(R7)      removed
SLOTADD  L     R2,DIRARGS
         LTR   R2,R2
         BZ    SLOTNEXT
         CLI   0(R7),X'00'
         BNE   SLOTNEXT
         MVC   0(FSTDLEN,R7),0(R2)
         XC    DIRARGS(4),DIRARGS       placed
SLOTNEXT LA    R7,FSTDLEN(,R7)
         BCT   R8,SLOTLOOP
         BR    R14
*
* DIRWRITE: DIRBUF to a new block, added to NEWLIST.
*
DIRWRITE ST    R14,DWRET
         LA    R3,MFDMAXBN              room for the end of the list
         S     R3,EXTROOM
         CR    R5,R3
         BL    DWROOM
         LA    R15,13
         B     DWEND
DWROOM   BAL   R14,ALLOC
         LTR   R15,R15
         BNZ   DWEND
         LA    R3,DIRBUF
         BAL   R14,WRITEBLK
         LTR   R15,R15
         BNZ   DWEND
         LR    R3,R5
         AR    R3,R3
         STH   R2,NEWLIST(R3)
         LA    R5,1(,R5)
DWEND    L     R14,DWRET
         BR    R14
*
* COUNTS: MFDUSED, MFDLEFT and MFDLAST of the working bitmap (all
* of it: the MFD's bytes and the extension's) into MFDBUF.
*
COUNTS   SR    R2,R2                    blocks in use
         SR    R3,R3                    byte offset
         L     R4,=F'-1'                last nonzero byte
         SR    R5,R5
         L     R6,ADTMAPA
CNTBYTE  C     R3,MAPLEN
         BNL   CNTDONE
         IC    R5,0(R3,R6)
         LTR   R5,R5
         BZ    CNTNEXT
         LR    R4,R3
         IC    R5,BITCOUNT(R5)          the bits set in that byte
         AR    R2,R5
         SR    R5,R5
CNTNEXT  LA    R3,1(,R3)
         B     CNTBYTE
CNTDONE  ST    R2,MFDBUF+MFDUSED-MFDD
         L     R5,MFDBUF+MFDNUM-MFDD
         SR    R5,R2
         ST    R5,MFDBUF+MFDLEFT-MFDD
         ST    R4,MFDBUF+MFDLAST-MFDD
         BR    R14
BITCOUNT DS    0XL256                   bits set in each byte value
         DC    AL1(0,1,1,2,1,2,2,3,1,2,2,3,2,3,3,4)
         DC    AL1(1,2,2,3,2,3,3,4,2,3,3,4,3,4,4,5)
         DC    AL1(1,2,2,3,2,3,3,4,2,3,3,4,3,4,4,5)
         DC    AL1(2,3,3,4,3,4,4,5,3,4,4,5,4,5,5,6)
         DC    AL1(1,2,2,3,2,3,3,4,2,3,3,4,3,4,4,5)
         DC    AL1(2,3,3,4,3,4,4,5,3,4,4,5,4,5,5,6)
         DC    AL1(2,3,3,4,3,4,4,5,3,4,4,5,4,5,5,6)
         DC    AL1(3,4,4,5,4,5,5,6,4,5,5,6,5,6,6,7)
         DC    AL1(1,2,2,3,2,3,3,4,2,3,3,4,3,4,4,5)
         DC    AL1(2,3,3,4,3,4,4,5,3,4,4,5,4,5,5,6)
         DC    AL1(2,3,3,4,3,4,4,5,3,4,4,5,4,5,5,6)
         DC    AL1(3,4,4,5,4,5,5,6,4,5,5,6,5,6,6,7)
         DC    AL1(2,3,3,4,3,4,4,5,3,4,4,5,4,5,5,6)
         DC    AL1(3,4,4,5,4,5,5,6,4,5,5,6,5,6,6,7)
         DC    AL1(3,4,4,5,4,5,5,6,4,5,5,6,5,6,6,7)
         DC    AL1(4,5,5,6,5,6,6,7,5,6,6,7,6,7,7,8)
         DS    0F
EXTCOUNT DS    F                        QMSK extension blocks
EXTROOM  DS    F                        halfwords the list's end takes
MAPLEN   DS    F                        bytes in the bitmap
EXTLIST  DS    (ADTXMAX)H               the new extension blocks
         DS    0F
ALLOCRET DS    F
XLRET    DS    F
XLSAVE   DS    5F
XLBYTE   DS    F
OPENRET  DS    F
EXTSAVE  DS    15F
OLDRET   DS    F
BYTERET  DS    F
BRDRET   DS    F
BYTESAVE DS    3F
PUTRET   DS    F
FLUSHRET DS    F
NCLRET   DS    F
BLKRET   DS    F
FREERET  DS    F
DIRRET   DS    F
DWRET    DS    F
REMOVE   DS    A
DIRARGS  DS    2F
ITEMSAVE DS    2F
ALLOCSAV DS    6F
FREESAVE DS    5F
CLSAVE   DS    15F
ITEMLEN  DS    H
MODE     DS    CL2
PATTERN  DS    CL18
CLOCK    DS    CL16
DIGITS   DS    CL5
PACKED   DS    CL3
         LTORG
         DS    0F
OLDFST   DS    CL40
NEWLIST  DS    182H
         DS    0D
LINKBUF  DS    CL800
DMSBWXC  DS    0F                       (DMSACC forgets it: ACCESS,
XCTAG    DC    A(0)                     RELEASE)
XCINDEX  DC    F'0'
XCDATA   DS    CL800
         NUCON
         END
