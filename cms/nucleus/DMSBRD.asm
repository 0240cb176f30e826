BRD      TITLE 'DMSBRD - RDBUF (FSREAD) AND FINIS (FSCLOSE) OF A READ'
*
* RDBUF reads one item (record) of a file into the caller's buffer.
* The first read of a file opens it: an entry of the active file
* table (AFTD) gets a copy of its FST and its first chain link; later
* reads go on from there.  Item 0 means the next one.  Data blocks are
* found through the chain links (docs/cms-disk-format.md): data block
* k (from 0) is named by the first chain link when k < 60, else by
* entry (k-60)//400 of Nth chain link (k-60)/400+1.
* FINIS closes a file (or every file: fn *); a file open for writing
* is handed to DMSBWR to be committed first.
*
* Entered: by SVC 202 (or BALR), R1 -> the list:
*             0 CL8'RDBUF'  8 CL8 fn  16 CL8 ft  24 CL2 fm (* or blank:
*             any)  26 H item  28 A(buffer)  32 F buffer size
*             36 CL1 recfm (returned)  37 CL1  38 H items (1)
*             40 F bytes read (returned)
*          or CL8'FINIS',CL8 fn,CL8 ft,CL2 fm; R12 entry, R13 save
*          area, R14 return.
* Exits:   RDBUF R15 = 0 and R0 = the bytes read; 1 no such file;
*          2 the buffer is not the caller's storage (DMSSVTCK);
*          3 a disk error; 7 the FST's record format is not F or V;
*          8 the item was longer than the buffer (the buffer is full);
*          12 end of file; 14 too many files open.
*          FINIS R15 = 0, or DMSBWR's code; 6 the file was not open.
*
         REGEQU
         CHAIND
         ADTD
         FSTD
         AFTD
DMSBRD   CSECT
         ENTRY DMSFNS,DMSAFT,DMSBRDBK
         USING NUCON,R0
         USING DMSBRD,R12
         USING AFTD,R10
         STM   R14,R12,12(R13)
         LR    R9,R1
         BAL   R14,FINDAFT
         LTR   R10,R10
         BNZ   OPEN
         BAL   R14,OPENAFT
         LTR   R15,R15
         BNZ   RETURN
OPEN     TM    AFTFLAG,AFTWRITE
         BZ    READABLE
         LA    R15,9                    open for writing
         B     RETURN
READABLE LH    R3,26(,R9)
         N     R3,=X'0000FFFF'
         LTR   R3,R3
         BNZ   ITEMSET
         L     R3,AFTITEM               item 0: the next one
ITEMSET  LH    R4,AFTFST+FSTRECCT-FSTD
         N     R4,=X'0000FFFF'
         CR    R3,R4
         BNH   INFILE
         LA    R15,12                   end of file
         B     RETURN
INFILE   MVC   36(1,R9),AFTFST+FSTRECFM-FSTD
         CLI   AFTFST+FSTRECFM-FSTD,C'F'
         BE    FIXED
         CLI   AFTFST+FSTRECFM-FSTD,C'V'
         BE    VARYING
         LA    R15,7
         B     RETURN
FIXED    LR    R5,R3
         BCTR  R5,0
         L     R6,AFTFST+FSTLRECL-FSTD
         MR    R4,R6                    R5 = offset of the item
         B     HAVEITEM
VARYING  C     R3,AFTITEM
         BE    VNEXT
         BH    VSKIP
         LA    R4,1                     backwards: from the start
         ST    R4,AFTITEM
         XC    AFTOFFS,AFTOFFS
VSKIP    C     R3,AFTITEM
         BE    VNEXT
         L     R5,AFTOFFS
         LA    R6,2
         LA    R7,LENGTH
         BAL   R14,GETBYTES
         LTR   R15,R15
         BNZ   RETURN
         LH    R4,LENGTH
         N     R4,=X'0000FFFF'
         L     R5,AFTOFFS
         LA    R5,2(R4,R5)
         ST    R5,AFTOFFS
         L     R4,AFTITEM
         LA    R4,1(,R4)
         ST    R4,AFTITEM
         B     VSKIP
VNEXT    L     R5,AFTOFFS
         LA    R6,2
         LA    R7,LENGTH
         BAL   R14,GETBYTES
         LTR   R15,R15
         BNZ   RETURN
         LH    R6,LENGTH
         N     R6,=X'0000FFFF'
         L     R5,AFTOFFS
         LA    R5,2(,R5)                the record after its length
