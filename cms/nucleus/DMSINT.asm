INT      TITLE 'DMSINT - THE CMS COMMAND LOOP'
*
* DMSINT reads command lines from the console and runs them:
*  - an empty line is answered with CMS; a line of blanks or one that
*    starts with * is passed over;
*  - the line is tokenized (DMSSCN); a file 'name EXEC' runs as
*    EXEC name (DMSEXTIM), else the line is called with SVC 202;
*  - CP at the start of the line hands the rest of it to CP (DMSCPFLN);
*  - a command no one knows (SVC 202 return code -3) goes to CP when CP
*    is there and SET IMPCP is on (implied CP); if CP does not know it
*    either (CP return code 1), DMSINT types UNKNOWN CP/CMS COMMAND,
*    else UNKNOWN CMS COMMAND, and reads the next line with no ready
*    message, as VM/370 does;
*  - otherwise the ready message: R; after return code 0, R(nnnnn);
*    after any other, followed under CP by T=v.vv/t.tt hh:mm:ss, the
*    virtual and total CPU seconds the command used (DIAGNOSE X'0C'
*    at the read and now) and the time of day.
*  - while a command runs (from after the line is tokenized to the
*    ready message) the interval timer counts down 2 seconds at a
*    time and the nucleus is enabled for external interruptions:
*    DMSITE types the blip (SET BLIP) each time the timer runs out.
*
* Entered: DMSINT    from DMSINI after IPL;
*          DMSINTAB  from DMSABN after an abend (types CMS first).
* Exits:   never.
*
         REGEQU
DMSINT   CSECT
         ENTRY DMSINTAB
         USING NUCON,R0
         USING DMSINT,R15
         L     R12,=A(DMSINT)
         DROP  R15
         USING DMSINT,R12
         B     READ
         DROP  R12
         USING DMSINTAB,R15
DMSINTAB L     R12,=A(DMSINT)
         DROP  R15
         USING DMSINT,R12
         L     R15,=V(DMSEXTRS)         no exec runs after an abend
         BALR  R14,R15
