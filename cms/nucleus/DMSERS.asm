ERS      TITLE 'DMSERS - ERASE AND RENAME'
*
* ERASE fn ft [fm]
*    removes a file (fm default A); fn or ft * (or ending in *) removes
*    every file that matches on that disk.
* RENAME fn1 ft1 fm1 fn2 ft2 fm2
*    gives a file a new name on its disk (= keeps a word; the two
*    modes must be the same disk; a mode number in fm2 is the file's
*    new one).
* Both change the directory through DMSBWR's update (DMSBWDU), which
* writes new FST blocks and then the MFD; ERASE first frees the file's
* blocks in the working bitmap (DMSBWFC).
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.  RENAME enters at DMSRNM.
* Exits:   ERASE: R15 = 0; 24 no filetype (DMSERS054E); 28 no such
*          file (DMSERS002E); 36 the disk is not accessed or read-only
*          (DMSERS037E).  RENAME: R15 = 0; 24 fewer than six words
*          (DMSRNM054E); 28 no such file (DMSRNM002E) or the new name
*          exists (DMSRNM024E); 36 the disk is read-only or the modes
*          differ (DMSRNM037E).  3 or 13: a disk error or a full disk.
*
         REGEQU
         ADTD
         FSTD
DMSERS   CSECT
         ENTRY DMSRNM
         USING NUCON,R0
         USING DMSERS,R12
         USING ADTD,R11
         STM   R14,R12,12(R13)
         LR    R9,R1
         CLI   8(R9),X'FF'
         BE    ERSNOFT
         CLI   16(R9),X'FF'
         BE    ERSNOFT
         MVC   PATTERN(16),8(R9)
         MVC   PATTERN+16(2),=C'A '
         CLI   24(R9),X'FF'
         BE    ERSFIND
         MVC   PATTERN+16(2),24(R9)
ERSFIND  LA    R1,PATTERN+16
         BAL   R14,FINDADT
         LTR   R11,R11
         BZ    ERSRO
         TM    ADTFLAGS,ADTRW
         BZ    ERSRO
         MVI   PATTERN+17,C' '
         ST    R9,ERSPLIST
         XC    ERASED,ERASED
ERSLOOP  SR    R0,R0                    (each erase changes the
         LA    R1,PATTERN               directory: search again)
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   ERSEND
         MVC   OLDFST,0(R1)
         LA    R1,OLDFST
         L     R15,=V(DMSBWFC)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   ERSRET
         SR    R2,R2
         LA    R3,OLDFST                its own name, not the pattern
         L     R15,=V(DMSBWDU)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   ERSRET
         L     R2,ERASED
         LA    R2,1(,R2)
         ST    R2,ERASED
         B     ERSLOOP
ERSEND   L     R9,ERSPLIST
         SR    R15,R15
         CLC   ERASED,=F'0'
         BNE   ERSRET
         B     ERSNONE
ERSNOFT  LA    R1,MSG054
         SR    R2,R2
         SR    R4,R4
         LA    R5,24
         B     ERSMSG
ERSNONE  LA    R1,MSG002
         MVC   PATTERN+16(2),24(R9)
         CLI   24(R9),X'FF'
         BNE   ERSNAME
         MVC   PATTERN+16(2),=C'A '
ERSNAME  LA    R2,PATTERN
         LA    R5,28
         B     ERSMSG
ERSRO    LA    R1,MSG037
         SR    R2,R2
         LA    R3,PATTERN+16
         LA    R4,1
         LA    R5,36
ERSMSG   L     R15,=V(DMSMSG)
         BALR  R14,R15
         LR    R15,R5
ERSRET   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* RENAME fn1 ft1 fm1 fn2 ft2 fm2
*
         DROP  R12
         USING DMSRNM,R12
DMSRNM   STM   R14,R12,12(R13)
         L     R12,=A(DMSERS)
         DROP  R12
         USING DMSERS,R12
         LR    R9,R1
         LA    R2,8(,R9)
         LA    R3,6
RNMCOUNT CLI   0(R2),X'FF'
         BE    RNMSHORT
         LA    R2,8(,R2)
         BCT   R3,RNMCOUNT
         MVC   PATTERN(16),8(R9)        the old name
         MVC   PATTERN+16(2),24(R9)
         MVC   NEWNAME(16),32(R9)       the new name, = kept
         CLI   NEWNAME,C'='
         BNE   RNMTYPE
         MVC   NEWNAME(8),8(R9)
RNMTYPE  CLI   NEWNAME+8,C'='
         BNE   RNMMODE
         MVC   NEWNAME+8(8),16(R9)
RNMMODE  MVC   NEWNAME+16(2),48(R9)
         CLI   48(R9),C'='
         BNE   RNMDISK
         MVC   NEWNAME+16(2),24(R9)
RNMDISK  CLC   NEWNAME+16(1),PATTERN+16
         BNE   RNMRO                    another disk: not a rename
         LA    R1,PATTERN+16
         BAL   R14,FINDADT
         LTR   R11,R11
         BZ    RNMRO
         TM    ADTFLAGS,ADTRW
         BZ    RNMRO
         MVI   NEWNAME+17,C' '
         MVC   PATTERN2,NEWNAME
         SR    R0,R0
         LA    R1,PATTERN2
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BZ    RNMEXIST
         MVI   PATTERN+17,C' '
         SR    R0,R0
         LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   RNMNONE
         MVC   OLDFST,0(R1)
         MVC   OLDFST(16),NEWNAME       same blocks, the new name
         CLI   49(R9),C' '
         BE    RNMDIR
         CLI   49(R9),C'='
         BE    RNMDIR
         MVC   OLDFST+FSTFMODE-FSTD+1(1),49(R9)   a new mode number
RNMDIR   LA    R2,OLDFST
         LA    R3,PATTERN
         L     R15,=V(DMSBWDU)
         BALR  R14,R15
         B     ERSRET
RNMSHORT LA    R1,MSGR054
         SR    R2,R2
         SR    R4,R4
         LA    R5,24
         B     ERSMSG
RNMNONE  LA    R1,MSGR002
         MVC   PATTERN+16(2),24(R9)
         LA    R2,PATTERN
         LA    R5,28
         B     ERSMSG
RNMEXIST LA    R1,MSGR024
         MVC   NEWNAME+16(2),48(R9)
         LA    R2,NEWNAME
         LA    R5,28
         B     ERSMSG
RNMRO    LA    R1,MSGR037
         SR    R2,R2
         LA    R3,48(,R9)
         LA    R4,1
         LA    R5,36
         B     ERSMSG
MSGR054  MSGDESC DMSRNM054E,'INCOMPLETE FILEID SPECIFIED'
MSGR002  MSGDESC DMSRNM002E,'FILE','NOT FOUND'
MSGR024  MSGDESC DMSRNM024E,'FILE','ALREADY EXISTS'
MSGR037  MSGDESC DMSRNM037E,'DISK','IS READ/ONLY OR NOT THE SAME DISK'
MSG054   MSGDESC DMSERS054E,'INCOMPLETE FILEID SPECIFIED'
MSG002   MSGDESC DMSERS002E,'FILE','NOT FOUND'
MSG037   MSGDESC DMSERS037E,'DISK','IS READ/ONLY OR NOT ACCESSED'
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
         DS    0F
ERSPLIST DS    A
ERASED   DS    F
PATTERN  DS    CL18
PATTERN2 DS    CL18
NEWNAME  DS    CL18
         DS    0F
OLDFST   DS    CL40
         LTORG
         NUCON
         END