HAVEITEM LR    R4,R6                    the item's length
         LA    R2,0(R5,R6)
         ST    R2,AFTOFFS               where the next one starts
         LA    R2,1(,R3)
         ST    R2,AFTITEM
         SR    R11,R11                  R11 = 8 when cut short
         C     R6,32(,R9)
         BNH   FITS
         L     R6,32(,R9)
         LA    R11,8
FITS     L     R7,28(,R9)
         LA    R7,0(,R7)
         STM   R2,R4,CHKREGS
         LR    R2,R7
         LR    R3,R6
         LA    R4,1                     the buffer is stored into
         L     R15,=V(DMSSVTCK)
         BALR  R14,R15
         LM    R2,R4,CHKREGS
         LTR   R15,R15
         BNZ   RETURN                   2: not the caller's storage
         BAL   R14,GETBYTES
         LTR   R15,R15
         BNZ   RETURN
         ST    R4,40(,R9)
         ST    R4,20(,R13)              R0 for the caller
         LR    R15,R11
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* FINDAFT: the open entry for the fileid at 8(R9) in R10, or 0.
*
FINDAFT  L     R10,=A(AFTABLE)
         LA    R2,AFTMAX
FINDLOOP TM    AFTFLAG,AFTUSED
         BZ    FINDNEXT
         CLC   AFTFST(16),8(R9)
         BNE   FINDNEXT
         CLI   24(R9),C'*'
         BER   R14
         CLI   24(R9),C' '
         BER   R14
         CLC   AFTFST+FSTFMODE-FSTD(1),24(R9)
         BER   R14
FINDNEXT LA    R10,AFTDLEN(,R10)
         BCT   R2,FINDLOOP
         SR    R10,R10
         BR    R14
*
* OPENAFT: find the file and give it a free entry (R10); R15 = 0, or
* 1 no such file, 3 a disk error, 14 no free entry.
*
OPENAFT  ST    R14,OPENRET
         MVC   PATTERN(16),8(R9)
         MVC   PATTERN+16(2),24(R9)
         CLI   PATTERN+16,C' '
         BNE   OPENFIND
         MVI   PATTERN+16,C'*'
OPENFIND SR    R0,R0
         LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BZ    OPENFREE
         LA    R15,1
         B     OPENDONE
OPENFREE LR    R3,R1
         L     R10,=A(AFTABLE)
         LA    R4,AFTMAX
FREELOOP TM    AFTFLAG,AFTUSED
         BZ    FREEGOT
         LA    R10,AFTDLEN(,R10)
         BCT   R4,FREELOOP
         LA    R15,14
         B     OPENDONE
FREEGOT  MVC   AFTFST,0(R3)
         ST    R2,AFTADT
         LA    R4,1
         ST    R4,AFTITEM
         XC    AFTOFFS,AFTOFFS
         XC    AFTNCLNO,AFTNCLNO
         L     R4,=F'-1'
         ST    R4,AFTDBIDX
         MVI   AFTFLAG,AFTUSED
         LH    R2,AFTFST+FSTFCLPT-FSTD
         N     R2,=X'0000FFFF'
         L     R1,AFTADT
         LA    R3,AFTFCL
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BZ    OPENDONE
         MVI   AFTFLAG,0
         LA    R15,3
OPENDONE L     R14,OPENRET
         BR    R14
*
* GETBYTES: R6 bytes from offset R5 of the file (entry R10) to R7.
* R15 = 0, or 3 after a disk error.  R5-R7 change.
*
GETBYTES STM   R1,R4,GETREGS
         ST    R8,GETREGS+16
         ST    R14,GETRET
GETLOOP  LTR   R6,R6
         BNP   GOTALL
         SR    R2,R2
         LR    R3,R5
         D     R2,=F'800'               R3 block, R2 offset in it
         BAL   R14,DATABLK
         LTR   R15,R15
         BNZ   GETEND
         LA    R8,800
         SR    R8,R2                    bytes left in the block
         CR    R8,R6
         BNH   GETMOVE
         LR    R8,R6
GETMOVE  LA    R1,AFTDATA(R2)
         LR    R2,R8
         BAL   R14,MOVE
         AR    R5,R8
         AR    R7,R8
         SR    R6,R8
         B     GETLOOP
GOTALL   SR    R15,R15
GETEND   L     R14,GETRET
         LM    R1,R4,GETREGS
         L     R8,GETREGS+16
         BR    R14
*
* MOVE: R2 bytes from R1 to R7 (any length).  R1, R2 change.
*
MOVE     STM   R7,R8,MOVESAVE
MOVELOOP LTR   R2,R2
         BNP   MOVEEND
         LR    R8,R2
         CH    R8,=H'256'
         BNH   MOVEPART
         LA    R8,256
