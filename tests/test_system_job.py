"""The system as one command: vm370 init, session, serve, the main job's terminal, restarts."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from vm370_process import vm370

from cms.filesystem import CMSDisk
from cms.minidisk import Minidisk
from vm370.cli import main
from vm370.cp.datafolder import DataFolder
from vm370.cp.realsystem import RealSystem
from vm370.hardware.devices.ckd_image import CKDImage
from vm370.sysgen import read_passwords
from vm370.terminal.system_host import terminal_app

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60


@pytest.fixture(scope="module")
def system_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("system") / "vm"
    assert main(["init", str(folder), "--users", "2"]) == 0
    return folder


def user_disk(folder: Path, userid: str, cuu: int = 0x191):
    path, _, start, cylinders = DataFolder(folder).minidisk_location(userid, cuu)
    image = CKDImage(path, read_only=True)
    return image, CMSDisk.open(Minidisk(image, start, cylinders))


def test_init_writes_a_whole_system_and_shows_the_passwords_once(tmp_path, capsys):
    folder = tmp_path / "vm"
    assert main(["init", str(folder), "--users", "3"]) == 0
    shown = capsys.readouterr().out
    passwords = read_passwords(folder)
    assert sorted(passwords) == ["MAINT", "OPERATOR", "USER1", "USER2", "USER3"]
    for userid, password in passwords.items():
        assert re.search(rf"{userid}\s+{password}", shown)
        assert password not in (folder / "user.direct").read_text()
    assert stat.S_IMODE((folder / "passwords.txt").stat().st_mode) == 0o600
    assert sorted(p.name for p in (folder / "packs").iterdir()) == ["vmpk01.ckd", "vmsres.ckd"]
    system, directory = DataFolder(folder).load()
    assert [d.address for d in system.displays] == [0xC0, 0xC1, 0xC2, 0xC3]
    assert {kind for pack in system.packs.values() for kind in (a.kind for a in pack.areas)} >= {
        "PAGE",
        "SPOOL",
        "TDSK",
    }
    assert directory.users["MAINT"].classes == "ABCDEFG"
    assert directory.users["OPERATOR"].classes == "ABC"
    for userid in ("USER1", "USER2", "USER3"):
        entry = directory.users[userid]
        assert entry.classes == "G" and entry.ipl == "190"
        assert [(link.userid, link.target_cuu, link.mode) for link in entry.links] == [
            ("MAINT", 0x190, "RR")
        ]
        assert entry.check_password(passwords[userid])
        image, disk = user_disk(folder, userid)
        try:
            names = {entry.fileid for entry in disk.files()}
            assert {"HELLO ASSEMBLE A1", "SAMPLE EXEC A1", "README TEXT A1"} <= names
            assert disk.check() == []
        finally:
            image.close()
    image, system_disk = user_disk(folder, "MAINT", 0x190)
    try:
        assert system_disk.label == "CMS190"
    finally:
        image.close()


# A CMS user at its ready line after QUERY DISK and LISTFILE holds about 25
# pages (CP INDICATE USER); 40 leaves room for what else it runs.
PAGES_A_CMS_USER_NEEDS = 40
TRACKS_PER_2314_CYLINDER = 20  # one page slot a track


@pytest.mark.parametrize("users", [1, 15, 16, 50, 99])
def test_the_standard_system_has_paging_space_for_every_user_at_once(users):
    from vm370.cp.directory import parse_directory
    from vm370.cp.sysconfig import parse_system
    from vm370.sysgen import _default_layout, _system_conf

    passwords = {name: "X" for name in ("MAINT", "OPERATOR")}
    passwords.update({f"USER{n}": "PASSWORD" for n in range(1, users + 1)})
    packs, directory_text = _default_layout(passwords)
    config = parse_system(_system_conf(packs))
    # every 191 lies outside CP's areas (parse_directory checks it against them)
    parse_directory(directory_text, system=config)
    slots = sum(area.count for _, area in config.areas("PAGE")) * TRACKS_PER_2314_CYLINDER
    assert slots >= PAGES_A_CMS_USER_NEEDS * len(passwords)


def test_cp_pages_on_every_page_area_of_the_system(system_folder):
    config, _ = DataFolder(system_folder).load()
    areas = config.areas("PAGE")
    assert len({pack.volser for pack, _ in areas}) >= 2  # VMSRES and the user pack
    system = RealSystem(system_folder)
    try:
        store = system.cp.pager.store
        assert [s.device_address for s in store.stores] == [pack.address for pack, _ in areas]
        assert store.slots_available == sum(
            area.count * TRACKS_PER_2314_CYLINDER for _, area in areas
        )
    finally:
        system.shutdown()


def test_the_sample_program_assembles_with_the_cms_macros(system_folder):
    from assembler import assemble

    image, disk = user_disk(system_folder, "USER1")
    try:
        source = disk.get("HELLO ASSEMBLE A").decode()
    finally:
        image.close()
    result = assemble(source, maclib=[str(ROOT / "cms" / "maclib")])
    assert result.return_code == 0, result.diagnostics


def test_init_refuses_an_existing_system_unless_forced(tmp_path, capsys):
    folder = tmp_path / "vm"
    assert main(["init", str(folder), "--users", "1"]) == 0
    before = read_passwords(folder)
    assert main(["init", str(folder), "--users", "1"]) == 2
    assert "--force" in capsys.readouterr().err
    assert read_passwords(folder) == before
    assert main(["init", str(folder), "--users", "1", "--force"]) == 0
    assert read_passwords(folder) != before
    assert not (folder / "vm370.lock").exists()


def test_init_with_a_directory_makes_every_pack_it_names(tmp_path):
    directory = tmp_path / "class.direct"
    directory.write_text(
        "DIRECTORY 140 2314 SYSPK1\n"
        "USER TEACHER SECRET 1M 4M ABCDEFG\n"
        " CONSOLE 009 3215\n"
        " MDISK 190 2314 1 20 SYSPK1 MR ALL\n"
        " MDISK 191 2314 1 195 HOMES1 W\n"
        "USER PUPIL PUPILPW 1M 1M G\n"
        " CONSOLE 009 3215\n"
        " LINK TEACHER 190 190 RR\n"
        " MDISK 191 2314 1 190 HOMES2 W\n"
        " MDISK 192 2314 T-DISK 5\n"
    )
    folder = tmp_path / "vm"
    assert main(["init", str(folder), "--directory", str(directory)]) == 0
    images = sorted(p.name for p in (folder / "packs").iterdir())
    assert {"syspk1.ckd", "homes1.ckd", "homes2.ckd"} <= set(images)
    system, loaded = DataFolder(folder).load()
    assert system.packs["SYSPK1"].address == 0x140
    assert {kind for kind in ("PAGE", "SPOOL", "TDSK") if system.areas(kind)} == {
        "PAGE",
        "SPOOL",
        "TDSK",
    }
    assert (folder / "user.direct").read_text() == directory.read_text()
    assert not (folder / "passwords.txt").exists()
    image, disk = user_disk(folder, "PUPIL")
    try:
        assert "README TEXT A1" in {entry.fileid for entry in disk.files()}
    finally:
        image.close()


def test_a_scripted_session_logs_on_runs_a_cp_command_and_logs_off(
    system_folder, monkeypatch, capsys
):
    password = read_passwords(system_folder)["USER1"]
    monkeypatch.setenv("VM370_PASSWORD", password)
    monkeypatch.setattr(sys, "stdin", io.StringIO("#PA1\nipl 123\nbegin\nlistfile * exec\n"))
    status = main(["session", "--data", str(system_folder), "--user", "user1"])
    out = capsys.readouterr().out
    assert status == 0
    lines = out.splitlines()
    logon = next(i for i, line in enumerate(lines) if line.startswith("LOGON AT"))
    assert lines[logon + 1] == "CMS VERSION 6.0"  # the directory's IPL 190
    command = lines.index("ipl 123")
    assert lines[command + 1] == "DMKCFG040E DEV 123 DOES NOT EXIST"
    listed = lines.index("listfile * exec", command)
    assert lines[listed + 1] == "SAMPLE   EXEC     A1"
    assert "VM/370 ONLINE" in lines[logon + 3 :]  # logged off: the logo again
    assert password not in out
    assert not DataFolder(system_folder).is_locked()


def test_a_session_in_cms_makes_a_file_and_the_next_start_finds_it(
    system_folder, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("VM370_PASSWORD", read_passwords(system_folder)["USER2"])
    script = "COPYFILE README TEXT A COPY TEXT A\nLISTFILE * TEXT\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    assert main(["session", "--data", str(system_folder), "--user", "USER2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "CMS VERSION 6.0" in lines  # IPLed at LOGON, as the directory says
    listed = lines.index("LISTFILE * TEXT")
    assert sorted(lines[listed + 1 : listed + 3]) == [
        "COPY     TEXT     A1",
        "README   TEXT     A1",
    ]
    assert lines[listed + 3].startswith("R;")
    assert "VM/370 ONLINE" in lines[listed:]  # logged off: the logo again
    copy = tmp_path / "copy.txt"
    cms = ["cms", "get", "--data", str(system_folder), "--user", "USER2", "--cuu", "191"]
    assert main([*cms, "COPY TEXT A1", str(copy)]) == 0
    assert copy.read_text().startswith("Welcome to your CMS minidisk")
    monkeypatch.setattr(sys, "stdin", io.StringIO("TYPE COPY TEXT\n"))
    assert main(["session", "--data", str(system_folder), "--user", "USER2"]) == 0
    assert "Welcome to your CMS minidisk (your 191, filemode A)." in capsys.readouterr().out


def test_the_transcript_keeps_every_line_of_output_longer_than_a_screen(
    system_folder, tmp_path, monkeypatch, capsys
):
    long = tmp_path / "long.txt"
    long.write_text("".join(f"LINE {n:03d} OF THE LONG FILE\n" for n in range(1, 61)))
    cms = ["cms", "put", "--data", str(system_folder), "--user", "USER1", "--cuu", "191"]
    assert main([*cms, str(long), "LONG TEXT A1"]) == 0
    monkeypatch.setenv("VM370_PASSWORD", read_passwords(system_folder)["USER1"])
    monkeypatch.setattr(sys, "stdin", io.StringIO("TYPE LONG TEXT\nLISTFILE LONG TEXT\n"))
    assert main(["session", "--data", str(system_folder), "--user", "USER1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    typed = [line for line in lines if line.endswith("OF THE LONG FILE")]
    assert typed == [f"LINE {n:03d} OF THE LONG FILE" for n in range(1, 61)]
    assert "LONG     TEXT     A1" in lines[lines.index("LISTFILE LONG TEXT") :]


def test_a_session_with_a_wrong_password_fails(system_folder, tmp_path, monkeypatch, capsys):
    secret = tmp_path / "password"
    secret.write_text("NOTRIGHT\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO("ipl 123\n"))
    argv = ["session", "--data", str(system_folder), "--user", "USER2"]
    assert main([*argv, "--password-file", str(secret)]) == 1
    captured = capsys.readouterr()
    assert "DMKLOG050E" in captured.out and "LOGON USER2 failed" in captured.err
    assert "ipl 123" not in captured.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--users", "0"], "--users must be 1 to 99, not 0"),
        (["--users", "100"], "--users must be 1 to 99, not 100"),
        (["--directory", "/no/such/file"], "cannot read /no/such/file"),
        (["--directory", "{bad}", "--users", "2"], "--users makes the standard directory"),
        (["--directory", "{bad}"], "bad.direct:1:"),
    ],
)
def test_init_refuses_bad_requests_in_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    bad = tmp_path / "bad.direct"
    bad.write_text("USER X\n")
    folder = tmp_path / "vm"
    argv = [arg.replace("{bad}", str(bad)) for arg in argv]
    assert main(["init", str(folder), *argv]) == 2
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1
    assert not (folder / "system.conf").exists() and not (folder / "packs").exists()


def test_init_into_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("mine\n")
    assert main(["init", str(target)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert target.read_text() == "mine\n"


def test_a_session_needs_a_password_and_a_system(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("VM370_PASSWORD", raising=False)
    assert main(["session", "--data", str(tmp_path), "--user", "USER1"]) == 2
    assert "VM370_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("VM370_PASSWORD", "X")
    assert main(["session", "--data", str(tmp_path), "--user", "USER1"]) == 2
    assert "no system" in capsys.readouterr().err


def test_a_running_system_is_not_started_twice(system_folder, monkeypatch, capsys):
    folder = DataFolder(system_folder)
    monkeypatch.setenv("VM370_PASSWORD", "X")
    with folder.locked():
        assert main(["session", "--data", str(system_folder), "--user", "USER1"]) == 2
    assert "in use by process" in capsys.readouterr().err


def test_serve_refuses_a_public_address_without_public(system_folder, capsys):
    assert main(["serve", "--data", str(system_folder), "--tn3270", "0.0.0.0:0"]) == 2
    assert "--public" in capsys.readouterr().err


def test_serve_telnet_needs_lines_and_the_loopback(tmp_path, capsys):
    folder = tmp_path / "vm"
    assert main(["init", str(folder), "--users", "1"]) == 0
    conf = folder / "system.conf"
    conf.write_text(
        "".join(line for line in conf.read_text().splitlines(True) if "2741" not in line)
    )
    capsys.readouterr()
    argv = ["serve", "--data", str(folder), "--tn3270", "0"]
    assert main([*argv, "--telnet", "0.0.0.0:0"]) == 2
    assert (
        "--telnet 0.0.0.0:0 would serve the system beyond this machine" in capsys.readouterr().err
    )
    assert main([*argv, "--telnet", "0"]) == 2
    assert "has no 2741 lines" in capsys.readouterr().err
    assert not DataFolder(folder).is_locked()


def start_server(folder: Path) -> tuple[subprocess.Popen, int]:
    server = vm370("serve", "--data", str(folder), "--tn3270", "127.0.0.1:0")
    line = server.stdout.readline()
    found = re.search(r"127\.0\.0\.1:(\d+)", line)
    assert found, line + server.stderr.read()
    return server, int(found.group(1))


def stop_server(server: subprocess.Popen) -> tuple[str, str]:
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=WAIT)
    assert server.returncode == 0, err
    return out, err


def test_serve_takes_two_sessions_at_once_and_shuts_down_cleanly(system_folder):
    passwords = read_passwords(system_folder)
    server, port = start_server(system_folder)
    try:
        sessions = []
        for userid, command in (("USER1", "IPL 321"), ("USER2", "IPL 432")):
            env = {**os.environ, "VM370_PASSWORD": passwords[userid]}
            session = vm370("session", "--connect", f"127.0.0.1:{port}", "--user", userid, env=env)
            sessions.append((session, command))
        for session, command in sessions:
            session.stdin.write(f"{command}\n")
            session.stdin.close()
        for session, command in sessions:
            out = session.stdout.read()
            session.wait(WAIT)
            assert session.returncode == 0, session.stderr.read()
            cuu = command.split()[1]
            assert f"DMKCFG040E DEV {cuu} DOES NOT EXIST" in out
        assert DataFolder(system_folder).is_locked()
    finally:
        out, err = stop_server(server)
    assert "USER1 logged on" in err and "USER2 logged on" in err
    assert "USER1 logged off" in err
    for password in passwords.values():
        assert password not in err and password not in out
    assert not DataFolder(system_folder).is_locked()


def test_a_file_the_host_tools_wrote_is_there_after_a_run_and_a_shutdown(system_folder, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("kept across restarts\n")
    cms = ["cms", "--data", str(system_folder), "--user", "USER1", "--cuu", "191"]
    assert main([cms[0], "put", *cms[1:], str(notes), "NOTES TEXT A1"]) == 0
    system = RealSystem(system_folder)
    system.run(100_000)
    system.shutdown()
    copy = tmp_path / "copy.txt"
    assert main([cms[0], "get", *cms[1:], "NOTES TEXT A1", str(copy)]) == 0
    assert copy.read_text() == "kept across restarts\n"
    assert main([cms[0], "check", *cms[1:]]) == 0


def test_a_server_killed_while_cms_writes_leaves_a_system_that_starts_again(system_folder):
    passwords = read_passwords(system_folder)
    server, port = start_server(system_folder)
    env = {**os.environ, "VM370_PASSWORD": passwords["USER1"]}
    session = vm370("session", "--connect", f"127.0.0.1:{port}", "--user", "USER1", env=env)
    session.stdin.write("".join(f"COPYFILE README TEXT A K{n} TEXT A\n" for n in range(40)))
    session.stdin.flush()
    ready_lines = []

    def watch() -> None:
        for line in session.stdout:
            if line.startswith("R;"):
                ready_lines.append(line)
                if len(ready_lines) == 5:
                    return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    watcher.join(WAIT)
    assert len(ready_lines) == 5
    server.kill()  # SIGKILL while CMS copies files: no shutdown, the lock stays behind
    server.wait(WAIT)
    session.kill()
    session.wait(WAIT)
    for stream in (server.stdout, server.stderr, session.stdout, session.stderr, session.stdin):
        stream.close()
    assert (system_folder / "vm370.lock").exists()
    assert not DataFolder(system_folder).is_locked()  # its process is gone
    server, port = start_server(system_folder)
    try:
        session = vm370("session", "--connect", f"127.0.0.1:{port}", "--user", "USER1", env=env)
        out, err = session.communicate("LISTFILE K* TEXT\n", timeout=WAIT)
        assert session.returncode == 0, err
    finally:
        stop_server(server)
    listed = [line.split()[0] for line in out.splitlines() if re.fullmatch(r"K\d+ +TEXT +A1", line)]
    assert len(listed) >= 4  # the copies CMS had finished (the fifth R; may be the last)
    image, disk = user_disk(system_folder, "USER1")
    try:
        assert disk.check() == []
        readme = disk.get("README TEXT A")
        for name in listed:
            assert disk.get(f"{name} TEXT A") == readme
    finally:
        image.close()


def test_the_operators_shutdown_command_ends_serve_cleanly(system_folder):
    passwords = read_passwords(system_folder)
    server, port = start_server(system_folder)
    env = {**os.environ, "VM370_PASSWORD": passwords["MAINT"]}
    session = vm370("session", "--connect", f"127.0.0.1:{port}", "--user", "MAINT", env=env)
    session.communicate("#PA1\nSHUTDOWN\n", timeout=WAIT)
    out, err = server.communicate(timeout=WAIT)
    assert server.returncode == 0, err
    assert "SHUTDOWN COMPLETE" in err and "shut down; every user logged off" in out
    assert not DataFolder(system_folder).is_locked()


class TelnetClient:
    """A plain line-mode telnet client: reads what the server sends, in order, and waits on it."""

    def __init__(self, port: int) -> None:
        import socket

        self.connection = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.received = bytearray()
        self.position = 0  # how far earlier waits have read

    def wait_for(self, wanted: bytes) -> bytes:
        """What came from the last wait's end up to and including ``wanted``."""
        while (found := self.received.find(wanted, self.position)) < 0:
            chunk = self.connection.recv(4096)
            assert chunk, f"the server closed the line after {bytes(self.received)!r}"
            self.received += chunk
        start, self.position = self.position, found + len(wanted)
        return bytes(self.received[start : self.position])

    def type(self, line: str) -> None:
        self.connection.sendall(line.encode() + b"\r\n")

    def close(self) -> None:
        self.connection.close()


