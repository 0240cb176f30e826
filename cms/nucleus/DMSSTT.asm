STT      TITLE 'DMSSTT - STATE: IS THERE SUCH A FILE'
*
* STATE fn ft [fm]
*    tells by its return code whether a file exists on an accessed
*    disk (fm default *: every disk in mode order).  Called by a
*    program (FSSTATE), it gives the address of a copy of the file's
*    FST in R0.
*
* Entered: by SVC 202, R1 -> tokenized list CL8'STATE',CL8 fn,CL8 ft,
*          CL8 fm (or the FSSTATE list: CL8'STATE',CL8 fn,CL8 ft,CL2
*          fm); the high-order byte of R1 X'0B' when the command was
*          typed (DMSINT): only then is a missing file a message.
*          R12 entry, R13 save area, R14 return.
* Exits:   R15 = 0 and R0 -> the FST copy; 24 no filetype given
*          (DMSSTT054E); 28 no such file (DMSSTT002E).
*
         REGEQU
DMSSTT   CSECT
         USING NUCON,R0
         USING DMSSTT,R12
         STM   R14,R12,12(R13)
         LR    R9,R1
         CLI   8(R9),X'FF'
         BE    NOFTYPE
         CLI   16(R9),X'FF'
         BE    NOFTYPE
         MVC   PATTERN(16),8(R9)
         MVC   PATTERN+16(2),=C'* '
         CLI   24(R9),X'FF'
         BE    SEARCH
         CLI   24(R9),C' '
         BE    SEARCH
         MVC   PATTERN+16(2),24(R9)
SEARCH   SR    R0,R0
         LA    R1,PATTERN
         L     R15,=V(DMSLFS)
         BALR  R14,R15
         LTR   R15,R15
         BNZ   NOFILE
         MVC   FSTCOPY,0(R1)
         LA    R0,FSTCOPY
         ST    R0,20(,R13)              R0 for the caller
         SR    R15,R15
         B     RETURN
NOFTYPE  LA    R1,MSG054
         SR    R2,R2
         SR    R4,R4
         LA    R5,24
         B     MESSAGE
NOFILE   LA    R5,28
         CLI   24(R13),X'0B'            R1 as saved: typed?
         BNE   QUIET
         LA    R1,MSG002
         LA    R2,PATTERN
MESSAGE  L     R15,=V(DMSMSG)
         BALR  R14,R15
QUIET    LR    R15,R5
RETURN   L     R14,12(,R13)
         LM    R0,R12,20(R13)
         BR    R14
PATTERN  DS    CL18
         DS    0F
FSTCOPY  DS    CL40
MSG054   MSGDESC DMSSTT054E,'INCOMPLETE FILEID SPECIFIED'
MSG002   MSGDESC DMSSTT002E,'FILE','NOT FOUND'
         LTORG
         NUCON
         END
