"""EXEC on the bare machine: each statement, built-in function and error, typed as a user would.

The execs are put on the 191 with the host tools; ``run_cms`` IPLs CMS, types the lines and
returns what the console printed. Expected lines come from the CMS EXEC language of VM/370
(VM/370 CMS Command and Macro Reference, "The EXEC Facility").
"""

from __future__ import annotations

import pytest
from cms_disks import opened

from cms.filesystem import CMSDisk, text_to_records
from vm370.hardware.devices.ckd_image import create_image


@pytest.fixture
def exec_disk(tmp_path):
    """write(files) -> a 2314 191 holding ``{"NAME EXEC": text}``."""

    made = []

    def write(files: dict[str, str]):
        made.append(files)
        path = create_image(tmp_path / f"user{len(made)}.2314", "2314", 3)
        with opened(path, 0, 3) as device:
            disk = CMSDisk.format(device, "USR191")
            for fileid, text in files.items():
                filename, filetype = fileid.split()
                disk.write(filename, filetype, text_to_records(text), "F", 80)
        return path

    return write


def run_exec(run_cms, exec_disk, text: str, typed: list[str], more: dict[str, str] | None = None):
    """Put ``text`` on the 191 as TEST EXEC (and ``more`` files), type ``typed``; the run."""
    files = {"TEST EXEC": text, **(more or {})}
    run = run_cms(typed, disks={0x191: exec_disk(files)})
    assert run.stop == "enabled-wait"
    return run


def lines_after(run_cms, exec_disk, text: str, command: str = "exec test", **kwargs) -> list[str]:
    run = run_exec(run_cms, exec_disk, text, [command], **kwargs)
    run.close()
    return run.after(command)


def test_type_arguments_index_and_the_exec_name(run_cms, exec_disk):
    text = "&TYPE &0 HAS &INDEX ARGS: &1 &2 AND &3\n"
    assert lines_after(run_cms, exec_disk, text, "exec test one two") == [
        "TEST HAS 2 ARGS: ONE TWO AND",
        "R;",
    ]


def test_implied_exec_runs_by_name(run_cms, exec_disk):
    assert lines_after(run_cms, exec_disk, "&TYPE BY NAME &1\n", "test x") == ["BY NAME X", "R;"]


def test_assignment_arithmetic_and_tokens_cut_at_8(run_cms, exec_disk):
    text = (
        "&A = 12\n&B = &A + 30 - 2\n&C = &B * 3 / 4\n&D = ABCDEFGHIJ\n&NEG = 5 - 9\n"
        "&TYPE &A &B &C &D &NEG\n"
    )
    assert lines_after(run_cms, exec_disk, text) == ["12 40 30 ABCDEFGH -4", "R;"]


def test_if_compares_numbers_as_numbers_and_words_as_words(run_cms, exec_disk):
    text = (
        "&IF 10 GT 9 &TYPE NUMBERS\n"
        "&IF ABC LT ABD &TYPE WORDS\n"
        "&IF 5 = 5 &TYPE EQUAL\n"
        "&IF 5 NE 5 &TYPE NOT SHOWN\n"
        "&IF X GE X &IF Y LE Z &TYPE NESTED\n"
        "&IF .&1 EQ . &TYPE NO ARGUMENT\n"
    )
    assert lines_after(run_cms, exec_disk, text) == [
        "NUMBERS",
        "WORDS",
        "EQUAL",
        "NESTED",
        "NO ARGUMENT",
        "R;",
    ]


def test_every_and_any_argument(run_cms, exec_disk):
    text = "&IF &* EQ A &TYPE ALL A\n&IF &$ EQ B &TYPE ONE IS B\n&IF &$ EQ C &TYPE NONE C\n"
    assert lines_after(run_cms, exec_disk, text, "exec test a a") == ["ALL A", "R;"]
    assert lines_after(run_cms, exec_disk, text, "exec test a b") == ["ONE IS B", "R;"]


def test_goto_labels_top_and_skip(run_cms, exec_disk):
    text = (
        "&N = 0\n"  # 1
        "-AGAIN &N = &N + 1\n"  # 2
        "&IF &N LT 3 &GOTO -AGAIN\n"  # 3
        "&TYPE N IS &N\n"  # 4
        "&SKIP 1\n"  # 5
        "&TYPE SKIPPED\n"  # 6
        "&GOTO 8\n"  # 7
        "&TYPE LINE 8\n"  # 8
    )
    assert lines_after(run_cms, exec_disk, text) == ["N IS 3", "LINE 8", "R;"]


def test_goto_top(run_cms, exec_disk):
    text = "&TYPE PASS &1\n&IF &1 EQ 2 &EXIT\n&ARGS 2\n&GOTO TOP\n"
    assert lines_after(run_cms, exec_disk, text, "exec test 1") == ["PASS 1", "PASS 2", "R;"]


