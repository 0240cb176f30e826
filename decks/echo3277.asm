*---------------------------------------------------------------------
* ECHO3277: a standalone echo program for the 3277 display at 0C0.
*
* Writes a formatted screen with one input field, waits for attention
* (an AID key), reads the modified field with Read Modified and writes
* it back on the screen.  PF3 ends the program in a disabled wait with
* X'000EC0' in the PSW's address; Clear rebuilds the screen.  Any
* unexpected I/O condition ends in a disabled wait with X'000BAD'; the
* usual one is no 3277 attached at 0C0 (SIO condition code 3), which
* vm370 bare names after the run.
*
* Build and run on the bare machine, then connect with a 3270 client:
*   vm370 asm decks/echo3277.asm -o echo3277.obj
*   vm370 bare --load-deck echo3277.obj@2000 --psw 0000000000002000 \
*        --attach 0C0=3277 --tn3270 127.0.0.1:3270
*   x3270 127.0.0.1:3270   (or c3270, s3270, or vm370 tui --connect)
*
* Screen (3270 buffer addresses, 12-bit codes):
*   row 1    title, protected and intensified
*   row 3    instructions, protected
*   row 4    '===>' then the input field at 246, 60 positions
*   row 6    'YOU TYPED:' then the echo at 412, 60 positions
*---------------------------------------------------------------------
ECHO3277 START 0
         BALR  12,0
         USING *,12
         MVC   120(8,0),IONEW       I/O new PSW: come to IOINT
         MVI   ATTN,0
FORMAT   LA    1,CCWFORM            Erase/Write the whole screen
         BAL   14,DOIO
WAITKEY  TM    ATTN,X'80'           an AID key pressed already?
         BO    READ
         BAL   14,WAITIO            wait for the next interruption
         B     WAITKEY
READ     MVI   ATTN,0
         LA    1,CCWREAD            Read Modified
         BAL   14,DOIO
         LA    3,L'INBUF
         SH    3,70(0)              less the residual count
         CLI   INBUF,X'F3'          PF3: the end
         BE    GOODBYE
         CLI   INBUF,X'6D'          Clear: the screen is gone, redo it
         BE    FORMAT
         MVC   ECHOTEXT,BLANKS
         SH    3,=H'6'              AID, cursor, SBA and its address
         BNP   SHOW                 nothing was typed
         CLI   INBUF+3,X'11'        the field comes after an SBA
         BNE   SHOW
         BCTR  3,0                  length minus one for EX
         EX    3,MOVETEXT
SHOW     LA    1,CCWECHO            write it back, restore the keyboard
         BAL   14,DOIO
         B     WAITKEY
GOODBYE  LA    1,CCWBYE
         BAL   14,DOIO
         LPSW  ENDPSW
*
* DOIO: start the channel program at R1 on 0C0 and wait for its end.
*
DOIO     ST    1,72(0,0)            the CAW (key 0)
         SIO   X'0C0'(0)
         BC    4,DOIOCSW            cc 1: a pending status came back
         BC    3,FAIL               cc 2 or 3: busy or not there
         ST    14,DOIORET
DOIOWAIT BAL   14,WAITIO
         TM    68(0),X'02'          unit check?
         BO    FAIL
         TM    68(0),X'04'          device end: the program is done
         BZ    DOIOWAIT
         L     14,DOIORET
         BR    14
DOIOCSW  OC    ATTN,68(0)           note an attention that was pending
         TM    68(0),X'02'
         BO    FAIL
         B     DOIO                 and start the program again
*
* WAITIO: wait enabled for an I/O interruption; note attention.
*
WAITIO   LPSW  WAITPSW
IOINT    OC    ATTN,68(0)           keep the unit status (attention)
         BR    14
FAIL     LPSW  FAILPSW
*
MOVETEXT MVC   ECHOTEXT(0),INBUF+6
*
         DS    0D
IONEW    DC    X'00000000',A(IOINT)
WAITPSW  DC    X'80020000',A(0)     channel 0 enabled, wait
ENDPSW   DC    X'00020000',X'00000EC0'
FAILPSW  DC    X'00020000',X'00000BAD'
CCWFORM  CCW   X'05',FORM,X'20',FORMEND-FORM
CCWREAD  CCW   X'06',INBUF,X'20',L'INBUF
CCWECHO  CCW   X'01',ECHO,X'20',ECHOEND-ECHO
CCWBYE   CCW   X'01',BYE,X'20',BYEEND-BYE
DOIORET  DS    F
ATTN     DS    X
BLANKS   DC    CL60' '
INBUF    DS    CL80
*
* The formatted screen: WCC (keyboard restore, reset MDT), then orders.
*
FORM     DC    X'C3'
         DC    X'1DE8'              SF protected, intensified
         DC    C'VM370 3277 ECHO DEMO'
         DC    X'11C260',X'1D60'    SBA row 3, SF protected
         DC    C'TYPE SOMETHING AND PRESS ENTER.  PF3 ENDS.'
         DC    X'11C3F0',X'1D60'    SBA row 4, SF protected
         DC    C'===>'
         DC    X'11C3F5',X'1D40',X'13'  SF unprotected, IC
         DC    X'11C4F2',X'1D60'    SF protected: the field ends
         DC    X'11C650',X'1D60'    SBA row 6, SF protected
         DC    C'YOU TYPED:'
         DC    X'11C65B',X'1DE8'    SF protected, intensified
         DC    X'11C7D8',X'1D60'    SF protected: the echo ends
FORMEND  EQU   *
*
* The echo: WCC, SBA to the echo area, 60 characters, then erase the
* input field (EUA) and put the cursor back in it.
*
ECHO     DC    X'C3',X'11C65C'
ECHOTEXT DC    CL60' '
         DC    X'11C3F6',X'12C4F2',X'11C3F6',X'13'
ECHOEND  EQU   *
BYE      DC    X'C3',X'11C65C',CL60'GOODBYE'
BYEEND   EQU   *
         LTORG
         END   ECHO3277
