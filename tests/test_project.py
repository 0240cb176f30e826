"""The project's own promises: the README's commands, CI, and the CLI."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from vm370 import __version__
from vm370.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README Quick start has no ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].startswith("pip install ")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_word_for_word():
    test_command = quick_start_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_ci_lints_with_ruff():
    assert "ruff check ." in (ROOT / ".ci" / "run").read_text().splitlines()


def test_version_option_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"vm370 {__version__}"


def test_every_listed_subcommand_has_a_handler():
    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        for name, sub in action.choices.items():
            assert sub.get_default("func") is not None, f"subcommand {name} does nothing"


def test_module_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "vm370", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0
    assert "usage: vm370" in done.stdout


def test_readme_run_command_installs_and_brings_the_system_up():
    """The first Quick start command: install, then `vm370` alone (the main job)."""
    import shlex

    steps = [shlex.split(step) for step in quick_start_commands()[0].split("&&")]
    assert steps[0][:2] == ["pip", "install"]
    vm370_steps = [step[1:] for step in steps if step[0] == "vm370"]
    assert vm370_steps == [[]], "the run command must end in `vm370`, the main job"
    args = build_parser().parse_args([])
    assert args.command is None and args.data is None


def test_the_3277_demo_in_the_readme_assembles_and_its_bare_options_parse(tmp_path):
    """The echo demo's command line in the README: every vm370 step in it is real."""
    import shlex

    readme = (ROOT / "README.md").read_text()
    line = next(line for line in readme.splitlines() if "vm370 asm decks/echo3277.asm" in line)
    steps = [shlex.split(step) for step in line.strip().strip("`").split("&&")]
    vm370_steps = [step[1:] for step in steps if step and step[0] == "vm370"]
    parser = build_parser()
    for step in vm370_steps:
        args = parser.parse_args(step)
        assert args.func is not None
    asm_step = next(step for step in vm370_steps if step[0] == "asm")
    deck_index = asm_step.index("-o") + 1
    deck = tmp_path / asm_step[deck_index]
    asm_step[deck_index] = str(deck)
    asm_step[1] = str(ROOT / asm_step[1])
    assert main(asm_step) == 0
    assert len(deck.read_bytes()) % 80 == 0 and deck.stat().st_size > 0
