*---------------------------------------------------------------------
* TINYSUP: lab 7 (docs/labs/07-tiny-supervisor.md).
*
* The smallest supervisor worth the name: it owns the interruptions,
* sets the interval timer, and runs one problem program, which counts
* until the timer's external interruption tells it time is up, then
* asks for a service with SVC 1 and ends with SVC 2.  The same deck
* runs on the bare machine and, unchanged, as a guest of CP.
*
*   vm370 asm decks/labs/tinysup.asm -o tinysup.obj
*   vm370 bare --load-deck tinysup.obj@2000 --psw 0000000000002000 \
*        --dump 2300:40 --json
*   vm370 lab check 7 decks/labs/tinysup.asm
*
* Storage: RESULTS (X'2300': R0-R15 at the end), TICKS (X'2340': the
* timer interruptions taken), SERVICE (X'2344': what SVC 1 answered).
*---------------------------------------------------------------------
TINYSUP  START X'2000'
         BALR  12,0
         USING *,12
* The new PSWs: where the CPU goes for each kind of interruption.
         MVC   X'58'(8,0),EXTNEW    external: the timer
         MVC   X'60'(8,0),SVCNEW    supervisor calls
         MVC   X'68'(8,0),PGMNEW    program checks: stop, code X'BAD'
* The interval timer counts down 76,800 units a second from location
* 80; when it goes from positive to negative the CPU makes an external
* interruption pending (code X'0080').  7,680 units: 100 ms.
         MVC   X'50'(4,0),SLICE
         LPSW  PROBPSW              problem state, external enabled
*
* The problem program: count in R2 until the timer has gone off.
*
PROBLEM  SR    2,2
SPIN     LA    2,1(2)
         CLI   TICKS+3,0            has the supervisor seen the timer?
         BE    SPIN
         SVC   1                    ask for the service: R6
         SVC   2                    the end
*
* External interruption: note it, go back where the program was.
*
EXTHAND  L     15,TICKS
         LA    15,1(15)
         ST    15,TICKS
         LPSW  X'18'(0)             the external old PSW
*
* SVC: 1 is the service (R6 = 100), 2 the end of the program.
*
SVCHAND  LH    7,X'22'(0,0)         the SVC number (the old PSW's code)
         CH    7,=H'2'
         BE    FINISH
         LA    6,100
         ST    6,SERVICE
         LPSW  X'20'(0)             back to the problem program
FINISH   STM   0,15,RESULTS
         LPSW  WAITPSW
*
         DS    0D
EXTNEW   DC    X'00000000',A(EXTHAND)
SVCNEW   DC    X'00000000',A(SVCHAND)
PGMNEW   DC    X'0002000000000BAD'  disabled wait: a program check
PROBPSW  DC    X'01010000',A(PROBLEM)  external mask (bit 7), problem
WAITPSW  DC    X'000200000000C0DE'  disabled wait: the normal end
SLICE    DC    F'7680'
         LTORG
         ORG   TINYSUP+X'300'
RESULTS  DS    16F                  X'2300'
TICKS    DC    F'0'                 X'2340'
SERVICE  DC    F'0'                 X'2344'
         END   TINYSUP
