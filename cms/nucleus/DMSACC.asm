ACC      TITLE 'DMSACC - ACCESS AND RELEASE: MAKE A DISK A FILEMODE'
*
* ACCESS cuu mode[/ext] [( NOMSG NOPROF]
*    reads the label (block 3) and the MFD (block 4) of the CMS disk
*    at cuu and makes it filemode 'mode' (A-Z): an entry of the active
*    disk table (ADTD) holds its device, geometry (from the MFD's
*    device type code), label and MFD.  A disk already accessed under
*    that mode, or the same device under another mode, is replaced.
*    The S and Y disks are read-only, every other mode read/write.
*    ACCESS 192 B/A accepts the /A but searches B like any mode.
*    The working bitmap of a read/write disk (BITMAP) is in its entry,
*    or for a disk over 8,120 blocks in a 4K slot at the top of
*    storage, which the user area then ends below (BMAPTOP).
* RELEASE mode
*    forgets the disk accessed as 'mode' (and frees its slot).
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 a bad device address or mode (DMSACC017E,
*          DMSACC048E); 36 RELEASE of a mode not accessed (DMSARE069E);
*          100 the device is not there or not a CMS disk (DMSACC113S,
*          DMSACC112S).  NOMSG suppresses the messages.
*
         REGEQU
         CMSLAYO
         MFDD
         ADTD
DMSACC   CSECT
         ENTRY DMSARE,DMSADT
         USING NUCON,R0
         USING DMSACC,R12
         STM   R14,R12,12(R13)
         LR    R9,R1                    the parameter list
         MVI   QUIET,0
         LA    R2,8(,R9)
OPTSCAN  CLI   0(R2),X'FF'
         BE    OPTDONE
         CLC   0(8,R2),=CL8'NOMSG'
         BNE   OPTNEXT
         MVI   QUIET,1
OPTNEXT  LA    R2,8(,R2)
         B     OPTSCAN
OPTDONE  CLI   8(R9),X'FF'
         BE    BADDEV
         LA    R2,8(,R9)                cuu: one to three hex digits
         SR    R3,R3
         LA    R4,4
HEXLOOP  CLI   0(R2),C' '
         BE    HEXEND
         BCT   R4,HEXCHAR
         B     BADDEV                   more than three digits
HEXCHAR  SR    R5,R5
         IC    R5,0(,R2)
         CLI   0(R2),C'0'
         BL    HEXALPHA
         CLI   0(R2),C'9'
         BH    BADDEV
         SH    R5,=H'240'               C'0'
         B     HEXADD
HEXALPHA CLI   0(R2),C'A'
         BL    BADDEV
         CLI   0(R2),C'F'
         BH    BADDEV
         SH    R5,=H'183'               C'A' less 10
HEXADD   SLL   R3,4
         AR    R3,R5
         LA    R2,1(,R2)
         B     HEXLOOP
HEXEND   CH    R4,=H'4'
         BE    BADDEV                   no digits
         STH   R3,DEVICE
         CLI   16(R9),X'FF'
         BE    BADMODE
         MVC   LETTER,16(R9)
         CLI   17(R9),C' '              one letter, or letter/ext
         BE    ONELETR
         CLI   17(R9),C'/'
         BNE   BADMODE
ONELETR  LA    R2,ALPHABET
         LA    R3,26
MODECHK  CLC   LETTER,0(R2)
         BE    MODEOK
         LA    R2,1(,R2)
         BCT   R3,MODECHK
         B     BADMODE
MODEOK   L     R10,=A(ADTABLE)
         USING ADTD,R10
         LA    R3,ADTMAX
FINDSAME CLC   ADTMODE,LETTER
         BE    SLOT
         CLI   ADTMODE,0
         BE    NEXTSAME
         CLC   ADTDEV,DEVICE
         BE    SLOT                     the same disk, another mode
NEXTSAME LA    R10,ADTDLEN(,R10)
         BCT   R3,FINDSAME
         L     R10,=A(ADTABLE)
         LA    R3,ADTMAX
FINDFREE CLI   ADTMODE,0
         BE    SLOT
         LA    R10,ADTDLEN(,R10)
         BCT   R3,FINDFREE
         B     NOTCMS                   table full
SLOT     MVI   ADTMODE,0                not usable until read
         MVI   ADTFLAGS,0
         MVC   ADTDEV,DEVICE
         MVC   ADTBPT,=H'4'             enough to reach blocks 3 and 4
         MVC   ADTBPC,=H'40'
         MVC   ADTMFD+MFDNUM-MFDD(4),=F'4'
         LR    R1,R10
         LA    R2,3                     the label
         LA    R3,BUFFER
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         CH    R15,=H'12'
         BE    NOTATT
         LTR   R15,R15
         BNZ   NOTCMS                   no label to read
         CLC   BUFFER(4),=C'CMS='
         BNE   NOTCMS
         MVC   ADTLABEL,BUFFER+4
         LA    R2,4                     the MFD
         LA    R3,ADTMFD
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   NOTCMS
         CLI   ADTMFD+MFDDTYPE-MFDD,X'08'         MFDDTYPE: 2314
         BNE   NOT2314
         MVC   ADTBPT,=H'7'
         MVC   ADTBPC,=H'140'
         B     GEOMOK
NOT2314  CLI   ADTMFD+MFDDTYPE-MFDD,X'01'         2311
         BNE   NOTCMS
         MVC   ADTBPT,=H'4'
         MVC   ADTBPC,=H'40'
GEOMOK   CLI   LETTER,C'S'
         BE    READONLY
         CLI   LETTER,C'Y'
         BE    READONLY
         OI    ADTFLAGS,ADTRW
READONLY BAL   R14,BITMAP
         LTR   R15,R15
         BNZ   NOTCMS
         MVC   ADTMODE,LETTER
         SR    R15,R15
         B     RETURN
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
         B     DISKMSG
NOTCMS   LA    R1,MSG112
DISKMSG  MVC   DISKNAME(1),LETTER       mode(cuu)
         MVI   DISKNAME+1,C'('
         MVC   DISKNAME+2(3),8(R9)
         MVI   DISKNAME+5,C')'
         LA    R3,DISKNAME
         LA    R4,6
         LA    R15,100
MESSAGE  CLI   QUIET,1
         BE    RETURN
         ST    R15,16(,R13)
         SR    R2,R2
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         L     R15,16(,R13)
RETURN   BAL   R14,BMAPTOP              the slot of the disk that was
         L     R14,12(,R13)             under that mode, or is now
         LM    R0,R12,20(R13)
         BR    R14
*
* BITMAP: the working bitmap of the disk R10 from the MFD's 215 bytes
* and the QMSK extension blocks its list names after X'FFFD' (800
* bitmap bytes each, from byte 215 on: VM/370's layout; a list that
* ends early leaves zeros).  It is ADTWMAP for a disk of up to 8,120
* blocks, else a slot at the top of storage (BMAPGET).  A read-only
* disk that large needs none, and one over ADTQMAXL*8 blocks, or one
* for which there is no slot left, gets none (ADTMAPA 0: DMSBWR then
* does not write it).  DMSBWR's copy of an extension block on disk is
* forgotten, as this entry may have held another disk.  R15 = 0, or
* nonzero when an extension block cannot be read.
*
BITMAP   ST    R14,BITRET
         L     R2,=V(DMSBWXC)
         XC    0(4,R2),0(R2)
         XC    ADTHINT,ADTHINT
         XC    ADTMAPA,ADTMAPA
         NI    ADTFLAGS,255-ADTFREED
         L     R5,ADTMFD+MFDNUM-MFDD
         LA    R5,7(,R5)
         SRL   R5,3                     bytes in the bitmap
         ST    R5,MAPLEN
         LA    R2,ADTWMAP
         LA    R3,ADTWMAPL
         C     R5,=A(ADTWMAPL)
         BNH   BITHAVE
         TM    ADTFLAGS,ADTRW
         BZ    BITDONE0                 read-only: not needed
         C     R5,=A(ADTQMAXL)
         BH    BITDONE0                 too large to write
         BAL   R14,BMAPGET
         LTR   R2,R2
         BZ    BITDONE0                 no slot left
         L     R3,=A(ADTSLOTL)
BITHAVE  ST    R2,ADTMAPA
BITCLEAR CH    R3,=H'256'               zeros, 256 bytes at a time
         BNH   BITCLRL
         XC    0(256,R2),0(R2)
         LA    R2,256(,R2)
         SH    R3,=H'256'
         B     BITCLEAR
BITCLRL  BCTR  R3,0
         EX    R3,BITXC
         L     R2,ADTMAPA
         MVC   0(MFDQMSKL,R2),ADTMFD+MFDQMSK-MFDD
         LA    R6,ADTMFD                find X'FFFD' in the list
         LA    R3,MFDMAXBN
BITLIST  CLC   0(2,R6),=AL2(MFDXMSK)
         BE    BITEXT
         CLC   0(2,R6),=AL2(MFDEND)
         BE    BITDONE0
         LA    R6,2(,R6)
         BCT   R3,BITLIST
         B     BITDONE0
BITEXT   LA    R7,MFDQMSKL              bitmap offset of the next block
BITNEXT  LA    R6,2(,R6)
         C     R7,MAPLEN
         BNL   BITDONE0                 all of the bitmap read
         LA    R2,ADTMFD+MFDNUM-MFDD
         CR    R6,R2
         BNL   BITDONE0                 (the list ends before 364)
         CLC   0(2,R6),=AL2(MFDEND)
         BE    BITDONE0
         LH    R2,0(,R6)
         N     R2,=X'0000FFFF'
         LR    R1,R10
         LA    R3,BUFFER
         SR    R4,R4
         L     R15,=V(DMSDIO)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   BITDONE
         L     R4,MAPLEN                bytes of this block wanted:
         SR    R4,R7                    800, or what is left
         C     R4,=F'800'
         BNH   BITPART
         L     R4,=F'800'
BITPART  L     R2,ADTMAPA
         AR    R2,R7                    to
         LA    R3,BUFFER                from
         AR    R7,R4
BITMOVE  CH    R4,=H'256'
         BNH   BITMOVEL
         MVC   0(256,R2),0(R3)
         LA    R2,256(,R2)
         LA    R3,256(,R3)
         SH    R4,=H'256'
         B     BITMOVE
BITMOVEL BCTR  R4,0
         EX    R4,BITMVC
         B     BITNEXT
BITDONE0 SR    R15,R15
BITDONE  L     R14,BITRET
         BR    R14
BITXC    XC    0(0,R2),0(R2)            (EX)
BITMVC   MVC   0(0,R2),0(R3)            (EX)
*
* The bitmaps of disks over 8,120 blocks live in slots of ADTSLOTL
* bytes at the top of storage, as VM/370 took them from its nucleus
* free storage: slot j ends ADTSLOTL*j bytes below STOREND.  A slot
* is in use when an accessed entry's ADTMAPA names it.  BMAPTOP sets
* STORSIZE, the end of the user area, at the lowest slot in use and
* gives the slots in use the nucleus's storage key, the others back
* to the user key.  No slot goes below USERAREA, where the user area
* starts (a 128K machine has none).
*
* BMAPGET: R2 = a free slot, or 0.  Uses R1-R5.
*
BMAPGET  ST    R14,SLOTRET
         L     R2,STOREND
         LA    R3,ADTMAX
GETSLOT  S     R2,=A(ADTSLOTL)
         C     R2,=A(USERAREA)
         BL    GETNONE
         BAL   R14,SLOTUSED
         BNE   GETGOT
         BCT   R3,GETSLOT
GETNONE  SR    R2,R2
GETGOT   L     R14,SLOTRET
         BR    R14
*
* SLOTUSED: condition code not equal when no accessed disk has the
* slot R2.  Uses R4, R5.
*
SLOTUSED L     R4,=A(ADTABLE)
         LA    R5,ADTMAX
USEDLOOP CLI   ADTMODE-ADTD(R4),0
         BE    USEDNEXT
         C     R2,ADTMAPA-ADTD(,R4)
         BER   R14                      in use
USEDNEXT LA    R4,ADTDLEN(,R4)
         BCT   R5,USEDLOOP
         LTR   R4,R4                    (an address: not zero)
         BR    R14
*
* BMAPTOP: STORSIZE and the slots' storage keys from the slots in use.
* Keeps every register.
*
BMAPTOP  STM   R0,R15,TOPSAVE
         L     R6,STOREND               the end of the user area
         LR    R2,R6
         LA    R3,ADTMAX
TOPSLOT  S     R2,=A(ADTSLOTL)
         C     R2,=A(USERAREA)
         BL    TOPDONE
         LA    R0,USERKEY
         BAL   R14,SLOTUSED
         BNE   TOPKEY
         LA    R0,NUCKEY                in use: the nucleus's
         LR    R6,R2
TOPKEY   LR    R1,R2
         LA    R7,ADTSLOTL/2048
TOPSSK   SSK   R0,R1
         LA    R1,2048(,R1)
         BCT   R7,TOPSSK
         BCT   R3,TOPSLOT
TOPDONE  ST    R6,STORSIZE
         LM    R0,R15,TOPSAVE
         BR    R14
*
* RELEASE mode
*
         DROP  R12
         USING DMSARE,R12
DMSARE   STM   R14,R12,12(R13)
         L     R10,=V(DMSBWXC)          DMSBWR's copy of an extension
         XC    0(4,R10),0(R10)          block may be this disk's
         L     R10,=A(ADTABLE)
         LA    R3,ADTMAX
RELFIND  CLC   ADTMODE,8(R1)
         BNE   RELNEXT
         CLI   ADTMODE,0
         BE    RELNEXT
         MVI   ADTMODE,0
         L     R15,=A(BMAPTOP)          its bitmap slot, if any, is
         LR    R9,R12                   free
         L     R12,=A(DMSACC)
         BALR  R14,R15
         LR    R12,R9
         SR    R15,R15
         B     RELRET
RELNEXT  LA    R10,ADTDLEN(,R10)
         BCT   R3,RELFIND
         LA    R3,8(,R1)
         LA    R4,1
         SR    R2,R2
         LA    R1,MSG069
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,36
RELRET   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         LTORG
MSG069   MSGDESC DMSARE069E,'DISK','NOT ACCESSED'
         DROP  R12
         USING DMSACC,R12
BITRET   DS    F
SLOTRET  DS    F
MAPLEN   DS    F
TOPSAVE  DS    16F
DEVICE   DS    H
LETTER   DS    C
QUIET    DS    C
DISKNAME DS    CL6
ALPHABET DC    C'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
MSG017   MSGDESC DMSACC017E,'INVALID DEVICE ADDRESS'
MSG048   MSGDESC DMSACC048E,'INVALID MODE'
MSG113   MSGDESC DMSACC113S,'','NOT ATTACHED'
MSG112   MSGDESC DMSACC112S,'','IS NOT A CMS DISK'
         DS    0D
BUFFER   DS    CL800
*
* DMSADT: the active disk table itself, for every module that
* searches the accessed disks.
*
         DS    0D
DMSADT   DS    0F
ADTABLE  DC    (ADTMAX*ADTDLEN)X'00'
         NUCON
         END
