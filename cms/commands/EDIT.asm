EDI      TITLE 'EDIT - THE CMS CONTEXT EDITOR (DMSEDI)'
*
* EDIT fn ft [fm]
*    edits a file held in storage as a list of lines between two null
*    lines, the top of file (TOF) and the end of file (EOF), with a
*    current-line pointer.  An existing file (fm default *: the first
*    found in mode order) is read whole and EDIT: is typed; a new file
*    (mode default A1) types NEW FILE: and INPUT:.  The filetype gives
*    the defaults, as VM/370's DMSEDF table did: record format and
*    length, case, truncation and verify columns, tabs, serialization.
*
* Edit mode: each line typed is a subcommand (see the table REQUESTS);
*    a null line enters input mode.  Input mode: each line typed is
*    inserted after the current line and becomes current; tab
*    characters (X'05') move to the next TABSET column; a null line
*    returns to edit mode.  FILE and SAVE write the lines back as
*    records (F padded to LRECL, V without trailing blanks), with
*    columns 73-80 serialized when SERIAL is on.
*
* Display mode (FORMAT DISPLAY, on a 3270 under CP; FORMAT LINE leaves
*    it): before each read the screen is painted by DIAGNOSE X'58'
*    (PAINT): status line, message line, the lines around the current
*    one, the current line intensified on screen line 10; messages go
*    to the message line (TYPE) and nothing else is typed.
*
* Entered: as a MODULE by SVC 202, R1 -> the command's tokens (EDIT,
*          fn, ft, fm); R12 and R15 the entry, R13 an 18-word save
*          area, R14 the return.
* Exits:   R15 = 0 after FILE, QUIT or QQUIT; 24 an incomplete fileid
*          (DMSEDI054E); 28 the work file EDIT CMSUT1 exists
*          (DMSEDI024E); 32 a record length over 160 (DMSEDI044E);
*          88 the file does not fit in storage (DMSEDI132S); 100 a read
*          error (DMSEDI104S).  Calls RDBUF, WRBUF, FINIS, STATE,
*          ERASE, RENAME, WAITRD and TYPLIN through SVC 202.
*
* Storage: the module, then every line as a node of 8 + LRECL bytes
*    (forward and backward pointers, then the record padded with
*    blanks) from the end of the module up to the end of storage.
*    Deleted nodes go on a free list and are used again.
*
         MACRO
&LABEL   EDMSG &TEXT
.*       A message: typed in line mode, on the message line in display
.*       mode (TYPE); R14 kept, R0, R1 and R15 changed as by WRTERM.
         LCLC  &N
&N       SETC  'EDM&SYSNDX'
&LABEL   ST    R14,MSGR14
         B     &N.B
&N.T     DC    C&TEXT
&N.B     LA    R1,&N.T
         LA    R0,L'&N.T
         BAL   R14,TYPE
         L     R14,MSGR14
         MEND
         REGEQU
         CMSLAYO
         FSTD
NEXTPTR  EQU   0                        a node: the next line
PREVPTR  EQU   4                        the line before
LINEDATA EQU   8                        the record, LRECL bytes
MAXLRECL EQU   160                      the longest record EDIT holds
WORKSIZE EQU   400                      a changed line before its cut
EDIT     CSECT
         USING NUCON,R0
         USING EDIT,R12,R11,R10
         STM   R14,R12,12(R13)
         LR    R12,R15
         LA    R11,2048(,R12)
         LA    R11,2048(,R11)
         LA    R10,2048(,R11)
         LA    R10,2048(,R10)
         ST    R13,SAVEAREA+4
         LA    R13,SAVEAREA
         LR    R9,R1
         BAL   R14,INITEDIT
         MVC   FILEFN,8(R9)
         CLI   8(R9),X'FF'
         BE    NOFILEID
         CLI   16(R9),X'FF'
         BE    NOFILEID
         CLI   16(R9),C'('
         BE    NOFILEID
         MVC   FILEFT,16(R9)
         MVC   FILEFM,=C'* '
         CLI   24(R9),X'FF'
         BE    DEFAULTS
         CLI   24(R9),C'('
         BE    DEFAULTS
         MVC   FILEFM,24(R9)
         CLI   FILEFM+1,C' '
         BNE   DEFAULTS
         MVI   FILEFM+1,C'1'
DEFAULTS MVC   STATEFID(16),WORKFID     a work file left by an EDIT
         MVC   STATEFID+16(2),=C'* '    that stopped while writing is
         LA    R1,STATLIST              the user's to keep or erase
         SVC   202
         LTR   R15,R15
         BZ    WORKLEFT
         BAL   R14,FTDEFLT
         MVC   STATEFID,FILEID
         LA    R1,STATLIST
         SVC   202
         LTR   R15,R15
         BNZ   NEWFILE
         LR    R2,R0                    the FST copy
         USING FSTD,R2
         MVC   FILEFM,FSTFMODE
         MVC   RECFM,FSTRECFM
         L     R3,FSTLRECL
         LH    R4,FSTRECCT
         N     R4,=X'0000FFFF'
         DROP  R2
         CLI   RECFM,C'V'               V: room to the filetype's
         BNE   LRECLSET                 length at least
         C     R3,LRECL
         BNL   LRECLSET
         L     R3,LRECL
LRECLSET CH    R3,=Y(MAXLRECL)
         BH    TOOWIDE
         ST    R3,LRECL
         BAL   R14,SIZENODE
         LR    R5,R4                    will the file fit?
         M     R4,NODESIZE
         L     R15,POOLEND
         S     R15,POOLNEXT
         LTR   R4,R4
         BNZ   TOOLARGE
         CR    R5,R15
         BH    TOOLARGE
         BAL   R14,SETCOLS
         BAL   R14,READFILE
         LTR   R15,R15
         BNZ   READERR
         MVI   CHANGED,0
         MVC   CURLINE,=A(TOFNODE)
         WRTERM 'EDIT:'
         B     EDITMODE
NEWFILE  CLI   FILEFM,C'*'
         BNE   NEWMODE
         MVC   FILEFM,=C'A1'
NEWMODE  BAL   R14,SIZENODE
         BAL   R14,SETCOLS
         MVC   CURLINE,=A(TOFNODE)
         WRTERM 'NEW FILE:'
         B     ENTERINP
NOFILEID WRTERM 'DMSEDI054E INCOMPLETE FILEID SPECIFIED'
         LA    R15,24
         B     EXIT
