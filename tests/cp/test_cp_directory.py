"""The user directory: VM/370's statements, their defaults, and every kind of error."""

from __future__ import annotations

from pathlib import Path

import pytest

from vm370.cp.directory import (
    DirectoryError,
    LinkSpec,
    load_directory,
    parse_directory,
)
from vm370.cp.passwords import Password, PasswordFormatError, hash_password
from vm370.cp.sysconfig import parse_system

DECKS = Path(__file__).resolve().parents[2] / "decks"

SYSTEM = """\
STORAGE 1M
PACK VMSRES 2314 130 packs/vmsres.ckd
PACK USRPK1 2311 131 packs/usrpk1.ckd
AREA VMSRES PAGE 1 20
AREA VMSRES SPOOL 21 20
AREA VMSRES TDSK 41 10
DISPLAY 0C0 3277
"""

HEADER = "DIRECTORY 130 2314 VMSRES\n"


def directory(body: str, system: bool = False):
    config = parse_system(SYSTEM, "system.conf") if system else None
    return parse_directory(HEADER + body, "user.direct", config)


def errors(body: str, system: bool = False) -> list[str]:
    with pytest.raises(DirectoryError) as caught:
        directory(body, system)
    return str(caught.value).splitlines()


def test_the_sample_directory_has_its_users_disks_and_links():
    result = load_directory(DECKS / "user.direct")
    assert list(result.users) == ["MAINT", "OPERATOR", "USER1", "USER2", "USER3", "USER4"]
    maint = result.users["MAINT"]
    assert maint.classes == "ABCDEFG"
    assert (maint.storage, maint.max_storage) == (1024 * 1024, 16 * 1024 * 1024)
    system_disk = maint.minidisks[0x190]
    assert (system_disk.start_cylinder, system_disk.cylinders, system_disk.volser) == (
        101,
        20,
        "VMSRES",
    )
    assert system_disk.readable_by_all
    assert result.users["OPERATOR"].classes == "ABC"
    for name in ("USER1", "USER2", "USER3", "USER4"):
        user = result.users[name]
        assert user.classes == "G"
        assert 0x191 in user.minidisks
        assert user.links == [LinkSpec("MAINT", 0x190, 0x190, "RR", user.links[0].line)]


def test_the_sample_directory_checks_against_the_sample_system():
    from vm370.cp.sysconfig import load_system

    system = load_system(DECKS / "system.conf")
    result = load_directory(DECKS / "user.direct", system)
    assert result.volume.volser == "VMSRES" and result.volume.cuu == 0x130


def test_a_full_entry_is_read_field_by_field():
    result = directory(
        "USER CMSUSER SECRET 512K 2M BG 20\n"
        " ACCOUNT ACCT01 BIN7\n"
        " OPTION ECMODE REALTIMER\n"
        " OPTION CPUID 0A1B2C AFFINITY 3\n"
        " IPL CMS\n"
        " CONSOLE 01F 1052 X\n"
        " SPOOL 00C 2540 READER *\n"
        " SPOOL 00D 2540 PUNCH B\n"
        " SPOOL 00E 1403\n"
        " MDISK 191 2311 010 005 USRPK1 MR RPW WPW MPW\n"
        " MDISK 192 2314 T-DISK 3\n"
        " DEDICATE 181 281\n"
    )
    user = result.users["CMSUSER"]
    assert (user.storage, user.max_storage, user.classes, user.priority) == (
        512 * 1024,
        2 * 1024 * 1024,
        "BG",
        20,
    )
    assert (user.account, user.distribution) == ("ACCT01", "BIN7")
    assert user.options == {"ECMODE", "REALTIMER", "CPUID", "AFFINITY"}
    assert (user.cpuid, user.affinity) == (0x0A1B2C, 3)
    assert user.ipl == "CMS"
    assert (user.console.cuu, user.console.device_type, user.console.spool_class) == (
        0x1F,
        "1052",
        "X",
    )
    assert [(s.cuu, s.device_type, s.unit, s.spool_class) for s in user.spool] == [
        (0x00C, "2540", "READER", "*"),
        (0x00D, "2540", "PUNCH", "B"),
        (0x00E, "1403", "PRINTER", "A"),
    ]
    disk = user.minidisks[0x191]
    assert (disk.device_type, disk.start_cylinder, disk.cylinders, disk.end_cylinder) == (
        "2311",
        10,
        5,
        14,
    )
    assert disk.mode == "MR" and disk.line == 11
    assert disk.read_password.matches("rpw") and disk.write_password.matches("WPW")
    assert disk.multi_password.matches("MPW") and not disk.read_password.matches("WPW")
    assert user.temporary_disks[0x192].cylinders == 3
    assert [(d.cuu, d.real_address) for d in user.dedicates] == [(0x181, 0x281)]


