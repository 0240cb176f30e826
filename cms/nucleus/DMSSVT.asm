SVT      TITLE 'DMSSVT - SVC INTERRUPTION HANDLER, SVC 202 LINKAGE'
*
* DMSSVT takes every supervisor call.  SVC 202 calls a CMS command or
* function by name: register 1 points at a tokenized parameter list
* (8-byte tokens, the first the name, ending with 8 bytes of X'FF');
* DMSSVT finds the name in the nucleus command table (DMSCMD) and calls
* the routine; a name not there is looked for as a MODULE file on the
* accessed disks (DMSMOD); a name found nowhere returns -3.  SVC 13 is
* ABEND: register 1 holds the user abend code.  Any other SVC is a
* system abend whose code is the SVC number.
*
* Entered: through the SVC new PSW; key 0, every interruption masked.
* The routine called gets: R0 and R1 as the caller set them, R12 and
*          R15 its entry address, R13 an 18-word save area, R14 the
*          return address; it runs in key 0 with NUCMASK's system
*          mask: enabled for external interruptions (the blip) while a
*          command runs, else disabled.  This frame is complete before
*          the mask opens, and DMSITE touches no SVC state, so an
*          interruption anywhere after that is harmless.  It
*          returns its return code in R15 and may give a value back
*          in R0.
* Exits:   to the caller, registers 1-14 as they were, R15 the return
*          code and R0 the routine's R0.  When the two bytes after the
*          SVC begin an address word (first byte X'00', which no
*          operation code is), it is the error exit: a nonzero return
*          code goes there, zero to the instruction after the word.
*
         REGEQU
         CMSLAYO
         SVCFRAME
DMSSVT   CSECT
         ENTRY DMSSVTRS,DMSSVTCK
         USING NUCON,R0
         STM   R0,R15,SVCREGS
         BALR  R12,0
         USING *,R12
         CLI   SVCOPSW+3,201            a started program is done
         BNE   NOTBACK
         L     R0,SVCREGS+60            its return code
         L     R15,=V(DMSLDRET)
         BR    R15
NOTBACK  DS    0H
         USING SVCFRAME,R11
         L     R11,SVCTOP
         LTR   R11,R11
         BNZ   PUSH
         L     R11,=A(FRAMES)
         B     PUSHED
PUSH     LA    R11,FRAMELEN(,R11)
         C     R11,=A(FRAMEEND)
         BNL   TOODEEP
PUSHED   MVC   FRPREV,SVCTOP
         ST    R11,SVCTOP
         MVC   FRPSW,SVCOPSW
         MVC   FRREGS(64),SVCREGS
         LH    R2,SVCOPSW+2             the SVC number
         CH    R2,=H'202'
         BE    SVC202
         MVC   FRNAME,=CL8'SVC'
         CH    R2,=H'13'
         BNE   BADSVC
         L     R0,FRREGS+4              user abend code
         LA    R1,1                     user
         B     ABEND
BADSVC   LR    R0,R2                    system abend code: the SVC
         SR    R1,R1
ABEND    L     R15,=V(DMSABN)
         LA    R2,SVCOPSW
         BR    R15
TOODEEP  L     R11,SVCTOP
         LA    R0,X'0CA'                SVC nesting too deep
         SR    R1,R1
         B     ABEND
SVC202   L     R3,FRREGS+4
         LA    R3,0(,R3)                the parameter list
         MVC   FRNAME,0(R3)
         L     R4,=V(DMSCMD)            the nucleus command table
FIND     CLI   0(R4),X'FF'
         BE    NOTNUC
         CLC   0(8,R4),FRNAME
         BE    FOUND
         LA    R4,12(,R4)
         B     FIND
FOUND    L     R15,8(,R4)
         B     CALL
NOTNUC   L     R15,=V(DMSMOD)           a MODULE file of that name?
CALL     LM    R0,R1,FRREGS
         LA    R13,FRSAVE
         LR    R12,R15
         SSM   NUCMASK                  the routine runs as the nucleus
         BALR  R14,R15
RETURNED BALR  R12,0
         USING *,R12
         L     R11,SVCTOP
         ST    R0,FRREGS
         ST    R15,FRREGS+60
         L     R2,FRPSW+4
         LA    R2,0(,R2)                the instruction after the SVC
         CLI   0(R2),X'00'
         BNE   POP
         LTR   R15,R15
         BNZ   ERREXIT
         LA    R2,4(,R2)                past the error address word
         B     SETRET
ERREXIT  MVC   FRTEMP,0(R2)             (not aligned: move it first)
         L     R2,FRTEMP
SETRET   ST    R2,FRTEMP
         MVC   FRPSW+5(3),FRTEMP+1
POP      MVC   SVCTOP,FRPREV
         MVC   SVCRPSW,FRPSW
         LM    R0,R15,FRREGS
         LPSW  SVCRPSW
*
* DMSSVTCK: may the routine serving this SVC 202 use R3 bytes at R2
* for its caller?  They must lie in storage, and when R4 is 1 (the
* routine stores there) and the caller ran in a key other than 0 (a
* user program), in the user's storage (X'1F800' up): a program cannot
* have the nucleus store into the nucleus for it.  R15 = 0 yes, 2 no
* (VM/370's "buffer not within user storage").  Uses R15 only.
*
         DROP  R12
         USING DMSSVTCK,R15
DMSSVTCK STM   R0,R3,CHECKSAV
         LA    R0,0(R2,R3)              the end
         C     R0,STORSIZE
         BH    CHECKNO
         LTR   R4,R4
         BZ    CHECKOK
         L     R1,SVCTOP
         LTR   R1,R1
         BZ    CHECKOK
         TM    FRPSW+1-SVCFRAME(R1),X'F0'    the caller's PSW key
         BZ    CHECKOK
         C     R2,=A(USERLOW)
         BL    CHECKNO
CHECKOK  LM    R0,R3,CHECKSAV
         SR    R15,R15
         BR    R14
CHECKNO  LM    R0,R3,CHECKSAV
         LA    R15,2
         BR    R14
CHECKSAV DS    4F
         LTORG
         DROP  R15
*
* DMSSVTRS: forget every SVC level (after an abend).
*
DMSSVTRS XC    SVCTOP,SVCTOP
         BR    R14
         LTORG
         DS    0D
FRAMES   DS    (8*FRAMELEN)X
FRAMEEND EQU   *
         NUCON
         END