WORKLEFT LR    R2,R0
         MVC   SAVEFID,FILEID
         MVC   FILEID(16),WORKFID
         MVC   FILEFM,FSTFMODE-FSTD(R2)
         LA    R2,MSGWORK
         ADDTEXT 'DMSEDI024E FILE '''
         BAL   R14,FIDTEXT
         ADDTEXT ''' ALREADY EXISTS'
         BAL   R14,TYPEMSG
         LA    R15,28
         B     EXIT
TOOWIDE  WRTERM 'DMSEDI044E RECORD LENGTH EXCEEDS ALLOWABLE MAXIMUM'
         LA    R15,32
         B     EXIT
TOOLARGE LA    R2,MSGWORK
         ADDTEXT 'DMSEDI132S FILE '''
         BAL   R14,FIDTEXT
         ADDTEXT ''' TOO LARGE'
         BAL   R14,TYPEMSG
         LA    R15,88
         B     EXIT
READERR  LA    R2,MSGWORK
         ST    R15,READRC
         ADDTEXT 'DMSEDI104S ERROR '''
         L     R15,READRC
         BAL   R14,RCTEXT
         ADDTEXT ''' READING FILE '''
         BAL   R14,FIDTEXT
         ADDTEXT ''' FROM DISK'
         BAL   R14,TYPEMSG
         LA    R15,100
         B     EXIT
QUITOK   SR    R15,R15
EXIT     CLI   DISPMODE,0               leaving display mode: the
         BE    EXITGO                   screen is given back to CP
         LR    R2,R15
         BAL   R14,CANCEL
         LR    R15,R2
EXITGO   L     R13,SAVEAREA+4
         L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
*
* INITEDIT: the upper-case table, the storage pool, empty file.
*
INITEDIT SR    R1,R1
INITTR   STC   R1,UPPER(R1)
         LA    R1,1(,R1)
         CH    R1,=H'256'
         BL    INITTR
         OC    UPPER+X'81'(9),=9X'40'   a-i, j-r, s-z as A-I, J-R, S-Z
         OC    UPPER+X'91'(9),=9X'40'
         OC    UPPER+X'A2'(8),=8X'40'
         L     R1,=A(POOL)
         ST    R1,POOLNEXT
         L     R1,STORSIZE
         ST    R1,POOLEND
         XC    FREELIST,FREELIST
         MVC   TOFNODE(4),=A(EOFNODE)
         XC    TOFNODE+4(4),TOFNODE+4
         XC    EOFNODE(4),EOFNODE
         MVC   EOFNODE+4(4),=A(TOFNODE)
         MVI   CHANGED,0
         XC    LASTLEN,LASTLEN
         MVI   DISPMODE,0               line mode until FORMAT DISPLAY
         MVC   MODEWORD,=CL5'EDIT'
         XC    MSGLEN,MSGLEN
         BR    R14
*
* FTDEFLT: the settings of the filetype (VM/370 DMSEDF's table).
*
FTDEFLT  LA    R1,FTTABLE
FTLOOK   CLI   0(R1),X'FF'
         BE    FTFOUND
         CLC   0(8,R1),FILEFT
         BE    FTFOUND
         LA    R1,FTENTRY(,R1)
         B     FTLOOK
FTFOUND  MVC   CASEMODE,8(R1)
         MVC   SERFLAG,9(R1)
         MVC   RECFM,10(R1)
         SR    R15,R15
         IC    R15,11(,R1)
         ST    R15,LRECL
         IC    R15,12(,R1)
         STH   R15,TRUNCCOL
         IC    R15,13(,R1)
         STH   R15,VERCOL2
         L     R15,16(,R1)              the tab stops
         MVC   TABS,0(R15)
         LA    R15,10
         ST    R15,SERINCR
         MVI   VERFLAG,1
         BR    R14
*
* SIZENODE: the size of a node for LRECL, in whole words.
*
SIZENODE L     R15,LRECL
         LA    R15,LINEDATA+3(,R15)
         N     R15,=X'FFFFFFFC'
         ST    R15,NODESIZE
         BR    R14
*
* SETCOLS: truncation, zone and verify columns within LRECL (0 in the
* filetype table means LRECL); serialization only for F 80.
*
SETCOLS  L     R15,LRECL
         LH    R1,TRUNCCOL
         LTR   R1,R1
         BZ    SETTRUNC
         CR    R1,R15
         BNH   SETTRNC2
SETTRUNC LR    R1,R15
SETTRNC2 STH   R1,TRUNCCOL
         STH   R1,ZONE2
         MVC   ZONE1,=H'1'
         LH    R1,VERCOL2
         LTR   R1,R1
         BZ    SETVER
         CR    R1,R15
         BNH   SETVER2
SETVER   LR    R1,R15
SETVER2  STH   R1,VERCOL2
         MVC   VERCOL1,=H'1'
         CLI   RECFM,C'F'
         BNE   SETNOSER
         CH    R15,=H'80'
         BER   R14
SETNOSER MVI   SERFLAG,0
         BR    R14
*
* READFILE: every record of the file into a node after the last.
* R15 = 0, or RDBUF's code.
*
READFILE ST    R14,READRET
         MVC   READFID,FILEID
         MVC   READBUFS,LRECL
         MVC   CURLINE,=A(TOFNODE)
READNEXT BAL   R14,ALLOC
         LTR   R15,R15
         BNZ   READFULL
         LA    R1,LINEDATA(,R1)
         BAL   R14,BLANKREC
         ST    R1,READBUF
         LA    R1,READLIST
         SVC   202
         FSREADRC EOF=READEND,ERROR=READBAD
         L     R1,READBUF
         SH    R1,=Y(LINEDATA)
         BAL   R14,LINKNODE
         B     READNEXT
READEND  L     R1,READBUF
         SH    R1,=Y(LINEDATA)
         BAL   R14,SPARENOD             never linked: just spare
         SR    R15,R15
READBAD  ST    R15,READRC
         MVC   FINFID,FILEID
         LA    R1,FINLIST
         SVC   202
         L     R15,READRC
         L     R14,READRET
         BR    R14
READFULL LA    R15,88
         B     READBAD
*
* The edit-mode loop: read a subcommand, keep it for = and ?, and
* run it.
*
EDITMODE BAL   R14,READLINE
         LH    R1,LINELEN
         LTR   R1,R1
         BZ    ENTERINP                 a null line: input mode
         LA    R7,UPLINE
         LR    R6,R7
         AR    R6,R1
         BAL   R14,SKIPBL
         BNH   EDITMODE                 only blanks
         CLI   0(R7),C'='
         BE    REPEAT
         CLI   0(R7),C'?'
         BE    RECALL
         STH   R1,LASTLEN
         MVC   LASTLINE,LINE
         B     DISPATCH
REPEAT   LH    R1,LASTLEN
         LTR   R1,R1
         BZ    EDITMODE
         STH   R1,LINELEN
         MVC   LINE,LASTLINE
         MVC   UPLINE,LINE
         TR    UPLINE,UPPER
         LA    R7,UPLINE
         LR    R6,R7
         AR    R6,R1
         BAL   R14,SKIPBL
         B     DISPATCH
RECALL   LH    R0,LASTLEN
         LTR   R0,R0
         BZ    EDITMODE
         LA    R1,LASTLINE
         BAL   R14,TYPE
         B     EDITMODE
*
* DISPATCH: the subcommand word (letters and digits) at R7 against
* the table; a word may be shortened to the table's minimum.
*
DISPATCH CLI   0(R7),C'/'
         BE    LOCSHORT
         LR    R2,R7
DISPWORD CR    R2,R6
         BNL   DISPEND
         CLI   0(R2),C'A'
         BL    DISPEND
         LA    R2,1(,R2)
         B     DISPWORD
DISPEND  SR    R2,R7                    length of the word
         BNP   INVALID
         CH    R2,=H'8'
         BH    INVALID
         MVC   WORD,=CL8' '
         BCTR  R2,0
         EX    R2,MVCWORD
         LA    R2,1(,R2)
         LA    R3,REQUESTS
DISPLOOK CLI   0(R3),X'FF'
         BE    INVALID
         C     R2,8(,R3)
         BL    DISPNEXT
         LR    R1,R2
         BCTR  R1,0
         EX    R1,CLCWORD
         BE    DISPGO
DISPNEXT LA    R3,16(,R3)
         B     DISPLOOK
DISPGO   AR    R7,R2                    past the word
         L     R15,12(,R3)
         BR    R15
MVCWORD  MVC   WORD(0),0(R7)
CLCWORD  CLC   WORD(0),0(R3)
*
* An invalid subcommand: ?EDIT: and the line as typed.
*
INVALID  LA    R2,MSGWORK
         ADDTEXT '?EDIT: '
         LH    R1,LINELEN
         BCTR  R1,0
         EX    R1,MVCLINE
         LA    R2,1(R1,R2)
         BAL   R14,TYPEMSG
         B     EDITMODE
MVCLINE  MVC   0(0,R2),LINE
*
* TOP, BOTTOM, UP n, DOWN n (NEXT, FORWARD), BACKWARD n.
*
TOP      BAL   R14,ENDCHECK
         MVC   CURLINE,=A(TOFNODE)
         B     VERIFYED
BOTTOM   BAL   R14,ENDCHECK
         MVC   CURLINE,EOFNODE+PREVPTR
         B     VERIFYED
UP       BAL   R14,COUNT
         L     R2,CURLINE
UPLOOP   C     R2,=A(TOFNODE)
         BE    MOVED
         L     R2,PREVPTR(,R2)
         BCT   R0,UPLOOP
         B     MOVED
DOWN     BAL   R14,COUNT
         L     R2,CURLINE
DOWNLOOP C     R2,=A(EOFNODE)
         BE    MOVED
         L     R2,NEXTPTR(,R2)
         BCT   R0,DOWNLOOP
MOVED    ST    R2,CURLINE
VERIFYED BAL   R14,VERIFY
         B     EDITMODE
*
* LOCATE /string/ (or /string/ alone): the next line holding the
* string within the zone.  FIND text: the next line that begins with
* the text, a blank in it matching any character.
*
LOCSHORT DS    0H
LOCATE   BAL   R14,SKIPBL
         BNH   INVALID
         BAL   R14,DELIMSTR             R3 its address, R4 its length
         STM   R3,R4,OLDSTR
         BAL   R14,SETFIRST
         L     R2,CURLINE
LOCNEXT  C     R2,=A(EOFNODE)
         BE    NOTFOUND
         L     R2,NEXTPTR(,R2)
         C     R2,=A(EOFNODE)
         BE    NOTFOUND
         BAL   R14,ZONEOF               R3, R4 the zone of line R2
         BAL   R14,FINDSTR
         LTR   R1,R1
         BZ    LOCNEXT
         ST    R2,CURLINE
         B     VERIFYED
NOTFOUND MVC   CURLINE,=A(EOFNODE)
         EDMSG  'NOT FOUND'
         B     VERIFYED
FIND     CR    R7,R6                    one blank after the word
         BNL   INVALID
         LA    R7,1(,R7)
         LR    R4,R6
         SR    R4,R7                    length of the text
         BNP   INVALID
         L     R2,CURLINE
FINDNEXT C     R2,=A(EOFNODE)
         BE    NOTFOUND
         L     R2,NEXTPTR(,R2)
         C     R2,=A(EOFNODE)
         BE    NOTFOUND
         C     R4,LRECL
         BH    FINDNEXT
         LA    R3,LINE-UPLINE(,R7)
         LA    R5,LINEDATA(,R2)
         LR    R1,R4
FINDCHAR CLI   0(R3),C' '
         BE    FINDOK
         CLC   0(1,R3),0(R5)
         BNE   FINDNEXT
FINDOK   LA    R3,1(,R3)
         LA    R5,1(,R5)
         BCT   R1,FINDCHAR
         ST    R2,CURLINE
         B     VERIFYED
*
* CHANGE /old/new/ [n|*] [G|*]: in n lines from the current one, the
* first occurrence of old within the zone (every one with G) becomes
* new; a line the change makes longer than the truncation column is
* cut there (TRUNCATED).
*
CHANGE   BAL   R14,SKIPBL
         BNH   INVALID
         BAL   R14,DELIMSTR
         STM   R3,R4,OLDSTR
         BCTR  R7,0                     the closing delimiter opens new
         C     R7,DELIMAT
         BE    CHNEW
         LA    R7,1(,R7)
CHNEW    BAL   R14,DELIMSTR
         STM   R3,R4,NEWSTR
         BAL   R14,GETNUM
         CH    R15,=H'8'
         BE    INVALID
         ST    R0,CHCOUNT
         MVI   GLOBAL,0
         BAL   R14,SKIPBL
         BNH   CHSTART
         CLI   0(R7),C'G'
         BE    CHGLOBAL
         CLI   0(R7),C'*'
         BNE   INVALID
CHGLOBAL MVI   GLOBAL,1
         LA    R7,1(,R7)
         BAL   R14,ENDCHECK
CHSTART  BAL   R14,SETFIRST
         XC    CHANGES,CHANGES
         MVI   TRUNCED,0
         L     R2,CURLINE
         C     R2,=A(TOFNODE)
         BNE   CHLINE
         L     R2,NEXTPTR(,R2)
CHLINE   C     R2,=A(EOFNODE)
         BE    CHEOF
         ST    R2,CURLINE
         BAL   R14,CHANGE1
         LTR   R15,R15
         BZ    CHAFTER
         L     R1,CHANGES
         LA    R1,1(,R1)
         ST    R1,CHANGES
         MVI   CHANGED,1
         BAL   R14,VERIFY
CHAFTER  L     R1,CHCOUNT
         BCTR  R1,0
         ST    R1,CHCOUNT
         LTR   R1,R1
         BNP   CHDONE
         L     R2,NEXTPTR(,R2)
         B     CHLINE
CHEOF    ST    R2,CURLINE
         L     R1,CHANGES
         LTR   R1,R1
         BZ    NOTFOUND
         BAL   R14,VERIFY
CHDONE   L     R1,CHANGES
         LTR   R1,R1
         BNZ   EDITMODE
         EDMSG  'NOT FOUND'
         B     EDITMODE
*
* CHANGE1: change line R2.  R15 = 1 if it changed, else 0.
*
CHANGE1  ST    R14,CH1RET
         MVI   WORK,C' '
         MVC   WORK+1(255),WORK
         MVC   WORK+256(WORKSIZE-256),WORK
         SR    R8,R8                    bytes put in WORK
         SR    R9,R9                    occurrences changed
         LA    R5,LINEDATA(,R2)         where the copy has reached
         LH    R4,ZONE1
         BCTR  R4,0
         LR    R3,R5
         BAL   R14,PUTWORK              the columns before the zone
         AR    R5,R4
CH1FIND  LR    R3,R5
         LA    R4,LINEDATA(,R2)
         AH    R4,ZONE2                 end of the zone
         CR    R3,R4
         BH    CH1REST
         BAL   R14,FINDSTR
         LTR   R1,R1
         BZ    CH1REST
         LR    R3,R5
         LR    R4,R1
         SR    R4,R5
         BAL   R14,PUTWORK              up to the old string
         LM    R3,R4,NEWSTR
         BAL   R14,PUTWORK              the new string
         LA    R9,1(,R9)
         LR    R5,R1
         A     R5,OLDSTR+4              past the old string
         CLI   GLOBAL,1
         BNE   CH1REST
         L     R1,OLDSTR+4
         LTR   R1,R1
         BNZ   CH1FIND
CH1REST  LTR   R9,R9
         BZ    CH1NONE
         LA    R4,LINEDATA(,R2)
         AH    R4,TRUNCCOL
         LR    R3,R5
         SR    R4,R5
         BNP   CH1CUT
         BAL   R14,PUTWORK              the rest up to the truncation
CH1CUT   LH    R1,TRUNCCOL
         CR    R8,R1
         BNH   CH1STORE
         LA    R3,WORK(R1)              anything past it is lost
         LA    R4,WORK(R8)
         LA    R15,WORK+WORKSIZE
         CR    R4,R15
         BNH   CH1SCAN
         LR    R4,R15
CH1SCAN  CR    R3,R4
         BNL   CH1STORE
         CLI   0(R3),C' '
         BNE   CH1TRUNC
         LA    R3,1(,R3)
         B     CH1SCAN
CH1TRUNC MVI   TRUNCED,1
         EDMSG  'TRUNCATED'
CH1STORE LH    R1,TRUNCCOL              columns past it stay
         BCTR  R1,0
         EX    R1,MVCFROMW
         LA    R15,1
         L     R14,CH1RET
         BR    R14
CH1NONE  SR    R15,R15
         L     R14,CH1RET
         BR    R14
MVCFROMW MVC   LINEDATA(0,R2),WORK
*
* PUTWORK: R4 bytes from R3 to WORK+R8 (what would go past WORK is
* counted, not stored); R8 goes past them.
*
PUTWORK  LTR   R4,R4
         BNPR  R14
         LA    R15,WORKSIZE
         SR    R15,R8
         BNP   PUTCOUNT
         CR    R15,R4
         BNH   PUTSOME
         LR    R15,R4
PUTSOME  BCTR  R15,0
         STM   R1,R2,PUTSAVE
         LA    R1,WORK(R8)
         EX    R15,MVCTOW
         LM    R1,R2,PUTSAVE
PUTCOUNT AR    R8,R4
         BR    R14
MVCTOW   MVC   0(0,R1),0(R3)
*
* DELETE [n|*]: n lines from the current one; the line before them
* becomes current.
*
DELETE   BAL   R14,COUNT
         L     R2,CURLINE
         C     R2,=A(TOFNODE)
         BNE   DELLINE
         L     R2,NEXTPTR(,R2)
DELLINE  C     R2,=A(EOFNODE)
         BE    DELEOF
         L     R3,PREVPTR(,R2)
         ST    R3,CURLINE
         LR    R1,R2
         L     R2,NEXTPTR(,R2)
         BAL   R14,FREENODE
         MVI   CHANGED,1
         BCT   R0,DELLINE
         B     EDITMODE
DELEOF   ST    R2,CURLINE
         B     VERIFYED
*
* TYPE [n|*]: n lines from the current one, which the last becomes.
*
TYPECMD  BAL   R14,COUNT
         L     R2,CURLINE
TYPELOOP ST    R2,CURLINE
         BAL   R14,TYPECUR
         C     R2,=A(EOFNODE)
         BE    EDITMODE
         BCT   R0,TYPENEXT
         B     EDITMODE
TYPENEXT L     R2,NEXTPTR(,R2)
         B     TYPELOOP
*
* INPUT [line] (and INSERT): the line after the current one; alone,
* input mode.  REPLACE [line]: the line instead of the current one;
* alone, delete it and enter input mode.
*
INPUT    CR    R7,R6
         BNL   ENTERINP
         LA    R7,1(,R7)                one blank after the word
         BAL   R14,TAKEREST
         B     EDITMODE
REPLACE  L     R2,CURLINE
         C     R2,=A(TOFNODE)
         BE    INPUT
         C     R2,=A(EOFNODE)
         BE    INPUT
         L     R3,PREVPTR(,R2)
         ST    R3,CURLINE
         LR    R1,R2
         BAL   R14,FREENODE
         MVI   CHANGED,1
         B     INPUT
TAKEREST LR    R1,R6
         SR    R1,R7
         STH   R1,TAKELEN
         LA    R1,LINE-UPLINE(,R7)
         ST    R1,TAKEADDR
         B     TAKELINE
*
* Input mode.
*
ENTERINP MVC   MODEWORD,=CL5'INPUT'
         CLI   DISPMODE,0               display mode: the status line
         BNE   INPUTMOD                 says INPUT
         WRTERM 'INPUT:'
INPUTMOD BAL   R14,READLINE
         LH    R1,LINELEN
         LTR   R1,R1
         BZ    LEAVEINP
         STH   R1,TAKELEN
         LA    R1,LINE
         ST    R1,TAKEADDR
         BAL   R14,TAKELINE
         LTR   R15,R15
         BZ    INPUTMOD
LEAVEINP MVC   MODEWORD,=CL5'EDIT'
         CLI   DISPMODE,0
         BNE   EDITMODE
         WRTERM 'EDIT:'
         B     EDITMODE
*
* TAKELINE: the TAKELEN bytes at TAKEADDR as a new line after the
* current one: tabs expanded, cut at the truncation column.  R15 = 4
* when storage is full.
*
TAKELINE ST    R14,TAKERET
         MVI   WORK,C' '
         MVC   WORK+1(255),WORK
         MVC   WORK+256(WORKSIZE-256),WORK
         L     R3,TAKEADDR
         LH    R4,TAKELEN
         SR    R5,R5                    the column reached (0 = 1)
         LTR   R4,R4
         BNP   TAKECUT
TAKECHAR CLI   0(R3),X'05'
         BE    TAKETAB
         CH    R5,=Y(WORKSIZE)
         BNL   TAKEADV
         IC    R1,0(,R3)
         STC   R1,WORK(R5)
TAKEADV  LA    R5,1(,R5)
         B     TAKENEXT
TAKETAB  LA    R1,TABS                  the first tab stop past the
TAKESTOP CLI   0(R1),0                  column
         BE    TAKEADV
         SR    R15,R15
         IC    R15,0(,R1)
         BCTR  R15,0
         CR    R15,R5
         BH    TAKESET
         LA    R1,1(,R1)
         B     TAKESTOP
TAKESET  LR    R5,R15
TAKENEXT LA    R3,1(,R3)
         BCT   R4,TAKECHAR
TAKECUT  LH    R1,TRUNCCOL
         CR    R5,R1
         BNH   TAKESTOR
         CH    R5,=Y(WORKSIZE)
         BNH   TAKESCAN
         LA    R5,WORKSIZE
TAKESCAN LA    R3,WORK(R1)
         LA    R4,WORK(R5)
TAKESCN1 CR    R3,R4
         BNL   TAKESTOR
         CLI   0(R3),C' '
         BNE   TAKETRNC
         LA    R3,1(,R3)
         B     TAKESCN1
TAKETRNC EDMSG  'TRUNCATED'
TAKESTOR BAL   R14,ALLOC
         LTR   R15,R15
         BNZ   TAKEFULL
         LA    R2,LINEDATA(,R1)
         MVI   0(R2),C' '
         L     R15,LRECL
         SH    R15,=H'2'
         BM    TAKEMOVE
         EX    R15,MVCBLANK
TAKEMOVE LH    R15,TRUNCCOL
         BCTR  R15,0
         EX    R15,MVCTAKE
         BAL   R14,LINKNODE
         SR    R15,R15
         L     R14,TAKERET
         BR    R14
TAKEFULL EDMSG  'AVAILABLE STORAGE IS NOW FULL'
         LA    R15,4
         L     R14,TAKERET
         BR    R14
MVCBLANK MVC   1(0,R2),0(R2)
MVCTAKE  MVC   0(0,R2),WORK
*
* ZONE n1 [n2|*], TRUNC n|*, CASE U|M, VERIFY [ON|OFF] [n1 [n2|*]],
* TABSET n1 n2 ..., SERIAL ON|OFF|ALL [incr].
*
ZONE     BAL   R14,GETNUM
         LTR   R15,R15
         BNZ   INVALID
         LR    R2,R0
         BAL   R14,GETNUM
         CH    R15,=H'8'
         BE    INVALID
         CH    R15,=H'4'
         BNE   ZONE2SET
         L     R0,LRECL
ZONE2SET C     R0,LRECL
         BNH   ZONECHK
         L     R0,LRECL
ZONECHK  LTR   R2,R2
         BNP   INVALID
         CR    R2,R0
         BH    INVALID
         BAL   R14,ENDCHECK
         STH   R2,ZONE1
         STH   R0,ZONE2
         B     EDITMODE
TRUNC    BAL   R14,GETNUM
         LTR   R15,R15
         BNZ   INVALID
         C     R0,LRECL
         BNH   TRUNCSET
         L     R0,LRECL
TRUNCSET LTR   R0,R0
         BNP   INVALID
         BAL   R14,ENDCHECK
         STH   R0,TRUNCCOL
         B     EDITMODE
CASE     BAL   R14,SKIPBL
         BNH   INVALID
         CLI   0(R7),C'U'
         BE    CASESET
         CLI   0(R7),C'M'
         BNE   INVALID
CASESET  MVC   CASEBYTE,0(R7)
         LA    R7,1(,R7)
         BAL   R14,ENDCHECK
         MVC   CASEMODE,CASEBYTE
         B     EDITMODE
VERIFYC  MVI   VERBYTE,1
         BAL   R14,SKIPBL
         BNH   VERSET
         CLC   0(3,R7),=C'OFF'
         BNE   VERON
         MVI   VERBYTE,0
         LA    R7,3(,R7)
         B     VERCOLS
VERON    CLC   0(2,R7),=C'ON'
         BNE   VERCOLS
         LA    R7,2(,R7)
VERCOLS  BAL   R14,GETNUM
         CH    R15,=H'8'
         BE    INVALID
         CH    R15,=H'4'
         BE    VERSET
         LR    R2,R0
         BAL   R14,GETNUM
         CH    R15,=H'8'
         BE    INVALID
         CH    R15,=H'4'
         BNE   VER2SET
         L     R0,LRECL
VER2SET  C     R0,LRECL
         BNH   VERCHK
         L     R0,LRECL
VERCHK   LTR   R2,R2
         BNP   INVALID
         CR    R2,R0
         BH    INVALID
         BAL   R14,ENDCHECK
         STH   R2,VERCOL1
         STH   R0,VERCOL2
VERSET   MVC   VERFLAG,VERBYTE
         B     EDITMODE
TABSET   LA    R3,NEWTABS
         SR    R2,R2                    the last stop so far
TABNEXT  BAL   R14,GETNUM
         CH    R15,=H'8'
         BE    INVALID
         CH    R15,=H'4'
         BE    TABEND
         LTR   R0,R0
         BNP   INVALID
         CR    R0,R2
         BNH   INVALID                  stops go up
         C     R0,=F'255'
         BH    INVALID
         LA    R1,NEWTABS+L'NEWTABS-1
         CR    R3,R1
         BNL   INVALID
         STC   R0,0(,R3)
         LA    R3,1(,R3)
         LR    R2,R0
         B     TABNEXT
TABEND   LTR   R2,R2
         BZ    INVALID
         MVI   0(R3),0
         MVC   TABS,NEWTABS
         B     EDITMODE
SERIAL   BAL   R14,SKIPBL
         BNH   INVALID
         CLC   0(3,R7),=C'OFF'
         BE    SEROFF
         CLC   0(3,R7),=C'ALL'
         BE    SERALL
         CLC   0(2,R7),=C'ON'
         BNE   INVALID
         MVI   SERBYTE,1
         LA    R7,2(,R7)
         B     SERINC
SERALL   MVI   SERBYTE,2
         LA    R7,3(,R7)
SERINC   BAL   R14,GETNUM
         CH    R15,=H'8'
         BE    INVALID
         CH    R15,=H'4'
         BNE   SERINCR1
         LA    R0,10                    the increment: 10 unless given
SERINCR1 LTR   R0,R0
         BNP   INVALID
         C     R0,=F'99999'
         BH    INVALID
         ST    R0,NEWINCR
SERCHK   BAL   R14,ENDCHECK
         CLI   RECFM,C'F'
         BNE   SERBAD
         CLC   LRECL,=F'80'
         BNE   SERBAD
         MVC   SERFLAG,SERBYTE
         MVC   SERINCR,NEWINCR
         B     EDITMODE
SEROFF   LA    R7,3(,R7)
         BAL   R14,ENDCHECK
         MVI   SERFLAG,0
         B     EDITMODE
SERBAD   EDMSG  'WRONG FILE FORMAT FOR SERIALIZATION'
         B     EDITMODE
*
* SAVE [fn [ft [fm]]], FILE [fn [ft [fm]]]: write the file (under
* another name if one is given); FILE then leaves.  QUIT leaves
* unless the lines have changed since read or written; QQUIT leaves.
*
SAVE     MVI   LEAVING,0
         B     WRITECMD
FILE     MVI   LEAVING,1
WRITECMD MVC   OUTFID,FILEID
         BAL   R14,SKIPBL
         BNH   WRITEIT
         LA    R3,OUTFID
         BAL   R14,FIDWORD
         BNZ   INVALID
         BAL   R14,SKIPBL
         BNH   WRITEIT
         LA    R3,OUTFID+8
         BAL   R14,FIDWORD
         BNZ   INVALID
         BAL   R14,SKIPBL
         BNH   WRITEIT
         MVC   OUTFID+16(2),0(R7)
         CLI   1(R7),C' '
         BNE   WRITEFM2
         MVI   OUTFID+17,C'1'
         LA    R7,1(,R7)
         B     WRITEEND
WRITEFM2 LA    R7,2(,R7)
WRITEEND BAL   R14,ENDCHECK
WRITEIT  BAL   R14,WRITEF
         LTR   R15,R15
         BNZ   EDITMODE                 not written: still editing
         CLC   OUTFID,FILEID
         BNE   WRITTEN
         MVI   CHANGED,0
WRITTEN  CLI   LEAVING,1
         BE    QUITOK
         B     EDITMODE
QUIT     BAL   R14,ENDCHECK
         CLI   CHANGED,0
         BE    QUITOK
         LA    R2,MSGWORK
         ADDTEXT 'DMSEDI950W FILE '''
         BAL   R14,FIDTEXT
         ADDTEXT ''' HAS BEEN CHANGED; USE FILE, SAVE OR QQUIT'
         BAL   R14,TYPEMSG
         B     EDITMODE
QQUIT    BAL   R14,ENDCHECK
         B     QUITOK
*
* FIDWORD: a word of at most 8 characters at R7 into the 8 bytes at
* R3; CC not zero if it is longer.
*
FIDWORD  LR    R1,R7
FIDWLOOP CR    R1,R6
         BNL   FIDWEND
         CLI   0(R1),C' '
         BE    FIDWEND
         LA    R1,1(,R1)
         B     FIDWLOOP
FIDWEND  SR    R1,R7
         CH    R1,=H'8'
         BH    FIDWBAD
         MVC   0(8,R3),=CL8' '
         BCTR  R1,0
         EX    R1,MVCFIDW
         LA    R7,1(R1,R7)
         CR    R1,R1
         BR    R14
FIDWBAD  LTR   R1,R1
         BR    R14
MVCFIDW  MVC   0(0,R3),0(R7)
*
* WRITEF: every line to the work file EDIT CMSUT1 on the disk of the
* file OUTFID (serialized if SERIAL is on), then FINIS; only when that
* is safely on disk is the old file erased and the work file renamed
* (VM/370 EDIT's way: a write that fails, a full disk, leaves the old
* file as it was, and the work file is erased).  R15 = 0, or the error
* typed and R15 not zero.
*
WRITEF   ST    R14,WRITERET
         L     R2,TOFNODE+NEXTPTR
         C     R2,=A(EOFNODE)
         BNE   WRITEGO
         EDMSG  'FILE IS EMPTY'
         MVC   ERASEFID,OUTFID          no lines: no file (as VM/370)
         BAL   R14,ERASEIF
         SR    R15,R15
         B     WRITEOUT
WRITEGO  MVC   WRITEFID,WORKFID         the work file, on the same
         MVC   WRITEFID+16(2),OUTFID+16 disk as the file
         MVC   WRITEFMT,RECFM
         SR    R5,R5                    the serial number
WRITELN  C     R2,=A(EOFNODE)
         BE    WRITECLS
         CLI   SERFLAG,0
         BE    WRITEREC
         A     R5,SERINCR
         CVD   R5,DOUBLE
         UNPK  SERTEXT,DOUBLE
         OI    SERTEXT+7,X'F0'
         CLI   SERFLAG,2
         BE    WRITEALL
         MVC   LINEDATA+72(3,R2),FILEFN
         MVC   LINEDATA+75(5,R2),SERTEXT+3
         B     WRITEREC
WRITEALL MVC   LINEDATA+72(8,R2),SERTEXT
WRITEREC LA    R1,LINEDATA(,R2)
         ST    R1,WRITEBUF
         L     R1,LRECL
         CLI   RECFM,C'F'
         BE    WRITESIZ
         LA    R3,LINEDATA-1(R1,R2)     V: no trailing blanks
WRITETRM CLI   0(R3),C' '
         BNE   WRITESIZ
         BCTR  R1,0
         BCTR  R3,0
         CH    R1,=H'1'
         BH    WRITETRM
WRITESIZ ST    R1,WRITESZ
         LA    R1,WRITLIST
         SVC   202
         LTR   R15,R15
         BNZ   WRITEBAD
         L     R2,NEXTPTR(,R2)
         B     WRITELN
WRITECLS MVC   FINFID,WRITEFID
         LA    R1,FINLIST
         SVC   202
         LTR   R15,R15
         BNZ   WRITEBAD
         MVC   ERASEFID,OUTFID          the old file goes only now
         BAL   R14,ERASEIF
         MVC   RNMOLD+16(2),WRITEFID+16
         MVC   RNMNEW(8),OUTFID
         MVC   RNMNEW+8(8),OUTFID+8
         MVC   RNMNEW+16(2),OUTFID+16
         LA    R1,RNMLIST
         SVC   202
         LTR   R15,R15
         BZ    WRITEOUT
         LA    R15,4                    (RENAME said why)
         B     WRITEOUT
WRITEBAD ST    R15,WRITERC
         MVC   FINFID,WRITEFID          the work file is given up
         LA    R1,FINLIST
         SVC   202
         MVC   ERASEFID,WRITEFID
         BAL   R14,ERASEIF
         L     R15,WRITERC
         LA    R2,MSGWORK
         CH    R15,=H'12'
         BE    WRITERO
         CH    R15,=H'36'
         BE    WRITENA
         ADDTEXT 'DMSEDI105S ERROR '''
         L     R15,WRITERC
         BAL   R14,RCTEXT
         ADDTEXT ''' WRITING FILE '''
         MVC   SAVEFID,FILEID
         MVC   FILEID,OUTFID
         BAL   R14,FIDTEXT
         MVC   FILEID,SAVEFID
         ADDTEXT ''' ON DISK'
         B     WRITEMSG
WRITERO  ADDTEXT 'DMSEDI037E DISK '''
         MVC   0(1,R2),OUTFID+16
         LA    R2,1(,R2)
         ADDTEXT ''' IS READ/ONLY'
         B     WRITEMSG
WRITENA  ADDTEXT 'DMSEDI069E DISK '''
         MVC   0(1,R2),OUTFID+16
         LA    R2,1(,R2)
         ADDTEXT ''' NOT ACCESSED'
WRITEMSG BAL   R14,TYPEMSG
         L     R15,WRITERC
WRITEOUT L     R14,WRITERET
         BR    R14
*
* ERASEIF: erase the file ERASEFID if it exists (no message if not).
*
ERASEIF  ST    R14,ERASERET
         MVC   STATEFID(16),ERASEFID
         MVC   STATEFID+16(2),ERASEFID+16
         MVI   STATEFID+17,C' '         any mode number
         LA    R1,STATLIST
         SVC   202
         LTR   R15,R15
         BNZ   ERASEEND
         MVC   ERSFID(16),ERASEFID
         MVC   ERSFID+16(2),STATEFID+16
         LA    R1,ERSLIST
         SVC   202
ERASEEND L     R14,ERASERET
         BR    R14
*
* READLINE: a console line as typed into LINE (blank padded), upper
* case as well in UPLINE; LINE too in CASE U.  LINELEN its length.
*
READLINE ST    R14,RDLNRET
         CLI   DISPMODE,0               display mode: the screen is
         BE    READTERM                 painted before each read
         BAL   R14,PAINT
READTERM LA    R1,RDLIST
         SVC   202
         LTR   R15,R15
         BNZ   READGONE
         STH   R0,LINELEN
         MVC   UPLINE,LINE
         TR    UPLINE,UPPER
         CLI   CASEMODE,C'M'
         BE    READDONE
         MVC   LINE,UPLINE
READDONE L     R14,RDLNRET
         BR    R14
READGONE SR    R15,R15                  no console: leave as QQUIT
         B     EXIT
*
* SKIPBL: R7 past blanks (not past R6); CC high if a word is there.
*
SKIPBL   CR    R7,R6
         BNL   SKIPEND
         CLI   0(R7),C' '
         BNE   SKIPWORD
         LA    R7,1(,R7)
         B     SKIPBL
SKIPEND  CR    R7,R7                    CC equal: nothing
         BR    R14
SKIPWORD CLI   SKIPONE,0                CC high
         BR    R14
*
* ENDCHECK: nothing but blanks may follow, else the request is invalid.
*
ENDCHECK ST    R14,ENDRET
         BAL   R14,SKIPBL
         BH    INVALID
         L     R14,ENDRET
         BR    R14
*
* COUNT: the operand n (default 1) or * (every line), alone.  R0.
*
COUNT    ST    R14,COUNTRET
         BAL   R14,GETNUM
         CH    R15,=H'8'
         BE    INVALID
         LTR   R0,R0
         BNP   INVALID
         BAL   R14,ENDCHECK
         L     R14,COUNTRET
         BR    R14
*
* GETNUM: a number or * at R7.  R15 = 0 and R0 the value (* is the
* largest); 4 and R0 = 1 when there is none; 8 not a number.
*
GETNUM   ST    R14,NUMRET
         BAL   R14,SKIPBL
         BNH   NUMNONE
         CLI   0(R7),C'*'
         BNE   NUMDIGIT
         L     R0,=X'7FFFFFFF'
         LA    R7,1(,R7)
         B     NUMEND
NUMDIGIT SR    R0,R0
         LR    R1,R7
NUMLOOP  CR    R7,R6
         BNL   NUMDONE
         CLI   0(R7),C' '
         BE    NUMDONE
         CLI   0(R7),C'0'
         BL    NUMBAD
         LR    R15,R7
         SR    R15,R1
         CH    R15,=H'8'
         BNL   NUMBAD
         MH    R0,=H'10'
         SR    R15,R15
         IC    R15,0(,R7)
         N     R15,=F'15'
         AR    R0,R15
         LA    R7,1(,R7)
         B     NUMLOOP
NUMDONE  CR    R7,R1
         BE    NUMBAD
NUMEND   SR    R15,R15
         L     R14,NUMRET
         BR    R14
NUMNONE  LA    R0,1
         LA    R15,4
         L     R14,NUMRET
         BR    R14
NUMBAD   LA    R15,8
         L     R14,NUMRET
         BR    R14
*
* DELIMSTR: the string at R7 between its delimiter (the character at
* R7) and the next one, taken from LINE (as typed).  R3 its address,
* R4 its length; R7 past the closing delimiter (which may be left
* off at the end of the line); DELIMAT where the closing one was.
*
DELIMSTR MVC   DELIM,0(R7)
         LA    R7,1(,R7)
         LA    R3,LINE-UPLINE(,R7)
         LR    R4,R7
DELIMLP  CR    R4,R6
         BNL   DELIMEND
         CLC   0(1,R4),DELIM
         BE    DELIMEND
         LA    R4,1(,R4)
         B     DELIMLP
DELIMEND ST    R4,DELIMAT
         LR    R1,R4
         SR    R4,R7
         LR    R7,R1
         CR    R7,R6
         BNLR  R14
         LA    R7,1(,R7)
         BR    R14
*
* SETFIRST: the TRT table that stops at the first character of the
* old string.
*
SETFIRST XC    FIRSTTAB,FIRSTTAB
         LM    R3,R4,OLDSTR
         LTR   R4,R4
         BZR   R14
         SR    R1,R1
         IC    R1,0(,R3)
         LA    R1,FIRSTTAB(R1)
         MVI   0(R1),X'FF'
         BR    R14
*
* ZONEOF: R3 and R4 the first and past-the-last byte of line R2's zone.
*
ZONEOF   LA    R3,LINEDATA-1(,R2)
         AH    R3,ZONE1
         LA    R4,LINEDATA(,R2)
         AH    R4,ZONE2
         BR    R14
*
* FINDSTR: the old string (OLDSTR) starting from R3 and ending by R4.
* R1 its address, or 0.  R2, R3 and R4 are kept.
*
FINDSTR  STM   R2,R5,FINDSAVE
         L     R5,OLDSTR+4
         LTR   R5,R5
         BNZ   FINDLAST
         LR    R1,R3                    the empty string: at the start
         CR    R3,R4
         BNH   FINDRET
         B     FINDNONE
FINDLAST LR    R15,R4
         SR    R15,R5                   the last place it may start
FINDSCAN CR    R3,R15
         BH    FINDNONE
         LR    R5,R15
         SR    R5,R3                    bytes to scan, less one
         CH    R5,=H'255'
         BNH   FINDTRT
         LA    R5,255
FINDTRT  EX    R5,TRTFIRST
         BNZ   FINDCAND
         LA    R3,1(R5,R3)
         B     FINDSCAN
FINDCAND L     R5,OLDSTR+4
         BCTR  R5,0
         L     R2,OLDSTR
         EX    R5,CLCOLD
         BE    FINDRET
         LA    R3,1(,R1)
         B     FINDSCAN
FINDNONE SR    R1,R1
FINDRET  LM    R2,R5,FINDSAVE
         BR    R14
TRTFIRST TRT   0(0,R3),FIRSTTAB
CLCOLD   CLC   0(0,R1),0(R2)
*
* VERIFY: TYPECUR if VERIFY is on.  TYPECUR: the current line's
* verify columns without trailing blanks, or TOF: or EOF:.
*
VERIFY   CLI   VERFLAG,0
         BER   R14
TYPECUR  CLI   DISPMODE,0               display mode: the screen
         BNER  R14                      shows the current line
         ST    R14,TYPERET
         STM   R0,R3,TYPESAVE
         L     R2,CURLINE
         C     R2,=A(TOFNODE)
         BE    TYPETOF
         C     R2,=A(EOFNODE)
         BE    TYPEEOF
         LH    R0,VERCOL2
         LH    R1,VERCOL1
         SR    R0,R1
         AH    R0,=H'1'                 columns shown
         LA    R1,LINEDATA-1(R1,R2)
         LR    R3,R1
         AR    R3,R0
         BCTR  R3,0                     the last of them
TYPETRIM CH    R0,=H'1'
         BNH   TYPEIT
         CLI   0(R3),C' '
         BNE   TYPEIT
         BCTR  R0,0
         BCTR  R3,0
         B     TYPETRIM
TYPETOF  LA    R1,=C'TOF:'
         LA    R0,4
         B     TYPEIT
TYPEEOF  LA    R1,=C'EOF:'
         LA    R0,4
TYPEIT   BAL   R14,TYPE
         LM    R0,R3,TYPESAVE
         L     R14,TYPERET
         BR    R14
*
* TYPE: R0 bytes at R1 on the console.  TYPEMSG: MSGWORK up to R2.
*
TYPEMSG  LA    R1,MSGWORK
         LR    R0,R2
         SR    R0,R1
TYPE     CLI   DISPMODE,0
         BNE   TYPESCR
         ST    R1,TYPLIST+8
         MVI   TYPLIST+8,1
         STH   R0,TYPLIST+14
         LA    R1,TYPLIST
         SVC   202
         BR    R14
*
* TYPESCR: in display mode a message (R0 bytes at R1, at most 74)
* waits for the message line of the next PAINT.
*
TYPESCR  LR    R15,R0
         CH    R15,=H'74'
         BNH   TYPESCR1
         LA    R15,74
TYPESCR1 STH   R15,MSGLEN
         LTR   R15,R15
         BZR   R14
         BCTR  R15,0
         EX    R15,MVCMSG
         BR    R14
MVCMSG   MVC   MSGTEXT(0),0(R1)
*
* FORMAT DISPLAY|LINE (VM/370's): display mode, the file on the
* screen, or line mode (typewriter).  Only on a 3270 display console
* under CP (DIAGNOSE X'24': the console's real device is of the
* graphic class).
*
FORMAT   TM    SYSFLAGS,CPAVAIL         no CP (a bare machine): no
         BZ    INVALID                  display
         L     R2,=F'-1'                the virtual console
         DIAG  R2,R4,X'0024'            R5: its real device's class
         BNZ   INVALID
         ST    R5,DOUBLE
         CLI   DOUBLE,X'40'             a display station?
         BNE   INVALID
         ST    R2,CONSADDR
         BAL   R14,SKIPBL
         BNH   INVALID                  the operand is needed
         LR    R1,R6
         SR    R1,R7                    what is left of the line
         CH    R1,=H'4'
         BL    INVALID
         CLC   0(4,R7),=C'LINE'
         BNE   FORMDISP
         CH    R1,=H'4'
         BE    FORMLINE
         CLI   4(R7),C' '
         BNE   INVALID
FORMLINE CLI   DISPMODE,0
         BE    EDITMODE
         BAL   R14,CANCEL               the screen back to CP's lines
         MVI   DISPMODE,0
         B     EDITMODE
FORMDISP CH    R1,=H'7'
         BL    INVALID
         CLC   0(7,R7),=C'DISPLAY'
         BNE   INVALID
         CH    R1,=H'7'
         BE    FORMSET
         CLI   7(R7),C' '
         BNE   INVALID
FORMSET  MVI   DISPMODE,1
         B     EDITMODE
*
* PAINT: the screen of display mode (VM/370's DMSSCR layout on a 24
* by 80 display), written by DIAGNOSE X'58' (DMSGIO's CCW X'19'):
*   line 0    the status: EDIT or INPUT, the level, the fileid, the
*             record format and length, ZONE, VERFY, CASE and TRUNC
*   line 1    >>>>> and the last message, if any
*   lines 2-8 the lines before the current one (TOF: above line 1)
*   line 9    the current line, intensified
*   lines 10-21 the lines after it, then EOF:
* Each line shows the verify columns, at most 80 of them.  CP keeps
* the last two lines: the input area and its status.
*
PAINT    STM   R0,R9,PAINTSAV
         ST    R14,PAINTRET
         LA    R2,SCREEN
         LA    R3,SCRROWS
PAINTCLR MVI   0(R2),C' '
         MVC   1(SCRCOLS-1,R2),0(R2)
         LA    R2,SCRCOLS(,R2)
         BCT   R3,PAINTCLR
         MVC   SCREEN(5),MODEWORD
         MVI   SCREEN+6,C'1'            the EDIT level
         MVC   SCREEN+8(8),FILEFN
         MVC   SCREEN+17(8),FILEFT
         MVC   SCREEN+26(2),FILEFM
         MVC   SCREEN+30(1),RECFM
         L     R1,LRECL
         LA    R2,SCREEN+32
         BAL   R14,NUM3
         MVC   SCREEN+36(5),=C'ZONE='
         LH    R1,ZONE1
         LA    R2,SCREEN+41
         BAL   R14,NUM3
         MVI   SCREEN+44,C'-'
         LH    R1,ZONE2
         LA    R2,SCREEN+45
         BAL   R14,NUM3
         MVC   SCREEN+49(6),=C'VERFY='
         LH    R1,VERCOL1
         LA    R2,SCREEN+55
         BAL   R14,NUM3
         MVI   SCREEN+58,C'-'
         LH    R1,VERCOL2
         LA    R2,SCREEN+59
         BAL   R14,NUM3
         MVC   SCREEN+63(5),=C'CASE='
         MVC   SCREEN+68(1),CASEMODE
         MVC   SCREEN+70(6),=C'TRUNC='
         LH    R1,TRUNCCOL
         LA    R2,SCREEN+76
         BAL   R14,NUM3
         LH    R1,MSGLEN                the message line
         LTR   R1,R1
         BZ    PAINTDN
         MVC   SCREEN+SCRCOLS(5),=C'>>>>>'
         BCTR  R1,0
         EX    R1,MVCMSGS
         XC    MSGLEN,MSGLEN
PAINTDN  L     R2,CURLINE               the current line and after
         LA    R3,SCREEN+CURROW*SCRCOLS
         LA    R4,SCRROWS-CURROW
PAINTDN1 C     R2,=A(EOFNODE)
         BE    PAINTEOF
         C     R2,=A(TOFNODE)
         BE    PAINTDN2
         BAL   R14,PAINTLN
         B     PAINTDN3
PAINTDN2 MVC   0(4,R3),=C'TOF:'
PAINTDN3 L     R2,NEXTPTR(,R2)
         LA    R3,SCRCOLS(,R3)
         BCT   R4,PAINTDN1
         B     PAINTUP
PAINTEOF MVC   0(4,R3),=C'EOF:'
PAINTUP  L     R2,CURLINE               the lines before it
         C     R2,=A(TOFNODE)
         BE    PAINTWR
         LA    R3,SCREEN+(CURROW-1)*SCRCOLS
         LA    R4,CURROW-2
PAINTUP1 L     R2,PREVPTR(,R2)
         C     R2,=A(TOFNODE)
         BE    PAINTTOF
         BAL   R14,PAINTLN
         SH    R3,=Y(SCRCOLS)
         BCT   R4,PAINTUP1
         B     PAINTWR
PAINTTOF MVC   0(4,R3),=C'TOF:'
PAINTWR  LA    R2,SCREEN                lines 0-8
         SR    R3,R3
         LA    R4,CURROW*SCRCOLS
         LA    R5,X'20'
         BAL   R14,DISPLAY
         LA    R2,SCREEN+CURROW*SCRCOLS line 9, intensified: CP takes
         LA    R3,CURROW                a position for the attribute
         LA    R4,SCRCOLS-1
         LA    R5,X'21'
         BAL   R14,DISPLAY
         LA    R2,SCREEN+(CURROW+1)*SCRCOLS    lines 10-21
         LA    R3,CURROW+1
         LA    R4,(SCRROWS-CURROW-1)*SCRCOLS
         LA    R5,X'20'
         BAL   R14,DISPLAY
         L     R14,PAINTRET
         LM    R0,R9,PAINTSAV
         BR    R14
MVCMSGS  MVC   SCREEN+SCRCOLS+6(0),MSGTEXT
*
* PAINTLN: the verify columns (at most 80) of the line at R2 to R3.
*
PAINTLN  LH    R1,VERCOL1
         LA    R15,LINEDATA-1(R1,R2)
         LH    R0,VERCOL2
         SR    R0,R1                    columns - 1
         CH    R0,=Y(SCRCOLS-1)
         BNH   PAINTLN1
         LA    R0,SCRCOLS-1
PAINTLN1 LR    R1,R0
         EX    R1,MVCPLN
         BR    R14
MVCPLN   MVC   0(0,R3),0(R15)
*
* NUM3: R1 in 3 digits, leading zeros blank, at R2.
*
NUM3     CVD   R1,DOUBLE
         MVC   NUMWORK,=X'40202020'
         ED    NUMWORK,DOUBLE+6
         MVC   0(3,R2),NUMWORK+1
         BR    R14
*
* DISPLAY: DIAGNOSE X'58' writes R4 bytes at R2 on the screen from
* line R3, CCW flags R5 (X'20' SLI, X'01' intensified).  CANCEL: the
* X'FF' CCW, which ends the full-screen display.
*
DISPLAY  ST    R2,GIOCCW
         MVI   GIOCCW,X'19'
         STC   R5,GIOCCW+4
         STC   R3,GIOCCW+5
         STH   R4,GIOCCW+6
         LA    R6,GIOCCW
         L     R7,CONSADDR
         DIAG  R6,R7,X'0058'
         BR    R14
CANCEL   LA    R6,CANCCW
         L     R7,CONSADDR
         DIAG  R6,R7,X'0058'
         BR    R14
*
* APPEND: R0 bytes at R1 to the message at R2; R2 past them.
*
         APPENDR
*
* FIDTEXT: 'fn ft fm' of FILEID at R2 (no trailing blanks); R2 past.
* RCTEXT: R15 in decimal at R2; R2 past.
*
FIDTEXT  LA    R1,FILEFN
         LA    R15,8
FIDFN    CLI   0(R1),C' '
         BE    FIDFT
         MVC   0(1,R2),0(R1)
         LA    R1,1(,R1)
         LA    R2,1(,R2)
         BCT   R15,FIDFN
FIDFT    MVI   0(R2),C' '
         LA    R2,1(,R2)
         LA    R1,FILEFT
         LA    R15,8
FIDFT1   CLI   0(R1),C' '
         BE    FIDFM
         MVC   0(1,R2),0(R1)
         LA    R1,1(,R1)
         LA    R2,1(,R2)
         BCT   R15,FIDFT1
FIDFM    MVI   0(R2),C' '
         MVC   1(2,R2),FILEFM
         LA    R2,3(,R2)
         BR    R14
RCTEXT   CVD   R15,DOUBLE
         UNPK  RCDIGITS,DOUBLE
         OI    RCDIGITS+4,X'F0'
         LA    R1,RCDIGITS
         LA    R15,4
RCSKIP   CLI   0(R1),C'0'
         BNE   RCMOVE
         LA    R1,1(,R1)
         BCT   R15,RCSKIP
RCMOVE   LA    R15,1(,R15)
RCMOVE1  MVC   0(1,R2),0(R1)
         LA    R1,1(,R1)
         LA    R2,1(,R2)
         BCT   R15,RCMOVE1
         BR    R14
*
* Nodes.  ALLOC: R1 -> a free node (R15 = 0), or R15 = 4.  LINKNODE:
* node R1 after the current line (before EOF when the current line
* is EOF), and current.  FREENODE: node R1 out of the file, and
* SPARENOD: onto the free list.
* BLANKREC: LRECL blanks at R1.
*
ALLOC    L     R1,FREELIST
         LTR   R1,R1
         BZ    ALLOCNEW
         L     R15,NEXTPTR(,R1)
         ST    R15,FREELIST
         SR    R15,R15
         BR    R14
ALLOCNEW L     R1,POOLNEXT
         LR    R15,R1
         A     R15,NODESIZE
         C     R15,POOLEND
         BH    ALLOCFUL
         ST    R15,POOLNEXT
         SR    R15,R15
         BR    R14
ALLOCFUL LA    R15,4
         BR    R14
LINKNODE STM   R2,R3,LINKSAVE
         L     R2,CURLINE
         C     R2,=A(EOFNODE)
         BNE   LINKAFT
         L     R2,PREVPTR(,R2)
LINKAFT  L     R3,NEXTPTR(,R2)
         ST    R3,NEXTPTR(,R1)
         ST    R2,PREVPTR(,R1)
         ST    R1,NEXTPTR(,R2)
         ST    R1,PREVPTR(,R3)
         ST    R1,CURLINE
         MVI   CHANGED,1
         LM    R2,R3,LINKSAVE
         BR    R14
FREENODE STM   R2,R3,LINKSAVE
         L     R2,PREVPTR(,R1)
         L     R3,NEXTPTR(,R1)
         ST    R3,NEXTPTR(,R2)
         ST    R2,PREVPTR(,R3)
         LM    R2,R3,LINKSAVE
SPARENOD MVC   NEXTPTR(4,R1),FREELIST
         ST    R1,FREELIST
         BR    R14
BLANKREC MVI   0(R1),C' '
         L     R15,LRECL
         SH    R15,=H'2'
         BMR   R14
         EX    R15,MVCBLNK1
         BR    R14
MVCBLNK1 MVC   1(0,R1),0(R1)
*
* The subcommands: name, shortest form, routine (VM/370's names and
* shortest forms; INSERT is this EDIT's other name for INPUT).
*
         DS    0F
REQUESTS DC    CL8'INPUT',F'1',A(INPUT)
         DC    CL8'REPLACE',F'1',A(REPLACE)
         DC    CL8'TYPE',F'1',A(TYPECMD)
         DC    CL8'UP',F'1',A(UP)
         DC    CL8'TOP',F'2',A(TOP)
         DC    CL8'DELETE',F'2',A(DELETE)
         DC    CL8'BOTTOM',F'1',A(BOTTOM)
         DC    CL8'NEXT',F'1',A(DOWN)
         DC    CL8'DOWN',F'1',A(DOWN)
         DC    CL8'FIND',F'1',A(FIND)
         DC    CL8'LOCATE',F'1',A(LOCATE)
         DC    CL8'CHANGE',F'1',A(CHANGE)
         DC    CL8'TRUNC',F'2',A(TRUNC)
         DC    CL8'ZONE',F'1',A(ZONE)
         DC    CL8'TABSET',F'3',A(TABSET)
         DC    CL8'CASE',F'2',A(CASE)
         DC    CL8'VERIFY',F'1',A(VERIFYC)
         DC    CL8'SERIAL',F'3',A(SERIAL)
         DC    CL8'QUIT',F'2',A(QUIT)
         DC    CL8'QQUIT',F'5',A(QQUIT)
         DC    CL8'SAVE',F'2',A(SAVE)
         DC    CL8'FILE',F'3',A(FILE)
         DC    CL8'FORWARD',F'2',A(DOWN)
         DC    CL8'BACKWARD',F'2',A(UP)
         DC    CL8'INSERT',F'3',A(INPUT)
         DC    CL8'FORMAT',F'4',A(FORMAT)
         DC    X'FF'
*
* Filetype defaults: filetype, case, serialization, record format,
* LRECL, truncation column, last verify column (0: LRECL), tabs.
*
         DS    0F
FTTABLE  DC    CL8'ASSEMBLE',C'U',AL1(1),C'F',AL1(80,71,72)
         DC    H'0',A(ASMTABS)
FTENTRY  EQU   *-FTTABLE
         DC    CL8'MACRO',C'U',AL1(1),C'F',AL1(80,71,72)
         DC    H'0',A(ASMTABS)
         DC    CL8'UPDATE',C'U',AL1(1),C'F',AL1(80,71,72)
         DC    H'0',A(ASMTABS)
         DC    CL8'COBOL',C'U',AL1(1),C'F',AL1(80,72,72)
         DC    H'0',A(COBTABS)
         DC    CL8'FORTRAN',C'U',AL1(1),C'F',AL1(80,72,72)
         DC    H'0',A(FORTABS)
         DC    CL8'PLI',C'U',AL1(1),C'F',AL1(80,72,72)
         DC    H'0',A(PLITABS)
         DC    CL8'LISTING',C'U',AL1(0),C'V',AL1(121,0,0)
         DC    H'0',A(DEFTABS)
         DC    CL8'MEMO',C'M',AL1(0),C'F',AL1(80,0,0)
         DC    H'0',A(DEFTABS)
         DC    CL8'SCRIPT',C'M',AL1(0),C'V',AL1(132,0,0)
         DC    H'0',A(DEFTABS)
         DC    CL8'EXEC',C'U',AL1(0),C'V',AL1(80,0,0)
         DC    H'0',A(DEFTABS)
         DC    8X'FF',C'U',AL1(0),C'F',AL1(80,0,0)
         DC    H'0',A(DEFTABS)
ASMTABS  DC    AL1(1,10,16,31,36,41,46,69,72,80,0)
COBTABS  DC    AL1(1,8,12,20,28,36,44,68,72,80,0)
FORTABS  DC    AL1(1,7,10,15,20,25,30,80,0)
PLITABS  DC    AL1(2,4,7,10,13,16,19,22,25,31,37,43,49,55,79,80,0)
DEFTABS  DC    AL1(1,6,11,16,21,26,31,36,41,46,51,61,71,81,91,101,111)
         DC    AL1(121,131,0)
*
* Parameter lists and state.
*
         DS    0F
STATLIST DC    CL8'STATE'
STATEFID DC    CL18' ',CL6' ',8X'FF'
READLIST DC    CL8'RDBUF'
READFID  DC    CL18' '
         DC    H'0'
READBUF  DC    A(0)
READBUFS DC    F'0'
         DC    CL2' ',H'1',F'0'
WRITLIST DC    CL8'WRBUF'
WRITEFID DC    CL18' '
         DC    H'0'
WRITEBUF DC    A(0)
WRITESZ  DC    F'0'
WRITEFMT DC    CL2'F',H'1',F'0'
FINLIST  DC    CL8'FINIS'
FINFID   DC    CL18' '
         DS    0F
ERSLIST  DC    CL8'ERASE'
ERSFID   DC    CL18' ',CL6' ',8X'FF'
         DS    0F
RNMLIST  DC    CL8'RENAME'
RNMOLD   DC    CL8'EDIT',CL8'CMSUT1',CL8' '
RNMNEW   DC    CL8' ',CL8' ',CL8' ',8X'FF'
WORKFID  DC    CL8'EDIT',CL8'CMSUT1'    VM/370 EDIT's work file
ERASEFID DS    CL18
         DS    0F
RDLIST   DC    CL8'WAITRD',AL1(1),AL3(LINE),C'S',AL3(0)
TYPLIST  DC    CL8'TYPLIN',AL1(1),AL3(0),C'B',X'00',H'0'
SAVEAREA DC    18F'0'
DOUBLE   DS    D
SERTEXT  DS    CL8
RCDIGITS DS    CL5
FILEID   DS    0CL18
FILEFN   DC    CL8' '
FILEFT   DC    CL8' '
FILEFM   DC    CL2' '
OUTFID   DS    CL18
SAVEFID  DS    CL18
         DS    0F
TOFNODE  DC    A(0,0)                   the null line before line 1
EOFNODE  DC    A(0,0)                   the null line after the last
CURLINE  DC    A(0)
FREELIST DC    A(0)
POOLNEXT DC    A(0)
POOLEND  DC    A(0)
NODESIZE DC    F'0'
LRECL    DC    F'0'
SERINCR  DC    F'10'
NEWINCR  DC    F'10'
OLDSTR   DC    A(0),F'0'
NEWSTR   DC    A(0),F'0'
DELIMAT  DC    A(0)
CHCOUNT  DC    F'0'
CHANGES  DC    F'0'
READRC   DC    F'0'
WRITERC  DC    F'0'
TAKEADDR DC    A(0)
READRET  DS    A
WRITERET DS    A
RDLNRET  DS    A
ENDRET   DS    A
COUNTRET DS    A
NUMRET   DS    A
TYPERET  DS    A
TAKERET  DS    A
ERASERET DS    A
CH1RET   DS    A
TYPESAVE DS    4F
FINDSAVE DS    4F
LINKSAVE DS    2F
PUTSAVE  DS    2F
ZONE1    DC    H'1'
ZONE2    DC    H'80'
TRUNCCOL DC    H'80'
VERCOL1  DC    H'1'
VERCOL2  DC    H'80'
LINELEN  DC    H'0'
LASTLEN  DC    H'0'
TAKELEN  DC    H'0'
RECFM    DC    C'F'
CASEMODE DC    C'U'
CASEBYTE DC    C'U'
VERFLAG  DC    X'01'
VERBYTE  DC    X'01'
SERFLAG  DC    X'00'
SERBYTE  DC    X'00'
CHANGED  DC    X'00'
GLOBAL   DC    X'00'
TRUNCED  DC    X'00'
LEAVING  DC    X'00'
DELIM    DC    C'/'
SKIPONE  DC    X'01'
WORD     DC    CL8' '
TABS     DC    XL32'00'
NEWTABS  DC    XL32'00'
DISPMODE DC    X'00'                    1: display mode (FORMAT)
MODEWORD DC    CL5'EDIT'                the status line's mode
MSGLEN   DC    H'0'                     the message line's text
MSGTEXT  DS    CL74
MSGR14   DS    A
CONSADDR DC    F'0'                     the virtual console
PAINTRET DS    A
PAINTSAV DS    10F
NUMWORK  DS    CL4
         DS    0D
GIOCCW   DC    X'19',AL3(0),X'20',X'00',H'0'
CANCCW   DC    X'1900000020FF0001'      DMSGIO's cancel CCW
SCRROWS  EQU   22                       the output area of a 3277
SCRCOLS  EQU   80
CURROW   EQU   9                        the current line's row
SCREEN   DS    CL(SCRROWS*SCRCOLS)
MSGWORK  DS    CL160
UPLINE   DS    CL130                    the line in upper case
LINE     DS    CL130                    the line as typed
LASTLINE DS    CL130                    the last request (= and ?)
UPPER    DS    CL256
FIRSTTAB DS    XL256
WORK     DS    CL(WORKSIZE)
         LTORG
         DS    0D
POOL     EQU   *                        the lines, to storage's end
         NUCON
         END   EDIT
