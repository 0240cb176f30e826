INI      TITLE 'DMSINI - CMS INITIALIZATION AFTER IPL'
*
* DMSINI brings CMS up.  The IPL PSW in DMSNUC enters it once the IPL
* channel program has read the nucleus into storage.
*
* Entered: from the IPL PSW; key 0, every interruption masked; the IPL
*          device address in locations 2-3.
* Does:    1. notes the IPL device (the S disk) and the console (009);
*          2. finds the storage size and sets the storage keys: the
*             nucleus (0 to USERLOW-1) gets key F, the rest key E, so a
*             user program running in key E cannot store into it;
*          3. probes DIAGNOSE X'0C' once with the program new PSW at a
*             recovery point: under CP it answers, on the bare machine
*             it is a specification exception;
*          4. types the version line, CMS VERSION 6.0;
*          5. accesses the IPL disk as S and 191 as A when they exist.
* Exits:   to DMSINT, the command loop; never returns.
*
         REGEQU
         CMSLAYO
DMSINI   CSECT
         USING NUCON,R0
         BALR  R12,0
         USING *,R12
         MVC   IPLDEV,IPLPSW+2          the channel put it there
         MVC   CONDEV,=X'0009'
         XC    SVCTOP,SVCTOP
         XC    LASTRC,LASTRC
         MVI   SYSFLAGS,0
         MVI   OPTFLAGS,0
         MVC   SAVEPGM,PGMNPSW
         MVC   PGMNPSW,SIZEPSW          addressing exception ends it
         L     R2,=A(USERLOW)
         LA    R3,USERKEY
         L     R4,=F'2048'
KEYUSER  SSK   R3,R2                    past the end: program check
         AR    R2,R4
         B     KEYUSER
SIZEFND  ST    R2,STORSIZE
         ST    R2,STOREND               (DMSACC's bitmap slots below)
         SR    R2,R2
         LA    R3,NUCKEY
KEYNUC   SSK   R3,R2
         AR    R2,R4
         C     R2,=A(USERLOW)
         BL    KEYNUC
         MVC   PGMNPSW,DIAGPSW
         LA    R2,TIMEAREA
         DIAG  R2,R0,X'000C'            time of day and CPU times
         OI    SYSFLAGS,CPAVAIL         it answered: CP is there
         MVC   TIMEBASE,TIMEAREA+16
* No blips on a display, as VM/370's DMSINS ("NO BLIPS FOR TUBES"):
* DIAGNOSE X'24' of the virtual console gives its terminal's class,
* X'40' for a 3270 display, where a blip would be a line of its own.
         L     R2,=F'-1'                the virtual console
         DIAG  R2,R4,X'0024'            R5: its terminal's class
         BNZ   NODIAG
         SRL   R5,24
         CH    R5,=H'64'                X'40': a display station
         BNE   NODIAG
         L     R1,=V(DMSITEBL)
         MVI   0(R1),0                  BLIP OFF (DMSITE's BLIPOFF)
NODIAG   MVC   PGMNPSW,SAVEPGM
         WRTERM 'CMS VERSION 6.0'
         LH    R0,IPLDEV
         LA    R1,3
         LA    R2,ACCSDEV
         L     R15,=V(DMSCVH)
         BALR  R14,R15                  S disk: the IPL device
         CMSCALL PLIST=ACCESSS
         CMSCALL PLIST=ACCESSA
         LA    R13,PROFSAVE
         L     R15,=V(DMSEXTPR)         PROFILE EXEC when there is one
         BALR  R14,R15
         L     R15,=V(DMSINT)
         BR    R15
         DS    0D
SIZEPSW  DC    X'00000000',A(SIZEFND)
DIAGPSW  DC    X'00000000',A(NODIAG)
SAVEPGM  DS    D
PROFSAVE DS    18F
         DS    0F
ACCESSS  DC    CL8'ACCESS'
ACCSDEV  DC    CL8' ',CL8'S',CL8'(',CL8'NOPROF',CL8'NOMSG'
         DC    8X'FF'
ACCESSA  DC    CL8'ACCESS',CL8'191',CL8'A',CL8'(',CL8'NOPROF'
         DC    CL8'NOMSG'
         DC    8X'FF'
         LTORG
         NUCON
         END
