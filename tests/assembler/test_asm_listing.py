"""The listing, compared with expected text for small sources."""

from assembler import assemble

SOURCE = """\
DEMO     TITLE 'LISTING DEMO'
* A COMMENT
DEMO     CSECT
         USING DEMO,15
         L     1,WORD           LOAD IT
         MVC   BUF(2),=C'OK'
         SPACE 2
WORD     DC    F'-1'
BUF      DS    CL2
         END   DEMO
"""

# Worked out by hand: L at 0, MVC at 4, WORD aligned to 0C, BUF at 10, the
# END literal pool on the next doubleword, 18.
EXPECTED_SOURCE_PAGE = """\
\fDEMO     LISTING DEMO                                                     PAGE    2

  LOC  OBJECT CODE  ADDR1 ADDR2  STMT  SOURCE STATEMENT
                                    2  * A COMMENT
000000                              3  DEMO     CSECT
                          00000     4           USING DEMO,15
000000 5810F00C           0000C     5           L     1,WORD           LOAD IT
000004 D201F010F018 00010 00018     6           MVC   BUF(2),=C'OK'


00000C FFFFFFFF                     8  WORD     DC    F'-1'
000010                              9  BUF      DS    CL2
                          00000    10           END   DEMO
000018 D6D2                        10  =C'OK'
"""

EXPECTED_CROSS_REFERENCE = """\
SYMBOL    LEN   VALUE    DEFN  REFERENCES
BUF           2 00000010     9      6
DEMO          1 00000000     3      4    10
WORD          4 0000000C     8      5
"""


def pages(listing: str) -> list[str]:
    return listing.split("\f")


def test_first_page_is_the_external_symbol_dictionary():
    first = pages(assemble(SOURCE).listing)[0].splitlines()
    assert first[0].startswith("DEMO     LISTING DEMO") and first[0].endswith("PAGE    1")
    assert first[2] == "SYMBOL    TYPE  ID   ADDR   LENGTH LD ID"
    assert first[3] == "DEMO      SD    0001 000000 00001A"


def test_source_page_matches_the_expected_text():
    assert "\f" + pages(assemble(SOURCE).listing)[1] == EXPECTED_SOURCE_PAGE


def test_cross_reference_matches_the_expected_text():
    page = pages(assemble(SOURCE).listing)[2]
    assert page.split("\n", 2)[2] == EXPECTED_CROSS_REFERENCE


def test_diagnostics_page_summarizes():
    last = pages(assemble(SOURCE).listing)[-1]
    assert "0 STATEMENTS FLAGGED IN THIS ASSEMBLY" in last
    assert "0 WAS HIGHEST SEVERITY CODE" in last


def test_errors_are_listed_under_their_statement_and_summarized():
    listing = assemble("T CSECT\n L 1,NOWHERE\n END\n").listing
    lines = listing.splitlines()
    index = next(i for i, line in enumerate(lines) if "L 1,NOWHERE" in line)
    assert lines[index + 1].strip() == "*** severity 8, column 6: undefined symbol NOWHERE"
    assert "1 STATEMENT FLAGGED IN THIS ASSEMBLY" in listing
    assert "8 WAS HIGHEST SEVERITY CODE" in listing


def test_print_off_hides_statements_and_print_data_shows_all_bytes():
    listing = assemble(
        "T CSECT\n PRINT OFF\nHIDDEN DC F'1'\n PRINT ON,DATA\nLONG DC 8X'AB'\n END\n"
    ).listing
    assert "HIDDEN" not in listing.split("SYMBOL    LEN")[0]
    lines = listing.splitlines()
    index = next(i for i, line in enumerate(lines) if "LONG DC" in line)
    assert lines[index].startswith("000004 ABABABABABAB")
    assert lines[index + 1] == "00000A ABAB"


def test_eject_and_title_start_new_pages():
    listing = assemble("T CSECT\n LR 1,1\n EJECT\n LR 2,2\n TITLE 'SECOND'\n LR 3,3\n END\n")
    source_pages = [p for p in pages(listing.listing) if "SOURCE STATEMENT" in p]
    assert len(source_pages) == 3
    assert source_pages[2].splitlines()[0].split()[0] == "SECOND"


def test_continuation_cards_are_listed():
    card1 = " DC C'ABC',".ljust(71) + "X"
    listing = assemble(f"T CSECT\n{card1}\n               C'DEF'\n END\n").listing
    assert "               C'DEF'" in listing


SECOND_SOURCE = """\
COPYIT   CSECT
         USING COPYIT,15
         USING AREA,2
R3       EQU   3
         L     R3,LEN
         MVC   TARGET,SOURCE
         BR    14
LEN      DC    A(TARGET-SOURCE)
PTR      DC    A(BUF)
CCW1     CCW   X'02',BUF,X'20',8
BUF      DS    CL8
AREA     DSECT
SOURCE   DS    CL8
TARGET   DS    CL8
AREA2    EQU   *
         END
"""

# By hand: L 0-3, MVC 4-9, BR A-B, LEN C, PTR 10, CCW1 on the doubleword 18,
# BUF 20 (section length 28); the DSECT from 0: SOURCE 0, TARGET 8, AREA2 10.
EXPECTED_SECOND = """\
  LOC  OBJECT CODE  ADDR1 ADDR2  STMT  SOURCE STATEMENT
000000                              1  COPYIT   CSECT
                          00000     2           USING COPYIT,15
                          00000     3           USING AREA,2
                          00003     4  R3       EQU   3
000000 5830F00C           0000C     5           L     R3,LEN
000004 D20720082000 00008 00000     6           MVC   TARGET,SOURCE
00000A 07FE                         7           BR    14
00000C 00000008                     8  LEN      DC    A(TARGET-SOURCE)
000010 00000020                     9  PTR      DC    A(BUF)
000018 020000202000       00020    10  CCW1     CCW   X'02',BUF,X'20',8
000020                             11  BUF      DS    CL8
000000                             12  AREA     DSECT
000000                             13  SOURCE   DS    CL8
000008                             14  TARGET   DS    CL8
                          00010    15  AREA2    EQU   *
                                   16           END
"""


def test_second_source_page_with_dsect_equ_and_ccw():
    result = assemble(SECOND_SOURCE)
    assert result.return_code == 0
    page = pages(result.listing)[1]
    assert page.split("\n", 2)[2] == EXPECTED_SECOND


def test_relocation_dictionary_page():
    page = next(p for p in pages(assemble(SECOND_SOURCE).listing) if "POS.ID" in p)
    # A(BUF) at 10 and the CCW data address at 19: both 4 and 3 bytes, A-type.
    assert page.splitlines()[3:] == [
        "  0001    0001    0C   000010",
        "  0001    0001    08   000019",
    ]
