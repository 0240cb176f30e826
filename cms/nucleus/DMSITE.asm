ITE      TITLE 'DMSITE - EXTERNAL INTERRUPTIONS: THE BLIP'
*
* DMSITE takes external interruptions.  While a command runs, DMSINT
* has set the interval timer (location X'50') to 2 seconds and the
* nucleus runs enabled for external interruptions (NUCMASK X'01': in
* DMSINT, in every SVC 202 routine through DMSSVT, after each I/O wait
* through DMSIOS, and in user programs, whose PSW DMSLDR builds with
* it).  Each time the timer runs out DMSITE sets it to 2 seconds again
* and, when BLIP is on, types the blip string on the console, then
* returns to the interrupted program with its PSW and registers as
* they were.  This is VM/370's blip: every 2 seconds of the virtual
* machine's time a running command shows it is still running.
*
* The timer interruption is dismissed without a blip when:
*  - the timer is no longer negative: it ran out during the console
*    read and DMSINT set it again before enabling (a stale
*    interruption, not one the command earned);
*  - BLIP is OFF (the timer is then set as far off as it goes);
*  - DMSIOS is driving a device (IOBUSY): the nucleus is between its
*    SIO and the device's end, and the console write would take
*    DMSIOS's save area and wait fields from under it.  VM/370 also
*    forgets the blip when a console write is pending.  The timer is
*    set again all the same, so the next blip comes 2 seconds on.
* Everything else DMSITE uses is its own (EXTREGS in NUCON, its own
* CCW and line): a console line DMSCWR is building, an SVC frame half
* pushed or popped, a user program's registers, all stay as they
* were.  It types through DMSIOS with its own channel program, keeping
* and restoring CSW, CAW and the wait fields (IODONE to IOCSW), which a
* caller of DMSIOS may still be reading; DMSITE runs disabled (the
* external new PSW is, and NUCMASK is 0 while it types), so it is
* never entered twice.
*
* Any other external interruption (the interrupt key, CP's EXTERNAL
* command) is dismissed: VM/370 enters its DEBUG environment there,
* which this CMS does not have.
*
* The blip string (DMSITEBL, changed by SET BLIP, shown by QUERY
* BLIP): a state byte (0 OFF, 1 ON: the default, 2 a string SET BLIP
* gave), the number of characters typed (1-8), and the characters.
* The default is VM/370's: upper case shift and lower case shift
* (X'36', X'06'), which move a typewriter's typeball without printing
* anything, so on a line console it shows as an empty line.  The line
* is translated by SET OUTPUT's table (DMSCWRTB), as DMSCWR's are.
*
* Entered: DMSITE    through the external new PSW (key 0, disabled).
*          DMSITEON  by BALR R14,R15 from DMSINT when a command
*                    starts: the timer to 2 seconds (as far off as it
*                    goes when BLIP is OFF) and NUCMASK to X'01', the
*                    system mask too.  No register changes.
*          DMSITEOF  by BALR R14,R15 from DMSINT before the console
*                    read and the ready message: NUCMASK to 0 and the
*                    system mask too, the timer as far off as it goes.
*                    No register changes.
* Exits:   DMSITE: LPSW of the external old PSW.
*
         REGEQU
DMSITE   CSECT
         ENTRY DMSITEON,DMSITEOF,DMSITEBL
         USING NUCON,R0
         STM   R0,R15,EXTREGS
         BALR  R12,0
         USING *,R12
         TM    EXTOPSW+3,X'80'          the interval timer?
         BZ    DISMISS                  no: the interrupt key, a signal
         L     R2,TIMER
         LTR   R2,R2
         BNM   DISMISS                  set again since it ran out
         CLI   DMSITEBL,BLIPOFF
         BE    STOPTIME
         MVC   TIMER,TWOSECS            the next one in 2 seconds
         TM    EXTFLAGS,IOBUSY
         BO    DISMISS                  DMSIOS is busy: no blip now
         MVC   EXTIOSAV(IOCSW+8-IODONE),IODONE   wait fields, NUCMASK
         MVC   EXTCSW,CSW               CSW and CAW
         MVI   NUCMASK,0                DMSIOS must not enable us
         SR    R3,R3
         IC    R3,DMSITEBL+1            characters
         BCTR  R3,0
         EX    R3,BLIPMOVE
         L     R4,=V(DMSCWRTB)          SET OUTPUT translation
         EX    R3,BLIPTRAN
         LA    R3,1(,R3)
         STH   R3,BLIPCCW+6
         LH    R1,CONDEV
         LA    R2,BLIPCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         MVC   CSW(12),EXTCSW
         MVC   IODONE(IOCSW+8-IODONE),EXTIOSAV
DISMISS  LM    R0,R15,EXTREGS
         LPSW  EXTOPSW
STOPTIME MVC   TIMER,NEVER              BLIP OFF: no more interruptions
         B     DISMISS
BLIPMOVE MVC   BLIPLINE(0),DMSITEBL+2
BLIPTRAN TR    BLIPLINE(0),0(R4)
         DROP  R12
*
* DMSITEON: a command starts.
*
         USING DMSITEON,R15
DMSITEON MVC   TIMER,TWOSECS
         CLI   DMSITEBL,BLIPOFF
         BNE   ENABLE
         MVC   TIMER,NEVER
ENABLE   MVI   NUCMASK,X'01'            external interruptions
         SSM   NUCMASK
         BR    R14
         DROP  R15
*
* DMSITEOF: the command is over, or the console is about to be read.
*
         USING DMSITEOF,R15
DMSITEOF MVI   NUCMASK,0
         SSM   NUCMASK
         MVC   TIMER,NEVER
         BR    R14
         DROP  R15
BLIPOFF  EQU   0
         DS    0D
BLIPCCW  DC    X'09',AL3(BLIPLINE),X'20',X'00',H'0'   write, CR
TWOSECS  DC    F'153600'                2 seconds of 76,800 timer units
NEVER    DC    X'7FFFFF00'              about 7.8 hours
EXTCSW   DS    XL12
EXTIOSAV DS    XL24                     IODONE to IOCSW (18 bytes)
BLIPLINE DS    CL8
DMSITEBL DC    X'01',AL1(2),X'3606',CL6' '   now: ON, the default
         DC    X'01',AL1(2),X'3606',CL6' '   SET BLIP ON's
         LTORG
         NUCON
         END