def test_dmkdir_defaults_fill_what_is_left_out():
    user = directory("USER PLAIN PW\n MDISK 191 2314 60 2 VMSRES\n").users["PLAIN"]
    # DMKDIR: storage 128K, maximum 1M, class G, priority 50; MDISK mode W; LINK mode R at
    # the linked device's own address; console class T, spool class A.
    assert (user.storage, user.max_storage, user.classes, user.priority) == (
        128 * 1024,
        1024 * 1024,
        "G",
        50,
    )
    assert user.account == "PLAIN"
    assert user.minidisks[0x191].mode == "W"


def test_link_defaults_to_the_same_address_and_mode_r():
    result = directory(
        "USER OWNER PW\n MDISK 190 2314 60 2 VMSRES\nUSER OTHER PW\n LINK OWNER 190\n"
    )
    (link,) = result.users["OTHER"].links
    assert (link.cuu, link.target_cuu, link.mode) == (0x190, 0x190, "R")


def test_storage_is_rounded_up_to_4k_as_dmkdir_does():
    user = directory("USER ODD PW 10K 13K\n").users["ODD"]
    assert (user.storage, user.max_storage) == (12 * 1024, 16 * 1024)


def test_statement_names_abbreviate_as_dmkdir_allows():
    full = directory(
        "USER ABBR PW 1M 1M G\n ACCOUNT X\n OPTION ECMODE\n IPL CMS\n CONSOLE 009 3215\n"
        " SPOOL 00C 2540 READER A\n LINK ABBR 191 192 RR\n MDISK 191 2314 60 2 VMSRES W\n"
        " DEDICATE 181 281\n"
    )
    short = parse_directory(
        "DIR 130 2314 VMSRES\nU ABBR PW 1M 1M G\n A X\n O E\n I CMS\n C 009 3215\n"
        " S 00C 2540 R A\n L ABBR 191 192 RR\n M 191 2314 60 2 VMSRES W\n D 181 281\n"
    )
    assert short.users["ABBR"] == full.users["ABBR"]


def test_option_abbreviations_pick_the_first_option_they_begin():
    user = directory("USER OPT PW\n OPTION A AF 5 V S B I R E C FF\n").users["OPT"]
    assert user.options == {
        "ACCT",
        "AFFINITY",
        "VIRT=REAL",
        "SVCOFF",
        "BMX",
        "ISAM",
        "REALTIMER",
        "ECMODE",
        "CPUID",
    }
    assert (user.affinity, user.cpuid) == (5, 0xFF)


def test_lower_case_comments_and_blank_lines():
    result = parse_directory(
        "* a comment\n\n   * an indented comment\ndirectory 130 2314 vmsres\n"
        "user lower secret 1m\n\tmdisk 191 2314 60 2 vmsres w\n"
    )
    user = result.users["LOWER"]
    assert user.minidisks[0x191].volser == "VMSRES"
    assert user.check_password("SECRET")


def test_volume_extents_are_in_cylinder_order_across_users():
    result = directory(
        "USER B PW\n MDISK 191 2314 90 5 VMSRES\n MDISK 192 2314 60 5 VMSRES\n"
        "USER A PW\n MDISK 191 2314 70 10 VMSRES\n MDISK 192 2311 0 10 USRPK1\n"
    )
    extents = result.volume_extents()
    assert [(e.userid, e.cuu, e.start_cylinder, e.end_cylinder) for e in extents["VMSRES"]] == [
        ("B", 0x192, 60, 64),
        ("A", 0x191, 70, 79),
        ("B", 0x191, 90, 94),
    ]
    assert [e.userid for e in extents["USRPK1"]] == ["A"]


def test_extents_may_touch_but_not_share_a_cylinder():
    directory("USER A PW\n MDISK 191 2314 0 10 VMSRES\nUSER B PW\n MDISK 191 2314 10 10 VMSRES\n")