def test_serve_telnet_gives_a_line_mode_client_cms_and_a_dropped_line_disconnects(
    system_folder,
):
    password = read_passwords(system_folder)["USER1"]
    server = vm370(
        "serve", "--data", str(system_folder), "--tn3270", "0", "--telnet", "127.0.0.1:0"
    )
    try:
        server.stdout.readline()
        line = server.stdout.readline()
        found = re.search(r"serving 2741 020, 021, 022, 023 on 127\.0\.0\.1:(\d+)", line)
        assert found, line
        port = int(found.group(1))
        client = TelnetClient(port)
        client.wait_for(b"VM/370 ONLINE\r\n!")
        client.type("LOGON USER1")
        asked = client.wait_for(b"ENTER PASSWORD:\r\n!")
        client.wait_for(bytes((255, 251, 1)))  # WILL ECHO: the client stops echoing
        assert b"LOGON" not in asked  # the client echoes its own typing, CP does not
        client.type(password)
        client.wait_for(b"CMS VERSION 6.0\r\n")
        client.type("LISTFILE * EXEC")
        assert b"SAMPLE   EXEC     A1\r\n" in client.wait_for(b"R;")
        assert password.encode() not in client.received
        client.close()
        again = TelnetClient(port)
        again.wait_for(b"VM/370 ONLINE\r\n!")
        again.type("LOGON USER1")
        again.wait_for(b"ENTER PASSWORD:")
        again.type(password)
        again.wait_for(b"RECONNECTED AT")
        again.close()
    finally:
        out, err = stop_server(server)
    assert "USER1 disconnected" in err and "USER1 reconnected" in err
    assert password not in err