def test_loop_by_count_by_label_and_until_a_condition(run_cms, exec_disk):
    text = (
        "&I = 0\n"
        "&LOOP 2 3\n"
        "&I = &I + 1\n"
        "&TYPE COUNT &I\n"
        "&LOOP -END &I EQ 5\n"
        "&I = &I + 1\n"
        "-END &TYPE UNTIL &I\n"
        "&LOOP 1 0\n"
        "&TYPE NEVER\n"
        "&TYPE DONE\n"
    )
    assert lines_after(run_cms, exec_disk, text) == [
        "COUNT 1",
        "COUNT 2",
        "COUNT 3",
        "UNTIL 4",
        "UNTIL 5",
        "DONE",
        "R;",
    ]


def test_nested_loops(run_cms, exec_disk):
    text = "&LOOP 3 2\n&TYPE OUTER\n&LOOP 1 2\n&TYPE INNER\n"
    assert lines_after(run_cms, exec_disk, text) == ["OUTER", "INNER", "INNER"] * 2 + ["R;"]


def test_begtype_types_lines_as_they_are(run_cms, exec_disk):
    text = "&BEGTYPE\n  Lower case &1 stays   as typed\n&END\n&TYPE AFTER\n"
    assert lines_after(run_cms, exec_disk, text, "exec test x") == [
        "  Lower case &1 stays   as typed",
        "AFTER",
        "R;",
    ]


def test_built_in_functions(run_cms, exec_disk):
    text = (
        "&X = 42\n"
        "&C = &CONCAT AB &X CD\n"
        "&S = &SUBSTR ABCDEF 2 3\n"
        "&T = &SUBSTR ABCDEF 4\n"
        "&L = &LENGTH ABCDEF\n"
        "&Z = &LENGTH &NOTSET\n"
        "&D = &DATATYPE -123\n"
        "&E = &DATATYPE A12\n"
        "&F = &LITERAL &X\n"
        "&TYPE &C &S &T &L &Z &D &E &F &LITERAL &X\n"
    )
    assert lines_after(run_cms, exec_disk, text) == [
        "AB42CD BCD DEF 6 0 NUM CHAR &X &X",
        "R;",
    ]


def test_commands_set_retcode_and_control_shows_them(run_cms, exec_disk):
    text = (
        "STATE TEST EXEC\n"
        "&TYPE RC &RETCODE\n"
        "STATE NO SUCH\n"
        "&TYPE RC &RETCODE\n"
        "&CONTROL OFF\n"
        "STATE NO SUCH\n"
        "&CONTROL ERROR\n"
        "STATE TEST EXEC\n"
        "STATE NO SUCH\n"
    )
    assert lines_after(run_cms, exec_disk, text) == [
        "STATE TEST EXEC",
        "RC 0",
        "STATE NO SUCH",
        "+++ R(00028) +++",
        "RC 28",
        "STATE NO SUCH",
        "+++ R(00028) +++",
        "R;",
    ]


def test_control_all_shows_statements_with_their_values(run_cms, exec_disk):
    text = "&CONTROL ALL\n&X = 5\n&IF &X EQ 5 &CONTINUE\n"
    lines = lines_after(run_cms, exec_disk, text)
    assert "&X = 5" not in lines  # shown with values
    assert lines[-1] == "R;"
    assert any(line.startswith("5 EQ 5") for line in lines)


def test_control_nomsg_hides_cms_messages(run_cms, exec_disk):
    text = "&CONTROL OFF\nTYPE NO SUCH\n&CONTROL NOMSG\nTYPE NO SUCH\n&TYPE RC &RETCODE\n"
    assert lines_after(run_cms, exec_disk, text) == [
        "DMSTYP002E FILE 'NO SUCH *' NOT FOUND",
        "RC 28",
        "R;",
    ]


def test_error_action_runs_after_a_failing_command(run_cms, exec_disk):
    text = "&CONTROL OFF\n&ERROR &TYPE FAILED &RETCODE\nSTATE TEST EXEC\nSTATE NO SUCH\n"
    assert lines_after(run_cms, exec_disk, text) == ["FAILED 28", "R;"]


def test_error_action_that_fails_is_an_error(run_cms, exec_disk):
    text = "&CONTROL OFF\n&ERROR STATE NO SUCH\nSTATE NO SUCH\n"
    assert lines_after(run_cms, exec_disk, text) == [
        "DMSEXT072E ERROR IN EXEC FILE TEST, LINE 3 - ERROR IN &ERROR ACTION",
        "STATE NO SUCH",
        "R(10011);",
    ]


