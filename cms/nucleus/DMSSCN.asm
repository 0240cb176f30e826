SCN      TITLE 'DMSSCN - TOKENIZE A COMMAND LINE'
*
* DMSSCN turns a command line into the CMS tokenized parameter list:
* each blank-separated word becomes an 8-byte token (cut at 8 bytes,
* padded with blanks); a left or right parenthesis is a token of its
* own; the list ends with 8 bytes of X'FF'.  At most 16 tokens
* are kept.
*
* Entered: R0 length of the line, R1 -> the line, R2 -> the list to
*          build (17 doublewords), R14 return, R15 entry.
* Exits:   R0 = 8 times the number of tokens; other registers
*          unchanged.
*
         REGEQU
DMSSCN   CSECT
         USING DMSSCN,R15
         STM   R1,R9,SCNSAVE
         LR    R3,R0                    bytes left
         LR    R4,R2                    next token
         LA    R9,16                    room left
NEXTWORD LTR   R3,R3
         BNP   FINISH
         CLI   0(R1),C' '
         BNE   WORD
         LA    R1,1(,R1)
         BCTR  R3,0
         B     NEXTWORD
WORD     LTR   R9,R9
         BNP   FINISH
         MVC   0(8,R4),=CL8' '
         SR    R5,R5                    bytes in this token
         CLI   0(R1),C'('
         BE    PAREN
         CLI   0(R1),C')'
         BNE   CHAR
PAREN    MVC   0(1,R4),0(R1)
         LA    R1,1(,R1)
         BCTR  R3,0
         B     ENDWORD
CHAR     LTR   R3,R3
         BNP   ENDWORD
         CLI   0(R1),C' '
         BE    ENDWORD
         CLI   0(R1),C'('
         BE    ENDWORD
         CLI   0(R1),C')'
         BE    ENDWORD
         CH    R5,=H'8'
         BNL   SKIPCHAR                 past 8 bytes: cut
         LA    R6,0(R5,R4)
         MVC   0(1,R6),0(R1)
         LA    R5,1(,R5)
SKIPCHAR LA    R1,1(,R1)
         BCTR  R3,0
         B     CHAR
ENDWORD  LA    R4,8(,R4)
         BCTR  R9,0
         B     NEXTWORD
FINISH   MVC   0(8,R4),=8X'FF'
         LR    R0,R4
         SR    R0,R2
         LM    R1,R9,SCNSAVE
         BR    R14
SCNSAVE  DS    9F
         LTORG
         END
