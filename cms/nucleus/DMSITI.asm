ITI      TITLE 'DMSITI - I/O INTERRUPTION HANDLER'
*
* DMSITI takes every I/O interruption.  The nucleus waits for one
* device at a time (DMSIOS): when the interruption is from that device
* and carries device end or attention, DMSITI keeps the CSW, marks the
* wait as over and resumes the waiting code past its wait PSW.  Any
* other interruption (channel end alone, another device, an attention
* nobody waits for) is dismissed: the interrupted PSW is loaded again.
*
* Entered: through the I/O new PSW; key 0, every interruption masked.
* Exits:   LPSW of the I/O old PSW, its wait bit off when the awaited
*          device ended.
*
         REGEQU
DMSITI   CSECT
         USING NUCON,R0
         STM   R14,R15,ITIREGS
         BALR  R15,0
         USING *,R15
         CLC   IOOPSW+2(2),IOWAITDV     the device the nucleus awaits?
         BNE   DISMISS
         TM    CSW+4,X'84'              device end or attention
         BZ    DISMISS
         MVC   IOCSW,CSW
         MVI   IODONE,X'FF'
         NI    IOOPSW+1,X'FD'           wait bit off: go on after it
DISMISS  LM    R14,R15,ITIREGS
         LPSW  IOOPSW
         DROP  R15
         NUCON
         END