NULL     WRTERM 'CMS'
READ     L     R15,=V(DMSITEOF)         no blip during the read
         BALR  R14,R15
         LA    R13,INTSAVE
         LA    R1,RDPLIST
         SVC   202
         LR    R6,R0
         STH   R6,CMNDLEN
         TM    SYSFLAGS,CPAVAIL
         BZ    NOTIME
         LA    R2,TIMEAREA
         DIAG  R2,R0,X'000C'            CPU times at the start
         MVC   TIMEBASE(16),TIMEAREA+16  both CPU times (L' is 8)
NOTIME   LTR   R6,R6
         BZ    NULL
         LR    R0,R6
         LA    R1,CMNDLINE
         LA    R2,CMNDLIST
         L     R15,=V(DMSSCN)
         BALR  R14,R15
         LTR   R0,R0
         BZ    READ                     only blanks
         CLI   CMNDLIST,C'*'
         BE    READ                     a comment
         L     R15,=V(DMSITEON)         the command runs: timer and
         BALR  R14,R15                  external mask on (the blip)
         CLC   CMNDLIST(8),=CL8'CP'
         BE    EXPLICIT
         TM    OPTFLAGS,NOIMPEX         SET IMPEX OFF: commands only
         BO    COMMAND
         LA    R1,CMNDLIST              implied EXEC: 'name EXEC' comes
         L     R15,=V(DMSEXTIM)         first, as in VM/370's DMSINT
         BALR  R14,R15
         CH    R15,=H'-3'
         BNE   READY
COMMAND  LA    R1,CMNDLIST
         O     R1,=X'0B000000'          flag: typed at the console
         SVC   202
         CH    R15,=H'-3'
         BNE   READY
         TM    SYSFLAGS,CPAVAIL
         BZ    UNKCMS
         TM    OPTFLAGS,NOIMPCP
         BO    UNKCMS
         LH    R0,CMNDLEN               implied CP: the whole line
         LA    R1,CMNDLINE
         L     R15,=V(DMSCPFLN)
         BALR  R14,R15
         CH    R15,=H'1'
         BNE   READY
         WRTERM 'UNKNOWN CP/CMS COMMAND'
         B     READ
UNKCMS   WRTERM 'UNKNOWN CMS COMMAND'
         B     READ
EXPLICIT LA    R1,CMNDLINE              the line after the word CP
         LH    R3,CMNDLEN
SKIPLEAD CLI   0(R1),C' '
         BNE   SKIPCP
         LA    R1,1(,R1)
         BCT   R3,SKIPLEAD
SKIPCP   LA    R1,2(,R1)
         SH    R3,=H'2'
SKIPGAP  LTR   R3,R3
         BNP   GIVECP
         CLI   0(R1),C' '
         BNE   GIVECP
         LA    R1,1(,R1)
         BCTR  R3,0
         B     SKIPGAP
GIVECP   LR    R0,R3
         L     R15,=V(DMSCPFLN)
         BALR  R14,R15
         CH    R15,=H'1'
         BNE   READY
         WRTERM 'UNKNOWN CP COMMAND'
         B     READ
*
* The ready message.
*
READY    ST    R15,LASTRC
         L     R15,=V(DMSITEOF)
         BALR  R14,R15
         LA    R1,FINISALL              close what the command left
         SVC   202
         L     R15,LASTRC
         LA    R2,MSGBUF
         LTR   R0,R15
         BNZ   RCODE
         MVC   0(2,R2),=C'R;'
         LA    R2,2(,R2)
         B     TIMES
RCODE    MVC   0(2,R2),=C'R('
         LA    R2,2(,R2)
         LPR   R0,R0
         LA    R1,5
         L     R15,=V(DMSCVD)
         BALR  R14,R15
         L     R15,LASTRC
         LTR   R15,R15
         BNM   RCLOSE
         MVI   0(R2),C'-'               a negative code: -nnnn
RCLOSE   MVC   5(2,R2),=C');'
         LA    R2,7(,R2)
TIMES    TM    SYSFLAGS,CPAVAIL
         BZ    SHOW
         TM    OPTFLAGS,NORDYTIM
         BO    SHOW
         LA    R3,TIMEAREA
         DIAG  R3,R0,X'000C'            CPU times now
         MVC   0(3,R2),=C' T='
         LA    R2,3(,R2)
         L     R3,TIMEAREA+20           virtual CPU microseconds
         S     R3,TIMEBASE+4
         BAL   R14,SECONDS
         MVI   0(R2),C'/'
         LA    R2,1(,R2)
         L     R3,TIMEAREA+28           total CPU microseconds
         S     R3,TIMEBASE+12
         BAL   R14,SECONDS
         MVI   0(R2),C' '
         MVC   1(8,R2),TIMEAREA+8       HH:MM:SS
         LA    R2,9(,R2)
SHOW     LA    R3,MSGBUF
         SR    R2,R3
         STH   R2,RDYLEN
         LA    R1,RDYPLIST
         SVC   202
         B     READ
*
* SECONDS: microseconds in R3 as seconds with two decimals at R2;
* R2 comes back past them.
*
SECONDS  ST    R14,SECRET
         SR    R4,R4
         LR    R5,R3
         D     R4,=F'10000'             hundredths of a second
         CVD   R5,EDITWORK
         MVC   EDITOUT,EDITPAT
         ED    EDITOUT,EDITWORK+5
         LA    R3,EDITOUT
         LA    R4,L'EDITOUT
SKIPLEFT CLI   0(R3),C' '
         BNE   SECTEXT
         LA    R3,1(,R3)
         BCT   R4,SKIPLEFT
SECTEXT  L     R15,=V(DMSAPP)
         BALR  R14,R15
         L     R14,SECRET
         BR    R14
SECRET   DS    F
EDITOUT  DS    CL7
         DS    0F
FINISALL DC    CL8'FINIS',CL8'*',CL8'*',CL8'*',8X'FF'
RDPLIST  DC    CL8'WAITRD',AL1(1),AL3(CMNDLINE-NUCON),C'U',AL3(0)
RDYPLIST DC    CL8'TYPLIN',AL1(1),AL3(MSGBUF-NUCON),C'B',X'00'
RDYLEN   DC    H'0'
INTSAVE  DS    18F
EDITPAT  DC    X'40202120',C'.',X'2020'
         LTORG
         NUCON
         END
