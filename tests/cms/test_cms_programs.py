"""User programs: assembled with the CMS macros, LOADed from TEXT files, STARTed."""

from __future__ import annotations

from pathlib import Path

import pytest
from cms_disks import opened

from assembler import assemble
from assembler.loader import load
from cms.build import MACLIB_DIRECTORY
from cms.filesystem import CMSDisk, binary_to_records, text_to_records
from vm370.hardware.devices.ckd_image import create_image

GREET = """\
GREET    CSECT
         USING GREET,12
         ST    14,RET
         L     2,8(,1)                  the first argument token
         ST    2,ARG                    (WRTERM uses register 1)
         WRTERM 'HELLO FROM A PROGRAM'
         WRTERM ARG,4
         L     14,RET
         LA    15,5
         BR    14
RET      DS    F
ARG      DS    F
         END   GREET
"""

STORE_INTO_NUCLEUS = """\
BAD      CSECT
         USING BAD,12
         WRTERM 'STORING INTO THE NUCLEUS'
         ST    0,X'200'
         BR    14
         END
"""

USER_ABEND = """\
QUIT     CSECT
         LA    1,100
         SVC   13
         END
"""

UPPER = """\
UPPER    CSECT
         USING UPPER,12
         ST    14,RET
LOOP     FSREAD 'NOTES MEMO A',BUFFER=LINE,BSIZE=80
         CH    15,=H'12'
         BE    DONE
         LR    3,0
         OC    LINE,=CL80' '
         FSWRITE 'UPPER MEMO A',BUFFER=LINE,BSIZE=(3),RECFM=V
         B     LOOP
DONE     FSCLOSE 'UPPER MEMO A'
         L     14,RET
         SR    15,15
         BR    14
RET      DS    F
LINE     DS    CL80
         LTORG
         END   UPPER
"""

CALLS = """\
MAIN     CSECT
         USING MAIN,12
         ST    14,RET
         L     15,=V(SUB)
         BALR  14,15
         L     14,RET
         BR    14
RET      DS    F
         LTORG
SUB      CSECT
         LR    11,15                    (SVC 202 returns a code in 15)
         USING SUB,11
         ST    14,SUBRET
         WRTERM 'IN THE SECOND SECTION'
         L     14,SUBRET
         SR    15,15
         BR    14
SUBRET   DS    F
         END   MAIN
"""

EDITED = """\
EDITED   CSECT
         USING EDITED,12
         LA    3,1234
         L     4,=X'00ABCDEF'
         LINEDIT TEXT='FOUND .... FILES AT ......',                    X
               SUB=(DEC,(3),HEX,(4))
         LINEDIT TEXT='AS IS',DOT=NO
         SR    15,15
         BR    14
         LTORG
         END
"""

APPENDS = """\
APPENDS  CSECT
         USING APPENDS,12
         ST    14,RET
         FSWRITE 'NOTES MEMO A',BUFFER=THIRD,BSIZE=5,RECFM=V
         FSCLOSE 'NOTES MEMO A'
         FSWRITE 'BIG DATA A',BUFFER=CARD,BSIZE=80,RECFM=F
         FSWRITE 'BIG DATA A',BUFFER=CARD,BSIZE=80,RECFM=F
         FSCLOSE 'BIG DATA A'
         FSWRITE 'BIG DATA A',BUFFER=CARD,BSIZE=79,RECFM=F
         ST    15,CODE
         FSCLOSE 'BIG DATA A'
         L     14,RET
         L     15,CODE
         BR    14
RET      DS    F
CODE     DS    F
THIRD    DC    C'third'
CARD     DC    CL80'APPENDED CARD'
         LTORG
         END
"""

CONVERSE = """\
CONVERSE CSECT
         SAVE  (14,12)
         LR    12,15
         USING CONVERSE,12
         RDTERM LINE
         LR    3,0                      the length typed
         WRTERM LINE,(3)
         RDTERM LINE,EDIT=NO
         LR    3,0
         WRTERM LINE,(3)
         CMSCALL PLIST=STATE,ERROR=NOFILE
         WRTERM 'FOUND'
         RETURN (14,12),RC=7
NOFILE   LR    4,15                     (WRTERM sets register 15)
         WRTERM 'NOT FOUND'
         LR    15,4
         RETURN (14,12),RC=(15)
LINE     DS    CL130
STATE    DC    CL8'STATE',CL8'NOTES',CL8'MEMO',CL8'*',8X'FF'
         END
"""

INTO_NUCLEUS = """\
INTO     CSECT
         USING INTO,12
         ST    14,RET
         FSREAD 'NOTES MEMO A',BUFFER=X'1000',BSIZE=80
         LR    3,15
         RDTERM X'1000'
         AR    15,3                     2 + 2: both refused
         L     14,RET
         BR    14
RET      DS    F
         END
"""


