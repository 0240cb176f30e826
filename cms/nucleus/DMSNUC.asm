NUC      TITLE 'DMSNUC - CMS NUCLEUS LOW STORAGE'
*
* DMSNUC is real storage from address 0 to X'FFF': the PSWs the
* hardware loads on IPL and on each interruption, and the nucleus
* constant area (NUCON, in the macro library) that every nucleus
* module addresses with base register 0.
*
* Entered: never; it is data.  The build loads it first, at 0, so
* that the IPL PSW at 0 starts DMSINI once the IPL channel program has
* read the whole nucleus, and the new PSWs send each interruption
* class to its handler:
*    external       DMSITE    (key 0, everything masked)
*    SVC            DMSSVT
*    program        DMSITP
*    machine check  disabled wait, code X'000070'
*    I/O            DMSITI
*
         REGEQU
DMSNUC   CSECT
         DC    X'00000000',V(DMSINI)      IPL PSW: key 0, disabled
         DC    XL16'00'                   the IPL CCWs
         ORG   DMSNUC+X'58'
         DC    X'00000000',V(DMSITE)      external new PSW
         DC    X'00000000',V(DMSSVT)      supervisor call new PSW
         DC    X'00000000',V(DMSITP)      program new PSW
         DC    X'0002000000000070'        machine check: disabled wait
         DC    X'00000000',V(DMSITI)      input/output new PSW
         ORG   DMSNUC+X'1000'
         NUCON
         END
