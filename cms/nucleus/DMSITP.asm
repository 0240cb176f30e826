ITP      TITLE 'DMSITP - PROGRAM INTERRUPTION HANDLER'
*
* DMSITP takes program interruptions.  In a user program (PSW key not
* 0) it types
*    DMSITP141T type EXCEPTION OCCURRED AT addr IN ROUTINE name
* and abends the program with system abend 0Cx (DMSABN), which takes
* CMS back to the command level.  In the nucleus itself (key 0) the
* nucleus can no longer be trusted: it types
*    DMSITP143T type EXCEPTION OCCURRED AT addr IN SYSTEM ROUTINE
*    name, RE-IPL CMS
* and stops in a disabled wait (PSW address X'000143').
*
* Entered: through the program new PSW; key 0, interruptions masked.
* Exits:   to DMSABN, or a disabled wait.
*
         REGEQU
DMSITP   CSECT
         USING NUCON,R0
         STM   R0,R15,ITPREGS
         BALR  R12,0
         USING *,R12
         MVC   ABNPSW,PGMOPSW
         MVC   ABNNAME,=CL8'DMSINT'     at command level
         L     R11,SVCTOP
         LTR   R11,R11
         BZ    NAMED
         MVC   ABNNAME,FRNAME-SVCFRAME(R11)
NAMED    LH    R5,PGMOPSW+2             interruption code
         CH    R5,=H'17'
         BNH   KNOWN
         SR    R5,R5                    shown as imprecise
KNOWN    LA    R2,MSGBUF
         MVC   0(11,R2),=C'DMSITP141T '
         TM    PGMOPSW+1,X'F0'
         BNZ   PREFIXED
         MVI   8(R2),C'3'               143T: in the nucleus
PREFIXED LA    R2,11(,R2)
         LR    R3,R5
         MH    R3,=H'21'
         LA    R3,TYPES(R3)
         LA    R4,21
         L     R15,=V(DMSAPP)
         BALR  R14,R15
         MVC   0(23,R2),=C' EXCEPTION OCCURRED AT '
         LA    R2,23(,R2)
         L     R0,PGMOPSW+4
         LA    R1,6
         L     R15,=V(DMSCVH)
         BALR  R14,R15
         LA    R2,6(,R2)
         TM    PGMOPSW+1,X'F0'
         BZ    SYSTEM
         MVC   0(12,R2),=C' IN ROUTINE '
         LA    R2,12(,R2)
         B     ROUTINE
SYSTEM   MVC   0(19,R2),=C' IN SYSTEM ROUTINE '
         LA    R2,19(,R2)
ROUTINE  DS    0H
         LA    R3,ABNNAME
         LA    R4,8
         BAL   R14,APPEND
         TM    PGMOPSW+1,X'F0'
         BNZ   TYPEIT
         LA    R3,=C', RE-IPL CMS'
         LA    R4,12
         BAL   R14,APPEND
TYPEIT   LA    R3,MSGBUF
         SR    R2,R3
         STH   R2,TYPLEN
         LA    R1,TYPPLIST
         SVC   202
         TM    PGMOPSW+1,X'F0'
         BZ    HALT
         SR    R1,R1
         IC    R1,PGMOPSW+3
         LA    R0,X'0C0'(,R1)           system abend 0Cx
         SR    R1,R1
         LA    R2,PGMOPSW
         L     R15,=V(DMSABN)
         BR    R15
HALT     LPSW  HALTPSW
APPEND   ST    R14,APPRET
         L     R15,=V(DMSAPP)
         BALR  R14,R15
         L     R14,APPRET
         BR    R14
         DS    0D
HALTPSW  DC    X'0002000000000143'
APPRET   DS    F
TYPPLIST DC    CL8'TYPLIN',AL1(1),AL3(MSGBUF-NUCON),C'B',X'00'
TYPLEN   DC    H'0'
TYPES    DC    CL21'IMPRECISE'
         DC    CL21'OPERATION'
         DC    CL21'PRIVILEGED OPERATION'
         DC    CL21'EXECUTE'
         DC    CL21'PROTECTION'
         DC    CL21'ADDRESSING'
         DC    CL21'SPECIFICATION'
         DC    CL21'DECIMAL DATA'
         DC    CL21'FIXED-POINT OVERFLOW'
         DC    CL21'FIXED-POINT DIVIDE'
         DC    CL21'DECIMAL OVERFLOW'
         DC    CL21'DECIMAL DIVIDE'
         DC    CL21'EXPONENT OVERFLOW'
         DC    CL21'EXPONENT UNDERFLOW'
         DC    CL21'SIGNIFICANCE'
         DC    CL21'FLOATING-POINT DIVIDE'
         DC    CL21'SEGMENT TRANSLATION'
         DC    CL21'PAGE TRANSLATION'
         LTORG
         SVCFRAME
         NUCON
         END