def deck(source: str) -> list[bytes]:
    result = assemble(source, maclib=[MACLIB_DIRECTORY])
    assert result.return_code == 0, [d.message for d in result.diagnostics]
    return binary_to_records(result.object_deck, "F", 80)


@pytest.fixture
def program_disk(tmp_path) -> Path:
    path = create_image(tmp_path / "programs.2314", "2314", 2)
    with opened(path, 0, 2) as device:
        disk = CMSDisk.format(device, "PGM191")
        for name, source in [
            ("GREET", GREET),
            ("BAD", STORE_INTO_NUCLEUS),
            ("QUIT", USER_ABEND),
            ("UPPER", UPPER),
            ("CALLS", CALLS),
            ("EDITED", EDITED),
            ("APPENDS", APPENDS),
            ("CONVERSE", CONVERSE),
            ("INTO", INTO_NUCLEUS),
        ]:
            disk.write(name, "TEXT", deck(source), "F", 80)
        disk.write("NOTES", "MEMO", text_to_records("first line\nsecond\n", "V", None), "V")
        big = "".join(f"line {number:05d}\n" for number in range(1, 1201))
        disk.write("BIG", "DATA", text_to_records(big), "F", 80)  # 120 full blocks
    return path


def test_load_and_start_a_program_with_the_cms_linkage(run_cms, program_disk):
    run = run_cms(["load greet", "start * abcd"], disks={0x191: program_disk})
    assert run.after("start * abcd") == [
        "DMSLIO740I EXECUTION BEGINS...",
        "HELLO FROM A PROGRAM",
        "ABCD",
        "R(00005);",
    ]


def test_program_check_in_a_program_abends_it_and_cms_goes_on(run_cms, program_disk):
    run = run_cms(["load bad", "start", "listfile * text"], disks={0x191: program_disk})
    # The old PSW points past the ST (ST 0,X'200' is 50000200), loaded at X'20000'.
    loaded = bytearray(0x30000)
    load([assemble(STORE_INTO_NUCLEUS, maclib=[MACLIB_DIRECTORY]).object_deck], loaded, 0x20000)
    after_store = loaded.find(bytes.fromhex("50000200")) + 4
    after = run.after("start")
    assert after[:5] == [
        "DMSLIO740I EXECUTION BEGINS...",
        "STORING INTO THE NUCLEUS",
        f"DMSITP141T PROTECTION EXCEPTION OCCURRED AT {after_store:06X} IN ROUTINE START",
        f"DMSABN148T SYSTEM ABEND 0C4 CALLED FROM {after_store:06X}",
        "CMS",
    ]
    assert run.after("listfile * text")[-1] == "R;"
    assert run.machine.storage.read(0x200, 2) == b"\x01\x90"  # IPLDEV kept


def test_user_abend(run_cms, program_disk):
    run = run_cms(["load quit", "start"], disks={0x191: program_disk})
    # LA (4 bytes) at X'20000', SVC 13 at X'20004': the SVC old PSW points at X'20006'.
    assert run.after("start")[1:3] == ["DMSABN155T USER ABEND 0100 CALLED FROM 020006", "CMS"]


def test_a_program_reads_and_writes_files_with_the_fs_macros(run_cms, program_disk):
    run = run_cms(["load upper", "start", "type upper memo"], disks={0x191: program_disk})
    assert run.after("type upper memo") == ["FIRST LINE", "SECOND", "R;"]
    run.close()
    with opened(program_disk, 0, 2, read_only=True) as device:
        records = CMSDisk.open(device).read("UPPER", "MEMO")
        assert [record.decode("cp037") for record in records] == ["FIRST LINE", "SECOND"]


def test_v_constants_between_sections_are_resolved(run_cms, program_disk):
    run = run_cms(["load calls", "start"], disks={0x191: program_disk})
    assert run.after("start")[1:] == ["IN THE SECOND SECTION", "R;"]


def test_load_errors(run_cms, program_disk):
    run = run_cms(["start", "load nope"], disks={0x191: program_disk})
    assert run.after("start")[:2] == ["DMSLIO952E NO PROGRAM LOADED", "R(00040);"]
    assert run.after("load nope") == ["DMSLIO002E FILE 'NOPE TEXT *' NOT FOUND", "R(00028);"]


def test_linedit_puts_decimal_and_hexadecimal_values_in_the_line(run_cms, program_disk):
    run = run_cms(["load edited", "start"], disks={0x191: program_disk})
    assert run.after("start")[1:] == ["FOUND 1234 FILES AT ABCDEF.", "AS IS", "R;"]