def test_exit_gives_the_return_code(run_cms, exec_disk):
    text = "&TYPE BEFORE\n&EXIT &1\n&TYPE AFTER\n"
    assert lines_after(run_cms, exec_disk, text, "exec test 12") == ["BEFORE", "R(00012);"]
    assert lines_after(run_cms, exec_disk, "&EXIT\n") == ["R;"]


def test_stack_then_read_vars_and_args(run_cms, exec_disk):
    text = (
        "&STACK FIRST 1\n"
        "&STACK LIFO ZERO\n"
        "&TYPE &READFLAG\n"
        "&READ VARS &A &B\n"
        "&READ ARGS\n"
        "&TYPE &A &B / &INDEX &1 &2 / &READFLAG\n"
    )
    assert lines_after(run_cms, exec_disk, text) == ["STACK", "ZERO / 2 FIRST 1 / CONSOLE", "R;"]


def test_read_vars_from_the_console(run_cms, exec_disk):
    run = run_exec(run_cms, exec_disk, "&READ VARS &NAME\n&TYPE HELLO &NAME\n", ["test", "fred"])
    assert run.after("fred") == ["HELLO FRED", "R;"]


def test_read_lines_run_as_exec_statements(run_cms, exec_disk):
    run = run_exec(run_cms, exec_disk, "&READ 2\n&TYPE END\n", ["test", "&x = 7", "&type x &x"])
    assert run.after("&type x &x") == ["X 7", "END", "R;"]


def test_begstack_feeds_the_next_commands_read(run_cms, exec_disk):
    text = "&BEGSTACK\n&TYPE FROM THE STACK\n&END\n&READ\n"
    assert lines_after(run_cms, exec_disk, text) == ["FROM THE STACK", "R;"]


def test_a_stacked_line_is_read_by_the_command_loop_after_the_exec(run_cms, exec_disk):
    text = "&STACK LISTFILE TEST EXEC\n"
    assert lines_after(run_cms, exec_disk, text) == ["R;", "TEST     EXEC     A1", "R;"]


def test_time_statement(run_cms, exec_disk):
    # The bare machine has no clock (no DIAGNOSE X'0C'): &TIME types nothing.
    text = "&TIME RESET\n&TIME ON\nSTATE TEST EXEC\n&TIME TYPE\n&TYPE OK\n"
    assert lines_after(run_cms, exec_disk, text) == ["STATE TEST EXEC", "OK", "R;"]


def test_comments_labels_alone_and_blank_lines(run_cms, exec_disk):
    text = "* a comment\n\n-ALONE\n&TYPE ONLY\n"
    assert lines_after(run_cms, exec_disk, text) == ["ONLY", "R;"]


def test_profile_exec_runs_at_ipl(run_cms, exec_disk):
    files = {"PROFILE EXEC": "&TYPE PROFILE RAN\n"}
    run = run_cms(["query rdymsg"], disks={0x191: exec_disk(files)})
    assert run.lines[:2] == ["CMS VERSION 6.0", "PROFILE RAN"]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("&GOTO -NOWHERE\n", 1, "&SKIP OR &GOTO ERROR"),
        ("&TYPE A\n&SKIP 5\n", 2, "&SKIP OR &GOTO ERROR"),
        ("&BOGUS X\n", 1, "INVALID CONTROL WORD"),
        ("&IF A EQ\n", 1, "INVALID FORM OF CONDITION"),
        ("&IF A ZZ B &TYPE X\n", 1, "INVALID FORM OF CONDITION"),
        ("&X = A + 1\n", 1, "CONVERSION ERROR"),
        ("&X = 5 / 0\n", 1, "EXEC DIVIDE BY ZERO"),
        ("&X = 99999999 + 1\n", 1, "EXEC ARITHMETIC OVERFLOW"),
        ("&INDEX = 3\n", 1, "MISUSE OF SPECIAL VARIABLE"),
        ("&X = &SUBSTR ABC 3 2\n", 1, "MISUSE OF BUILT-IN FUNCTION"),
        ("&LOOP 5 2\n&TYPE X\n", 1, "EOF FOUND IN LOOP"),
        ("&LOOP X\n", 1, "INVALID SYNTAX"),
        ("&CONTROL SOMETIMES\n", 1, "INVALID SYNTAX"),
    ],
)
def test_errors_name_the_exec_the_line_and_the_statement(run_cms, exec_disk, text, line, message):
    lines = lines_after(run_cms, exec_disk, text)
    statement = text.splitlines()[line - 1]
    assert lines[-3] == f"DMSEXT072E ERROR IN EXEC FILE TEST, LINE {line} - {message}"
    assert lines[-2] == statement
    assert lines[-1].startswith("R(1")