def test_the_last_cylinder_before_the_alternates_is_usable():
    result = directory("USER A PW\n MDISK 191 2314 190 10 VMSRES\n")
    assert result.users["A"].minidisks[0x191].end_cylinder == 199


ERROR_CASES = [
    # (body after the DIRECTORY line, line, column, words in the message)
    ("FOO BAR\n", 2, 1, "unknown statement 'FOO'"),
    ("MDISK 191 2314 1 1 VMSRES\n", 2, 1, "must follow a USER"),
    ("USER A PW\nUSER A PW2\n", 3, 6, "user A is already defined at line 2"),
    ("USER A PW\n MDISK 191 2314 60 1 VMSRES\n LINK A 191\n", 4, 9, "virtual address 191"),
    ("USER A PW 2M 1M\n", 2, 11, "more than the maximum"),
    ("USER A PW 1M 1M GZ\n", 2, 18, "privilege class Z is not one of A-H"),
    ("USER A PW 1M 1M GG\n", 2, 18, "privilege class G is given twice"),
    ("USER A PW 4K\n", 2, 11, "outside 8K to 16M"),
    ("USER A PW 1M 32M\n", 2, 14, "outside 8K to 16M"),
    ("USER A PW 1M 1M G 0\n", 2, 19, "priority 0 is not 1 to 99"),
    ("USER TOOLONGID PW\n", 2, 6, "userid 'TOOLONGID' must be 1 to 8"),
    ("USER A PW 512\n", 2, 11, "is not a storage size"),
    ("USER A\n", 2, 7, "the password is missing"),
    ("USER A PW\n MDISK 191 2314 195 10 VMSRES\n", 3, 21, "run past the end of a 2314"),
    ("USER A PW\n MDISK 191 2311 0 201 VMSRES\n", 3, 19, "alternate cylinders are not"),
    ("USER A PW\n MDISK 191 2314 5 0 VMSRES\n", 3, 19, "at least 1 cylinder"),
    ("USER A PW\n MDISK 191 3330 5 1 VMSRES\n", 3, 12, "device type 3330"),
    ("USER A PW\n MDISK 191 2314 5 1 VMSRES Q\n", 3, 28, "operand 6 is not an access mode"),
    ("USER A PW\n MDISK 191 2314 5 1\n", 3, 20, "the volume serial is missing"),
    ("USER A PW\n MDISK 191 2314 5 1 TOOLONG1\n", 3, 21, "volume serial 'TOOLONG1'"),
    (
        "USER A PW\n MDISK 191 2314 1 5 VMSRES\nUSER B PW\n MDISK 191 2314 5 5 VMSRES\n",
        5,
        17,
        "cylinders 5-9 of VMSRES (B 191) overlap cylinders 1-5 (A 191, line 3)",
    ),
    (
        "USER A PW\n MDISK 191 2314 1 5 VMSRES\n MDISK 192 2311 10 5 VMSRES\n",
        4,
        12,
        "volume VMSRES is a 2314 at line 3",
    ),
    ("USER A PW\n LINK NOBODY 190 190 RR\n", 3, 7, "user NOBODY, who is not in the directory"),
    ("USER A PW\nUSER B PW\n LINK A 190 190 RR\n", 4, 9, "user A has no minidisk 190"),
    ("USER A PW\n LINK A 190 RR\n", 3, 13, "the mode comes after"),
    ("USER A PW\n LINK A 190 190 X\n", 3, 17, "'X' is not an access mode"),
    ("USER A PW\n OPTION ECMODE TURBO\n", 3, 16, "unknown option 'TURBO'"),
    ("USER A PW\n OPTION CPUID\n", 3, 9, "CPUID needs a value"),
    ("USER A PW\n OPTION CPUID 1234567\n", 3, 15, "1 to 6 hex digits"),
    ("USER A PW\n OPTION AFFINITY 64\n", 3, 18, "0 to 63"),
    ("USER A PW\n CONSOLE 009 3270\n", 3, 14, "console type 3270"),
    ("USER A PW\n CONSOLE 009 3215\n CONSOLE 01F 3215\n", 4, 2, "already has a console"),
    ("USER A PW\n SPOOL 00C READER A\n", 3, 12, "device type comes before READER"),
    ("USER A PW\n SPOOL 00C 2540 A\n", 3, 17, "'A' is not READER or PUNCH"),
    ("USER A PW\n SPOOL 00C 2540\n", 3, 17, "a 2540 is a READER or a PUNCH"),
    ("USER A PW\n SPOOL 00E 3211 A\n", 3, 12, "spool device type 3211"),
    ("USER A PW\n SPOOL 00E 1403 AB\n", 3, 17, "class 'AB' must be one letter"),
    ("USER A PW\n SPOOL 00E 1403 A B\n", 3, 19, "one operand too many"),
    ("USER A PW\n SPOOL 00E 1403 *\n", 3, 17, "must be one letter or digit"),
    ("USER A PW\n CONSOLE 009 3215\n ACCOUNT LATE\n", 4, 2, "before the first device"),
    ("USER A PW\n IPL CMS\n IPL 190\n", 4, 2, "a second IPL statement"),
    ("USER A PW\n SPECIAL 080 3270\n", 3, 2, "SPECIAL devices"),
    ("USER A PW\n MDISK 1901 2314 1 1 VMSRES\n", 3, 8, "operand 1 is not the virtual address"),
    ("USER A PW\n MDISK 191 2314 T-DISK 0\n", 3, 24, "temporary disk has 1 to 200"),
    ("USER A PW\n DEDICATE 181\n", 3, 14, "the real device address"),
    ("USER A PW\n MDISK 191 2314 1 1 VMSRES W R\u00e9\n", 3, 31, "printable ASCII"),
    ("DIRECTORY 131 2314 OTHER\n", 2, 1, "a second DIRECTORY statement"),
    ("USER A PW\n DIRECTORY 131 2314 OTHER\n", 3, 2, "a second DIRECTORY statement"),
    ("USER A PW\n MDISK 191 2314 5 1 VMSRES W 123456789\n", 3, 30, "1 to 8 characters"),
]