def test_genmod_then_the_module_runs_by_its_name(run_cms, program_disk):
    typed = ["load greet", "genmod greet", "greet wxyz", "nosuch"]
    run = run_cms(typed, disks={0x191: program_disk})
    assert run.after("genmod greet")[0] == "R;"
    assert run.after("greet wxyz")[:3] == ["HELLO FROM A PROGRAM", "WXYZ", "R(00005);"]
    assert run.after("nosuch") == ["UNKNOWN CMS COMMAND"]
    run.close()
    with opened(program_disk, 0, 2, read_only=True) as device:
        module = CMSDisk.open(device).find("GREET", "MODULE")
        assert (module.recfm, module.mode) == ("V", "A1")


def test_a_module_survives_a_new_ipl(run_cms, program_disk):
    run_cms(["load greet", "genmod greet"], disks={0x191: program_disk}).close()
    run = run_cms(["greet abcd"], disks={0x191: program_disk})
    assert run.after("greet abcd")[:3] == ["HELLO FROM A PROGRAM", "ABCD", "R(00005);"]


def test_fswrite_to_a_file_that_exists_adds_items_after_its_own(run_cms, program_disk):
    run = run_cms(["load appends", "start", "type notes memo"], disks={0x191: program_disk})
    # The third FSWRITE gives 79 bytes to an F 80 file: return code 14.
    assert run.after("start")[1] == "R(00014);"
    assert run.after("type notes memo") == ["first line", "second", "third", "R;"]
    run.close()
    with opened(program_disk, 0, 2, read_only=True) as device:
        disk = CMSDisk.open(device)
        records = [record.decode("cp037").rstrip() for record in disk.read("BIG", "DATA")]
        assert records[:2] == ["line 00001", "line 00002"]
        assert records[1199:] == ["line 01200", "APPENDED CARD", "APPENDED CARD"]
        assert disk.find("BIG", "DATA").blocks == 121
        assert disk.check() == []


def test_save_rdterm_cmscall_and_return(run_cms, program_disk):
    run = run_cms(
        ["load converse", "start", "Mixed Case", "Kept As Typed"], disks={0x191: program_disk}
    )
    assert run.after("Mixed Case")[0] == "MIXED CASE"
    assert run.after("Kept As Typed")[:3] == ["Kept As Typed", "FOUND", "R(00007);"]


def test_cmscall_error_exit_gets_the_return_code(run_cms, program_disk):
    run = run_cms(
        ["erase notes memo", "load converse", "start", "a", "b"], disks={0x191: program_disk}
    )
    assert run.after("b")[:3] == ["b", "NOT FOUND", "R(00028);"]


def test_a_program_cannot_have_the_nucleus_store_into_the_nucleus(run_cms, program_disk):
    run = run_cms(
        ["load into", "start", "typed", "listfile notes memo"], disks={0x191: program_disk}
    )
    before = run.machine.storage.read(0x1000, 80)
    assert run.after("typed")[0] == "R(00004);"
    assert run.after("listfile notes memo") == ["NOTES    MEMO     A1", "R;"]
    assert run.machine.storage.read(0x1000, 80) == before


CALLED = """\
SUBR     CSECT
         ENTRY SUBR2
SUBR2    SAVE  (14,12)
         LR    12,15
         USING SUBR2,12
         WRTERM 'SUBROUTINE LOADED BY LOAD'
         RETURN (14,12),RC=0
         END
"""

CALLER = """\
MAIN     CSECT
         SAVE  (14,12)
         LR    12,15
         USING MAIN,12
         LA    13,SAVEAREA
         L     15,=V(SUBR2)
         BALR  14,15
         WRTERM 'MAIN PROGRAM LOADED BY INCLUDE'
         L     13,4(,13)
         RETURN (14,12),RC=0
SAVEAREA DS    18F
         END
"""


def test_include_loads_more_decks_whose_names_resolve_against_what_is_loaded(
    run_cms, program_disk
):
    with opened(program_disk, 0, 2) as device:
        disk = CMSDisk.open(device)
        disk.write("SUBR", "TEXT", deck(CALLED), "F", 80)
        disk.write("CALLER", "TEXT", deck(CALLER), "F", 80)
    run = run_cms(
        ["load subr", "include caller", "start main", "include nosuch"],
        disks={0x191: program_disk},
    )
    assert run.after("start main")[:3] == [
        "DMSLIO740I EXECUTION BEGINS...",
        "SUBROUTINE LOADED BY LOAD",
        "MAIN PROGRAM LOADED BY INCLUDE",
    ]
    assert run.after("include nosuch")[:2] == [
        "DMSLIO002E FILE 'NOSUCH TEXT *' NOT FOUND",
        "R(00028);",
    ]