def test_the_terminal_of_the_main_job_opens_at_the_logo_with_a_panel_of_the_users(
    system_folder,
):
    from vm370.cp.observe import system_view
    from vm370.terminal.scripted import ScriptedTerminal

    system = RealSystem(system_folder)
    app, runner = terminal_app(system, observer=lambda: system_view(system.cp))
    stop = threading.Event()
    thread = runner.start_in_thread(stop)
    other = ScriptedTerminal(system.displays[1].port)
    password = read_passwords(system_folder)["USER1"]

    async def settle(pilot, condition) -> bool:
        for _ in range(1000):
            if condition():
                return True
            await pilot.pause(0.01)
        return False

    async def look():
        async with app.run_test(size=(130, 40)) as pilot:

            def screen() -> str:
                return "\n".join(app.display3270.row_text(n) for n in range(24))

            at_logo = await settle(pilot, lambda: "VM/370 ONLINE" in screen())
            await pilot.press("ctrl+g")
            panel = app.panels["machines"]
            nobody = await settle(pilot, lambda: "nobody is logged on" in str(panel.render()))
            await settle(pilot, lambda: "VM/370 ONLINE" in other.text() and other.ready())
            other.type_line("LOGON USER1")
            await settle(pilot, lambda: "ENTER PASSWORD" in other.text() and other.ready())
            other.type_line(password)
            shown = await settle(pilot, lambda: "USER1    0C1" in str(panel.render()))
            return at_logo, nobody, shown, str(panel.render())

    other.ready = lambda: not other.keyboard_locked()
    try:
        at_logo, nobody, shown, text = asyncio.run(look())
    finally:
        stop.set()
        thread.join(10)
        system.shutdown()
    assert at_logo and nobody
    assert shown, text
    assert "instr" in text and ("Q1" in text or "Q2" in text or "CP mode" in text)
    assert re.search(r"spool  RDR \d+  PRT \d+  PUN \d+", text)
