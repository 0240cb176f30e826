FOR      TITLE 'DMSFOR - FORMAT: MAKE A DISK AN EMPTY CMS DISK'
*
* FORMAT cuu mode [nn]
*    asks DMSFOR603R whether to erase the disk and DMSFOR605R for its
*    label, then writes every track of the first nn cylinders (all of
*    them when nn is not given: it seeks until the disk says there is
*    no such cylinder) with R1-Rn of 800 zero bytes (7 a 2314 track,
*    4 a 2311 track: a 2311 has 10 heads, so a seek to head 10 fails),
*    track 0 first so the old label is gone at once, then the first FST
*    block (block 5), the MFD (block 4) and, last, the label (block 3):
*    until the label is written the disk is not a CMS disk.  Then the
*    disk is accessed as 'mode'.  The writes go by SIO (SEEK, SEARCH ID
*    EQUAL of R0, TIC, WRITE COUNT KEY AND DATA data chained to the
*    zeros); record IDs hold cylinders relative to the minidisk.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0 (formatted, or DMSFOR705I DISK REMAINS UNCHANGED
*          when the answer is not YES); 24 a bad device or mode
*          (DMSFOR017E, DMSFOR048E); 100 the device is not there
*          (DMSFOR113S) or a write failed (DMSFOR125S); 88 more than
*          32,768 blocks (ADTQMAXL*8, a 2314 minidisk of over 234
*          cylinders), which this nucleus does not write (DMSFOR955E).
*          A disk over 1,720 blocks gets its bitmap extension blocks
*          (blocks 6, 7 ..., zeros: 5 for a whole 2314 pack) in the
*          MFD's list.
*
         REGEQU
         MFDD
         ADTD
DMSFOR   CSECT
         USING NUCON,R0
         USING DMSFOR,R12
         USING ADTD,R10
         STM   R14,R12,12(R13)
         LR    R9,R1
         CLI   8(R9),X'FF'
         BE    BADDEV
         LA    R2,8(,R9)                cuu: one to three hex digits
         SR    R3,R3
         LA    R4,4
HEXLOOP  CLI   0(R2),C' '
         BE    HEXEND
         BCT   R4,HEXCHAR
         B     BADDEV
HEXCHAR  SR    R5,R5
         IC    R5,0(,R2)
         CLI   0(R2),C'0'
         BL    HEXALPHA
         CLI   0(R2),C'9'
         BH    BADDEV
         SH    R5,=H'240'
         B     HEXADD
HEXALPHA CLI   0(R2),C'A'
         BL    BADDEV
         CLI   0(R2),C'F'
         BH    BADDEV
         SH    R5,=H'183'
HEXADD   SLL   R3,4
         AR    R3,R5
         LA    R2,1(,R2)
         B     HEXLOOP
