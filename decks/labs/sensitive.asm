*---------------------------------------------------------------------
* SENSITIVE: lab 3 (docs/labs/03-popek-goldberg.md).
*
* Every sensitive instruction of the 360/67 is privileged.  In its
* supervisor state this program uses the sensitive instructions (the
* storage keys, the system mask, the control registers, the channels)
* and keeps what they answered; then, in the problem state, it tries
* each privileged instruction once, and its program-check handler
* notes the operation code and the interruption code of each.  Run it
* bare and under CP: equivalence says both runs end the same.
*
*   vm370 asm decks/labs/sensitive.asm -o sensitive.obj
*   vm370 bare --load-deck sensitive.obj@2000 --psw 0000000000002000 \
*        --dump 2400:30 --json
*   ... the same with --under-cp
*   vm370 lab check 3 decks/labs/sensitive.asm
*
* Storage: RESULTS (X'2400': the condition codes and values the
* supervisor saw), TRAPPED (X'2420': operation code and interruption
* code of each privileged instruction tried in the problem state).
*---------------------------------------------------------------------
SENSE    START X'2000'
         BALR  12,0
         USING *,12
         MVC   X'60'(8,0),SVCNEW    SVC new PSW: come to SVCHAND
         MVC   X'68'(8,0),PGMNEW    program new PSW: come to PGMHAND
         SR    14,14                the program-check table's index
* Supervisor state: the sensitive instructions, and what they said.
         LA    4,DATA               the 2K block that holds DATA
         LA    5,X'50'              key 5
         SSK   5,4                  set the storage key
         ISK   6,4                  read it back: R6's low byte
         STC   6,RESULTS            X'2400': the key, X'50'
         SSM   MASK0                the system mask: all off
         STMC  0,0,CR0              X'2404': control register 0
         TIO   X'00C'               no card reader here: cc 3
         BAL   1,*+4                the condition code into R1
         ST    1,RESULTS+8          X'2408'
         SIO   X'00E'               no printer either: cc 3
         BAL   1,*+4
         ST    1,RESULTS+12         X'240C'
         TCH   X'000'               channel 0: none
         BAL   1,*+4
         ST    1,RESULTS+16         X'2410'
         LPSW  PROBPSW              into the problem state
*
* The problem state: every privileged instruction, once.  Each is a
* privileged-operation exception (code 2) and is not executed.
*
PROBLEM  SSK   5,4
         ISK   6,4
         SSM   MASK0
         LPSW  PROBPSW
         STMC  0,0,CR0
         LMC   0,0,CR0
         LRA   3,0(4)
         SIO   X'00E'
         TIO   X'00C'
         HIO   X'00C'
         TCH   X'000'
         DIAG  0,0,0
         WRD   0,X'01'
         RDD   0,X'01'
         SVC   0                    the end
*
* Program-check handler: note the operation code and the interruption
* code, go on after the instruction (a privileged operation is
* suppressed: the old PSW points past it; its ILC gives its length).
*
PGMHAND  L     13,X'2C'(0,0)        old PSW: ILC, CC, mask, address
         LR    15,13
         SRL   15,30                the ILC, in halfwords
         SLL   15,1                 in bytes
         LA    13,0(13)             the address alone (24 bits)
         SR    13,15                the instruction that failed
         IC    15,0(13)             its operation code
         STC   15,TRAPPED(14)
         IC    15,X'2B'(0,0)        the interruption code's low byte
         STC   15,TRAPPED+1(14)
         LA    14,2(14)
         LPSW  X'28'(0)
*
SVCHAND  STM   0,15,SAVED
         LPSW  WAITPSW
*
         DS    0D
SVCNEW   DC    X'00000000',A(SVCHAND)
PGMNEW   DC    X'00000000',A(PGMHAND)
PROBPSW  DC    X'00010000',A(PROBLEM)  problem state (bit 15), key 0
WAITPSW  DC    X'00020000000000C3'  disabled wait, code X'C3'
MASK0    DC    X'00'
         LTORG
         ORG   SENSE+X'400'
RESULTS  DC    F'0'                 X'2400': the key ISK read
CR0      DC    F'0'                 X'2404': STMC's control register 0
         DC    3F'0'                X'2408': cc of TIO, SIO, TCH
         DC    3F'0'
TRAPPED  DC    16H'0'               X'2420': opcode, code of each trap
SAVED    DS    16F                  X'2440': R0-R15 at the end
         DS    0D
DATA     DC    F'0'
         END   SENSE
