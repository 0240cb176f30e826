LST      TITLE 'DMSLST - LISTFILE: LIST THE FILES THAT MATCH A FILEID'
*
* LISTFILE [fn [ft [fm]]] [( DATE HEADER LABEL EXEC]
*    types 'FN FT FM' for each file that matches (fn, ft default *,
*    fm default A; see DMSLFS for the patterns), disk by disk in mode
*    order.  DATE adds the record format, record length, records,
*    blocks, and the date and time last written; LABEL the label of
*    the file's disk; HEADER a first line naming the columns.  EXEC
*    types nothing but writes the lines, after '&1 &2 ', as the F 80
*    records of CMS EXEC A1 (replacing it), for EXEC to run a command
*    on each file, as VM/370 did.
*
* Entered: by SVC 202, R1 -> tokenized list; R12 entry, R13 save
*          area, R14 return.
* Exits:   R15 = 0; 28 nothing matched (DMSLST002E FILE NOT FOUND);
*          EXEC: WRBUF's return code when CMS EXEC cannot be written.
*
         REGEQU
         ADTD
         FSTD
DMSLST   CSECT
         USING NUCON,R0
         USING DMSLST,R12
         STM   R14,R12,12(R13)
         MVC   PATTERN,DEFAULT
         MVI   DATES,0
         MVI   HEADER,0
         MVI   LABELS,0
         MVI   TOEXEC,0
         LA    R2,8(,R1)
         LA    R3,PATTERN
         LA    R4,3                     fn ft fm
ARGS     CLI   0(R2),X'FF'
         BE    SEARCH
         CLI   0(R2),C'('
         BE    OPTIONS
         MVC   0(8,R3),0(R2)
         LA    R2,8(,R2)
         LA    R3,8(,R3)
         BCT   R4,ARGS
OPTIONS  CLI   0(R2),X'FF'
         BE    SEARCH
         CLC   0(8,R2),=CL8'DATE'
         BNE   OPTHEAD
         MVI   DATES,1
OPTHEAD  CLC   0(8,R2),=CL8'HEADER'
         BNE   OPTLABEL
         MVI   HEADER,1
OPTLABEL CLC   0(8,R2),=CL8'LABEL'
         BNE   OPTEXEC
         MVI   LABELS,1
OPTEXEC  CLC   0(8,R2),=CL8'EXEC'
         BNE   NEXTOPT
         MVI   TOEXEC,1
         MVI   HEADER,0                 no header in the file
NEXTOPT  LA    R2,8(,R2)
         B     OPTIONS
SEARCH   MVC   PATTERN+18(6),=CL6' '    fm is two bytes
         CLI   TOEXEC,1
         BNE   SEARCH1
         SR    R0,R0                    the old CMS EXEC goes first
         LA    R1,EXECPAT
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   SEARCH1
         LA    R1,ERASLIST
         SVC   202
SEARCH1  SR    R0,R0
         SR    R9,R9                    files listed
         SR    R7,R7                    matches to pass over
NEXT     LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   DONE
         LTR   R7,R7
         BZ    LISTONE
         BCTR  R7,0                     listed before the restart
         LA    R0,1
         B     NEXT
LISTONE  DS    0H
         LR    R8,R2                    the file's disk
         LTR   R9,R9
         BNZ   NOHEAD
         CLI   HEADER,1
         BNE   NOHEAD
         ST    R1,FSTADDR
         MVC   LINE,HEADLINE
         LA    R4,20
         CLI   DATES,1
         BNE   HEADLAB
         LA    R4,54
HEADLAB  CLI   LABELS,1
         BNE   HEADSHOW
         LA    R2,LINE(R4)
         MVC   0(6,R2),=C' LABEL'
         LA    R4,6(,R4)
HEADSHOW STH   R4,LINELEN
         LA    R1,TYPPLIST
         SVC   202
         L     R1,FSTADDR
NOHEAD   DS    0H
         USING FSTD,R1
         MVC   LINE,=CL80' '
         MVC   LINE(8),FSTFNAME
         MVC   LINE+9(8),FSTFTYPE
         MVC   LINE+18(2),FSTFMODE
         LA    R4,20
         CLI   DATES,1
         BNE   SHOW
         MVC   LINE+21(1),FSTRECFM
         L     R0,FSTLRECL
         LA    R2,LINE+23
         LA    R3,5
         BAL   R14,NUMBER
         LH    R0,FSTRECCT
         N     R0,=X'0000FFFF'
         LA    R2,LINE+29
         BAL   R14,NUMBER
         LH    R0,FSTBLKCT
         N     R0,=X'0000FFFF'
         LA    R2,LINE+35
         BAL   R14,NUMBER
         UNPK  WORK(5),FSTDATEW(3)      MMDDHH of the packed MMDDHHMM
         MVC   LINE+41(2),WORK
         MVI   LINE+43,C'/'
         MVC   LINE+44(2),WORK+2
         MVI   LINE+46,C'/'
         MVC   LINE+47(2),FSTYEARW
         UNPK  WORK(5),FSTTIMEW(3)
         MVC   LINE+50(2),WORK
         MVI   LINE+52,C':'
         MVC   LINE+53(2),WORK+2
         LA    R4,55
         DROP  R1
SHOW     CLI   LABELS,1
         BNE   SHOWLINE
         LA    R2,LINE+1(R4)
         MVC   0(6,R2),ADTLABEL-ADTD(R8)
         LA    R4,7(,R4)
SHOWLINE STH   R4,LINELEN
         CLI   TOEXEC,1
         BE    TOFILE
         LA    R1,TYPPLIST
         SVC   202
         LA    R9,1(,R9)
         LA    R0,1                     go on with the search
         B     NEXT
TOFILE   MVC   RECORD,=CL80'&&1 &&2'
         MVC   RECORD+6(74),LINE
         LA    R1,WRITLIST
         SVC   202
         LTR   R15,R15
         BNZ   RETURN
         LA    R9,1(,R9)
         LA    R0,1
         CH    R9,=H'1'
         BNE   NEXT
         SR    R0,R0                    opening CMS EXEC searched the
         LA    R7,1                     disks: start again, past the
         B     NEXT                     file listed
DONE     SR    R15,R15
         CLI   TOEXEC,1
         BNE   DONENUM
         LA    R1,FINLIST
         SVC   202
DONENUM  SR    R15,R15
         LTR   R9,R9
         BNZ   RETURN
         LA    R1,MSG002
         SR    R2,R2
         SR    R4,R4
         L     R15,=V(DMSMSG)
         BALR  R14,R15
         LA    R15,28
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* NUMBER: R0 as a right-justified decimal number of 5 places at R2.
*
NUMBER   CVD   R0,WORK
         MVC   EDITED,=X'402020202120'
         ED    EDITED,WORK+5
         MVC   0(5,R2),EDITED+1
         BR    R14
         DS    0D
WORK     DS    D
EDITED   DS    CL6
DATES    DS    C
HEADER   DS    C
LABELS   DS    C
TOEXEC   DS    C
         DS    0F
FSTADDR  DS    A
HEADLINE DC    CL41'FILENAME FILETYPE FM F LRECL  RECS BLOCK'
         DC    CL39'DATE     TIME'
DEFAULT  DC    CL8'*',CL8'*',CL8'A'
PATTERN  DS    CL24
         DS    0F
TYPPLIST DC    CL8'TYPLIN',AL1(1),AL3(LINE),C'B',X'00'
LINELEN  DC    H'0'
LINE     DS    CL80
EXECPAT  DC    CL8'CMS',CL8'EXEC',C'A '
         DS    0F
ERASLIST DC    CL8'ERASE',CL8'CMS',CL8'EXEC',CL8'A',8X'FF'
WRITLIST DC    CL8'WRBUF',CL8'CMS',CL8'EXEC',C'A1'
         DC    H'0',A(RECORD),F'80',CL2'F',H'1',F'0'
FINLIST  DC    CL8'FINIS',CL8'CMS',CL8'EXEC',C'A1',CL6' ',8X'FF'
RECORD   DS    CL80
MSG002   MSGDESC DMSLST002E,'FILE NOT FOUND'
         LTORG
         NUCON
         END
