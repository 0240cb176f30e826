*---------------------------------------------------------------------
* CARDS: lab 8 (docs/labs/08-spooling.md).
*
* A standalone program IPLed from a minidisk: it punches two cards on
* its virtual punch (00D) and prints two lines on its virtual printer
* (00E), then stops in a disabled wait.  Neither device is real: CP
* spools what the program sends, and CLOSE decides where it goes.
*
*   vm370 lab run 8
*---------------------------------------------------------------------
CARDS    CSECT
         BALR  12,0
         USING *,12
         MVC   X'78'(8),IONEW       I/O new PSW: come to IODONE
         LA    1,PUNCHING
         BAL   14,START00D
         LA    1,PRINTING
         BAL   14,START00E
         LPSW  DONE
START00D ST    1,X'48'              the CAW
         SIO   X'00D'
         LPSW  WAITIO               wait for the I/O interruption
START00E ST    1,X'48'
         SIO   X'00E'
         LPSW  WAITIO
IODONE   BR    14                   the I/O new PSW comes here
         DS    0D
IONEW    DC    X'00000000',A(IODONE)
WAITIO   DC    X'80020000',A(0)     channel 0 enabled, wait
DONE     DC    X'00020000',A(X'0EEE') disabled wait
PUNCHING CCW   X'01',CARD1,X'40',80 WRITE, command chained
         CCW   X'01',CARD2,X'00',80
PRINTING CCW   X'09',LINE1,X'40',40 WRITE, space 1 after
         CCW   X'09',LINE2,X'00',40
CARD1    DC    CL80'HELLO BOB, THIS IS CARD ONE FROM ALICE'
CARD2    DC    CL80'AND CARD TWO'
LINE1    DC    CL40'ALICE''S REPORT, LINE ONE'
LINE2    DC    CL40'LINE TWO, THE LAST'
         END   CARDS
