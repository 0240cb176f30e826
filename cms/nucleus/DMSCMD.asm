CMD      TITLE 'DMSCMD - THE NUCLEUS COMMAND AND FUNCTION TABLE'
*
* DMSCMD lists the commands and functions that live in the nucleus:
* 8-byte name, address of the routine.  DMSSVT searches it for every
* SVC 202; X'FF' ends it.  A routine here is entered as DMSSVT
* describes (R1 parameter list, R12 entry, R13 save area, R14 return).
*
DMSCMD   CSECT
         DC    CL8'TYPLIN',V(DMSCWR)      type a line
         DC    CL8'WAITRD',V(DMSCRD)      read a line
         DC    CL8'LINEDIT',V(DMSLIN)     type a line with values
         DC    CL8'CP',V(DMSCPF)          pass a command to CP
         DC    CL8'ACCESS',V(DMSACC)      make a disk a filemode
         DC    CL8'RELEASE',V(DMSARE)     forget an accessed disk
         DC    CL8'LISTFILE',V(DMSLST)    list files
         DC    CL8'STATE',V(DMSSTT)       does a file exist
         DC    CL8'TYPE',V(DMSTYP)        type a file
         DC    CL8'ERASE',V(DMSERS)       erase a file
         DC    CL8'COPYFILE',V(DMSCPY)    copy a file
         DC    CL8'RENAME',V(DMSRNM)      rename a file
         DC    CL8'FORMAT',V(DMSFOR)      make a disk a CMS disk
         DC    CL8'PRINT',V(DMSPRT)       a file to the printer
         DC    CL8'PUNCH',V(DMSPNC)       a file to the punch
         DC    CL8'READCARD',V(DMSRDC)    the reader's cards to a file
         DC    CL8'DISK',V(DMSDSK)        a file to cards and back
         DC    CL8'LOAD',V(DMSLDR)        load TEXT decks
         DC    CL8'INCLUDE',V(DMSINC)     load more TEXT decks
         DC    CL8'QUERY',V(DMSQRY)       show settings and disks
         DC    CL8'SET',V(DMSSET)         change settings
         DC    CL8'START',V(DMSLST$)      run what was loaded
         DC    CL8'GENMOD',V(DMSGEN)      save it as a MODULE file
         DC    CL8'EXEC',V(DMSEXT)        run an EXEC file
         DC    CL8'ASSEMBLE',V(DMSASM)    assemble through CP
         DC    CL8'GLOBAL',V(DMSGLB)      name the macro libraries
         DC    CL8'MACLIB',V(DMSLBM)      make or list a MACLIB
         DC    CL8'RDBUF',V(DMSBRD)       read an item (FSREAD)
         DC    CL8'WRBUF',V(DMSBWR)       write an item (FSWRITE)
         DC    CL8'FINIS',V(DMSFNS)       close a file (FSCLOSE)
         DC    X'FF'
         END
