MSG      TITLE 'DMSMSG - TYPE A MESSAGE NAMING A FILE'
*
* DMSMSG types a CMS message that names a file or a disk:
*    DMSxxxnnnt text1 'FN FT FM' text2
* with the filename, filetype and filemode each without trailing
* blanks (no quotes around a disk, only around a file).
*
* Entered: R1 -> a message descriptor:
*             DC CL10'DMSSTT002E',AL1(len1),AL1(len2),A(text1),A(text2)
*          R2 -> the fileid (CL8 fn, CL8 ft, CL2 fm), or 0 for none,
*          R3 -> other words to put between the quotes instead of a
*          fileid when R2 is 0 (R4 their length);
*          R14 return, R15 entry.
* Exits:   the line typed; registers unchanged.
*
         REGEQU
DMSMSG   CSECT
         USING DMSMSG,R15
         STM   R14,R12,MSGSAVE
         LR    R12,R15
         DROP  R15
         USING DMSMSG,R12
         USING NUCON,R0
         LR    R9,R1
         LR    R8,R2
         LR    R7,R3
         LR    R6,R4
         MVC   MSGBUF(10),0(R9)
         LA    R2,MSGBUF+10
         L     R3,12(,R9)
         SR    R4,R4
         IC    R4,10(,R9)
         LTR   R4,R4
         BZ    NOTEXT1
         MVI   0(R2),C' '
         LA    R2,1(,R2)
         BAL   R14,APPEND
NOTEXT1  DS    0H
         LTR   R8,R8
         BNZ   FILEID
         LTR   R6,R6
         BZ    TEXT2
         CLI   0(R7),X'FF'              the end of a token list: none
         BE    TEXT2
         MVI   0(R2),C' '
         LA    R2,1(,R2)
         LR    R3,R7
         LR    R4,R6
         BAL   R14,APPEND
         B     TEXT2
FILEID   MVC   0(2,R2),=C' '''
         LA    R2,2(,R2)
         LR    R3,R8
         LA    R4,8
         BAL   R14,APPEND
         MVI   0(R2),C' '
         LA    R3,8(,R8)
         LA    R2,1(,R2)
         BAL   R14,APPEND
         MVI   0(R2),C' '
         LA    R3,16(,R8)
         LA    R4,2
         LA    R2,1(,R2)
         BAL   R14,APPEND
         MVI   0(R2),C''''
         LA    R2,1(,R2)
TEXT2    L     R3,16(,R9)
         SR    R4,R4
         IC    R4,11(,R9)
         LTR   R4,R4
         BZ    SHOW
         MVI   0(R2),C' '
         LA    R2,1(,R2)
         BAL   R14,APPEND
SHOW     LA    R3,MSGBUF
         SR    R2,R3
         STH   R2,TYPLEN
         LA    R1,TYPPLIST
         SVC   202
         LM    R14,R12,MSGSAVE
         BR    R14
APPEND   ST    R14,APPRET
         L     R15,=V(DMSAPP)
         BALR  R14,R15
         L     R14,APPRET
         BR    R14
         DS    0F
TYPPLIST DC    CL8'TYPLIN',AL1(1),AL3(MSGBUF-NUCON),C'B',X'00'
TYPLEN   DC    H'0'
APPRET   DS    F
MSGSAVE  DS    15F
         LTORG
         NUCON
         END
