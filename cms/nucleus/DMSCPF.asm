CPF      TITLE 'DMSCPF - PASS A COMMAND TO CP'
*
* DMSCPF hands a command line to CP with DIAGNOSE X'08' and gives back
* CP's return code.  On a bare machine (no CP answered DIAGNOSE at IPL)
* it types DMSCPF950E CP IS NOT AVAILABLE and returns -1 (messages
* 950-999 are this system's own; VM/370 never ran CMS without CP).
*
* Entered: DMSCPF    by SVC 202 (the CP command): R1 -> tokenized
*                    list CP word word ...; the words after CP, joined
*                    by blanks, are the CP command;
*          DMSCPFLN  by the command loop: R0 length, R1 -> the text
*                    of the command (already in upper case);
*          R13 save area, R14 return, R15 (and for DMSCPF R12) entry.
* Exits:   R15 = CP's return code (the DIAGNOSE X'08' Ry register):
*                0 done, 1 CP does not know the command, others CP's
*                own; -1 when CP is not there.
*
         REGEQU
DMSCPF   CSECT
         ENTRY DMSCPFLN
         USING NUCON,R0
         USING DMSCPF,R12
         STM   R14,R12,12(R13)
         LA    R1,8(,R1)                past the word CP
         LA    R2,CPLINE
JOIN     CLI   0(R1),X'FF'
         BE    JOINED
         LR    R3,R1
         LA    R4,8
         L     R15,=V(DMSAPP)
         BALR  R14,R15
         MVI   0(R2),C' '
         LA    R2,1(,R2)
         LA    R1,8(,R1)
         B     JOIN
JOINED   LA    R3,CPLINE
         SR    R2,R3
         BNP   EMPTY
         BCTR  R2,0                     the last blank
EMPTY    LR    R0,R2
         LR    R1,R3
         B     GIVE
         DROP  R12
         USING DMSCPFLN,R15
DMSCPFLN STM   R14,R12,12(R13)
         L     R12,=A(DMSCPF)
         DROP  R15
         USING DMSCPF,R12
GIVE     TM    SYSFLAGS,CPAVAIL
         BZ    NOCP
         LR    R2,R1
         LR    R3,R0
         DIAG  R2,R3,X'0008'            CP does the command
         LR    R15,R3                   its return code
         B     RETURN
NOCP     LA    R1,NOCPMSG
         SVC   202
         L     R15,=F'-1'
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
         DS    0F
NOCPMSG  DC    CL8'TYPLIN',AL1(1),AL3(NOCPTEXT),C'B',X'00',AL2(NOCPLEN)
NOCPTEXT DC    C'DMSCPF950E CP IS NOT AVAILABLE'
NOCPLEN  EQU   *-NOCPTEXT
CPLINE   DS    CL132
         LTORG
         NUCON
         END