@pytest.mark.parametrize(("body", "line", "column", "words"), ERROR_CASES)
def test_each_error_names_file_line_and_column(body, line, column, words):
    found = errors(body)
    assert any(
        message.startswith(f"user.direct:{line}:{column}: ") and words in message
        for message in found
    ), found


SYSTEM_ERROR_CASES = [
    ("USER A PW\n MDISK 191 2314 60 1 NOSUCH\n", 3, 22, "volume NOSUCH is not a pack"),
    ("USER A PW\n MDISK 191 2314 60 1 USRPK1\n", 3, 12, "USRPK1 is a 2311 in the real"),
    ("USER A PW\n MDISK 191 2314 15 10 VMSRES\n", 3, 17, "overlap CP's PAGE area"),
    ("USER A PW\n MDISK 191 2314 50 2 VMSRES\n", 3, 17, "overlap CP's TDSK area"),
    ("USER A PW\n DEDICATE 181 130\n", 3, 15, "real device 130 is the pack VMSRES"),
    ("USER A PW\n DEDICATE 181 0C0\n", 3, 15, "is a 3277 display"),
]


@pytest.mark.parametrize(("body", "line", "column", "words"), SYSTEM_ERROR_CASES)
def test_errors_against_the_real_configuration(body, line, column, words):
    found = errors(body, system=True)
    assert any(
        message.startswith(f"user.direct:{line}:{column}: ") and words in message
        for message in found
    ), found


def test_the_directory_volume_must_match_the_real_configuration():
    config = parse_system(SYSTEM, "system.conf")
    for header, column, words in (
        ("DIRECTORY 130 2314 NOSUCH\n", 20, "volume NOSUCH is not a pack"),
        ("DIRECTORY 130 2311 VMSRES\n", 15, "VMSRES is a 2314"),
        ("DIRECTORY 131 2314 VMSRES\n", 11, "at real address 130"),
    ):
        with pytest.raises(DirectoryError) as caught:
            parse_directory(header, "user.direct", config)
        assert str(caught.value).startswith(f"user.direct:1:{column}: "), str(caught.value)
        assert words in str(caught.value)


def test_the_directory_statement_must_come_first():
    with pytest.raises(DirectoryError) as caught:
        parse_directory("USER A PW\n", "user.direct")
    assert str(caught.value) == "user.direct:1:1: the DIRECTORY statement must come first"
    with pytest.raises(DirectoryError) as caught:
        parse_directory("* nothing but a comment\n", "user.direct")
    assert "DIRECTORY statement is missing" in str(caught.value)


