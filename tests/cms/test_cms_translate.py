"""SET INPUT / SET OUTPUT console translation and QUERY INPUT / OUTPUT (VM/370's format)."""


def test_set_input_translates_a_typed_character(run_cms):
    run = run_cms(
        ["query input", "set input @ C5", "qu@ry impcp", "query input", "set input", "query input"]
    )
    assert run.after("query input")[:2] == [
        "NO USER DEFINED INPUT TRANSLATE TABLE IN USE",
        "R;",
    ]
    assert run.after("qu@ry impcp")[:2] == ["IMPCP = ON", "R;"]
    second = run.lines.index("query input", run.lines.index("qu@ry impcp"))
    assert run.lines[second + 1 : second + 3] == ["INPUT    = @ C5", "R;"]
    third = run.lines.index("query input", second + 1)
    assert run.lines[third + 1] == "NO USER DEFINED INPUT TRANSLATE TABLE IN USE"


def test_set_input_takes_the_character_in_hex_and_lists_every_translation(run_cms):
    run = run_cms(["set input 7C C5", "set input # 4B", "query input"])
    assert run.after("query input")[:3] == ["INPUT    = # 4B", "         = @ C5", "R;"]


def test_set_output_translates_what_cms_types(run_cms):
    run = run_cms(["set output C9 #", "query impcp", "query output", "set output", "query output"])
    assert run.after("query impcp")[:2] == ["#MPCP = ON", "R;"]
    assert run.after("query output")[:2] == ["OUTPUT   = C9 #", "R;"]
    last = len(run.lines) - 1 - run.lines[::-1].index("query output")
    assert run.lines[last + 1] == "NO USER DEFINED OUTPUT TRANSLATE TABLE IN USE"


def test_set_input_and_output_errors_give_vm370_messages(run_cms):
    typed = [
        "set input @",
        "set input @ C5 x",
        "set input @ G1",
        "set output 4",
        "set output C1 ab",
    ]
    run = run_cms(typed)
    assert run.after("set input @")[:2] == [
        "DMSSET061E NO TRANSLATION CHARACTER SPECIFIED",
        "R(00024);",
    ]
    assert run.after("set input @ C5 x")[:2] == ["DMSSET070E INVALID PARAMETER X", "R(00024);"]
    assert run.after("set input @ G1")[:2] == [
        "DMSSET026E INVALID PARAMETER G1 FOR INPUT FUNCTION",
        "R(00024);",
    ]
    assert run.after("set output 4")[0] == "DMSSET061E NO TRANSLATION CHARACTER SPECIFIED"
    assert run.after("set output C1 ab")[:2] == [
        "DMSSET026E INVALID PARAMETER AB FOR OUTPUT FUNCTION",
        "R(00024);",
    ]
