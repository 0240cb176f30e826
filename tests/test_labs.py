"""Lab 1 (docs/labs/01-trap-and-emulate.md): its commands, run, and what the lab says they show."""

import contextlib
import json
import os
import re
import runpy
import subprocess
import sys
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


ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "docs" / "labs"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[str]:
    """The page's code blocks, in order, without their fences."""
    blocks, inside, lines = [], False, []
    for line in text.splitlines():
        if line.startswith("```"):
            if inside:
                blocks.append("\n".join(lines))
            inside, lines = not inside, []
        elif inside:
            lines.append(line)
    return blocks


def block_after(text: str, command: str, skip: int = 0) -> str:
    """The output block that follows the block holding ``command`` (``skip`` blocks later)."""
    blocks = fenced_blocks(text)
    for number, block in enumerate(blocks):
        if command in block:
            return blocks[number + 1 + skip]
    raise AssertionError(f"the page has no command {command!r}")


def first_block_after_text(text: str, phrase: str) -> str:
    """The first code block after ``phrase`` in the page's prose."""
    return fenced_blocks(text[text.index(phrase) :].split("\n", 1)[1])[0]


def lab(capsys, *argv: str) -> tuple[int, str]:
    status = main(["lab", *argv])
    return status, capsys.readouterr().out


def test_lab_list_names_every_page_and_where_the_programs_are(capsys):
    status, out = lab(capsys, "list")
    assert status == 0
    pages = sorted(path.name for path in PAGES.glob("[0-9][0-9]-*.md"))
    numbers = [int(name[:2]) for name in pages]
    listed = [int(line.split()[0]) for line in out.splitlines() if line[:2].strip().isdigit()]
    assert listed == numbers
    assert f"programs: {ROOT / 'decks' / 'labs'}" in out