HEXEND   CH    R4,=H'4'
         BE    BADDEV
         STH   R3,DEVICE
         CLI   16(R9),X'FF'
         BE    BADMODE
         CLI   16(R9),C'A'
         BL    BADMODE
         CLI   16(R9),C'Z'
         BH    BADMODE
         CLI   17(R9),C' '
         BNE   BADMODE
         MVC   LETTER,16(R9)
         MVC   DISKNAME(1),LETTER       'mode(cuu)'
         MVI   DISKNAME+1,C'('
         MVC   DISKNAME+2(3),8(R9)
         MVI   DISKNAME+5,C')'
         LA    R2,24(,R9)               ( LABEL: only the label
OPTSCAN  CLI   0(R2),X'FF'
         BE    OPTSEND
         CLC   0(8,R2),=CL8'LABEL'
         BE    RELABEL
         LA    R2,8(,R2)
         B     OPTSCAN
OPTSEND  SR    R3,R3                    cylinders asked for, 0: all
         CLI   24(R9),X'FF'
         BE    ASK
         CLI   24(R9),C'('
         BE    ASK
         LA    R2,24(,R9)               nn: up to three digits
         SR    R4,R4
DIGITS   LA    R5,0(R4,R2)
         CLI   0(R5),C'0'
         BL    DIGITEND
         LA    R4,1(,R4)
         CH    R4,=H'3'
         BL    DIGITS
DIGITEND LTR   R4,R4
         BZ    ASK
         BCTR  R4,0
         EX    R4,PACKNN
         CVB   R3,WORK
ASK      ST    R3,CYLS
         MVC   ASKDISK,DISKNAME
         LA    R1,ASKLIST
         SVC   202
         LA    R1,READLIST
         SVC   202
         CLC   REPLY(4),=C'YES '
         BE    LABEL
         LA    R1,MSG705
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         SR    R15,R15
         B     RETURN
LABEL    LA    R1,MSG605
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         MVI   REPLY,C' '               a short label is blank-filled
         MVC   REPLY+1(L'REPLY-1),REPLY
         LA    R1,READLIST
         SVC   202
         MVC   VOLID,REPLY
*
* The device: how many heads (a seek to head 10 fails on a 2311) and
* cylinders (seek until one fails).
*
         L     R10,=A(TEMPADT)
         L     R2,=A(ZEROS)
         MVC   0(256,R10),0(R2)         (the MFD part is set later)
         MVC   ADTDEV,DEVICE
         XC    SEEKARG,SEEKARG
         MVC   SEEKARG+4(2),=H'10'
         BAL   R14,SEEKONLY
         CH    R15,=H'8'
         BE    NOTATT
         MVC   ADTBPT,=H'7'             2314: 20 heads, 7 a track
         MVC   ADTBPC,=H'140'
         MVC   HEADS,=H'20'
         MVI   DTYPE,X'08'
         LTR   R15,R15
         BZ    CYLSIZE
         MVC   ADTBPT,=H'4'             2311: 10 heads, 4 a track
         MVC   ADTBPC,=H'40'
         MVC   HEADS,=H'10'
         MVI   DTYPE,X'01'
CYLSIZE  L     R3,CYLS
         LTR   R3,R3
         BNZ   SIZED
CYLSEEK  STH   R3,SEEKARG+2
         XC    SEEKARG+4(2),SEEKARG+4
         BAL   R14,SEEKONLY
         LTR   R15,R15
         BNZ   SIZED0
         LA    R3,1(,R3)
         C     R3,=F'65535'
         BL    CYLSEEK
SIZED0   ST    R3,CYLS
SIZED    LR    R5,R3
         MH    R5,ADTBPC
         ST    R5,BLOCKS
         C     R5,=A(ADTQMAXL*8)        the bitmap this nucleus writes
         BH    TOOBIG
         LTR   R5,R5
         BZ    NOTATT
         L     R15,=V(DMSADT)           forget what the disk and the
         LA    R2,ADTMAX                mode were
FORGET   CLC   ADTDEV-ADTD(2,R15),DEVICE
         BE    FORGET1
         CLC   ADTMODE-ADTD(1,R15),LETTER
         BNE   FORGET2
FORGET1  MVI   ADTMODE-ADTD(R15),0
FORGET2  LA    R15,ADTDLEN(,R15)
         BCT   R2,FORGET
         LA    R1,MSG733
         SR    R2,R2
         LA    R3,LETTER
         LA    R4,1
         L     R15,=V(DMSMSG)
         BALR  R14,R15
*
* Every track, cylinder 0 head 0 first.
*
         SR    R6,R6                    cylinder
TRKCYL   SR    R7,R7                    head
TRKHEAD  BAL   R14,FMTTRACK
         LTR   R15,R15
         BNZ   WRITEERR
         LA    R7,1(,R7)
         CH    R7,HEADS
         BL    TRKHEAD
         LA    R6,1(,R6)
         C     R6,CYLS
         BL    TRKCYL
*
* The first FST block, the MFD, the label: the label last.
*
         MVC   ADTMFD+MFDNUM-MFDD(4),BLOCKS DMSDIO may reach all
         LA    R2,5
         L     R3,=A(ZEROS)
         BAL   R14,WRITEBLK
         BNZ   WRITEERR
         L     R3,=A(ZEROS)
         MVC   MFD(200),0(R3)
         MVC   MFD+200(200),0(R3)
         MVC   MFD+400(200),0(R3)
         MVC   MFD+600(200),0(R3)
         MVC   MFD(2),=X'0005'          the FST block
         LA    R4,5                     blocks in use: 1-5
         LA    R3,MFD+2
         L     R5,BLOCKS                a bitmap past the MFD's 215
         LA    R5,7(,R5)                bytes: its extension blocks
         SRL   R5,3                     6, 7 ..., zeros as formatted
         SH    R5,=AL2(MFDQMSKL)        (the bitmap from byte 215 on),
         BNP   ONEMAP                   after X'FFFD'
         LA    R1,799(,R5)
         SR    R0,R0
         D     R0,=F'800'
         LR    R5,R1                    R5 extension blocks
         MVC   0(2,R3),=AL2(MFDXMSK)
XBLOCKS  LA    R3,2(,R3)
         LA    R4,1(,R4)
         STH   R4,0(,R3)
         BCT   R5,XBLOCKS
         LA    R3,2(,R3)
ONEMAP   MVC   0(2,R3),=AL2(MFDEND)
         MVC   MFD+MFDNUM-MFDD(4),BLOCKS
         ST    R4,MFD+MFDUSED-MFDD
         L     R2,BLOCKS
         SR    R2,R4
         ST    R2,MFD+MFDLEFT-MFDD
         L     R2,CYLS
         ST    R2,MFD+MFDCYL-MFDD
         LA    R3,MFD+MFDQMSK-MFDD      blocks 1 to R4 in use
         SR    R2,R2                    (the last byte with a bit on)
USEDBITS CH    R4,=H'8'
         BL    USEDPART
         MVI   0(R3),X'FF'
         LA    R3,1(,R3)
         LA    R2,1(,R2)
         SH    R4,=H'8'
         BP    USEDBITS
         BCTR  R2,0
         B     USEDLAST
USEDPART L     R1,=F'65280'             X'FF00': the top R4 bits of
         SRL   R1,0(R4)                 its last byte
         STC   R1,0(,R3)
USEDLAST ST    R2,MFD+MFDLAST-MFDD
         MVC   MFD+MFDDTYPE-MFDD(1),DTYPE
         LA    R2,4
         LA    R3,MFD
         BAL   R14,WRITEBLK
         BNZ   WRITEERR
         L     R3,=A(ZEROS)
         MVC   MFD(200),0(R3)
         MVC   MFD+200(200),0(R3)
         MVC   MFD+400(200),0(R3)
         MVC   MFD+600(200),0(R3)
         MVC   MFD(4),=C'CMS='
         MVC   MFD+4(6),VOLID
         LA    R2,3
         LA    R3,MFD
         BAL   R14,WRITEBLK
         BNZ   WRITEERR
         MVC   DONELINE(11),=C'DMSFOR732I '
         LA    R2,DONELINE+11
         L     R0,CYLS
         L     R15,=V(DMSCVDT)
         BALR  R14,R15
         MVC   0(24,R2),=C' CYLINDERS FORMATTED ON '
         MVC   24(6,R2),DISKNAME
         LA    R2,30(,R2)
         LA    R3,DONELINE
         SR    R2,R3
         STH   R2,DONELEN
         LA    R1,DONELIST
         SVC   202
         MVC   ACCDEV,8(R9)
         MVC   ACCMODE(1),LETTER
         LA    R1,ACCLIST
         SVC   202
         B     RETURN
*
* FORMAT cuu mode (LABEL: the label of the CMS disk there becomes the
* one typed (block 3 read and written back), nothing else changes;
* then the disk is accessed as 'mode'.
*
RELABEL  LA    R1,MSG605
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         MVI   REPLY,C' '               a short label is blank-filled
         MVC   REPLY+1(L'REPLY-1),REPLY
         LA    R1,READLIST
         SVC   202
         MVC   VOLID,REPLY
         L     R10,=A(TEMPADT)
         L     R2,=A(ZEROS)
         MVC   0(256,R10),0(R2)
         MVC   ADTDEV,DEVICE
         MVC   ADTBPT,=H'4'             blocks 3 and 4 are on track 0
         MVC   ADTBPC,=H'40'            of a 2311 and of a 2314
         MVC   ADTMFD+MFDNUM-MFDD(4),=F'4'
         LR    R1,R10
         LA    R2,3
         LA    R3,MFD
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         CH    R15,=H'12'
         BE    NOTATT
         LTR   R15,R15
         BNZ   NOTCMS
         CLC   MFD(4),=C'CMS='
         BNE   NOTCMS
         MVC   MFD+4(6),VOLID
         LR    R1,R10
         LA    R4,1
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   WRITEERR
         MVC   ACCDEV,8(R9)
         MVC   ACCMODE(1),LETTER
         LA    R1,ACCLIST
         SVC   202
         B     RETURN
NOTCMS   LA    R1,MSG956
         LA    R3,DISKNAME
         LA    R4,6
         SR    R2,R2
         LA    R15,100
         B     MESSAGE
*
* FMTTRACK: cylinder R6, head R7: R1-Rn of zeros after the R0 there.
*
FMTTRACK ST    R14,TRKRET
         STH   R6,SEEKARG+2
         STH   R7,SEEKARG+4
         MVC   SRCHARG(4),SEEKARG+2
         MVI   SRCHARG+4,0              R0
         LA    R2,CCWS+24               after SEEK, SEARCH, TIC
         LA    R3,COUNTS
         LH    R4,ADTBPT
         LA    R5,1
TRKREC   STH   R6,0(,R3)                count: CCHHR, KL 0, DL 800
         STH   R7,2(,R3)
         STC   R5,4(,R3)
         MVC   5(3,R3),=X'000320'
         ST    R3,0(,R2)
         MVI   0(R2),X'1D'              write count, key and data
         MVC   4(4,R2),=X'C0000008'     data chain + command chain
         L     R8,=A(ZEROS)
         ST    R8,8(,R2)
         MVI   8(R2),X'1D'
         MVC   12(4,R2),=X'60000320'    command chain + SLI, 800
         LA    R2,16(,R2)
         LA    R3,8(,R3)
         LA    R5,1(,R5)
         BCT   R4,TRKREC
         SH    R2,=H'4'
         MVI   0(R2),X'20'              the last: no command chain
         LH    R1,DEVICE
         LA    R2,CCWS
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         L     R14,TRKRET
         BR    R14
*
* SEEKONLY: seek to SEEKARG; R15 = 0, 4 no such cylinder or head,
* 8 no device.
*
SEEKONLY ST    R14,TRKRET
         LH    R1,DEVICE
         LA    R2,SEEKCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         L     R14,TRKRET
         BR    R14
*
* WRITEBLK: the 800 bytes at R3 to block R2; condition code 0 when
* done.
*
WRITEBLK ST    R14,TRKRET
         LR    R1,R10
         LA    R4,1
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         L     R14,TRKRET
         LTR   R15,R15
         BR    R14
BADDEV   LA    R1,MSG017
         LA    R3,8(,R9)
         LA    R4,8
         LA    R15,24
         B     MESSAGE
BADMODE  LA    R1,MSG048
         LA    R3,16(,R9)
         LA    R4,8
         LA    R15,24
         B     MESSAGE
NOTATT   LA    R1,MSG113
         LA    R3,DISKNAME
         LA    R4,6
         LA    R15,100
         B     MESSAGE
WRITEERR LA    R1,MSG125
         LA    R3,DISKNAME
         LA    R4,6
         LA    R15,100
         B     MESSAGE
TOOBIG   LA    R1,MSG955
         LA    R3,DISKNAME
         LA    R4,6
         LA    R15,88
MESSAGE  ST    R15,16(,R13)
         SR    R2,R2
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         L     R15,16(,R13)
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
PACKNN   PACK  WORK,0(0,R2)
         DS    0D
SEEKCCW  DC    X'07',AL3(SEEKARG),X'00',X'00',H'6'
CCWS     DC    X'07',AL3(SEEKARG),X'40',X'00',H'6'
         DC    X'31',AL3(SRCHARG),X'40',X'00',H'5'
         DC    X'08',AL3(CCWS+8),X'00',X'00',H'0'
         DS    14D                      7 records: count and data
COUNTS   DS    7D
WORK     DS    D
SEEKARG  DC    XL6'00'
SRCHARG  DC    XL5'00'
DEVICE   DS    H
HEADS    DS    H
LETTER   DS    C
DTYPE    DS    X
DISKNAME DS    CL6
VOLID    DS    CL6
         DS    0F
CYLS     DS    F
BLOCKS   DS    F
TRKRET   DS    F
READLIST DC    CL8'WAITRD',AL1(1),AL3(REPLY),C'U',AL3(0)
ASKLIST  DC    CL8'TYPLIN',AL1(1),AL3(ASKLINE),C'B',X'00',AL2(ASKLEN)
ASKLINE  DC    C'DMSFOR603R FORMAT WILL ERASE ALL FILES ON DISK '
ASKDISK  DC    CL6' '
         DC    C'. DO YOU WISH TO CONTINUE? (YES|NO):'
ASKLEN   EQU   *-ASKLINE
         DS    0F
DONELIST DC    CL8'TYPLIN',AL1(1),AL3(DONELINE),C'B',X'00'
DONELEN  DC    H'0'
DONELINE DS    CL60
         DS    0F
ACCLIST  DC    CL8'ACCESS'
ACCDEV   DC    CL8' '
ACCMODE  DC    CL8' ',CL8'(',CL8'NOMSG',8X'FF'
REPLY    DS    CL130
MSG605   MSGDESC DMSFOR605R,'ENTER DISK LABEL:'
MSG705   MSGDESC DMSFOR705I,'DISK REMAINS UNCHANGED'
MSG733   MSGDESC DMSFOR733I,'FORMATTING DISK'
MSG017   MSGDESC DMSFOR017E,'INVALID DEVICE ADDRESS'
MSG048   MSGDESC DMSFOR048E,'INVALID MODE'
MSG113   MSGDESC DMSFOR113S,'DISK','NOT ATTACHED'
MSG125   MSGDESC DMSFOR125S,'ERROR WRITING DISK'
MSG956   MSGDESC DMSFOR956E,'DISK','IS NOT A CMS DISK'
MSG955   MSGDESC DMSFOR955E,'DISK','IS OVER 32,768 BLOCKS'
         LTORG
         DS    0D
MFD      DS    CL800
ZEROS    DC    800X'00'
         DS    0D
TEMPADT  DS    (ADTDLEN)X               (addressed by its register)
         NUCON
         END
