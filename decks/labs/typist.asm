*---------------------------------------------------------------------
* TYPIST: lab 10 (docs/labs/10-scheduling.md).
*
* An interactive user, simulated: it "thinks" for 50 ms (its interval
* timer, in an enabled wait: it costs nothing while it waits), then
* "types a command", which takes 2,000 instructions of work, and
* thinks again.  WAKES (X'2100') counts the commands done; LATE
* (X'2104') adds up, in timer units, how long each command waited
* for the CPU after its think time ended.
*
*   vm370 lab run 10
*---------------------------------------------------------------------
TYPIST   START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'58'(8,0),EXTNEW    external: the end of think time
THINK    MVC   X'50'(4,0),THINKING  the interval timer: 50 ms
         LPSW  WAITPSW              enabled wait: think
* The timer went off: the command starts now, or when CP lets it.
AWAKE    L     3,X'50'(0,0)         the timer: minus the delay
         LCR   3,3
         A     3,LATE
         ST    3,LATE
         L     3,WAKES
         LA    3,1(3)
         ST    3,WAKES
         LA    4,666                the command: 3 x 666 instructions
WORK     LR    5,4
         AR    5,5
         BCT   4,WORK
         B     THINK
         DS    0D
EXTNEW   DC    X'00000000',A(AWAKE)
WAITPSW  DC    X'01020000',A(0)     wait, external enabled
THINKING DC    F'3840'              76,800 units a second: 50 ms
         ORG   TYPIST+X'100'
WAKES    DC    F'0'                 X'2100'
LATE     DC    F'0'                 X'2104'
         END   TYPIST
