"""USING and DROP: base register choice (GC28-6514, "USING -- Use Base Address Register")."""


def code(result, number: int) -> str:
    return result.assembly.statements[number - 1].object_code.hex().upper()


def test_smallest_displacement_wins(asm):
    source = "T CSECT\n USING T,10\n USING T+100,11\n L 1,T+150\n L 1,T+50\n DS CL200\n END\n"
    result = asm.assembled(source)
    assert code(result, 4) == "5810B032"
    assert code(result, 5) == "5810A032"


def test_equal_displacements_choose_the_higher_register(asm):
    result = asm.assembled("T CSECT\n USING T,5\n USING T,9\n L 1,T+8\n END\n")
    assert code(result, 4) == "58109008"


def test_several_registers_in_one_using_cover_4096_each(asm):
    source = "T CSECT\n USING T,10,11\n L 1,FAR\n DS CL5000\nFAR DS F\n END\n"
    result = asm.assembled(source)
    far = result.assembly.symbols.symbols["FAR"].value.offset
    assert far == 5004
    assert code(result, 3) == f"5810B{far - 4096:03X}"


def test_using_on_a_dsect_addresses_its_fields(asm):
    source = (
        "T CSECT\n USING BLOCK,3\n L 1,NEXT\n MVC NAME,NAME\n"
        "BLOCK DSECT\n DS F\nNEXT DS A\nNAME DS CL8\n END\n"
    )
    result = asm.assembled(source)
    assert code(result, 3) == "58103004"
    assert code(result, 4) == "D20730083008"


def test_drop_ends_addressability(asm):
    source = "T CSECT\n USING T,12\n L 1,T\n DROP 12\n L 1,T\n END\n"
    result = asm.assembled(source, expect_rc=8)
    (diagnostic,) = result.diagnostics
    assert diagnostic.statement == 5
    assert "not addressable" in diagnostic.message and "USING" in diagnostic.message


def test_unaddressable_operand_without_any_using(asm):
    result = asm.assembled("T CSECT\n L 1,X\nX DS F\n END\n", expect_rc=8)
    (diagnostic,) = result.diagnostics
    assert diagnostic.statement == 2
    assert diagnostic.column == 6


def test_operand_beyond_4095_of_the_base_is_unaddressable(asm):
    result = asm.assembled("T CSECT\n USING T,12\n L 1,X\n DS CL4096\nX DS F\n END\n", expect_rc=8)
    assert "001004" in result.diagnostics[0].message  # X is at 4 + 4096


def test_absolute_addresses_below_4096_need_no_base(asm):
    result = asm.assembled("T CSECT\n L 1,X'10'\n MVI 0,X'40'\n END\n")
    assert code(result, 2) == "58100010"
    assert code(result, 3) == "92400000"


def test_absolute_using_for_high_absolute_addresses(asm):
    result = asm.assembled("T CSECT\n USING 8192,4\n L 1,8200\n END\n")
    assert code(result, 3) == "58104008"


def test_using_in_another_section_does_not_apply(asm):
    source = "A CSECT\n USING A,12\n L 1,Y\nB CSECT\nY DS F\n END\n"
    result = asm.assembled(source, expect_rc=8)
    assert "in B" in result.diagnostics[0].message


def test_drop_of_an_unused_register_is_a_warning(asm):
    result = asm.assembled("T CSECT\n DROP 7\n END\n", expect_rc=4)
    assert "not in use" in result.diagnostics[0].message


def test_bad_using_forms(asm):
    result = asm.assembled("T CSECT\n USING T\n USING T,16\n END\n", expect_rc=12)
    assert [d.statement for d in result.diagnostics] == [2, 3]


def test_dsect_mapping_low_storage_with_register_0(asm):
    source = (
        "T CSECT\n USING PSA,0\n L 1,TIMER\n MVC NEWIO,0(1)\n"
        "PSA DSECT\n DS CL80\nTIMER DS F\n ORG PSA+120\nNEWIO DS D\n END\n"
    )
    result = asm.assembled(source)
    assert code(result, 3) == "58100050"
    assert code(result, 4) == "D20700781000"


def test_register_0_with_another_base_is_an_error(asm):
    result = asm.assembled("T CSECT\n USING T+8,0\n END\n", expect_rc=8)
    assert "register 0" in result.diagnostics[0].message
