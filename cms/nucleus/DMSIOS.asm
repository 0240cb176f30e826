IOS      TITLE 'DMSIOS - START I/O AND WAIT FOR ITS END'
*
* DMSIOS runs one channel program and waits, in an enabled wait, for
* the device's end (DMSITI ends the wait).  Every device CMS drives
* directly (the console, disks when CP offers no DIAGNOSE X'18') goes
* through it.
*
* Entered: DMSIOS    R1 device address, R2 address of the channel
*                    program (key 0 in the CAW), R14 return, R15 entry.
*          DMSIOSAT  R1 device address: wait for an attention from it
*                    it (the console's REQUEST key, or CP's signal
*                    that the user typed a line).
* Exits:   R15 = 0  channel end and device end, no error;
*                4  unit check or unit exception (IOCSW has the CSW);
*                8  the device is not operational (SIO cc 3);
*                12 a channel error (program check, protection check,
*                   data or control checks) in the CSW.
*          Other registers unchanged.  IOCSW holds the final CSW.
*
         REGEQU
DMSIOS   CSECT
         ENTRY DMSIOSAT
         USING NUCON,R0
         USING DMSIOS,R15
         STM   R14,R12,IOSSAVE
         LR    R12,R15
         DROP  R15
         USING DMSIOS,R12
         ST    R2,CAW
         STH   R1,IOWAITDV
START    MVI   IODONE,0
         SIO   0(R1)
         BC    8,WAIT                   started
         BC    4,STORED                 CSW stored
         BC    2,BUSY                   busy: let it finish first
         LA    R15,8                    not operational
         B     RETURN
BUSY     TIO   0(R1)                    clears a pending interruption
         BC    8,START
         BC    1,NOTOPER
         B     BUSY
NOTOPER  LA    R15,8
         B     RETURN
STORED   TM    CSW+4,X'10'              busy
         BO    BUSY
         MVC   IOCSW,CSW                ended at once (or refused)
         B     CHECK
WAIT     LPSW  WAITIO
WOKEN    CLI   IODONE,X'FF'
         BNE   WAIT
         TM    IOCSW+4,X'04'            device end: the program ended
         BO    CHECK
         MVI   IODONE,0                 an attention: keep waiting
         B     WAIT
CHECK    SR    R15,R15
         TM    IOCSW+5,X'3F'            channel errors (PoO: CSW)
         BZ    UNIT
         LA    R15,12
         B     RETURN
UNIT     TM    IOCSW+4,X'03'            unit check, unit exception
         BZ    RETURN
         LA    R15,4
RETURN   L     R14,IOSSAVE
         LM    R0,R12,IOSSAVE+8
         BR    R14
         DROP  R12
         USING DMSIOSAT,R15
DMSIOSAT STM   R14,R12,IOSSAVE
         L     R12,=A(DMSIOS)
         DROP  R15
         USING DMSIOS,R12
         STH   R1,IOWAITDV
ATTWAIT  MVI   IODONE,0
         LPSW  WAITATT
ATTWOKEN CLI   IODONE,X'FF'
         BNE   ATTWAIT
         TM    IOCSW+4,X'80'
         BZ    ATTWAIT
         L     R14,IOSSAVE
         LM    R0,R12,IOSSAVE+8
         SR    R15,R15
         BR    R14
         DS    0D
WAITIO   DC    X'FE020000',A(WOKEN)     channels 0-6 enabled, wait
WAITATT  DC    X'FE020000',A(ATTWOKEN)
IOSSAVE  DS    15F
         LTORG
         NUCON
         END
