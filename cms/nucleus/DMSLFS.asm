LFS      TITLE 'DMSLFS - LOOK FOR FILES ON THE ACCESSED DISKS'
*
* DMSLFS finds the files that match a fileid pattern, disk by disk in
* mode order (A to Z), reading each disk's FST blocks as its MFD lists
* them.  A filename or filetype of * matches any; one ending in *
* (ABC*) matches those that begin so.  A filemode of * (or blank)
* searches every disk, a letter only that disk.
*
* Entered: R0 = 0 to start a search, nonzero to go on with the last
*          one (after a match); R1 -> the pattern, CL8 fn, CL8 ft, CL2
*          fm (read only when starting); R14 return, R15 entry.
* Exits:   R15 = 0 a match: R1 -> a 40-byte copy of its FST whose
*          filemode letter is the mode it was found under, R2 -> the
*          ADT of its disk, R3 = its block number in the FST block list
*          (1 the first FST block), R4 its slot in that block (0-19);
*          R15 = 4 no (more) matches; R15 = 8 a disk error.
*          R0 and R5-R14 unchanged.
*
         REGEQU
         ADTD
         FSTD
DMSLFS   CSECT
         USING NUCON,R0
         USING DMSLFS,R15
         STM   R14,R12,LFSSAVE
         LR    R12,R15
         DROP  R15
         USING DMSLFS,R12
         USING ADTD,R10
         LTR   R0,R0
         BNZ   RESUME
         MVC   PATTERN,0(R1)
         XC    MODEIDX,MODEIDX
         B     NEXTDISK
RESUME   L     R10,CURADT
         LM    R6,R7,BLKIDX             R6 block index, R7 entry index
         B     NEXTENT
NEXTMODE L     R3,MODEIDX
         LA    R3,1(,R3)
         ST    R3,MODEIDX
NEXTDISK L     R3,MODEIDX
         CH    R3,=H'26'
         BNL   NOMORE
         LA    R4,ALPHABET(R3)
         CLI   PATTERN+16,C'*'
         BE    ANYMODE
         CLI   PATTERN+16,C' '
         BE    ANYMODE
         CLC   PATTERN+16(1),0(R4)
         BNE   NEXTMODE
ANYMODE  L     R10,=V(DMSADT)
         LA    R5,ADTMAX
ADTFIND  CLC   ADTMODE,0(R4)
         BE    ADTFOUND
         LA    R10,ADTDLEN(,R10)
         BCT   R5,ADTFIND
         B     NEXTMODE
ADTFOUND ST    R10,CURADT
         SR    R6,R6                    FST block index
         LA    R7,FSTDPERB              forces the first block read
NEXTENT  CH    R7,=AL2(FSTDPERB)
         BL    HAVEBLK
         LR    R3,R6
         AR    R3,R3
         LA    R3,ADTMFD(R3)
         CLI   0(R3),X'FF'              X'FFFF' or X'FFFD': list ends
         BE    NEXTMODE
         LH    R2,0(,R3)
         N     R2,=X'0000FFFF'
         LR    R1,R10
         LA    R3,FSTBLOCK
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   DISKERR
         LA    R6,1(,R6)
         SR    R7,R7
HAVEBLK  LR    R8,R7
         MH    R8,=AL2(FSTDLEN)
         LA    R8,FSTBLOCK(R8)
         LA    R7,1(,R7)
         CLI   0(R8),X'00'
         BE    NEXTENT                  an empty slot
         LA    R2,PATTERN
         LR    R3,R8
         BAL   R14,MATCH
         BNE   NEXTENT
         LA    R2,PATTERN+8
         LA    R3,8(,R8)
         BAL   R14,MATCH
         BNE   NEXTENT
         STM   R6,R7,BLKIDX
         MVC   FOUND,0(R8)
         L     R3,MODEIDX
         LA    R3,ALPHABET(R3)
         MVC   FOUND+FSTFMODE-FSTD(1),0(R3)
         LA    R1,FOUND
         LR    R2,R10
         LR    R3,R6
         LR    R4,R7
         BCTR  R4,0
         SR    R15,R15
         B     RETURN
NOMORE   LA    R15,4
         B     RETURN
DISKERR  LA    R15,8
RETURN   L     R14,LFSSAVE
         LM    R5,R12,LFSSAVE+28
         BR    R14
*
* MATCH: the 8-byte name at R3 against the pattern at R2; condition
* code 0 when it matches.  Uses R4, R5.
*
MATCH    LA    R4,0                     bytes before an asterisk
MATCHSC  LA    R5,0(R4,R2)
         CLI   0(R5),C'*'
         BE    PREFIX
         LA    R4,1(,R4)
         CH    R4,=H'8'
         BL    MATCHSC
         CLC   0(8,R2),0(R3)
         BR    R14
PREFIX   LTR   R4,R4
         BZR   R14                      * alone: condition code 0
         BCTR  R4,0
         EX    R4,MATCHCLC
         BR    R14
MATCHCLC CLC   0(0,R2),0(R3)
ALPHABET DC    C'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
         DS    0F
MODEIDX  DS    F
CURADT   DS    A
BLKIDX   DS    2F
PATTERN  DS    CL18
         DS    0F
FOUND    DS    CL40
LFSSAVE  DS    15F
         LTORG
         DS    0D
FSTBLOCK DS    CL800
         NUCON
         END