MOVEPART BCTR  R8,0
         EX    R8,MOVEMVC
         LA    R8,1(,R8)
         AR    R1,R8
         AR    R7,R8
         SR    R2,R8
         B     MOVELOOP
MOVEEND  LM    R7,R8,MOVESAVE
         BR    R14
MOVEMVC  MVC   0(0,R7),0(R1)
*
* DATABLK: data block R3 (from 0) of the file in AFTDATA.  R15 = 0, or
* 3 after a disk error.  R2 and R3 unchanged.
*
DATABLK  C     R3,AFTDBIDX
         BNE   DATAREAD
         SR    R15,R15
         BR    R14
DATAREAD STM   R14,R4,DATASAVE
         ST    R3,AFTDBIDX
         CH    R3,=H'60'
         BNL   NTHLINK
         AR    R3,R3
         LH    R2,AFTFCL+FCLDATA-FCLD(R3) data blocks 1-60
         B     READDATA
NTHLINK  SH    R3,=H'60'
         SR    R2,R2
         D     R2,=F'400'               R3 link - 1, R2 entry
         LA    R3,1(,R3)
         C     R3,AFTNCLNO
         BE    HAVENCL
         ST    R3,AFTNCLNO
         LR    R4,R3
         BCTR  R4,0
         AR    R4,R4
         STM   R2,R3,NCLSAVE
         LH    R2,AFTFCL(R4)            FCLNTH: the link's block
         N     R2,=X'0000FFFF'
         L     R1,AFTADT
         LA    R3,AFTNCL
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LM    R2,R3,NCLSAVE
         LTR   R15,R15
         BNZ   DATAFAIL
HAVENCL  AR    R2,R2
         LH    R2,AFTNCL(R2)
READDATA N     R2,=X'0000FFFF'
         L     R1,AFTADT
         LA    R3,AFTDATA
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BZ    DATADONE
DATAFAIL L     R4,=F'-1'
         ST    R4,AFTDBIDX
         XC    AFTNCLNO,AFTNCLNO
         LA    R15,3
DATADONE L     R14,DATASAVE
         LM    R0,R4,DATASAVE+8
         BR    R14
*
* DMSBRDBK: DATABLK for DMSBWR (R10 the entry, R3 the block).
*
         DROP  R12
         USING DMSBRDBK,R15
DMSBRDBK ST    R12,BKSAVE               (R12 is the caller's base)
         L     R12,=A(DMSBRD)
         DROP  R15
         USING DMSBRD,R12
         ST    R14,BKRET
         BAL   R14,DATABLK
         L     R14,BKRET
         L     R12,BKSAVE
         BR    R14
*
* FINIS fn ft fm: close the file (fn *: every file).
*
         DROP  R12
         USING DMSFNS,R12
DMSFNS   STM   R14,R12,12(R13)
         L     R12,=A(DMSBRD)
         DROP  R12
         USING DMSBRD,R12
         LR    R9,R1
         SR    R7,R7                    files closed
         SR    R8,R8                    worst return code
         L     R10,=A(AFTABLE)
         LA    R6,AFTMAX
CLOSLOOP TM    AFTFLAG,AFTUSED
         BZ    CLOSNEXT
         CLI   8(R9),C'*'
         BE    CLOSEIT
         CLC   AFTFST(16),8(R9)
         BNE   CLOSNEXT
CLOSEIT  LA    R7,1(,R7)
         TM    AFTFLAG,AFTWRITE
         BZ    FREED
         LR    R1,R10
         L     R15,=V(DMSBWRCL)         commit what was written
         BALR  R14,R15
         LTR   R15,R15
         BZ    FREED
         LR    R8,R15
FREED    MVI   AFTFLAG,0
CLOSNEXT LA    R10,AFTDLEN(,R10)
         BCT   R6,CLOSLOOP
         LR    R15,R8
         LTR   R7,R7
         BNZ   CLOSED
         CLI   8(R9),C'*'
         BE    CLOSED
         LA    R15,6                    it was not open
CLOSED   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         DS    0F
OPENRET  DS    F
GETRET   DS    F
GETREGS  DS    5F
CHKREGS  DS    3F
BKRET    DS    F
BKSAVE   DS    F
LENGTH   DS    H
PATTERN  DS    CL18
         DS    0F
MOVESAVE DS    2F
NCLSAVE  DS    2F
DATASAVE DS    7F
         LTORG
         DS    0D
DMSAFT   DS    0F
AFTABLE  DC    (AFTMAX*AFTDLEN)X'00'
         NUCON
         END
