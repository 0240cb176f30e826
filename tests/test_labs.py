"""Lab 1 (docs/labs/01-trap-and-emulate.md): its commands, run, and what the lab says they show."""

import json
from pathlib import Path

from vm370.cli import main

LABS = Path(__file__).resolve().parent.parent / "decks" / "labs"
TRAP_RUN = ["--psw", "0000000000002000", "--dump", "2300:58", "--json"]
SHADOW_RUN = ["--ec", "--cr", "0=00003000", "--psw", "0400000000002000"]
SHADOW_RUN += ["--dump", "5000:8", "--dump", "8000:8", "--json"]


def assemble(capsys, tmp_path: Path, deck: str, *options: str) -> Path:
    """vm370 asm decks/labs/DECK.asm -o DECK.obj: the object deck's path."""
    object_deck = tmp_path / f"{deck}.obj"
    status = main(["asm", str(LABS / f"{deck}.asm"), "-o", str(object_deck), *options])
    out = capsys.readouterr().out
    assert status == 0 and "return code 0" in out
    return object_deck


def run_bare(capsys, object_deck: Path, *argv: str) -> dict:
    """vm370 bare --load-deck DECK@2000 ARGV: the JSON report."""
    status = main(["bare", "--load-deck", f"{object_deck}@2000", *argv])
    out = capsys.readouterr().out
    assert status == 0
    return json.loads(out)


def both_runs(capsys, tmp_path: Path, deck: str, run: list[str], *asm_options: str):
    """Assemble DECK, run it on the bare machine and under CP: the two JSON reports."""
    object_deck = assemble(capsys, tmp_path, deck, *asm_options)
    return run_bare(capsys, object_deck, *run), run_bare(capsys, object_deck, *run, "--under-cp")


def test_trap_assembles_as_the_lab_shows(capsys, tmp_path):
    status = main(["asm", str(LABS / "trap.asm"), "-o", str(tmp_path / "trap.obj")])
    assert status == 0
    assert "trap.asm: 86 statements, return code 0" in capsys.readouterr().out


def test_trap_ends_the_same_bare_and_under_cp_up_to_the_diagnose(capsys, tmp_path):
    bare, guest = both_runs(capsys, tmp_path, "trap", TRAP_RUN)
    assert bare["stop"] == guest["stop"] == "disabled-wait"
    assert bare["psw"] == guest["psw"] == "00020000000000AA"
    assert bare["cr"] == guest["cr"] and bare["fpr"] == guest["fpr"]
    # R0-R13 equal; R14/R15 are the program-check handler's, which ran once more on
    # the bare machine (DIAGNOSE there is a specification exception).
    assert bare["gpr"][:14] == guest["gpr"][:14]
    assert bare["gpr"][2] == "00000037"  # 10+9+...+1 in the problem state
    assert bare["gpr"][4] == "00002330"  # ISK: key X'30' into the low byte of X'2350'
    assert bare["gpr"][6] == "00000064"  # the SVC 1 service, 100
    assert bare["gpr"][7] == "00000002"  # the SVC number from the SVC old PSW
    assert (bare["gpr"][14], bare["gpr"][15]) == ("00000004", "00000006")
    assert (guest["gpr"][14], guest["gpr"][15]) == ("00000002", "00000002")
    bare_dump, guest_dump = (
        bytes.fromhex(bare["dump"]["2300"]),
        bytes.fromhex(guest["dump"]["2300"]),
    )
    assert bare_dump[:0x40] == guest_dump[:0x40]  # RESULTS: the registers before DIAGNOSE
    assert bare_dump[0x40:0x42] == guest_dump[0x40:0x42] == b"\x00\x02"  # the problem SSM
    assert bare_dump[0x42:0x44] == b"\x00\x06" and guest_dump[0x42:0x44] == b"\x00\x00"
    # DIAGNOSE X'0104': CP stored the guest's instruction count, the DIAG counted; only
    # the final LPSW comes after it.
    assert bare_dump[0x48:0x50] == bytes(8)
    assert int.from_bytes(guest_dump[0x48:0x50], "big") == guest["instructions"] - 1
    # The bare machine ran the handler's four instructions once more.
    assert bare["instructions"] == guest["instructions"] + 4 == 55
    assert guest["cp"] == {"privops": 8, "reflected": 3, "page_faults": 1}
    cp_work = guest["cp"]["privops"] + guest["cp"]["reflected"]
    assert guest["instructions"] - cp_work == 40  # ran with no CP at all
    assert bare["tlb"] == {"hits": 0, "misses": 0} and guest["tlb"]["hits"] > 0


def test_a_loop_of_100_ssms_adds_100_privops_and_nothing_else(capsys, tmp_path):
    _, plain = both_runs(capsys, tmp_path, "trap", TRAP_RUN)
    bare, guest = both_runs(capsys, tmp_path, "trap", TRAP_RUN, "--sysparm", "100")
    assert guest["gpr"][:14] == bare["gpr"][:14] == plain["gpr"][:14]
    assert guest["cp"]["privops"] == plain["cp"]["privops"] + 100 == 108
    assert guest["cp"]["reflected"] == plain["cp"]["reflected"] == 3
    assert guest["instructions"] == plain["instructions"] + 201  # LA, then SSM+BCT 100 times


def test_a_guest_with_its_own_translation_ends_the_same_on_shadow_tables(capsys, tmp_path):
    bare, guest = both_runs(capsys, tmp_path, "shadow", SHADOW_RUN)
    for field in ("stop", "psw", "gpr", "fpr", "instructions", "dump", "cr"):
        assert guest[field] == bare[field], field
    assert bare["instructions"] == 9
    assert bare["gpr"][3] == "00005000"  # LRA of X'8000' through the guest's own table
    assert bare["dump"] == {"5000": "E2C8C1C4D6E6C5C4", "8000": "0000000000000000"}
    assert guest["cp"]["privops"] == 3  # LRA, SSM, LPSW
    # Only the cost shows: the real associative array misses more (the lab shows 5 against 2).
    assert guest["tlb"]["misses"] > bare["tlb"]["misses"]