def test_lab_show_prints_the_page_from_any_directory(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out = lab(capsys, "show", "1")
    assert status == 0 and out == page("01-trap-and-emulate.md")


def test_an_installed_package_carries_the_pages_and_programs(tmp_path):
    """What setuptools installs (build_py, as a wheel would) shows the page and has the decks."""
    build = tmp_path / "build"
    command = [sys.executable, "-c", "from setuptools import setup; setup()", "-q"]
    command += ["egg_info", "--egg-base", str(tmp_path), "build_py", "--build-lib", str(build)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    decks = build / "vm370" / "labs" / "decks"
    assert not decks.is_symlink() and not (build / "vm370" / "labs" / "pages").is_symlink()
    assert sorted(path.name for path in decks.glob("*.asm")) == sorted(
        path.name for path in LABS.glob("*.asm")
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shown = subprocess.run(
        [sys.executable, "-m", "vm370", "lab", "show", "1"],
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(build)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == page("01-trap-and-emulate.md")


def test_lab_show_and_check_refuse_what_does_not_exist(capsys):
    assert main(["lab", "show", "99"]) == 2
    assert "there is no lab 99" in capsys.readouterr().err
    assert main(["lab", "show", "one"]) == 2
    assert "'one' is not a lab number" in capsys.readouterr().err
    assert main(["lab", "check", "1"]) == 2
    assert "lab 1 has no work to check" in capsys.readouterr().err
    assert main(["lab", "check", "3", "no-such-file.asm"]) == 2
    assert "cannot read no-such-file.asm" in capsys.readouterr().err


LAB3 = "03-popek-goldberg.md"


def test_lab3_table_is_exactly_the_privileged_instructions_of_the_isa_table():
    from vm370.hardware.isa import INSTRUCTIONS

    rows = set()
    for line in page(LAB3).splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) == 3 and len(cells[0]) == 2 and cells[0] != "--":
            mnemonic, _, name = cells[1].partition(" ")
            rows.add((int(cells[0], 16), mnemonic, name))
    privileged = {(i.opcode, i.mnemonic, i.name) for i in INSTRUCTIONS if i.privileged}
    assert rows == privileged


def test_lab3_sensitive_runs_as_the_page_shows_bare_and_under_cp(capsys, tmp_path):
    text = page(LAB3)
    run = ["--psw", "0000000000002000", "--dump", "2400:40", "--json"]
    object_deck = assemble(capsys, tmp_path, "sensitive")
    assert "sensitive.asm: 102 statements, return code 0" in text
    bare = run_bare(capsys, object_deck, *run)
    guest = run_bare(capsys, object_deck, *run, "--under-cp")
    shown = block_after(text, "--dump 2400:40 --json --under-cp")
    dump = "".join(shown.split('"2400": "')[1].split('"')[0].split())
    assert bare["dump"]["2400"] == guest["dump"]["2400"] == dump
    assert f'"instructions": {bare["instructions"]},' in shown
    assert bare["instructions"] == guest["instructions"]
    assert f'"psw": "{bare["psw"]}"' in shown and bare["psw"] == guest["psw"]
    counters = block_after(text, "--dump 2400:40 --json --under-cp", skip=1)
    assert json.dumps({"cp": guest["cp"]})[1:-1] in counters


def test_lab3_check_prints_what_the_page_shows(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    text = page(LAB3)
    status, out = lab(capsys, "check", "3", "decks/labs/sensitive.asm")
    assert status == 0
    assert out.strip() == block_after(text, "vm370 lab check 3 decks/labs/sensitive.asm").strip()
    status, out = lab(capsys, "check", "3", "decks/labs/trap.asm")
    assert status == 1
    shown = block_after(text, "vm370 lab check 3 decks/labs/trap.asm").splitlines()
    assert [line for line in shown if line.strip() != "..."] == [
        line for line in out.splitlines() if line in shown
    ]


LAB4 = "04-paravirtualization.md"


def test_lab4_run_prints_what_the_page_shows_up_to_the_host_time(capsys):
    status, out = lab(capsys, "run", "4")
    assert status == 0
    shown = block_after(page(LAB4), "vm370 lab run 4").splitlines()
    printed = out.splitlines()
    assert len(printed) == len(shown)
    for ours, theirs in zip(printed, shown, strict=True):
        if theirs.startswith("host microseconds"):
            # Host CPU time varies from run to run: only the figures' form is fixed.
            assert re.fullmatch(r"host microseconds per read \(varies\) +\d+ +\d+", ours)
        else:
            assert ours == theirs


def test_lab4_both_paths_read_the_block_the_pack_holds():
    from vm370.labs.diskread import BLOCK_TEXT, disk_reads

    diagnose, start_io = disk_reads()
    assert diagnose.block == start_io.block == BLOCK_TEXT.encode("cp037").ljust(800, b"\x40")
    assert diagnose.result[:4] == bytes(4)  # R15 0: the read ended normally
    assert start_io.result[4] == 0x0C  # the CSW: channel end and device end
    assert diagnose.diagnoses == 100 and start_io.diagnoses == 0
    assert start_io.reflected == 100 and diagnose.reflected == 0


LAB5 = "05-paging.md"


def table_rows(text: str, first_header: str) -> list[list[str]]:
    """The cells of the rows of the page's table whose first header is ``first_header``."""
    rows, inside = [], False
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if cells and cells[0] == first_header:
            inside = True
        elif inside and cells and not cells[0].startswith("---"):
            rows.append(cells)
        elif inside and not cells:
            break
    return rows


def test_lab5_table_is_what_the_walks_do_bare_and_under_cp(capsys, tmp_path):
    rows = table_rows(page(LAB5), "pages (`--sysparm`)")
    assert len(rows) == 6
    for pages, real, instructions, hits, misses, faults in rows:
        object_deck = assemble(capsys, tmp_path, "walk", "--sysparm", pages)
        run = ["--psw", "0000000000002000", "--json"]
        bare = run_bare(capsys, object_deck, *run)
        options = ["--under-cp"]
        if not real.startswith("("):
            options += ["--real-storage", real]
        guest = run_bare(capsys, object_deck, *run, *options)
        assert bare["stop"] == guest["stop"] == "disabled-wait"
        assert bare["psw"] == guest["psw"] and bare["gpr"] == guest["gpr"]
        assert bare["instructions"] == guest["instructions"] == int(instructions), pages
        assert guest["tlb"] == {"hits": int(hits), "misses": int(misses)}, pages
        assert guest["cp"]["page_faults"] == int(faults), pages


def test_lab5_real_storage_of_128k_leaves_30_frames_for_the_guest():
    from vm370.cp.system import ControlProgram
    from vm370.hardware.machine import Machine

    cp = ControlProgram(Machine(128 * 1024))
    cp.create_virtual_machine("WALK", 256 * 1024)
    free = [frame for frame in cp.frame_map() if frame["state"] == "free"]
    assert len(free) == 30
    assert "30 are left for the guest's pages" in page(LAB5).replace("\n", " ")


LAB6 = "06-shadow-tables.md"
PURGE_RUN = ["--ec", "--cr", "0=00003000", "--psw", "0400000000002000", "--json"]


def test_lab6_run_prints_what_the_page_shows_up_to_the_host_time(capsys):
    status, out = lab(capsys, "run", "6")
    assert status == 0
    shown = block_after(page(LAB6), "vm370 lab run 6").splitlines()
    printed = out.splitlines()
    assert len(printed) == len(shown)
    for ours, theirs in zip(printed, shown, strict=True):
        if not theirs.startswith("host ms"):
            assert ours == theirs


def test_lab6_step1_and_step2_runs_are_the_pages(capsys, tmp_path):
    text = page(LAB6)
    shown = block_after(text, "--load-deck purged.obj@2000")
    for name, options in (("purge", ()), ("purged", ("--sysparm", "PURGE"))):
        object_deck = assemble(capsys, tmp_path, "purge", *options)
        bare = run_bare(capsys, object_deck, *PURGE_RUN)
        guest = run_bare(capsys, object_deck, *PURGE_RUN, "--under-cp")
        line = f"{name}.obj:".ljust(12) + f'"instructions": {bare["instructions"]}, "tlb": '
        line += json.dumps(bare["tlb"])
        assert line in shown.splitlines()
        assert guest["instructions"] == bare["instructions"] and guest["gpr"] == bare["gpr"]
        assert guest["tlb"]["misses"] == bare["tlb"]["misses"]
    assert guest["cp"]["privops"] == 51 and '`"privops"` 1 and 51' in text


def test_lab6_check_your_work_prediction_for_100_passes(capsys, tmp_path):
    source = (LABS / "purge.asm").read_text().replace("F'50'", "F'100'")
    (tmp_path / "purge.asm").write_text(source)
    object_deck = tmp_path / "purged100.obj"
    argv = [str(tmp_path / "purge.asm"), "-o", str(object_deck), "--sysparm", "PURGE"]
    assert main(["asm", *argv]) == 0
    capsys.readouterr()
    guest = run_bare(capsys, object_deck, *PURGE_RUN, "--under-cp")
    figures = (guest["instructions"], guest["cp"]["privops"], guest["tlb"]["misses"])
    shown = "{} instructions, {} privops, {} misses".format(*figures)
    assert shown in page(LAB6).replace("\n", " ")


LAB7 = "07-tiny-supervisor.md"
TINYSUP_RUN = ["--psw", "0000000000002000", "--dump", "2340:8", "--json"]


def test_lab7_tinysup_runs_as_the_page_shows_bare_and_under_cp(capsys, tmp_path):
    text = page(LAB7)
    object_deck = assemble(capsys, tmp_path, "tinysup")
    bare = run_bare(capsys, object_deck, *TINYSUP_RUN)
    guest = run_bare(capsys, object_deck, *TINYSUP_RUN, "--under-cp")
    for report, command in ((bare, "-o tinysup.obj"), (guest, "--json --under-cp")):
        shown = block_after(text, command)
        assert f'"psw": "{report["psw"]}"' in shown and report["stop"] == "disabled-wait"
        assert f'"instructions": {report["instructions"]},' in shown
        assert f'"00000000", "00000000", "{report["gpr"][2]}", ...' in shown
        assert report["gpr"][6] == "00000064" and report["gpr"][7] == "00000002"
        assert report["dump"] == {"2340": "0000000100000064"}  # one tick, the service 100
        assert json.dumps(report["dump"]) in shown
    assert json.dumps({"cp": guest["cp"]})[1:-1] in block_after(text, "--json --under-cp")
    # The timer came later under CP: the loop of three instructions turned more often.
    turns = int(guest["gpr"][2], 16) - int(bare["gpr"][2], 16)
    assert guest["instructions"] - bare["instructions"] == 3 * turns == 21


def test_lab7_check_passes_tinysup_as_the_page_shows(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    status, out = lab(capsys, "check", "7", "decks/labs/tinysup.asm")
    assert status == 0
    assert out.strip() == block_after(page(LAB7), "vm370 lab check 7 decks/labs/tinysup.asm")


def test_lab7_check_says_what_a_supervisor_without_the_external_mask_lacks(capsys, tmp_path):
    source = (LABS / "tinysup.asm").read_text()
    assert "PROBPSW  DC    X'01010000'" in source
    broken = tmp_path / "nomask.asm"
    broken.write_text(source.replace("PROBPSW  DC    X'01010000'", "PROBPSW  DC    X'00010000'"))
    status, out = lab(capsys, "check", "7", str(broken))
    assert status == 1
    shown = first_block_after_text(page(LAB7), "(`X'00010000'` in place of `X'01010000'`)")
    assert out.splitlines()[2:] == shown.splitlines()


def test_lab7_check_names_a_missing_svc_new_psw_and_the_program_check(capsys, tmp_path):
    source = (LABS / "tinysup.asm").read_text()
    line = "         MVC   X'60'(8,0),SVCNEW    supervisor calls\n"
    assert line in source
    broken = tmp_path / "nosvc.asm"
    broken.write_text(source.replace(line, ""))
    status, out = lab(capsys, "check", "7", str(broken))
    assert status == 1
    assert "bare and under CP: the SVC new PSW at X'60' is zeros" in out
    assert "interruption code 1 (operation" in out


def test_lab7_check_wants_one_file(capsys):
    assert main(["lab", "check", "7"]) == 2
    assert "give one source file" in capsys.readouterr().err


LAB9 = "09-type1-type2.md"
HOST_FIGURE = re.compile(r"\d+\.\d+|\d{1,3}(?:,\d{3})+")
REPEATS = re.compile(r"of \d+\b")


def benchmark_lines(capsys, monkeypatch, script: str, *argv: str) -> list[str]:
    """The lines a benchmark prints, its host figures (times, rates) replaced by "N"."""
    monkeypatch.setattr(sys, "argv", [script, *argv])
    with contextlib.suppress(SystemExit):
        runpy.run_path(str(ROOT / "benchmarks" / script), run_name="__main__")
    return [
        " ".join(HOST_FIGURE.sub("N", line).split())
        for line in capsys.readouterr().out.splitlines()
    ]


def test_lab9_benchmarks_print_what_the_page_shows_up_to_the_host_figures(capsys, monkeypatch):
    import hercules

    # The page shows the figures without Hercules' columns (a student may not have it).
    monkeypatch.setattr(hercules, "hercules_path", lambda: None)
    text = page(LAB9)
    for script in ("cpu_mips.py", "virtualization.py"):
        # The page's runs are medians or best of 3; one repeat prints the same lines.
        printed = benchmark_lines(capsys, monkeypatch, script, "100000", "1")
        shown = block_after(text, f"python benchmarks/{script} 100000 3").splitlines()
        expected = [" ".join(HOST_FIGURE.sub("N", line).split()) for line in shown]
        assert [REPEATS.sub("of N", line) for line in printed] == [
            REPEATS.sub("of N", line) for line in expected
        ]


LAB10 = "10-scheduling.md"


def test_lab10_run_prints_exactly_what_the_page_shows(capsys):
    status, out = lab(capsys, "run", "10")
    assert status == 0
    assert out.strip() == block_after(page(LAB10), "vm370 lab run 10").strip()


def test_lab10_loopers_share_the_cpu_within_a_slice_and_the_typist_is_not_starved():
    from vm370.cp.dispatch import NON_INTERACTIVE_SLICE
    from vm370.hardware.clock import INSTRUCTIONS_PER_SECOND
    from vm370.hardware.timer import UNITS_PER_SECOND
    from vm370.labs.scheduling import run_scheduling

    alone, busy = run_scheduling(0), run_scheduling(2)
    typist, *loopers = busy.machines
    assert abs(loopers[0]["instructions"] - loopers[1]["instructions"]) <= NON_INTERACTIVE_SLICE
    assert busy.commands > 0 and typist["instructions"] >= busy.commands * 2000
    assert alone.commands > busy.commands
    # Each command waited for the CPU at most one Q2 slice (LATE is in timer units).
    slice_units = NON_INTERACTIVE_SLICE * UNITS_PER_SECOND // INSTRUCTIONS_PER_SECOND
    assert busy.late_units <= busy.commands * slice_units


LAB8 = "08-spooling.md"


def test_lab8_run_prints_exactly_what_the_page_shows(capsys):
    status, out = lab(capsys, "run", "8")
    assert status == 0
    assert out.strip() == block_after(page(LAB8), "vm370 lab run 8").strip()


def test_lab8_the_punched_cards_are_alices_and_the_printer_printed_her_lines():
    from vm370.labs.spooling import spool_session

    session, printed = spool_session()
    answers: dict[tuple, list[str]] = {}
    for userid, line, answer in session:
        answers.setdefault((userid, line), answer)  # the first time each was typed
    bob_sees = "\n".join(answers[("BOB", "QUERY READER ALL")])
    assert "ALICE    0001 A PUN 000002" in bob_sees  # two cards, from ALICE
    assert any("FROM ALICE" in text for text in answers[("BOB", None)])
    assert any("DMKCQH026E" in text for text in answers[("BOB", "QUERY READER ALICE")])
    lines = [text.rstrip() for text in printed if text.strip()]
    assert lines[-2:] == ["ALICE'S REPORT, LINE ONE", "LINE TWO, THE LAST"]


def test_the_teachers_guide_lists_every_lab_with_its_time_and_prerequisites():
    from vm370.labs import LABS

    rows = table_rows(page("README.md"), "lab")
    assert [
        (int(number), title, int(minutes), prerequisites)
        for number, title, _, minutes, prerequisites in rows
    ] == [(item.number, item.title, item.minutes, item.prerequisites) for item in LABS]
    for item in LABS:
        assert page(item.page).startswith(f"# Lab {item.number}:")


def test_lab_run_refuses_a_lab_without_an_experiment(capsys):
    assert main(["lab", "run", "3"]) == 2
    assert "lab 3 has no experiment to run here" in capsys.readouterr().err


LAB2 = "02-first-cms-session.md"
# What may differ between the page's transcripts and a run: the passwords init draws, the
# host's date and time on the sample files, and the times and dates CMS and CP type.
RUN_TO_RUN = (
    (re.compile(r"^(  (?:MAINT|OPERATOR|USER\d+) +)[A-Z0-9]{8}$"), r"\1PASSWORD"),
    (re.compile(r"T=\d+\.\d\d/\d+\.\d\d"), "T=v/t"),
    (re.compile(r"\b\d\d:\d\d(?::\d\d)?\b"), "hh:mm"),
    (re.compile(r"\b\d\d/\d\d/\d\d\b"), "mm/dd/yy"),
    (re.compile(r"\b(?:MON|TUES|WEDNES|THURS|FRI|SATUR|SUN)DAY\b"), "DAY"),
)


def without_times_and_dates(line: str) -> str:
    for pattern, replacement in RUN_TO_RUN:
        line = pattern.sub(replacement, line)
    return line


def commands_and_transcripts(text: str) -> list[tuple[str, str | None]]:
    """Each ``sh`` block of the page, with the plain block that follows it (None if none)."""
    blocks, inside, language, lines = [], False, "", []
    for line in text.splitlines():
        if line.startswith("```"):
            if inside:
                blocks.append((language, "\n".join(lines)))
            else:
                language = line[3:].strip()
            inside, lines = not inside, []
        elif inside:
            lines.append(line)
    pairs = []
    for number, (language, block) in enumerate(blocks):
        if language == "sh":
            following = blocks[number + 1] if number + 1 < len(blocks) else ("sh", "")
            pairs.append((block, following[1] if following[0] == "" else None))
    return pairs


def assert_shows(shown: str, printed: str, command: str) -> None:
    """The page's lines, in pieces between ``...`` lines, are printed in order, each whole."""
    actual = [without_times_and_dates(line) for line in printed.splitlines()]
    position = 0
    pieces: list[list[str]] = [[]]
    for line in shown.splitlines():
        if line == "...":
            pieces.append([])
        else:
            pieces[-1].append(without_times_and_dates(line))
    for piece in filter(None, pieces):
        for start in range(position, len(actual) - len(piece) + 1):
            if actual[start : start + len(piece)] == piece:
                position = start + len(piece)
                break
        else:
            first_line = command.splitlines()[0]
            raise AssertionError(f"{first_line!r} did not print, in order:\n" + "\n".join(piece))


def test_lab2_every_command_prints_what_the_page_shows(tmp_path):
    """Runs the page's shell blocks in order, in one folder, as a student would type them."""
    commands = commands_and_transcripts(page(LAB2))
    everything = "\n".join(command for command, _ in commands)
    for typed in ("vm370 init lab2", "EDIT FIRST MEMO", "FILE", "COPYFILE", "RENAME", "ERASE"):
        assert typed in everything
    for typed in ("ASSEMBLE HELLO", "LOAD HELLO", "START", "GENMOD HELLO", "\nHELLO\n"):
        assert typed in everything
    assert sum("vm370 session" in command for command, _ in commands) == 4
    assert sum(shown is not None for _, shown in commands) == 9  # every step but the password's
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    vm370 = bin_folder / "vm370"
    vm370.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m vm370 "$@"\n')
    vm370.chmod(0o755)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment["PATH"] = f"{bin_folder}{os.pathsep}{environment['PATH']}"
    environment.pop("VM370_PASSWORD", None)
    work = tmp_path / "student"
    work.mkdir()
    for command, shown in commands:
        ran = subprocess.run(
            ["bash", "-e", "-c", command],
            cwd=work,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 0, f"{command.splitlines()[0]!r}: {ran.stderr}"
        if shown is not None:
            assert_shows(shown, ran.stdout, command)
