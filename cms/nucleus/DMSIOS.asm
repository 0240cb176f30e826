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
*          The system mask is NUCMASK's again (the wait's mask, which
*          enables the channels and not the external interruptions,
*          does not stay).
*
* Reentrancy: while a command runs the nucleus is enabled for external
* interruptions (NUCMASK), so one may come anywhere in here except in
* the wait itself.  IOBUSY in EXTFLAGS is on from the first instruction
* to the last: DMSITE, which drives the console through DMSIOS to type
* the blip, leaves the blip out while it is on, so IOSSAVE, CAW and the
* wait fields are never taken from under a channel program in progress.
*
* The interval timer: the blip comes every 2 seconds of the command's
* CPU time, as in VM/370, but the timer (the bare machine's, or CP's
* virtual timer, as CP-67's) also counts the time the machine waits.
* So DMSIOS puts the timer back after each wait to where it was when
* the wait began: a TYPE of a long file, mostly waiting for the
* console, does not blip, a program computing does.  (Under CP the
* word at X'50' is brought up to date when the machine traps, so it is
* read just after the SIO.)
*
         REGEQU
DMSIOS   CSECT
         ENTRY DMSIOSAT
         USING NUCON,R0
         USING DMSIOS,R15
         OI    EXTFLAGS,IOBUSY          first: see Reentrancy above
         STM   R14,R12,IOSSAVE
         LR    R12,R15
         DROP  R15
         USING DMSIOS,R12
         ST    R2,CAW
         STH   R1,IOWAITDV
START    MVI   IODONE,0
         SIO   0(R1)
         BC    8,STARTED
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
STARTED  MVC   IOTIMER,TIMER            (up to date: SIO traps to CP)
WAIT     LPSW  WAITIO
WOKEN    CLI   IODONE,X'FF'
         BNE   WAIT
         TM    IOCSW+4,X'04'            device end: the program ended
         BO    WAITED
         MVI   IODONE,0                 an attention: keep waiting
         B     WAIT
WAITED   MVC   TIMER,IOTIMER            the wait was not the command's
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
         NI    EXTFLAGS,255-IOBUSY      before the mask lets DMSITE in
         SSM   NUCMASK
         BR    R14
         DROP  R12
         USING DMSIOSAT,R15
DMSIOSAT OI    EXTFLAGS,IOBUSY
         STM   R14,R12,IOSSAVE
         L     R12,=A(DMSIOS)
         DROP  R15
         USING DMSIOS,R12
         STH   R1,IOWAITDV
         MVC   IOTIMER,TIMER
ATTWAIT  MVI   IODONE,0
         LPSW  WAITATT
ATTWOKEN CLI   IODONE,X'FF'
         BNE   ATTWAIT
         TM    IOCSW+4,X'80'
         BZ    ATTWAIT
         MVC   TIMER,IOTIMER
         L     R14,IOSSAVE
         LM    R0,R12,IOSSAVE+8
         SR    R15,R15
         NI    EXTFLAGS,255-IOBUSY
         SSM   NUCMASK
         BR    R14
         DS    0D
WAITIO   DC    X'FE020000',A(WOKEN)     channels 0-6 enabled, wait
WAITATT  DC    X'FE020000',A(ATTWOKEN)
IOSSAVE  DS    15F
IOTIMER  DS    F                        the interval timer at the wait
         LTORG
         NUCON
         END
