RDC      TITLE 'DMSRDC - READCARD: CARDS FROM THE READER TO A FILE'
*
* READCARD fn ft [fm]
*    reads cards from the reader at 00C (CCW X'02', 80 columns) until
*    the reader has no more (unit exception at the end of the deck, or
*    unit check when the hopper is empty) and writes them as the F 80
*    file fn ft fm (fm default A1), replacing a file of that name.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 24 no filetype (DMSRDC054E); 28 no card was read
*          (DMSRDC956E); 100 the reader is not there (DMSRDC105S); or
*          WRBUF's return code.
*
         REGEQU
DMSRDC   CSECT
         USING NUCON,R0
         USING DMSRDC,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
         CLI   8(R9),X'FF'
         BE    NOFTYPE
         CLI   16(R9),X'FF'
         BE    NOFTYPE
         MVC   WRITEFID(16),8(R9)
         MVC   WRITEFID+16(2),=C'A1'
         CLI   24(R9),X'FF'
         BE    READY
         MVC   WRITEFID+16(2),24(R9)
READY    MVC   STATEFID,WRITEFID        the file is replaced: erased
         LA    R1,STATLIST              first, as writing it would add
         SVC   202                      to it
         LTR   R15,R15
         BNZ   FRESH
         MVC   ERASEFID,WRITEFID
         LA    R1,ERASLIST
         SVC   202
FRESH    SR    R6,R6                    cards read
READ     LA    R1,X'00C'
         LA    R2,READCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         CH    R15,=H'8'
         BE    NOREADER
         LTR   R15,R15
         BNZ   ENDDECK                  no more cards
         LA    R6,1(,R6)
         LA    R1,WRITLIST
         SVC   202
         LTR   R5,R15
         BNZ   CLOSE
         B     READ
ENDDECK  SR    R5,R5
         LTR   R6,R6
         BNZ   CLOSE
         LA    R1,MSG956
         SR    R2,R2
         SR    R4,R4
         LA    R5,28
         B     MESSAGE
CLOSE    MVC   FINFID,WRITEFID
         LA    R1,FINLIST
         SVC   202
         LR    R15,R5
         B     RETURN
NOREADER LA    R1,MSG105
         SR    R2,R2
         LA    R3,=C'00C'
         LA    R4,3
         LA    R5,100
         B     MESSAGE
NOFTYPE  LA    R1,MSG054
         SR    R2,R2
         SR    R4,R4
         LA    R5,24
MESSAGE  L     R15,=V(DMSMSG)
         BALR  R14,R15
         LR    R15,R5
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         DS    0D
READCCW  DC    X'02',AL3(CARD),X'20',X'00',H'80'
         DS    0F
STATLIST DC    CL8'STATE'
STATEFID DC    CL18' '
         DC    CL6' ',8X'FF'
ERASLIST DC    CL8'ERASE'
ERASEFID DC    CL18' '
         DC    CL6' ',8X'FF'
WRITLIST DC    CL8'WRBUF'
WRITEFID DC    CL18' '
         DC    H'0',A(CARD),F'80',CL2'F',H'1',F'0'
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
CARD     DS    CL80
MSG054   MSGDESC DMSRDC054E,'INCOMPLETE FILEID SPECIFIED'
MSG956   MSGDESC DMSRDC956E,'NO CARDS IN THE READER'
MSG105   MSGDESC DMSRDC105S,'ERROR READING DEVICE'
         LTORG
         NUCON
         END
