EXT      TITLE 'DMSEXT - EXEC, THE CONSOLE STACK'
*
* EXEC fn [args ...]
*    runs the file 'fn EXEC *', the CMS EXEC language of VM/370: every
*    line is cut into 8-byte tokens (as a command line is), the tokens
*    that hold an & are replaced by the values of their variables, and
*    the line is a control statement (&IF, &GOTO, &LOOP, &TYPE, ...),
*    an assignment (&NAME = value) or a CMS command, called by SVC 202
*    with its return code kept in &RETCODE.  A line starting with -NAME
*    carries a label; one starting with * is a comment.
*    Variables: &1..&n the arguments, &0 the file name, &INDEX their
*    count, &* and &$ all of them (in &IF: every one, any one),
*    &RETCODE, &LINENUM, &READFLAG (STACK or CONSOLE), and up to 128
*    of the exec's own; a value is one token of at most 8 characters.
*    Built-in functions on the right of an assignment: &CONCAT,
*    &SUBSTR, &LENGTH, &DATATYPE, &LITERAL.
*    Errors type DMSEXT072E ERROR IN EXEC FILE fn, LINE n - what, then
*    the statement, and end the exec with return code 10000+n, n the
*    number VM/370 gave the error.
*
* Also here: the console stack (&STACK, &BEGSTACK) that the console
* read (DMSCRD) takes lines from before it reads the console, the
* implied EXEC of DMSINT, and PROFILE EXEC at IPL.
*
* Entered: DMSEXT   by SVC 202, R1 -> tokenized list CL8'EXEC',CL8 fn,
*                   args; R12 entry, R13 save area, R14 return.
*          DMSEXTIM by BALR from DMSINT for a command found nowhere
*                   else, R1 -> its tokenized list, R13 a save area:
*                   runs 'name EXEC' if there is one, else R15 = -3.
*          DMSEXTPR by BALR from DMSINI, R13 a save area: runs PROFILE
*                   EXEC when there is one.
*          DMSSTKPL by BALR from DMSCRD, R1 -> a 130-byte buffer: the
*                   first stacked line, R0 its length, R15 = 0; 4 when
*                   the stack is empty.
*          DMSEXTRS by BALR from DMSINT after an abend: no exec runs.
* Exits:   EXEC: R15 the &EXIT code (0 at the end of the file), or
*          10000+n after error n.  An exec may call an exec, three
*          deep (the caller's state waits in SAVESTK); a fourth is
*          DMSEXT998E, 10016.
*
         REGEQU
         CMSLAYO
DMSEXT   CSECT
         ENTRY DMSEXTIM,DMSEXTPR,DMSSTKPL,DMSEXTRS
         USING NUCON,R0
         USING DMSEXT,R12,R11
         USING EXWORK,R9
         STM   R14,R12,12(R13)
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         L     R9,=A(EXECWORK)
         ST    R13,EXSAVE13
         LR    R8,R1
         TM    EXFLAGS,EXACTIVE
         BO    NESTED
         XC    DEPTH,DEPTH              the first level
         L     R1,=A(VARTAB)
         ST    R1,VARBASE
         XC    VARCOUNT,VARCOUNT
         L     R1,=A(LINEIX)
         ST    R1,LINEBASE
         XC    LINECNT,LINECNT
         L     R1,=A(EXECBUF)
         ST    R1,BUFEND
NEWLEVEL MVC   BUFBASE,BUFEND
         CLI   8(R8),X'FF'
         BE    NONAME
         MVC   EXECFN,8(R8)
         LA    R1,RECBUF                the buffers in the work area
         ST    R1,READLIST+28
         LA    R1,LINEBUF
         ST    R1,TYPADDR
         MVC   RDPLIST+9(3),TYPADDR+1
         MVC   READFID(8),EXECFN
         XC    LINECNT,LINECNT
         L     R6,BUFBASE               where the next line goes
         L     R7,LINEBASE              its address goes here
LOADLINE MVI   RECBUF,C' '
         MVC   RECBUF+1(L'RECBUF-1),RECBUF
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=LOADED,NONE=NOFILE,CUT=LOADCUT,ERROR=RDERROR
         L     R5,READLEN
         B     LOADTRIM
LOADCUT  LA    R5,L'RECBUF
LOADTRIM LTR   R5,R5                    drop trailing blanks
         BNP   LOADSTOR
         LA    R4,RECBUF-1(R5)
         CLI   0(R4),C' '
         BNE   LOADSTOR
         BCTR  R5,0
         B     LOADTRIM
LOADSTOR C     R7,=A(LINEIX+MAXLINES*4)
         BNL   TOOBIG
         LA    R4,1(R5,R6)
         C     R4,=A(EXECEND)
         BH    TOOBIG
         STC   R5,0(,R6)
         LTR   R5,R5
         BZ    LOADNEXT
         BCTR  R5,0
         EX    R5,MOVEREC
LOADNEXT ST    R6,0(,R7)
         LA    R7,4(,R7)
         LR    R6,R4
         L     R4,LINECNT
         LA    R4,1(,R4)
         ST    R4,LINECNT
         B     LOADLINE
MOVEREC  MVC   1(0,R6),RECBUF
TOOBIG   BAL   R14,CLOSEIT
         LA    R10,MERRSIZE
         B     LEAVE
RDERROR  BAL   R14,CLOSEIT
         LA    R10,MERRREAD
         B     LEAVE
NOFILE   LA    R10,MERRFILE
         B     LEAVE
LOADED   BAL   R14,CLOSEIT
         ST    R6,BUFEND
*
* The arguments are the words after the file name.
*
         LA    R3,16(,R8)
         BAL   R14,SETARGS
         XC    VARCOUNT,VARCOUNT
         XC    RETCODE,RETCODE
         XC    EXITRC,EXITRC
         XC    CURLINE,CURLINE
         XC    READCNT,READCNT
         XC    LOOPDPTH,LOOPDPTH
         MVC   NEXTNO,=F'1'
         MVI   CTLMODE,CTLCMS
         MVI   CTLTIME,0
         MVI   TIMEON,0
         MVI   BLKMODE,0
         MVI   ERRACT,X'FF'
         OI    EXFLAGS,EXACTIVE
         BAL   R14,TIMEBAS
*
* The statement loop: take the next line (from the console while an
* &READ n has lines to read), and run it.
*
NEXTLINE SR    R2,R2
         ST    R2,JUMPED
         MVI   INERRACT,0
         L     R2,READCNT
         LTR   R2,R2
         BZ    FROMFILE
         BCTR  R2,0
         ST    R2,READCNT
         BAL   R14,READCON
         LR    R5,R0
         MVI   FROMCON,1
         B     HAVELINE
FROMFILE MVI   FROMCON,0
         L     R2,NEXTNO
         C     R2,LINECNT
         BH    ENDFILE
         ST    R2,CURLINE
         LA    R3,1(,R2)
         ST    R3,NEXTNO
         BCTR  R2,0
         SLL   R2,2
         A     R2,LINEBASE
         L     R4,0(,R2)                the line: length byte, text
         MVI   LINEBUF,C' '
         MVC   LINEBUF+1(L'LINEBUF-1),LINEBUF
         SR    R5,R5
         IC    R5,0(,R4)
         LTR   R5,R5
         BZ    HAVELINE
         BCTR  R5,0
         EX    R5,MOVELINE
         LA    R5,1(,R5)
HAVELINE ST    R5,LINELEN
         CLI   BLKMODE,0
         BNE   BLOCK
         LR    R0,R5
         LA    R1,LINEBUF
         LA    R2,TOKS
         L     R15,=V(DMSSCN)
         BALR  R14,R15
         LTR   R0,R0
         BZ    ENDSTMT
         LA    R10,TOKS
         B     DISPATCH
MOVELINE MVC   LINEBUF(0),1(R4)
*
* A statement (R10 -> its tokens).
*
DISPATCH CLI   0(R10),X'FF'
         BE    ENDSTMT
         CLI   0(R10),C'*'
         BE    ENDSTMT                  a comment
         CLI   0(R10),C'-'
         BNE   NOLABEL
         LA    R10,8(,R10)              a label, then the statement
         B     DISPATCH
NOLABEL  CLI   CTLMODE,CTLALL
         BNE   NOTRACE
         BAL   R14,TRACE
NOTRACE  CLI   0(R10),C'&&'
         BNE   COMMAND
         CLC   8(8,R10),=CL8'='
         BE    ASSIGN
         LA    R2,CWTABLE
CWFIND   CLI   0(R2),X'FF'
         BE    CWNONE
         CLC   0(8,R2),0(R10)
         BE    CWFOUND
         LA    R2,12(,R2)
         B     CWFIND
CWFOUND  L     R15,8(,R2)
         BR    R15
CWNONE   MVC   NAMEBUF,1(R10)           &VAR at the start: a command if
         MVI   NAMEBUF+7,C' '           the variable is set
         BAL   R14,LOOKUP
         LTR   R15,R15
         BZ    COMMAND
         B     ERRWORD
*
* End of a statement: close a loop whose last line this was.
*
ENDSTMT  CLI   FROMCON,0
         BNE   NEXTLINE
         CLI   JUMPED,0
         BNE   NEXTLINE
LOOPEND  L     R2,LOOPDPTH
         LTR   R2,R2
         BZ    NEXTLINE
         BCTR  R2,0
         MH    R2,=Y(LOOPLEN)
         LA    R8,LOOPS(R2)             the innermost loop
         CLC   CURLINE,4(R8)
         BNE   NEXTLINE
         CLI   12(R8),0
         BNE   LOOPCOND
         L     R2,8(,R8)                count: one more time?
         BCTR  R2,0
         ST    R2,8(,R8)
         LTR   R2,R2
         BNP   LOOPPOP
LOOPBACK MVC   NEXTNO,0(R8)
         B     NEXTLINE
LOOPCOND LA    R3,16(,R8)               until the condition holds
         BAL   R14,COND
         LTR   R15,R15
         BNZ   LOOPBACK
LOOPPOP  L     R2,LOOPDPTH
         BCTR  R2,0
         ST    R2,LOOPDPTH
         B     LOOPEND                  an outer loop may end here too
*
* The lines between &BEGTYPE or &BEGSTACK and &END, as they are.
*
BLOCK    LA    R4,LINEBUF
         LR    R3,R5
BLKSKIP  LTR   R3,R3
         BNP   BLKLINE
         CLI   0(R4),C' '
         BNE   BLKEND
         LA    R4,1(,R4)
         BCTR  R3,0
         B     BLKSKIP
BLKEND   CLC   0(4,R4),=C'&&END'
         BNE   BLKLINE
         CLI   4(R4),C' '
         BNE   BLKLINE
         MVI   BLKMODE,0
         B     NEXTLINE
BLKLINE  LA    R4,LINEBUF
         CLI   BLKMODE,C'T'
         BNE   BLKSTACK
         BAL   R14,TYPE
         B     NEXTLINE
BLKSTACK MVC   STKHOW,BLKMODE
         BAL   R14,STKPUSH
         B     NEXTLINE
*
* A CMS command: the tokens with their values, called by SVC 202.
*
COMMAND  BAL   R14,SUBLIST
         CLI   SUBS,X'FF'
         BE    ENDSTMT                  nothing left
         CLI   CTLMODE,CTLCMS
         BL    NOECHO
         BAL   R14,SHOWCMD
NOECHO   LA    R1,SUBS
         SVC   202
         ST    R15,RETCODE
         CLI   TIMEON,0
         BE    CMDTIMED
         BAL   R14,TIMETYPE
CMDTIMED L     R15,RETCODE
         LTR   R15,R15
         BZ    ENDSTMT
         CLI   CTLMODE,CTLERROR
         BL    CMDERR
         BH    CMDRC
         BAL   R14,SHOWCMD              ERROR: the command that failed
CMDRC    L     R0,RETCODE
         CVD   R0,EDITWORK
         MVC   RCLINE+5(6),RCPAT
         ED    RCLINE+5(6),EDITWORK+5
         MVI   RCLINE+5,C'('
         LTR   R0,R0
         BNM   RCPLUS
         MVI   RCLINE+6,C'-'
RCPLUS   LA    R4,RCLINE
         LA    R5,L'RCLINE
         BAL   R14,TYPE
CMDERR   CLI   ERRACT,X'FF'
         BE    ENDSTMT
         CLI   INERRACT,0
         BNE   ERRERR                   the &ERROR action itself failed
         MVI   INERRACT,1
         MVC   TOKS(8*16),ERRACT        the &ERROR action runs now
         LA    R10,TOKS
         B     DISPATCH
*
* &name = value
*
ASSIGN   MVC   NAMEBUF,1(R10)
         MVI   NAMEBUF+7,C' '
         MVC   TARGET,NAMEBUF
         BAL   R14,SPECIAL
         LTR   R15,R15
         BZ    ERRINDX                  &INDEX = ...: not allowed
         CLI   NAMEBUF,C' '
         BE    ERRASS
         LA    R10,16(,R10)
         BAL   R14,VALUE
         BAL   R14,VARSET
         B     ENDSTMT
*
* VALUE: the value of the tokens at R10 (a built-in function, a token,
* or numbers with + - * / between them) in VALBUF.
*
VALUE    ST    R14,VALRET
         MVC   VALBUF,=CL8' '
         CLI   0(R10),X'FF'
         BE    VALDONE                  nothing: the null value
         LA    R2,BITABLE
VALBI    CLI   0(R2),X'FF'
         BE    VALEXPR
         CLC   0(8,R2),0(R10)
         BE    VALBIGO
         LA    R2,12(,R2)
         B     VALBI
VALBIGO  L     R15,8(,R2)
         BALR  R14,R15
         B     VALDONE
VALEXPR  LR    R3,R10
         BAL   R14,SUBTOK
         MVC   VALBUF,WORKVAL
         CLI   8(R10),X'FF'
         BE    VALDONE                  one token
         LA    R1,VALBUF
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRCONV
         LR    R6,R0                    the running value
         LA    R10,8(,R10)
VALOP    CLI   0(R10),X'FF'
         BE    VALNUM
         CLI   8(R10),X'FF'
         BE    ERRASS                   an operator with nothing after
         MVC   OPERATOR,0(R10)
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRCONV
         CLC   OPERATOR,=CL8'+'
         BE    VALADD
         CLC   OPERATOR,=CL8'-'
         BE    VALSUB
         CLC   OPERATOR,=CL8'*'
         BE    VALMUL
         CLC   OPERATOR,=CL8'/'
         BE    VALDIV
         B     ERRASS
VALADD   AR    R6,R0
         B     VALNEXT
VALSUB   SR    R6,R0
         B     VALNEXT
VALMUL   LR    R3,R0
         MR    R2,R6
         LR    R6,R3
         B     VALNEXT
VALDIV   LTR   R7,R0
         BZ    ERRDIVZ
         LR    R2,R6
         SRDA  R2,32
         DR    R2,R7
         LR    R6,R3
VALNEXT  LA    R10,16(,R10)
         B     VALOP
VALNUM   LR    R0,R6
         BAL   R14,FMTNUM
         MVC   VALBUF,NUMBUF
VALDONE  L     R14,VALRET
         BR    R14
*
* The built-in functions (R10 -> the function's token).
*
BICONCAT ST    R14,BIRET
         LA    R4,VALBUF                next byte of the result
         LA    R10,8(,R10)
CONCNEXT CLI   0(R10),X'FF'
         BE    BIDONE
         LR    R3,R10
         BAL   R14,SUBTOK
         LA    R2,WORKVAL
         LA    R3,8
CONCBYTE CLI   0(R2),C' '
         BE    CONCTOK
         LA    R5,VALBUF+8
         CR    R4,R5
         BNL   CONCTOK                  cut at 8
         MVC   0(1,R4),0(R2)
         LA    R4,1(,R4)
         LA    R2,1(,R2)
         BCT   R3,CONCBYTE
CONCTOK  LA    R10,8(,R10)
         B     CONCNEXT
BIDONE   L     R14,BIRET
         BR    R14
BISUBSTR ST    R14,BIRET
         CLI   8(R10),X'FF'
         BE    ERRBLTN
         CLI   16(R10),X'FF'
         BE    ERRBLTN
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         MVC   VALBUF,WORKVAL           the string
         BAL   R14,GIVLEN
         LR    R7,R15                   its length
         LA    R3,16(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRBLTN
         LR    R5,R0                    from (1 = the first)
         LR    R6,R7
         SR    R6,R5
         LA    R6,1(,R6)                to the end
         CLI   24(R10),X'FF'
         BE    SUBCHECK
         LA    R3,24(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRBLTN
         LR    R6,R0
SUBCHECK LTR   R5,R5
         BNP   ERRBLTN
         LTR   R6,R6
         BNP   ERRBLTN
         LA    R2,0(R5,R6)
         BCTR  R2,0
         CR    R2,R7
         BH    ERRBLTN                  past the end of the string
         MVC   WORKVAL,VALBUF
         MVC   VALBUF,=CL8' '
         LA    R2,WORKVAL-1(R5)
         BCTR  R6,0
         EX    R6,MOVESUB
         B     BIDONE
MOVESUB  MVC   VALBUF(0),0(R2)
BILENGTH ST    R14,BIRET
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         MVC   VALBUF,WORKVAL
         BAL   R14,GIVLEN
         LR    R0,R15
         BAL   R14,FMTNUM
         MVC   VALBUF,NUMBUF
         B     BIDONE
BIDATATY ST    R14,BIRET
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         MVC   VALBUF,=CL8'NUM'
         LTR   R15,R15
         BZ    BIDONE
         MVC   VALBUF,=CL8'CHAR'
         B     BIDONE
BILITERL MVC   VALBUF,8(R10)
         CLI   8(R10),X'FF'
         BNE   BILITOK
         MVC   VALBUF,=CL8' '
BILITOK  BR    R14
*
* GIVLEN: R15 = the length of VALBUF without trailing blanks.
*
GIVLEN   LA    R15,8
GIVLOOP  LA    R1,VALBUF-1(R15)
         CLI   0(R1),C' '
         BNER  R14
         BCT   R15,GIVLOOP
         BR    R14
*
* &IF a op b statement
*
CWIF     CLI   8(R10),X'FF'
         BE    ERRCOND
         CLI   16(R10),X'FF'
         BE    ERRCOND
         CLI   24(R10),X'FF'
         BE    ERRCOND
         LA    R3,8(,R10)
         BAL   R14,COND
         LTR   R15,R15
         BNZ   ENDSTMT
         LA    R10,32(,R10)
         B     DISPATCH
*
* COND: R3 -> the tokens a op b; R15 = 0 when it holds, 4 when not.
* a &* holds when it holds for every argument, &$ for any one.
*
COND     ST    R14,CONDRET
         STM   R2,R8,CONDSAVE
         ST    R3,CONDTOKS
         CLC   0(8,R3),=CL8'&&*'
         BE    CONDALL
         CLC   0(8,R3),=CL8'&&$'
         BE    CONDANY
         BAL   R14,SUBTOK
         MVC   LEFT,WORKVAL
         BAL   R14,COMPARE
         B     CONDDONE
CONDALL  MVI   CONDKIND,0
         B     CONDARGS
CONDANY  MVI   CONDKIND,1
CONDARGS L     R6,ARGCOUNT
         LA    R7,ARGS
         LTR   R6,R6
         BZ    CONDNONE
CONDARG  MVC   LEFT,0(R7)
         BAL   R14,COMPARE
         CLI   CONDKIND,0
         BE    CONDEVRY
         LTR   R15,R15                  any one: true at the first
         BZ    CONDDONE
         B     CONDNEXT
CONDEVRY LTR   R15,R15                  every one: false at the first
         BNZ   CONDDONE
CONDNEXT LA    R7,8(,R7)
         BCT   R6,CONDARG
         B     CONDDONE
CONDNONE LA    R15,4                    no arguments: any is false,
         CLI   CONDKIND,1               every is true
         BE    CONDDONE
         SR    R15,R15
CONDDONE LM    R2,R8,CONDSAVE
         L     R14,CONDRET
         BR    R14
*
* COMPARE: LEFT op (CONDTOKS+16); as numbers when both are numbers.
*
COMPARE  ST    R14,CMPRET
         STM   R2,R8,CMPSAVE
         L     R3,CONDTOKS
         LA    R3,16(,R3)
         BAL   R14,SUBTOK
         LA    R1,LEFT
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   CMPCHAR
         LR    R6,R0
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   CMPCHAR
         CR    R6,R0
         B     CMPOP
CMPCHAR  CLC   LEFT,WORKVAL
CMPOP    BL    CMPLOW
         BH    CMPHIGH
         LA    R2,CMPEQ
         B     CMPFIND
CMPLOW   LA    R2,CMPLT
         B     CMPFIND
CMPHIGH  LA    R2,CMPGT
CMPFIND  L     R3,CONDTOKS
         LA    R3,8(,R3)                the operator
         LA    R4,OPTABLE
CMPSCAN  CLI   0(R4),X'FF'
         BE    ERRCOND
         CLC   0(8,R4),0(R3)
         BE    CMPHAVE
         LA    R4,9(,R4)
         B     CMPSCAN
CMPHAVE  SR    R5,R5
         IC    R5,8(,R4)
         SR    R6,R6
         IC    R6,0(,R2)
         SR    R15,R15
         NR    R5,R6                    true for this outcome?
         BNZ   CMPDONE
         LA    R15,4
CMPDONE  LM    R2,R8,CMPSAVE
         L     R14,CMPRET
         BR    R14
*
* &GOTO -label | TOP | n    and    &SKIP [n]
*
CWGOTO   CLI   8(R10),X'FF'
         BE    ERRGOTO
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         CLC   WORKVAL,=CL8'TOP'
         BNE   GOTONUM
         LA    R2,1
         B     GOLINE
GOTONUM  LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   GOTOLAB
         LR    R2,R0
         LTR   R2,R2
         BNP   ERRGOTO
         B     GOLINE
GOTOLAB  BAL   R14,FINDLAB
         LTR   R2,R2
         BZ    ERRGOTO
         B     GOLINE
CWSKIP   LA    R2,1
         CLI   8(R10),X'FF'
         BE    SKIPBY
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRGOTO
         LR    R2,R0
SKIPBY   A     R2,CURLINE
         A     R2,=F'1'
         LTR   R2,R2
         BNP   ERRGOTO
*
* GOLINE: go on at line R2 (one past the last ends the exec); a loop
* that does not hold that line is left.
*
GOLINE   L     R3,LINECNT
         LA    R3,1(,R3)
         CR    R2,R3
         BH    ERRGOTO
         ST    R2,NEXTNO
         MVI   JUMPED,1
GOLOOPS  L     R3,LOOPDPTH
         LTR   R3,R3
         BZ    NEXTLINE
         BCTR  R3,0
         LR    R4,R3
         MH    R4,=Y(LOOPLEN)
         LA    R8,LOOPS(R4)
         C     R2,0(,R8)
         BL    GOPOP
         C     R2,4(,R8)
         BNH   NEXTLINE
GOPOP    ST    R3,LOOPDPTH
         B     GOLOOPS
*
* FINDLAB: R2 = the number of the line whose first word is WORKVAL,
* or 0.
*
FINDLAB  STM   R3,R8,LABSAVE
         L     R5,LINECNT
         L     R6,LINEBASE
         LA    R2,1
LABLINE  CR    R2,R5
         BH    LABNONE
         L     R4,0(,R6)
         SR    R3,R3
         IC    R3,0(,R4)
         LA    R4,1(,R4)
LABSKIP  LTR   R3,R3
         BNP   LABNEXT
         CLI   0(R4),C' '
         BNE   LABWORD
         LA    R4,1(,R4)
         BCTR  R3,0
         B     LABSKIP
LABWORD  MVC   LABBUF,=CL8' '
         LA    R7,LABBUF
         LA    R8,8
LABCHAR  LTR   R3,R3
         BNP   LABCMP
         CLI   0(R4),C' '
         BE    LABCMP
         MVC   0(1,R7),0(R4)
         LA    R7,1(,R7)
         LA    R4,1(,R4)
         BCTR  R3,0
         BCT   R8,LABCHAR
LABCMP   CLC   LABBUF,WORKVAL
         BE    LABDONE
LABNEXT  LA    R2,1(,R2)
         LA    R6,4(,R6)
         B     LABLINE
LABNONE  SR    R2,R2
LABDONE  LM    R3,R8,LABSAVE
         BR    R14
*
* &LOOP n|-label count|condition
*
CWLOOP   CLI   8(R10),X'FF'
         BE    ERRSYN
         CLI   16(R10),X'FF'
         BE    ERRSYN
         L     R2,LOOPDPTH
         CH    R2,=Y(MAXLOOPS)
         BNL   ERRDEPTH
         MH    R2,=Y(LOOPLEN)
         LA    R8,LOOPS(R2)
         L     R2,CURLINE
         LA    R2,1(,R2)
         ST    R2,0(,R8)                first line
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   LOOPLAB
         LTR   R0,R0
         BNP   ERRSYN
         A     R0,CURLINE
         ST    R0,4(,R8)                last line
         B     LOOPHOW
LOOPLAB  BAL   R14,FINDLAB
         LTR   R2,R2
         BZ    ERRGOTO
         C     R2,CURLINE
         BNH   ERRGOTO
         ST    R2,4(,R8)
LOOPHOW  L     R2,4(,R8)
         C     R2,LINECNT
         BH    ERRLOOP
         CLI   24(R10),X'FF'
         BNE   LOOPUNTL
         MVI   12(R8),0                 a count
         LA    R3,16(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRSYN
         LTR   R0,R0
         BM    ERRSYN
         BZ    LOOPSKIP
         ST    R0,8(,R8)
         B     LOOPPUSH
LOOPUNTL CLI   32(R10),X'FF'
         BE    ERRCOND
         MVI   12(R8),1                 until a condition holds
         MVC   16(24,R8),16(R10)
         LA    R3,16(,R8)
         BAL   R14,COND
         LTR   R15,R15
         BZ    LOOPSKIP
LOOPPUSH L     R2,LOOPDPTH
         LA    R2,1(,R2)
         ST    R2,LOOPDPTH
         B     ENDSTMT
LOOPSKIP L     R2,4(,R8)
         LA    R2,1(,R2)
         ST    R2,NEXTNO
         B     ENDSTMT
*
* &TYPE, &BEGTYPE, &STACK, &BEGSTACK, &ARGS, &READ
*
CWTYPE   LA    R10,8(,R10)
         BAL   R14,SUBLIST
         BAL   R14,JOIN
         LA    R4,OUTLINE
         L     R5,OUTLEN
         BAL   R14,TYPE
         B     ENDSTMT
CWBEGTYP MVI   BLKMODE,C'T'
         B     ENDSTMT
CWBEGSTK MVI   BLKMODE,C'F'
         CLC   8(8,R10),=CL8'LIFO'
         BNE   ENDSTMT
         MVI   BLKMODE,C'L'
         B     ENDSTMT
CWSTACK  MVI   STKHOW,C'F'
         LA    R10,8(,R10)
         CLC   0(8,R10),=CL8'FIFO'
         BE    STACKOPT
         CLC   0(8,R10),=CL8'LIFO'
         BNE   STACKTXT
         MVI   STKHOW,C'L'
STACKOPT LA    R10,8(,R10)
STACKTXT BAL   R14,SUBLIST
         BAL   R14,JOIN
         LA    R4,OUTLINE
         L     R5,OUTLEN
         BAL   R14,STKPUSH
         B     ENDSTMT
CWARGS   LA    R10,8(,R10)
         BAL   R14,SUBLIST
         LA    R3,SUBS
         BAL   R14,SETARGS
         B     ENDSTMT
CWREAD   CLI   8(R10),X'FF'
         BE    READ1
         CLC   8(8,R10),=CL8'ARGS'
         BE    READARGS
         CLC   8(8,R10),=CL8'VARS'
         BE    READVARS
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRSYN
         LTR   R0,R0
         BM    ERRSYN
         ST    R0,READCNT
         B     ENDSTMT
READ1    MVC   READCNT,=F'1'
         B     ENDSTMT
READARGS BAL   R14,READCON
         BAL   R14,READTOKS
         LA    R3,RDTOKS
         BAL   R14,SETARGS
         B     ENDSTMT
READVARS BAL   R14,READCON
         BAL   R14,READTOKS
         LA    R6,RDTOKS
         LA    R10,16(,R10)             the variables to set
RVNEXT   CLI   0(R10),X'FF'
         BE    ENDSTMT
         CLI   0(R10),C'&&'
         BNE   ERRSYN
         MVC   TARGET,1(R10)
         MVI   TARGET+7,C' '
         MVC   VALBUF,=CL8' '
         CLI   0(R6),X'FF'
         BE    RVSET
         MVC   VALBUF,0(R6)
         LA    R6,8(,R6)
RVSET    BAL   R14,VARSET
         LA    R10,8(,R10)
         B     RVNEXT
*
* READCON: a line from the console (stacked lines first) in LINEBUF,
* its length in R0.  READTOKS: it cut into tokens at RDTOKS.
*
READCON  ST    R14,RDRET
         MVI   LINEBUF,C' '
         MVC   LINEBUF+1(L'LINEBUF-1),LINEBUF
         LA    R1,RDPLIST
         SVC   202
         L     R14,RDRET
         BR    R14
READTOKS LA    R1,LINEBUF
         LA    R2,RDTOKS
         L     R15,=V(DMSSCN)
         BR    R15
*
* &CONTROL, &ERROR, &EXIT, &TIME, &CONTINUE
*
CWCONTRL LA    R10,8(,R10)
CTLNEXT  CLI   0(R10),X'FF'
         BE    ENDSTMT
         LA    R2,CTLTABLE
CTLFIND  CLI   0(R2),X'FF'
         BE    ERRSYN
         CLC   0(8,R2),0(R10)
         BE    CTLFOUND
         LA    R2,12(,R2)
         B     CTLFIND
CTLFOUND L     R15,8(,R2)
         BALR  R14,R15
         LA    R10,8(,R10)
         B     CTLNEXT
CTLOFF   MVI   CTLMODE,CTLNONE
         BR    R14
CTLERR   MVI   CTLMODE,CTLERROR
         BR    R14
CTLCMSM  MVI   CTLMODE,CTLCMS
         BR    R14
CTLALLM  MVI   CTLMODE,CTLALL
         BR    R14
CTLTIMEY MVI   CTLTIME,1
         BR    R14
CTLTIMEN MVI   CTLTIME,0
         BR    R14
CTLMSGY  NI    EXFLAGS,255-EXNOMSG
         BR    R14
CTLMSGN  OI    EXFLAGS,EXNOMSG
         BR    R14
CWERROR  LA    R10,8(,R10)
         LA    R2,ERRACT
         LA    R3,15
ERRCOPY  MVC   0(8,R2),0(R10)
         CLI   0(R10),X'FF'
         BE    ENDSTMT
         LA    R2,8(,R2)
         LA    R10,8(,R10)
         BCT   R3,ERRCOPY
         B     ERRBUST
CWEXIT   CLI   8(R10),X'FF'
         BE    ENDEXEC
         LA    R3,8(,R10)
         BAL   R14,SUBTOK
         LA    R1,WORKVAL
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   ERRCONV
         ST    R0,EXITRC
         B     ENDEXEC
CWTIME   CLC   8(8,R10),=CL8'ON'
         BE    TIMEYES
         CLC   8(8,R10),=CL8'OFF'
         BE    TIMENO
         CLC   8(8,R10),=CL8'RESET'
         BE    TIMERES
         CLC   8(8,R10),=CL8'TYPE'
         BNE   ERRSYN
         BAL   R14,TIMETYPE
         B     ENDSTMT
TIMEYES  MVI   TIMEON,1
         B     ENDSTMT
TIMENO   MVI   TIMEON,0
         B     ENDSTMT
TIMERES  BAL   R14,TIMEBAS
         B     ENDSTMT
CWNOOP   B     ENDSTMT
*
* TIMEBAS: keep the CPU times now.  TIMETYPE: type T=v.vv/t.tt
* hh:mm:ss, the virtual and total CPU seconds since then and the time
* of day (under CP: DIAGNOSE X'0C'; the bare machine has no clock).
*
TIMEBAS  TM    SYSFLAGS,CPAVAIL
         BZR   R14
         LA    R2,EXTIME
         DIAG  R2,R0,X'000C'
         MVC   EXTBASE,EXTIME+16
         BR    R14
TIMETYPE ST    R14,TIMERET
         TM    SYSFLAGS,CPAVAIL
         BZ    TIMEDONE
         LA    R2,EXTIME
         DIAG  R2,R0,X'000C'
         MVC   OUTLINE(2),=C'T='
         LA    R2,OUTLINE+2
         L     R3,EXTIME+20
         S     R3,EXTBASE+4
         BAL   R14,SECONDS
         MVI   0(R2),C'/'
         LA    R2,1(,R2)
         L     R3,EXTIME+28
         S     R3,EXTBASE+12
         BAL   R14,SECONDS
         MVI   0(R2),C' '
         MVC   1(8,R2),EXTIME+8
         LA    R5,9(,R2)
         LA    R4,OUTLINE
         SR    R5,R4
         BAL   R14,TYPE
TIMEDONE L     R14,TIMERET
         BR    R14
SECONDS  ST    R14,SECRET
         SR    R4,R4
         LR    R5,R3
         D     R4,=F'10000'             hundredths of a second
         CVD   R5,EDITWORK
         MVC   SECOUT,SECPAT
         ED    SECOUT,EDITWORK+5
         LA    R3,SECOUT
         LA    R4,L'SECOUT
SECSKIP  CLI   0(R3),C' '
         BNE   SECTEXT
         LA    R3,1(,R3)
         BCT   R4,SECSKIP
SECTEXT  BCTR  R4,0
         EX    R4,MOVESEC
         LA    R2,1(R4,R2)
         L     R14,SECRET
         BR    R14
MOVESEC  MVC   0(0,R2),0(R3)
*
* The end of the exec.
*
ENDFILE  DS    0H
ENDEXEC  L     R15,EXITRC
RETURN   L     R13,EXSAVE13
         L     R2,DEPTH
         LTR   R2,R2
         BZ    LASTLVL
         BCTR  R2,0                     back to the exec that called
         ST    R2,DEPTH
         MH    R2,=Y(STATELEN)
         LA    R4,SAVESTK(R2)
         LA    R2,STATE
         BAL   R14,COPYSTAT
         B     RETURNED
LASTLVL  NI    EXFLAGS,255-EXACTIVE-EXNOMSG
RETURNED L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* An exec calls an exec: this one's state goes on SAVESTK, and the new
* one's variables, line addresses and lines follow this one's.
*
NESTED   L     R2,DEPTH
         CH    R2,=Y(MAXDEPTH)
         BNL   TOODEEP
         MH    R2,=Y(STATELEN)
         LA    R2,SAVESTK(R2)
         LA    R4,STATE
         BAL   R14,COPYSTAT
         L     R2,DEPTH
         LA    R2,1(,R2)
         ST    R2,DEPTH
         ST    R13,EXSAVE13             this level's save area
         L     R1,VARCOUNT
         SLL   R1,4
         A     R1,VARBASE
         ST    R1,VARBASE
         XC    VARCOUNT,VARCOUNT
         L     R1,LINECNT
         SLL   R1,2
         A     R1,LINEBASE
         ST    R1,LINEBASE
         XC    LINECNT,LINECNT
         CLI   8(R8),X'FF'
         BE    NONAME
         B     NEWLEVEL
TOODEEP  LA    R15,EXEC998
         LA    R5,L'EXEC998
         BAL   R14,TYPEPL
         L     R15,=F'10016'
         L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
NONAME   WRTERM 'DMSEXT001E NO FILENAME SPECIFIED'
         LA    R15,24
         L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* An error: DMSEXT072E ERROR IN EXEC FILE fn, LINE n - text, and the
* statement.  R10 -> the error's text length and number, the text
* just before them.
*
ERRGOTO  LA    R10,MERRGOTO
         B     LEAVE
ERRDEPTH LA    R10,MERRDPTH
         B     LEAVE
ERRSYN   LA    R10,MERRSYN
         B     LEAVE
ERRCOND  LA    R10,MERRCOND
         B     LEAVE
ERRASS   LA    R10,MERRASS
         B     LEAVE
ERRINDX  LA    R10,MERRINDX
         B     LEAVE
ERRCONV  LA    R10,MERRCONV
         B     LEAVE
ERRBUST  LA    R10,MERRBUST
         B     LEAVE
ERRBLTN  LA    R10,MERRBLTN
         B     LEAVE
ERRLOOP  LA    R10,MERRLOOP
         B     LEAVE
ERRWORD  LA    R10,MERRWORD
         B     LEAVE
ERROFLW  LA    R10,MERROFLW
         B     LEAVE
ERRDIVZ  LA    R10,MERRDIVZ
         B     LEAVE
ERRERR   LA    R10,MERRERR
         B     LEAVE
ERRSTACK LA    R10,MERRSTCK
LEAVE    L     R13,EXSAVE13
         MVC   OUTLINE(L'ERRHEAD),ERRHEAD
         LA    R2,OUTLINE+L'ERRHEAD
         LA    R3,EXECFN
         LA    R4,8
         L     R15,=V(DMSAPP)
         BALR  R14,R15
         MVC   0(7,R2),=C', LINE '
         LA    R2,7(,R2)
         L     R0,CURLINE
         LR    R6,R2
         BAL   R14,FMTNUM
         LR    R2,R6
         LA    R3,NUMBUF
         LA    R4,8
         L     R15,=V(DMSAPP)
         BALR  R14,R15
         MVC   0(3,R2),=C' - '
         LA    R2,3(,R2)
         SR    R4,R4
         IC    R4,0(,R10)               the text's length
         LR    R3,R10
         SR    R3,R4
         BCTR  R4,0
         EX    R4,MOVEERR
         LA    R2,1(R4,R2)
         LA    R4,OUTLINE
         LR    R5,R2
         SR    R5,R4
         BAL   R14,TYPE
         L     R5,CURLINE
         LTR   R5,R5
         BZ    LEAVERC
         LA    R4,LINEBUF
         L     R5,LINELEN
         BAL   R14,TYPE
LEAVERC  SR    R15,R15
         IC    R15,1(,R10)
         AH    R15,=H'10000'
         B     RETURN
MOVEERR  MVC   0(0,R2),0(R3)
*
* COPYSTAT: an exec's state (STATELEN bytes) from R4 to R2.
*
COPYSTAT L     R3,=A(STATELEN)
COPYPART CH    R3,=H'256'
         BNH   COPYLAST
         MVC   0(256,R2),0(R4)
         LA    R2,256(,R2)
         LA    R4,256(,R4)
         SH    R3,=H'256'
         B     COPYPART
COPYLAST BCTR  R3,0
         EX    R3,COPYREST
         BR    R14
COPYREST MVC   0(0,R2),0(R4)
*
* CLOSEIT: close the exec file.
*
CLOSEIT  ST    R14,CLOSERET
         MVC   FINFID,READFID
         LA    R1,FINLIST
         SVC   202
         L     R14,CLOSERET
         BR    R14
*
* SETARGS: the tokens at R3 (up to X'FF') become &1..&n, &INDEX n.
*
SETARGS  SR    R2,R2
         LA    R4,ARGS
SETARG   CLI   0(R3),X'FF'
         BE    SETARGN
         CH    R2,=Y(MAXARGS)
         BNL   SETARGN
         MVC   0(8,R4),0(R3)
         LA    R2,1(,R2)
         LA    R3,8(,R3)
         LA    R4,8(,R4)
         B     SETARG
SETARGN  ST    R2,ARGCOUNT
         BR    R14
*
* SUBLIST: the tokens at R10 with their values, at SUBS (X'FF' ends
* it): &* and &$ give every argument, &LITERAL the next token as it
* is, a token whose value is null is left out.
*
SUBLIST  ST    R14,SUBRET
         LA    R7,SUBS
         LR    R3,R10
SUBNEXT  CLI   0(R3),X'FF'
         BE    SUBEND
         CLC   0(8,R3),=CL8'&&LITERAL'
         BNE   SUBALL
         LA    R3,8(,R3)
         CLI   0(R3),X'FF'
         BE    SUBEND
         MVC   WORKVAL,0(R3)
         BAL   R14,SUBPUT
         B     SUBSTEP
SUBALL   CLC   0(8,R3),=CL8'&&*'
         BE    SUBARGS
         CLC   0(8,R3),=CL8'&&$'
         BE    SUBARGS
         BAL   R14,SUBTOK
         CLC   WORKVAL,=CL8' '
         BE    SUBSTEP
         BAL   R14,SUBPUT
SUBSTEP  LA    R3,8(,R3)
         B     SUBNEXT
SUBARGS  L     R6,ARGCOUNT
         LA    R5,ARGS
         LTR   R6,R6
         BZ    SUBSTEP
SUBARG   MVC   WORKVAL,0(R5)
         BAL   R14,SUBPUT
         LA    R5,8(,R5)
         BCT   R6,SUBARG
         B     SUBSTEP
SUBPUT   LA    R1,SUBSEND
         CR    R7,R1
         BNL   ERRBUST
         MVC   0(8,R7),WORKVAL
         LA    R7,8(,R7)
         BR    R14
SUBEND   MVC   0(8,R7),=8X'FF'
         L     R14,SUBRET
         BR    R14
*
* SUBTOK: the value of the token at R3 in WORKVAL: the part before an
* & as it is, followed by the value of the variable the rest names,
* cut at 8 bytes.  R3 is kept.
*
SUBTOK   ST    R14,STRET
         STM   R2,R8,STSAVE
         MVC   WORKVAL,0(R3)
         LA    R4,0(,R3)
         LA    R5,8
STFIND   CLI   0(R4),C'&&'
         BE    STAMP
         LA    R4,1(,R4)
         BCT   R5,STFIND
         B     STDONE                   no & in it
STAMP    BCTR  R5,0                     bytes of the name
         LTR   R5,R5
         BZ    STDONE                   a lone &
         MVC   NAMEBUF,=CL8' '
         BCTR  R5,0
         EX    R5,MOVENAME
         BAL   R14,LOOKUP
         LR    R6,R4
         SR    R6,R3                    bytes before the &
         LA    R7,WORKVAL(R6)
         LA    R5,8
         SR    R5,R6                    room after them
         MVC   WORKVAL,=CL8' '
         LTR   R6,R6
         BZ    STVALUE
         BCTR  R6,0
         EX    R6,MOVEPRE
STVALUE  BCTR  R5,0
         EX    R5,MOVEVAL
STDONE   LM    R2,R8,STSAVE
         L     R14,STRET
         BR    R14
MOVENAME MVC   NAMEBUF(0),1(R4)
MOVEPRE  MVC   WORKVAL(0),0(R3)
MOVEVAL  MVC   0(0,R7),0(R1)
*
* LOOKUP: R1 -> the 8-byte value of the variable NAMEBUF names (blanks
* when it has none); R15 = 0 when it is set (or is a special one), 4
* when not.
*
LOOKUP   ST    R14,LOOKRET
         BAL   R14,SPECIAL
         LTR   R15,R15
         BZ    LOOKDONE
         L     R2,VARCOUNT
         L     R1,VARBASE
         LTR   R2,R2
         BZ    LOOKNONE
LOOKVAR  CLC   0(8,R1),NAMEBUF
         BE    LOOKHAVE
         LA    R1,16(,R1)
         BCT   R2,LOOKVAR
LOOKNONE LA    R1,=CL8' '
         LA    R15,4
         B     LOOKDONE
LOOKHAVE LA    R1,8(,R1)
         SR    R15,R15
LOOKDONE L     R14,LOOKRET
         BR    R14
*
* SPECIAL: R15 = 0 and R1 -> the value when NAMEBUF is a special
* variable (a number, INDEX, RETCODE, LINENUM, READFLAG); else 4.
*
SPECIAL  ST    R14,SPECRET
         LA    R1,NAMEBUF
         BAL   R14,PARSENUM
         LTR   R15,R15
         BNZ   SPECNAME
         CLI   NAMEBUF,C'+'
         BE    SPECNOT
         CLI   NAMEBUF,C'-'
         BE    SPECNOT
         LTR   R2,R0
         BZ    SPECZERO
         C     R2,ARGCOUNT
         BH    SPECNULL
         BCTR  R2,0
         SLL   R2,3
         LA    R1,ARGS(R2)
         B     SPECYES
SPECZERO LA    R1,EXECFN
         B     SPECYES
SPECNULL LA    R1,=CL8' '
         B     SPECYES
SPECNAME CLC   NAMEBUF,=CL8'INDEX'
         BNE   SPECRC
         L     R0,ARGCOUNT
         B     SPECNUM
SPECRC   CLC   NAMEBUF,=CL8'RETCODE'
         BNE   SPECLINE
         L     R0,RETCODE
         B     SPECNUM
SPECLINE CLC   NAMEBUF,=CL8'LINENUM'
         BNE   SPECRDF
         L     R0,CURLINE
         B     SPECNUM
SPECRDF  CLC   NAMEBUF,=CL8'READFLA'  &READFLAG cut at 8
         BNE   SPECNOT
         LA    R1,=CL8'CONSOLE'
         L     R2,STKCOUNT
         LTR   R2,R2
         BZ    SPECYES
         LA    R1,=CL8'STACK'
         B     SPECYES
SPECNUM  BAL   R14,FMTNUM
         LA    R1,NUMBUF
SPECYES  SR    R15,R15
         B     SPECDONE
SPECNOT  LA    R15,4
SPECDONE L     R14,SPECRET
         BR    R14
*
* VARSET: the variable TARGET gets the value VALBUF.
*
VARSET   L     R2,VARCOUNT
         L     R1,VARBASE
         LTR   R3,R2
         BZ    VARNEW
VARFIND  CLC   0(8,R1),TARGET
         BE    VARPUT
         LA    R1,16(,R1)
         BCT   R3,VARFIND
VARNEW   C     R1,=A(VARTAB+MAXVARS*16)
         BNL   ERRASS
         LA    R2,1(,R2)
         ST    R2,VARCOUNT
         MVC   0(8,R1),TARGET
VARPUT   MVC   8(8,R1),VALBUF
         BR    R14
*
* PARSENUM: R1 -> 8 bytes; R15 = 0 and R0 the number when they are
* an optional sign, digits and blanks; else R15 = 4.
*
PARSENUM STM   R2,R5,NUMSAVE
         SR    R0,R0
         LA    R2,8
         SR    R4,R4                    0 plus, 1 minus
         CLI   0(R1),C'+'
         BE    PNSIGN
         CLI   0(R1),C'-'
         BNE   PNFIRST
         LA    R4,1
PNSIGN   LA    R1,1(,R1)
         BCTR  R2,0
PNFIRST  CLI   0(R1),C'0'               at least one digit
         BL    PNBAD
         CLI   0(R1),C'9'
         BH    PNBAD
PNDIGIT  CLI   0(R1),C' '
         BE    PNBLANKS
         CLI   0(R1),C'0'
         BL    PNBAD
         CLI   0(R1),C'9'
         BH    PNBAD
         LR    R3,R0
         SLL   R0,2
         AR    R0,R3
         SLL   R0,1                     times 10
         IC    R3,0(,R1)
         N     R3,=F'15'
         AR    R0,R3
         LA    R1,1(,R1)
         BCT   R2,PNDIGIT
         B     PNGOOD
PNBLANKS CLI   0(R1),C' '
         BNE   PNBAD
         LA    R1,1(,R1)
         BCT   R2,PNBLANKS
PNGOOD   LTR   R4,R4
         BZ    PNPLUS
         LCR   R0,R0
PNPLUS   SR    R15,R15
         LM    R2,R5,NUMSAVE
         BR    R14
PNBAD    LA    R15,4
         LM    R2,R5,NUMSAVE
         BR    R14
*
* FMTNUM: R0 as a decimal number in NUMBUF, left-justified; a value
* that needs more than 8 characters is EXEC ARITHMETIC OVERFLOW.
*
FMTNUM   C     R0,=F'99999999'
         BH    ERROFLW
         C     R0,=F'-9999999'
         BL    ERROFLW
         CVD   R0,EDITWORK
         MVC   NUMWORK,NUMPAT
         LA    R1,NUMWORK+9             the last digit, for a zero
         EDMK  NUMWORK,EDITWORK+3
         LTR   R0,R0
         BNM   FMTPOS
         BCTR  R1,0
         MVI   0(R1),C'-'
FMTPOS   MVC   NUMBUF,=CL8' '
         LA    R2,NUMWORK+10
         SR    R2,R1                    characters in it
         BCTR  R2,0
         EX    R2,MOVENUM
         BR    R14
MOVENUM  MVC   NUMBUF(0),0(R1)
*
* JOIN: the tokens at SUBS joined by one blank, at OUTLINE, OUTLEN.
*
JOIN     LA    R2,OUTLINE
         LA    R3,SUBS
JOINTOK  CLI   0(R3),X'FF'
         BE    JOINEND
         LA    R4,8
         LA    R5,OUTLINE+130-9
         CR    R2,R5
         BH    JOINEND
JOINCHR  CLI   0(R3),C' '
         BE    JOINNEXT
         MVC   0(1,R2),0(R3)
         LA    R2,1(,R2)
         LA    R3,1(,R3)
         BCT   R4,JOINCHR
         B     JOINBLNK
JOINNEXT LA    R3,1(,R3)
         BCT   R4,JOINNEXT
JOINBLNK MVI   0(R2),C' '
         LA    R2,1(,R2)
         B     JOINTOK
JOINEND  LA    R3,OUTLINE
         SR    R2,R3
         BNP   JOINLEN
         BCTR  R2,0                     no blank after the last
JOINLEN  ST    R2,OUTLEN
         BR    R14
*
* SHOWCMD: type the command at SUBS.  TRACE: type the statement at
* R10 (&CONTROL ALL) with its values.
*
SHOWCMD  ST    R14,SHOWRET
         BAL   R14,JOIN
         LA    R4,OUTLINE
         L     R5,OUTLEN
         CLI   CTLTIME,0                &CONTROL TIME: the time of day
         BE    SHOWIT                   before the command
         TM    SYSFLAGS,CPAVAIL
         BZ    SHOWIT
         LA    R2,EXTIME
         DIAG  R2,R0,X'000C'
         MVC   TIMEDLIN(8),EXTIME+8
         MVI   TIMEDLIN+8,C' '
         MVC   TIMEDLIN+9(130),OUTLINE
         LA    R4,TIMEDLIN
         LA    R5,9(,R5)
SHOWIT   BAL   R14,TYPE
         L     R14,SHOWRET
         BR    R14
TRACE    ST    R14,SHOWRET
         CLC   0(8,R10),=CL8'&&TYPE'    its own line says enough
         BE    TRACEND
         BAL   R14,SUBLIST
         BAL   R14,JOIN
         LA    R4,OUTLINE
         L     R5,OUTLEN
         BAL   R14,TYPE
TRACEND  L     R14,SHOWRET
         BR    R14
*
* TYPE: type the line at R4, R5 bytes.  TYPEPL: at R15.
*
TYPEPL   LR    R4,R15
TYPE     ST    R4,TYPADDR
         MVC   TYPPLIST+9(3),TYPADDR+1
         STH   R5,TYPLEN
         ST    R14,TYPERET
         LA    R1,TYPPLIST
         SVC   202
         L     R14,TYPERET
         BR    R14
*
* STKPUSH: put the line at R4, R5 bytes, on the console stack: last
* (STKHOW F, first in first out) or first (L).
*
STKPUSH  L     R2,STKCOUNT
         CH    R2,=Y(MAXSTACK)
         BNL   ERRSTACK
         CH    R5,=H'130'
         BNH   STKSHORT
         LA    R5,130
STKSHORT L     R6,=A(STACK)
         CLI   STKHOW,C'L'
         BE    STKLIFO
         LR    R3,R2
         MH    R3,=Y(STKSLOT)
         AR    R6,R3
         B     STKPUT
STKLIFO  LR    R3,R2                    move every line down one slot
STKDOWN  LTR   R3,R3
         BZ    STKPUT
         BCTR  R3,0
         LR    R7,R3
         MH    R7,=Y(STKSLOT)
         AR    R7,R6
         MVC   STKSLOT(STKSLOT,R7),0(R7)
         B     STKDOWN
STKPUT   STH   R5,0(,R6)
         LTR   R7,R5
         BZ    STKDONE
         BCTR  R7,0
         EX    R7,MOVESTK
STKDONE  LA    R2,1(,R2)
         ST    R2,STKCOUNT
         BR    R14
MOVESTK  MVC   2(0,R6),0(R4)
*
* DMSSTKPL: the first stacked line to the 130 bytes at R1.
*
         DROP  R9,R11,R12
         USING DMSSTKPL,R15
DMSSTKPL STM   R14,R12,STKSAVE
         L     R12,=A(DMSEXT)
         DROP  R15
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         USING DMSEXT,R12,R11
         L     R9,=A(EXECWORK)
         USING EXWORK,R9
         L     R2,STKCOUNT
         LTR   R2,R2
         BZ    PULLNONE
         L     R6,=A(STACK)
         LH    R5,0(,R6)
         LTR   R4,R5
         BZ    PULLUP
         BCTR  R4,0
         EX    R4,MOVEPULL
PULLUP   BCTR  R2,0                     move the others up one slot
         ST    R2,STKCOUNT
         LTR   R2,R2
         BZ    PULLDONE
PULLMOVE MVC   0(STKSLOT,R6),STKSLOT(R6)
         LA    R6,STKSLOT(,R6)
         BCT   R2,PULLMOVE
PULLDONE LR    R0,R5
         L     R14,STKSAVE
         LM    R1,R12,STKSAVE+12
         SR    R15,R15
         BR    R14
PULLNONE L     R14,STKSAVE
         LM    R0,R12,STKSAVE+8
         LA    R15,4
         BR    R14
MOVEPULL MVC   0(0,R1),2(R6)
*
* DMSEXTRS: after an abend no exec is running.
*
DMSEXTRS NI    EXFLAGS,255-EXACTIVE-EXNOMSG
         BR    R14
*
* DMSEXTIM: 'name EXEC' for a command found nowhere else.
* DMSEXTPR: PROFILE EXEC at IPL.
*
         DROP  R9,R11,R12
         USING DMSEXTPR,R15
DMSEXTPR STM   R14,R12,12(R13)
         L     R12,=A(DMSEXT)
         DROP  R15
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         USING DMSEXT,R12,R11
         L     R9,=A(EXECWORK)
         USING EXWORK,R9
         XC    STKCOUNT,STKCOUNT        IPL: the stack is empty
         MVC   IMPLIST(8),=CL8'EXEC'
         MVC   IMPLIST+8(8),=CL8'PROFILE'
         MVC   IMPLIST+16(8),=8X'FF'
         B     IMPSTATE
         DROP  R9,R11,R12
         USING DMSEXTIM,R15
DMSEXTIM STM   R14,R12,12(R13)
         L     R12,=A(DMSEXT)
         DROP  R15
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         USING DMSEXT,R12,R11
         L     R9,=A(EXECWORK)
         USING EXWORK,R9
         LA    R1,0(,R1)
         MVC   IMPLIST(8),=CL8'EXEC'
         MVC   IMPLIST+8(8*17),0(R1)    EXEC, then the command's words
         MVC   IMPLIST+8+8*17(8),=8X'FF'
IMPSTATE MVC   STATEFN,IMPLIST+8
         LA    R1,STATLIST
         SVC   202
         LTR   R15,R15
         BZ    IMPRUN
         LH    R15,=H'-3'
         B     IMPDONE
IMPRUN   LA    R1,IMPLIST
         SVC   202
IMPDONE  L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* Constants and tables.
*
         DS    0F
CWTABLE  DC    CL8'&&IF',A(CWIF)
         DC    CL8'&&GOTO',A(CWGOTO)
         DC    CL8'&&SKIP',A(CWSKIP)
         DC    CL8'&&LOOP',A(CWLOOP)
         DC    CL8'&&TYPE',A(CWTYPE)
         DC    CL8'&&BEGTYPE',A(CWBEGTYP)
         DC    CL8'&&STACK',A(CWSTACK)
         DC    CL8'&&BEGSTAC',A(CWBEGSTK)
         DC    CL8'&&READ',A(CWREAD)
         DC    CL8'&&ARGS',A(CWARGS)
         DC    CL8'&&CONTROL',A(CWCONTRL)
         DC    CL8'&&ERROR',A(CWERROR)
         DC    CL8'&&EXIT',A(CWEXIT)
         DC    CL8'&&TIME',A(CWTIME)
         DC    CL8'&&CONTINU',A(CWNOOP)
         DC    X'FF'
         DS    0F
BITABLE  DC    CL8'&&CONCAT',A(BICONCAT)
         DC    CL8'&&SUBSTR',A(BISUBSTR)
         DC    CL8'&&LENGTH',A(BILENGTH)
         DC    CL8'&&DATATYP',A(BIDATATY)
         DC    CL8'&&LITERAL',A(BILITERL)
         DC    X'FF'
         DS    0F
CTLTABLE DC    CL8'OFF',A(CTLOFF)
         DC    CL8'ERROR',A(CTLERR)
         DC    CL8'CMS',A(CTLCMSM)
         DC    CL8'ALL',A(CTLALLM)
         DC    CL8'TIME',A(CTLTIMEY)
         DC    CL8'NOTIME',A(CTLTIMEN)
         DC    CL8'MSG',A(CTLMSGY)
         DC    CL8'NOMSG',A(CTLMSGN)
         DC    X'FF'
*        The comparison operators and the outcomes they hold for.
CMPLT    DC    X'04'
CMPEQ    DC    X'02'
CMPGT    DC    X'01'
OPTABLE  DC    CL8'EQ',X'02',CL8'=',X'02'
         DC    CL8'NE',X'05',X'5F7E404040404040',X'05'
         DC    CL8'LT',X'04',CL8'<',X'04'
         DC    CL8'LE',X'06',CL8'<=',X'06'
         DC    CL8'GT',X'01',CL8'>',X'01'
         DC    CL8'GE',X'03',CL8'>=',X'03'
         DC    X'FF'
ERRHEAD  DC    C'DMSEXT072E ERROR IN EXEC FILE '
EXEC998  DC    C'DMSEXT998E EXECS NESTED TOO DEEP'
         DC    C'FILE NOT FOUND'
MERRFILE DC    AL1(14),AL1(1)
         DC    C'&&SKIP OR &&GOTO ERROR'
MERRGOTO DC    AL1(20),AL1(2)
         DC    C'BAD FILE FORMAT'
MERRSIZE DC    AL1(15),AL1(3)
         DC    C'MAX DEPTH OF LOOP NESTING EXCEEDED'
MERRDPTH DC    AL1(34),AL1(5)
         DC    C'ERROR READING FILE'
MERRREAD DC    AL1(18),AL1(6)
         DC    C'INVALID SYNTAX'
MERRSYN  DC    AL1(14),AL1(7)
         DC    C'INVALID FORM OF CONDITION'
MERRCOND DC    AL1(25),AL1(8)
         DC    C'INVALID ASSIGNMENT'
MERRASS  DC    AL1(18),AL1(9)
         DC    C'MISUSE OF SPECIAL VARIABLE'
MERRINDX DC    AL1(26),AL1(10)
         DC    C'ERROR IN &&ERROR ACTION'
MERRERR  DC    AL1(22),AL1(11)
         DC    C'CONVERSION ERROR'
MERRCONV DC    AL1(16),AL1(12)
         DC    C'TOO MANY TOKENS IN STATEMENT'
MERRBUST DC    AL1(28),AL1(13)
         DC    C'MISUSE OF BUILT-IN FUNCTION'
MERRBLTN DC    AL1(27),AL1(14)
         DC    C'EOF FOUND IN LOOP'
MERRLOOP DC    AL1(17),AL1(15)
         DC    C'INVALID CONTROL WORD'
MERRWORD DC    AL1(20),AL1(16)
         DC    C'EXEC ARITHMETIC OVERFLOW'
MERROFLW DC    AL1(24),AL1(18)
         DC    C'EXEC DIVIDE BY ZERO'
MERRDIVZ DC    AL1(19),AL1(30)
         DC    C'CONSOLE STACK FULL'
MERRSTCK DC    AL1(18),AL1(31)
RCPAT    DC    X'F02020202020'
NUMPAT   DC    X'40202020202020202120'
SECPAT   DC    X'40202120',C'.',X'2020'
         DS    0F
READLIST DC    CL8'RDBUF'
READFID  DC    CL8' ',CL8'EXEC',CL2'* '
         DC    H'0',A(0),F'130'          A(RECBUF) at run time
         DC    CL2' ',H'1'
READLEN  DC    F'0'
         DS    0F
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
         DS    0F
STATLIST DC    CL8'STATE'
STATEFN  DC    CL8' ',CL8'EXEC',CL2'* ',CL6' ',8X'FF'
         DS    0F
TYPPLIST DC    CL8'TYPLIN',AL1(1),AL3(0),C'B',X'00'
TYPLEN   DC    H'0'
         DS    0F
RDPLIST  DC    CL8'WAITRD',AL1(1),AL3(0),C'V',AL3(0)
RCLINE   DC    C'+++ R(00000) +++'
STKSAVE  DS    15F                DMSSTKPL's caller's registers
         LTORG
*
* Working storage, in the EXEC work area above the nucleus image
* (CMSLAYO), so the IPL reads none of it; R9 addresses it.
*
EXWORK   DSECT
MAXARGS  EQU   16
MAXVARS  EQU   128                for every level together
MAXLOOPS EQU   4
LOOPLEN  EQU   40                 first, last, count, kind, a op b
MAXSTACK EQU   32
STKSLOT  EQU   132                length (2 bytes) and 130 bytes
MAXLINES EQU   1000               for every level together
MAXDEPTH EQU   3                  execs an exec may call, nested
CTLNONE  EQU   0                  &CONTROL OFF
CTLERROR EQU   1                  ERROR: a command that fails
CTLCMS   EQU   2                  CMS: every command
CTLALL   EQU   3                  ALL: every statement
*        One exec's state: kept in SAVESTK while it calls another.
STATE    DS    0D
EXSAVE13 DS    F
EXECFN   DS    CL8
LINECNT  DS    F                  lines in the exec
CURLINE  DS    F                  the line being run
NEXTNO   DS    F                  the line to run next
JUMPED   DS    F                  byte 0 nonzero: NEXTNO was set
LINELEN  DS    F
READCNT  DS    F                  lines &READ n still reads
ARGCOUNT DS    F
VARCOUNT DS    F
RETCODE  DS    F
EXITRC   DS    F
LOOPDPTH DS    F
VARBASE  DS    A                  its variables in VARTAB
LINEBASE DS    A                  its line addresses in LINEIX
BUFBASE  DS    A                  its lines in EXECBUF
BUFEND   DS    A                  the first byte past them
CTLMODE  DS    X
CTLTIME  DS    X
TIMEON   DS    X
BLKMODE  DS    C                  T typing, F or L stacking, 0 neither
FROMCON  DS    X
INERRACT DS    X
         DS    0D
EXTBASE  DS    2D
ARGS     DS    (MAXARGS)CL8
LOOPS    DS    (MAXLOOPS*LOOPLEN)X
ERRACT   DS    16D                the &ERROR statement
SUBS     DS    40D
SUBSEND  EQU   *
         DS    D
LINEBUF  DS    CL130
         DS    0D
STATELEN EQU   *-STATE
DEPTH    DS    F                  execs running that called another
STKCOUNT DS    F                  lines on the console stack
OUTLEN   DS    F
VALRET   DS    F
BIRET    DS    F
CONDRET  DS    F
CONDTOKS DS    F
CMPRET   DS    F
RDRET    DS    F
TIMERET  DS    F
SECRET   DS    F
CLOSERET DS    F
SUBRET   DS    F
STRET    DS    F
LOOKRET  DS    F
SPECRET  DS    F
SHOWRET  DS    F
TYPERET  DS    F
TYPADDR  DS    F
NUMSAVE  DS    4F
CMPSAVE  DS    7F
CONDSAVE DS    7F
STSAVE   DS    7F
LABSAVE  DS    6F
STKHOW   DS    C
CONDKIND DS    X
SECOUT   DS    CL7
         DS    0D
EXTIME   DS    4D
NAMEBUF  DS    CL8
TARGET   DS    CL8
WORKVAL  DS    CL8
VALBUF   DS    CL8
NUMBUF   DS    CL8
LEFT     DS    CL8
OPERATOR DS    CL8
LABBUF   DS    CL8
NUMWORK  DS    CL10
         DS    0D
TOKS     DS    18D
RDTOKS   DS    18D
IMPLIST  DS    CL8,18D
RECBUF   DS    CL130
OUTLINE  DS    CL140
TIMEDLIN DS    CL140
         DS    0D
SAVESTK  DS    (MAXDEPTH*STATELEN)X
EXWORKLN EQU   *-EXWORK
VARTAB   EQU   EXECWORK+EXWORKLN  name, value
LINEIX   EQU   VARTAB+MAXVARS*16  where each line is in EXECBUF
STACK    EQU   LINEIX+MAXLINES*4
EXECBUF  EQU   STACK+MAXSTACK*STKSLOT   each line: a length, the text
EXECEND  EQU   EXECWORK+EXECWLEN
         NUCON
         END
