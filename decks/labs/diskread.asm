*---------------------------------------------------------------------
* DISKREAD: lab 4 (docs/labs/04-paravirtualization.md).
*
* A guest reads block 1 of cylinder 0 of its minidisk 191 (800 bytes)
* COUNT times.  Assembled plain it asks CP with DIAGNOSE X'18', the
* CMS fast path: CP checks the standard channel program, runs it and
* answers when the data is in BUFFER.  Assembled with --sysparm SIO it
* does what a program does on a real machine: it points the CAW at the
* same channel program, starts it with SIO and waits, enabled, for the
* I/O interruption; CP translates the channel program, runs it on the
* real 2314 and reflects the interruption.
*
*   vm370 lab run 4      (runs both, under CP, and compares the costs)
*
* Storage: BUFFER (X'2200'), RESULT (X'2100': R15 of the last DIAGNOSE
* or the CSW of the last interruption).
*---------------------------------------------------------------------
DISKREAD START X'2000'
         BALR  12,0
         USING *,12
         L     9,COUNT
         AIF   ('&SYSPARM' NE 'SIO').NOIONEW
         MVC   X'78'(8,0),IONEW     I/O new PSW: come to AFTERIO
.NOIONEW ANOP
LOOP     DS    0H
         AIF   ('&SYSPARM' EQ 'SIO').SIO
         LA    4,X'191'             the minidisk
         LA    5,PROGRAM            the standard channel program
         LA    15,1                 one read
         DIAG  4,5,X'18'            CP: run it, tell me when done
         ST    15,RESULT            0: the block is in BUFFER
         AGO   .NEXT
.SIO     ANOP
         LA    1,PROGRAM
         ST    1,X'48'(0,0)         the CAW: key 0, the program
         SIO   X'191'
         LPSW  WAITIO               wait, enabled, for the interruption
AFTERIO  MVC   RESULT(8),X'40'(0)   the CSW: channel end, device end
.NEXT    ANOP
         BCT   9,LOOP
         LPSW  DONE
*
         DS    0D
         AIF   ('&SYSPARM' NE 'SIO').NOIO
IONEW    DC    X'00000000',A(AFTERIO)
WAITIO   DC    X'FE020000',A(0)     all channels enabled, wait
.NOIO    ANOP
DONE     DC    X'0002000000000D15'  disabled wait, code X'D15'
COUNT    DC    F'100'
PROGRAM  CCW   X'07',SEEKARG,X'40',6     SEEK cylinder 0, head 0
SEARCH   CCW   X'31',SEEKARG+2,X'40',5   SEARCH ID EQUAL: record 1
         CCW   X'08',SEARCH,0,0          TIC back until found
         CCW   X'06',BUFFER,X'20',800    READ DATA
SEEKARG  DC    H'0',H'0',H'0',X'01'      BB CC HH R
         ORG   DISKREAD+X'100'
RESULT   DC    2F'0'                X'2100'
         ORG   DISKREAD+X'200'
BUFFER   DC    800X'00'             X'2200'
         END   DISKREAD
