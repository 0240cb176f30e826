*---------------------------------------------------------------------
* LOOPER: lab 10 (docs/labs/10-scheduling.md).
*
* A batch job that never waits: it counts in R2 for ever.  It never
* gives up the CPU; only CP's time slice (the real interval timer)
* takes it back.
*
*   vm370 lab run 10
*---------------------------------------------------------------------
LOOPER   START X'2000'
         BALR  12,0
         USING *,12
         SR    2,2
COUNT    LA    2,1(2)
         B     COUNT
         END   LOOPER
