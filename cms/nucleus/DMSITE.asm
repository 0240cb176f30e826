ITE      TITLE 'DMSITE - EXTERNAL INTERRUPTION HANDLER'
*
* DMSITE takes external interruptions.  The nucleus runs with the
* external mask off, so one arrives only if a program enables it; the
* timer and the interrupt key have no CMS function yet, so the
* interruption is dismissed.
*
* Entered: through the external new PSW.
* Exits:   LPSW of the external old PSW.
*
DMSITE   CSECT
         USING NUCON,0
         LPSW  EXTOPSW
         NUCON
         END
