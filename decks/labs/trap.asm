*---------------------------------------------------------------------
* TRAP: the program of lab 1 (docs/labs/01-trap-and-emulate.md).
*
* A standalone program that behaves as a small supervisor and its one
* problem program.  Run it on the bare machine, then as a guest of CP:
* everything up to the DIAGNOSE ends the same; the DIAGNOSE is the one
* thing the program does that asks for CP by name.
*
*   vm370 asm decks/labs/trap.asm -o trap.obj
*   vm370 bare --load-deck trap.obj@2000 --psw 0000000000002000 \
*        --dump 2300:60 --json
*   ... the same with --under-cp
*
* Register use: R12 base, R2-R7 results, R14/R15 the program-check
* handler's count and code.  Storage: RESULTS (R0-R15 as they were just
* before the DIAGNOSE), PGMCODES (program interruption codes seen),
* DIAGOUT (what DIAGNOSE X'0104' stored, if anybody answered).
*---------------------------------------------------------------------
TRAP     START X'2000'
         BALR  12,0                 base register
         USING *,12
         MVC   X'60'(8,0),SVCNEW    SVC new PSW: come to SVCHAND
         MVC   X'68'(8,0),PGMNEW    program new PSW: come to PGMHAND
         SR    14,14                no program interruptions yet
* Supervisor work: set a storage key, read it back, change the mask.
* PoO (GA22-6821), SSK/ISK: R2 names a 2K block; its bits 28-31 must be
* zero, so DATA is a fullword.
         LA    4,DATA               the 2K block that holds DATA
         LA    5,X'30'              key 3, no fetch protection
         SSK   5,4                  privileged: set the storage key
         ISK   4,4                  privileged: R4's low byte = the key
         SSM   MASK0                privileged: system mask X'00'
* Exercise 1: vm370 asm --sysparm N (1-4095) adds N SSMs here.
         AIF   ('&SYSPARM' EQ '').NOLOOP
         LA    3,&SYSPARM
SSMLOOP  SSM   MASK0
         BCT   3,SSMLOOP
.NOLOOP  ANOP
* Into the problem state, key 0: the problem program runs at PROBLEM.
         LPSW  PROBPSW
*
* The problem program: ordinary work, one privileged instruction it is
* not allowed to do, then two supervisor calls.
*
PROBLEM  SR    2,2
         LA    3,10
SUMLOOP  AR    2,3                  R2 = 10+9+...+1 = 55
         BCT   3,SUMLOOP
         SSM   MASK0                privileged: program interruption 2
         SVC   1                    ask the supervisor for a service
         SVC   2                    the end of the problem program
*
* SVC handler (supervisor state).  SVC 1 adds the service's answer to
* R6 and returns; SVC 2 ends the run.
*
SVCHAND  LH    7,X'22'(0,0)         the SVC number from the old PSW
         CH    7,=H'2'
         BE    FINISH
         LA    6,100(6)             the service: R6 = R6 + 100
         LPSW  X'20'(0)             back to the problem program
*
* Program-check handler: note the code, go on after the instruction.
*
PGMHAND  LH    15,X'2A'(0,0)        the interruption code
         STH   15,PGMCODES(14)
         LA    14,2(14)
         LPSW  X'28'(0)
*
* The end: keep the registers, then ask CP for the CPU time.  On the
* bare machine DIAGNOSE is a specification exception (code 6).
*
FINISH   STM   0,15,RESULTS
         LA    10,DIAGOUT
         DIAG  10,0,X'0104'         CP: store my instruction count
         LPSW  WAITPSW              disabled wait, code X'0000AA'
*
         DS    0D
SVCNEW   DC    X'00000000',A(SVCHAND)
PGMNEW   DC    X'00000000',A(PGMHAND)
PROBPSW  DC    X'00010000',A(PROBLEM)  problem state (bit 15), key 0
WAITPSW  DC    X'00020000000000AA'  wait bit (14), no masks: disabled
MASK0    DC    X'00'
         LTORG
         ORG   TRAP+X'300'
RESULTS  DS    16F                  X'2300': R0-R15 before the DIAGNOSE
PGMCODES DC    4H'0'                X'2340': program interruption codes
DIAGOUT  DC    D'0'                 X'2348': DIAGNOSE X'0104' answer
DATA     DC    F'0'                 X'2350'
         END   TRAP
