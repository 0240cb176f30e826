"""Sections, ORG, EQU, CNOP, CCW, START, EXTRN/ENTRY (GC28-6514, "Program Sectioning")."""


def symbol(result, name):
    return result.assembly.symbols.symbols[name]


def test_second_csect_starts_on_the_next_doubleword(asm):
    result = asm.assembled("A CSECT\n DC C'XYZ'\nB CSECT\nY DC C'1'\nA CSECT\nZ DC C'2'\n END\n")
    sections = {s.name: s for s in result.assembly.symbols.sections}
    assert (sections["A"].origin, sections["A"].length) == (0, 4)
    assert (sections["B"].origin, sections["B"].length) == (8, 1)
    assert symbol(result, "Z").value.offset == 3


def test_dsect_generates_no_text_and_starts_at_zero(asm):
    result = asm.assembled(
        "T CSECT\n DC F'1'\nD DSECT\nF1 DS F\nF2 DC F'9'\nT CSECT\nG DC H'1'\n END\n"
    )
    assert symbol(result, "F2").value.offset == 4
    assert symbol(result, "G").value.offset == 4
    addresses = sorted(r.address for r in result.assembly.text_records)
    assert addresses == [0, 4]


def test_start_sets_the_origin_rounded_to_a_doubleword(asm):
    result = asm.assembled("P START X'1004'\nA DC F'1'\n END\n")
    assert symbol(result, "A").value.offset == 0x1008


def test_org_moves_the_location_counter_back_and_forward(asm):
    source = "T CSECT\nA DC CL8'ABCDEFGH'\n ORG A+2\nB DC C'Z'\n ORG\nC DC C'Q'\n END\n"
    result = asm.assembled(source)
    assert symbol(result, "B").value.offset == 2
    assert symbol(result, "C").value.offset == 8
    image = asm.text_image(result)
    assert image[2] == 0xE9


def test_org_outside_the_section_is_an_error(asm):
    result = asm.assembled("A CSECT\nX DS F\nB CSECT\n ORG X\n END\n", expect_rc=8)
    assert "current section" in result.diagnostics[0].message


def test_equ_values_and_length_attributes(asm):
    source = (
        "T CSECT\nBUF DS CL20\nR12 EQU 12\nEND1 EQU BUF+20\nLEN EQU *-BUF\nL2 EQU BUF,5\n END\n"
    )
    result = asm.assembled(source)
    assert symbol(result, "R12").value.offset == 12 and symbol(result, "R12").value.absolute
    assert symbol(result, "END1").length == 20
    assert symbol(result, "LEN").value.offset == 20 and symbol(result, "LEN").value.absolute
    assert symbol(result, "L2").length == 5


def test_equ_forward_reference_is_an_error(asm):
    result = asm.assembled("T CSECT\nA EQU B\nB DS F\n END\n", expect_rc=8)
    assert "must be defined before" in result.diagnostics[0].message


def test_duplicate_symbol_is_an_error_naming_the_first(asm):
    result = asm.assembled("T CSECT\nA DS F\nA DS H\n END\n", expect_rc=8)
    (diagnostic,) = result.diagnostics
    assert diagnostic.statement == 3 and "statement 2" in diagnostic.message


def test_cnop_pads_with_no_operations(asm):
    result = asm.assembled("T CSECT\n DC H'1'\n CNOP 6,8\nX DC H'2'\n END\n")
    assert symbol(result, "X").value.offset == 6
    assert result.assembly.statements[2].object_code == bytes.fromhex("07000700")


def test_ccw_is_aligned_and_relocatable(asm):
    result = asm.assembled("T CSECT\n DC H'0'\nC CCW 2,BUF,X'20',80\nBUF DS CL80\n END\n")
    assert symbol(result, "C").value.offset == 8
    assert result.assembly.statements[2].object_code.hex().upper() == "0200001020000050"
    (item,) = result.assembly.relocation_items
    assert (item.address, item.length) == (9, 3)


def test_extrn_wxtrn_entry(asm):
    result = asm.assembled("T CSECT\n EXTRN A,B\n WXTRN C\n ENTRY E\nE DC A(A,C)\n END\n")
    kinds = {e.name: e.kind for e in result.assembly.symbols.externals.values()}
    assert kinds == {"A": "ER", "B": "ER", "C": "WX"}
    assert [e.name for e in result.assembly.symbols.entries] == ["E"]


def test_entry_of_an_undefined_symbol_is_an_error(asm):
    result = asm.assembled("T CSECT\n ENTRY NOPE\n END\n", expect_rc=8)
    assert "NOPE" in result.diagnostics[0].message


def test_common_section(asm):
    result = asm.assembled("T CSECT\n USING T,12\n L 1,=A(AREA)\nBLK COM\nAREA DS CL100\n END\n")
    common = [s for s in result.assembly.symbols.sections if s.kind == "CM"]
    assert [(s.name, s.length) for s in common] == [("BLK", 100)]


def test_code_before_any_csect_is_private_code(asm):
    result = asm.assembled(" LR 1,2\n END\n")
    (section,) = result.assembly.symbols.sections
    assert (section.kind, section.name) == ("PC", "")


def test_end_entry_point(asm):
    result = asm.assembled("T CSECT\n DC F'0'\nGO LR 1,1\n END GO\n")
    assert result.assembly.entry_point == (1, 4)


def test_statements_after_end_are_ignored_with_a_warning(asm):
    result = asm.assembled("T CSECT\n END\n LR 1,1\n", expect_rc=4)
    assert result.diagnostics[0].statement == 3


def test_missing_end_is_a_warning(asm):
    result = asm.assembled("T CSECT\n LR 1,1\n", expect_rc=4)
    assert "no END" in result.diagnostics[0].message


def test_punch_and_repro_cards_go_in_the_deck(asm):
    result = asm.assembled(" PUNCH ' ENTRY X'\n REPRO\nTHIS CARD IS COPIED\nT CSECT\n END\n")
    cards = [card.decode("cp037") for card in result.cards]
    assert cards[0].startswith(" ENTRY X")
    assert cards[1].startswith("THIS CARD IS COPIED")


def test_end_literals_go_to_the_first_section_before_the_next(asm):
    source = "A CSECT\n USING A,12\n L 1,=F'1'\nB CSECT\nY DC C'1'\n END\n"
    result = asm.assembled(source)
    sections = {s.name: s for s in result.assembly.symbols.sections}
    assert sections["A"].length == 12  # L, then the pool on a doubleword
    assert sections["B"].origin == 16
    assert symbol(result, "Y").value.offset == 16


def test_literals_with_only_a_dsect(asm):
    result = asm.assembled("D DSECT\n L 1,=F'1'\n END\n", expect_rc=8)
    assert "not addressable" in result.diagnostics[0].message


def test_entry_of_a_dsect_symbol_is_an_error_and_no_ld_item(asm):
    result = asm.assembled("T CSECT\n ENTRY A\nA DSECT\n END\n", expect_rc=8)
    assert "control section" in result.diagnostics[0].message
    assert len(result.cards) == 2  # one ESD card (T), the END card


def test_equ_of_a_symbol_in_a_later_section_lists_its_final_value(asm):
    result = asm.assembled("A CSECT\n DC F'0'\nB CSECT\nY DC F'0'\nA CSECT\nE EQU Y\n END\n")
    assert symbol(result, "E").value.offset == 8
    assert result.assembly.statements[5].address2 == 8