def test_every_error_of_a_file_is_listed_in_line_order():
    found = errors(
        "USER A PW 1M 1M Z\nUSER B PW\n MDISK 191 9999 1 1 VMSRES\n OPTION NONE\n"
        "USER C PW\n LINK NOBODY 191\n"
    )
    assert [message.split(":")[1] for message in found] == ["2", "4", "5", "7"]


def test_a_duplicate_user_keeps_the_first_entry_and_still_checks_the_second():
    found = errors(
        "USER A PW\n MDISK 191 2314 60 2 VMSRES\nUSER A PW\n MDISK 191 2314 61 1 VMSRES\n"
    )
    assert any("already defined" in message for message in found)
    assert any("overlap" in message for message in found)


SECRET = "S3CRETP"


@pytest.mark.parametrize(
    "body",
    [
        f"USER A {SECRET} 1M 1M X\n",
        f"USER A {SECRET} 1M 1M G 50 EXTRA\n",
        f"USER A {SECRET} {SECRET}\n",
        f"USER A PW\n MDISK 191 2314 1 1 VMSRES {SECRET}\n",
        f"USER A PW\n MDISK 191 2314 1 1 VMSRES W {SECRET} {SECRET} {SECRET} {SECRET}\n",
        f"USER A PW\n MDISK 191 2314 1 1 VMSRES W R W M {SECRET}\n",
        f"USER A PW\n MDISK 191 2314 1 1 VMSRES W {SECRET}XY\n",
        f"USER A {SECRET}XY\n",
    ],
)
def test_no_error_message_contains_a_password(body):
    text = "\n".join(errors(body))
    assert SECRET not in text.upper()


def test_no_repr_or_str_shows_a_password():
    result = directory(
        f"USER A {SECRET}\n MDISK 191 2314 1 1 VMSRES W {SECRET}R {SECRET}W {SECRET}M\n"
    )
    user = result.users["A"]
    shown = " ".join(
        [repr(result), str(result), repr(user), str(user), repr(user.minidisks[0x191])]
        + [str(user.minidisks[0x191].read_password)]
    )
    assert SECRET not in shown.upper()
    assert "<password>" in str(user.minidisks[0x191].read_password)


def test_check_password_is_case_insensitive_and_exact():
    user = directory("USER A CpCms\n").users["A"]
    assert user.check_password("cpcms") and user.check_password("CPCMS")
    assert not user.check_password("cpcm") and not user.check_password("cpcmsx")
    assert not user.check_password("")
    assert user.can_log_on


def test_nolog_never_logs_on():
    user = directory("USER DISKS NOLOG\n").users["DISKS"]
    assert not user.can_log_on
    assert not user.check_password("NOLOG")


def test_a_hashed_password_checks_and_is_not_stored_plainly():
    hashed = hash_password("letmein", iterations=1000, salt=bytes(range(16)))
    assert hashed.startswith("HASH:PBKDF2-SHA256:1000:000102")
    assert "LETMEIN" not in hashed.upper()
    user = directory(f"USER A {hashed}\n").users["A"]
    assert user.check_password("LETMEIN") and user.check_password("letmein")
    assert not user.check_password("letmein2")


@pytest.mark.parametrize(
    "text",
    [
        "HASH:MD5:1000:00:00",
        "HASH:PBKDF2-SHA256:1000:0011",
        "HASH:PBKDF2-SHA256:10:0011:" + "00" * 32,
        "HASH:PBKDF2-SHA256:1000:XYZ:" + "00" * 32,
        "HASH:PBKDF2-SHA256:1000:0011:" + "00" * 31,
        "NINECHARS",
    ],
)
def test_malformed_passwords_are_refused(text):
    with pytest.raises(PasswordFormatError):
        Password(text)


def test_a_password_cannot_be_pickled():
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Password("SECRET"))


def test_load_directory_reports_an_unreadable_file(tmp_path):
    with pytest.raises(DirectoryError) as caught:
        load_directory(tmp_path / "missing.direct")
    assert str(caught.value).startswith(f"{tmp_path / 'missing.direct'}: cannot read")
    binary = tmp_path / "binary.direct"
    binary.write_bytes(b"\xff\xfe\x00USER")
    with pytest.raises(DirectoryError) as caught:
        load_directory(binary)
    assert "not a text file" in str(caught.value)
