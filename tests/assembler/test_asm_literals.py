"""Literals and their pools (GC28-6514, "Literals", "LTORG")."""


def test_literals_pool_at_end_after_the_code(asm):
    result = asm.assembled("T CSECT\n USING T,12\n L 1,=F'1'\n MVC 0(2,1),=C'AB'\n END\n")
    (pool,) = result.assembly.literal_pools
    assert [(entry.text, entry.location) for entry in pool] == [("F'1'", 16), ("C'AB'", 20)]
    image = asm.text_image(result)
    assert bytes(image[a] for a in range(16, 22)) == bytes.fromhex("00000001C1C2")
    assert result.assembly.statements[2].object_code.hex().upper() == "5810C010"


def test_same_literal_twice_is_pooled_once(asm):
    result = asm.assembled("T CSECT\n USING T,12\n L 1,=F'1'\n L 2,=F'1'\n END\n")
    (pool,) = result.assembly.literal_pools
    assert len(pool) == 1
    statements = result.assembly.statements
    assert statements[2].object_code[2:] == statements[3].object_code[2:]


def test_ltorg_places_the_pool_and_starts_a_new_one(asm):
    source = "T CSECT\n USING T,12\n L 1,=F'1'\n LTORG\n L 2,=F'1'\n L 3,=H'2'\n END\n"
    result = asm.assembled(source)
    first, second = result.assembly.literal_pools
    assert [entry.location for entry in first] == [8]
    assert [(entry.text, entry.location) for entry in second] == [("F'1'", 24), ("H'2'", 28)]


def test_pool_orders_literals_by_alignment(asm):
    source = "T CSECT\n USING T,12\n MVC 0(1,1),=C'A'\n L 1,=F'1'\n LD 0,=D'1'\n LH 1,=H'1'\n END\n"
    result = asm.assembled(source)
    (pool,) = result.assembly.literal_pools
    assert [entry.text for entry in pool] == ["D'1'", "F'1'", "H'1'", "C'A'"]
    # 18 bytes of code, then the pool on the next doubleword.
    assert [entry.location for entry in pool] == [24, 32, 36, 38]


def test_address_and_v_literals_are_relocated(asm):
    result = asm.assembled("T CSECT\n USING T,12\n L 15,=V(SUB)\n L 1,=A(T)\n END\n")
    kinds = sorted((item.v_type, item.address) for item in result.assembly.relocation_items)
    assert kinds == [(False, 12), (True, 8)]


def test_literal_implied_length_in_ss_instruction(asm):
    result = asm.assembled(
        "T CSECT\n USING T,12\n CLC 0(3,1),=C'XYZ'\n MVC 0(1,2),=C'ABCD'\n END\n"
    )
    assert result.assembly.statements[3].object_code[1] == 0


def test_listing_shows_the_pool_where_it_is(asm):
    result = asm.assembled("T CSECT\n USING T,12\n L 1,=F'7'\n LTORG\n END\n")
    lines = result.listing.splitlines()
    ltorg = next(i for i, line in enumerate(lines) if " LTORG" in line)
    assert lines[ltorg + 1].startswith("000008 00000007")
    assert lines[ltorg + 1].endswith("=F'7'")


def test_location_counter_literal_is_one_entry_per_statement(asm):
    result = asm.assembled("T CSECT\n USING T,12\n L 1,=A(*)\n L 1,=A(*)\n END\n")
    (pool,) = result.assembly.literal_pools
    values = [int.from_bytes(entry.object_code, "big") for entry in pool]
    assert values == [0, 4]
