DIO      TITLE 'DMSDIO - READ OR WRITE ONE BLOCK OF A CMS DISK'
*
* DMSDIO moves one block of an accessed disk between the disk and
* storage.  Block n is on cylinder (n-1)/bpc, head ((n-1)//bpc)/bpt,
* record ((n-1)//bpt)+1 of the minidisk (docs/cms-disk-format.md).
* The channel program is the standard form DIAGNOSE X'18' takes:
*    SEEK BBCCHH, SEARCH ID EQUAL CCHHR, TIC *-8, READ/WRITE DATA 800
* Under CP (CPAVAIL) it goes by DIAGNOSE X'18' with R15 = 1 (one read
* or write); on the bare machine by SIO through DMSIOS.  The DIAGNOSE
* and SIO both see the minidisk starting at cylinder 0.
*
* Entered: R1 -> ADT of the disk, R2 block number, R3 -> 800-byte
*          buffer, R4 = 0 to read, 1 to write; R14 return, R15 entry.
* Exits:   R15 = 0 done; 4 the block is outside the disk; 8 an I/O
*          error (for DIAGNOSE X'18' the code CP gave is in DIOCODE).
*          Other registers unchanged.
*
         REGEQU
         MFDD
         ADTD
DMSDIO   CSECT
         ENTRY DIOCODE
         USING NUCON,R0
         USING DMSDIO,R15
         STM   R14,R12,DIOSAVE
         LR    R12,R15
         DROP  R15
         USING DMSDIO,R12
         USING ADTD,R1
         LTR   R2,R2
         BNP   OUTSIDE
         C     R2,ADTMFD+MFDNUM-MFDD
         BH    OUTSIDE
         LR    R7,R2
         BCTR  R7,0                     relative block
         SR    R6,R6
         LH    R8,ADTBPC
         DR    R6,R8                    R7 cylinder, R6 within it
         STH   R7,SEEKCC
         SRDA  R6,32                    R7 = within the cylinder
         LH    R8,ADTBPT
         DR    R6,R8                    R7 head, R6 record - 1
         STH   R7,SEEKHH
         LA    R6,1(,R6)
         STC   R6,SEEKR
         ST    R3,DATACCW
         MVI   DATACCW,X'06'            read data
         LTR   R4,R4
         BZ    DIRECTED
         MVI   DATACCW,X'05'            write data
DIRECTED LH    R5,ADTDEV
         TM    SYSFLAGS,CPAVAIL
         BZ    BYSIO
         LA    R6,SEEKCCW
         LA    R15,1                    one read or write
         DIAG  R5,R6,X'0018'            standard DASD I/O (DMKDGD)
         BZ    GOOD
         ST    R15,DIOCODE
         BC    4,CPERROR                condition code 1
         B     IOERROR
CPERROR  CH    R15,=H'1'                device not attached
         BE    NODEV
         B     IOERROR
BYSIO    LR    R1,R5
         LA    R2,SEEKCCW
         L     R15,=V(DMSIOS)
         BALR  R14,R15
         LTR   R15,R15
         BZ    GOOD
         CH    R15,=H'8'                not operational
         BE    NODEV
         B     IOERROR
GOOD     SR    R15,R15
         B     RETURN
OUTSIDE  LA    R15,4
         B     RETURN
IOERROR  LA    R15,8
         B     RETURN
NODEV    LA    R15,12
RETURN   L     R14,DIOSAVE
         LM    R0,R12,DIOSAVE+8
         BR    R14
         DS    0D
SEEKCCW  DC    X'07',AL3(SEEKARG),X'40',X'00',H'6'
SRCHCCW  DC    X'31',AL3(SEEKARG+2),X'40',X'00',H'5'
         DC    X'08',AL3(SRCHCCW),X'00',X'00',H'0'
DATACCW  DC    X'06',AL3(0),X'20',X'00',H'800'
SEEKARG  DC    H'0'                     BB
SEEKCC   DC    H'0'
SEEKHH   DC    H'0'
SEEKR    DC    X'00'
         DS    0F
DIOCODE  DC    F'0'
DIOSAVE  DS    15F
         LTORG
         NUCON
         END