def test_loops_nested_too_deep(run_cms, exec_disk):
    text = "".join(f"&LOOP {5 - depth} 1\n" for depth in range(5)) + "&TYPE X\n"
    assert lines_after(run_cms, exec_disk, text)[0].endswith(
        "LINE 5 - MAX DEPTH OF LOOP NESTING EXCEEDED"
    )


def test_missing_exec_and_missing_name(run_cms, exec_disk):
    run = run_exec(run_cms, exec_disk, "&TYPE X\n", ["exec nosuch", "exec"])
    assert run.after("exec nosuch")[:2] == [
        "DMSEXT072E ERROR IN EXEC FILE NOSUCH, LINE 0 - FILE NOT FOUND",
        "R(10001);",
    ]
    assert run.after("exec") == ["DMSEXT001E NO FILENAME SPECIFIED", "R(00024);"]


def test_an_exec_calls_an_exec_with_variables_of_its_own(run_cms, exec_disk):
    outer = (
        "&CONTROL OFF\n"
        "&X = OUTER\n"
        "EXEC INNER A B\n"
        "&TYPE BACK: X &X RC &RETCODE ARGS &INDEX &1\n"
        "&GOTO -END\n"
        "&TYPE NOT HERE\n"
        "-END &TYPE END OF OUTER\n"
    )
    inner = (
        "&TYPE INNER &0 GOT &INDEX : &1 &2 , X IS .&X\n"
        "&X = INNER\n"
        "&GOTO -END\n"
        "-END &EXIT 3\n"
    )
    lines = lines_after(run_cms, exec_disk, outer, "exec test z", more={"INNER EXEC": inner})
    assert lines == [
        "INNER INNER GOT 2 : A B , X IS .",
        "BACK: X OUTER RC 3 ARGS 1 Z",
        "END OF OUTER",
        "R;",
    ]


def test_an_error_in_a_called_exec_names_it_and_the_caller_goes_on(run_cms, exec_disk):
    outer = "&CONTROL OFF\nEXEC INNER\n&TYPE CALLER GOES ON, RC &RETCODE\n"
    inner = "&TYPE IN INNER\n&GOTO -NOWHERE\n"
    lines = lines_after(run_cms, exec_disk, outer, more={"INNER EXEC": inner})
    assert lines == [
        "IN INNER",
        "DMSEXT072E ERROR IN EXEC FILE INNER, LINE 2 - &SKIP OR &GOTO ERROR",
        "&GOTO -NOWHERE",
        "CALLER GOES ON, RC 10002",
        "R;",
    ]


def test_execs_nest_three_deep(run_cms, exec_disk):
    text = "&CONTROL OFF\n&N = &1 + 1\n&TYPE LEVEL &N\nEXEC TEST &N\n&TYPE RC &RETCODE AT &N\n"
    lines = lines_after(run_cms, exec_disk, text, "exec test 0")
    assert lines == [
        "LEVEL 1",
        "LEVEL 2",
        "LEVEL 3",
        "LEVEL 4",
        "DMSEXT998E EXECS NESTED TOO DEEP",
        "RC 10016 AT 4",
        "RC 0 AT 3",
        "RC 0 AT 2",
        "RC 0 AT 1",
        "R;",
    ]


def test_stack_full(run_cms, exec_disk):
    text = "&LOOP 1 40\n&STACK LINE\n"
    lines = lines_after(run_cms, exec_disk, text)
    assert lines[0] == "DMSEXT072E ERROR IN EXEC FILE TEST, LINE 2 - CONSOLE STACK FULL"


def test_an_exec_larger_than_the_work_area_is_refused(run_cms, exec_disk):
    text = "".join(f"&TYPE LINE {n}\n" for n in range(1100))
    assert lines_after(run_cms, exec_disk, text)[0] == (
        "DMSEXT072E ERROR IN EXEC FILE TEST, LINE 0 - BAD FILE FORMAT"
    )


def test_a_program_reads_lines_the_exec_stacked(run_cms, exec_disk):
    # The nucleus's console read (WAITRD) takes stacked lines before the console.
    text = "&STACK LIFO QUERY RDYMSG\n&STACK LIFO &LITERAL &CONTROL OFF\n&READ 2\n"
    assert lines_after(run_cms, exec_disk, text) == ["RDYMSG = LMSG", "R;"]


def test_an_exec_comes_before_a_command_of_the_same_name(run_cms, exec_disk):
    # VM/370's DMSINT looks for 'name EXEC' before it calls the command.
    more = {"QUERY EXEC": "&TYPE MY OWN QUERY &1\n"}
    run = run_exec(run_cms, exec_disk, "&TYPE X\n", ["query rdymsg", "exec test"], more=more)
    assert run.after("query rdymsg")[:2] == ["MY OWN QUERY RDYMSG", "R;"]
