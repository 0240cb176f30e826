"""TN3270 over TLS (--tls-cert, --tls-key), and where the server may listen (--public)."""

import shutil
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from s3270_driver import S3270, S3270_PATH
from terminal_host import EchoHost

from vm370.hardware.devices.display3277 import TerminalPort
from vm370.terminal import telnet
from vm370.terminal.serve import is_loopback, parse_listen_address
from vm370.terminal.telnet import DO, OPTION_TERMINAL_TYPE, Negotiation, TelnetReader
from vm370.terminal.tn3270 import TLSSetupError, TN3270Server, server_tls_context

ROOT = Path(__file__).resolve().parent.parent.parent
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(
    OPENSSL is None, reason="openssl is not installed: no way to make a test certificate"
)


@pytest.fixture
def certificate(tmp_path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made for this test."""
    if OPENSSL is None:
        pytest.skip("openssl is not installed: no way to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    done = subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {done.stderr[-200:]!r}")
    return cert, key


@pytest.fixture
def tls_server(certificate):
    port = TerminalPort(0x0C0)
    host = EchoHost([port]).start()
    server = TN3270Server([port], port=0, negotiation_timeout=3.0, tls=server_tls_context(
        str(certificate[0]), str(certificate[1])
    ))  # fmt: skip
    server.start_in_thread()
    yield server
    server.stop()
    host.stop()


def test_the_server_speaks_telnet_inside_tls(tls_server):
    client_context = ssl.create_default_context()
    client_context.check_hostname = False
    client_context.verify_mode = ssl.CERT_NONE  # self-signed, made for the test
    raw = socket.create_connection(("127.0.0.1", tls_server.port), timeout=5)
    with client_context.wrap_socket(raw) as secure:
        assert secure.version() in ("TLSv1.2", "TLSv1.3")
        events = TelnetReader().feed(secure.recv(100))
    assert Negotiation(DO, OPTION_TERMINAL_TYPE) in events


def test_a_plain_client_gets_nothing_from_a_tls_server(tls_server):
    with socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as raw:
        raw.sendall(telnet.negotiation(DO, OPTION_TERMINAL_TYPE))
        try:
            reply = raw.recv(100)
        except (ConnectionError, TimeoutError):
            reply = b""
    assert telnet.negotiation(DO, OPTION_TERMINAL_TYPE) not in reply


@pytest.mark.skipif(S3270_PATH is None, reason="s3270 is not installed")
def test_s3270_connects_over_tls_and_reaches_the_3277(tls_server):
    terminal = S3270("-model", "3278-2", "-noverifycert")
    try:
        terminal.do(f"Connect(L:127.0.0.1:{tls_server.port})")
        terminal.wait_for_text("ECHO DEMO")
    finally:
        terminal.close()


def test_a_missing_or_bad_certificate_is_a_clear_error(tmp_path):
    with pytest.raises(TLSSetupError, match="cannot read"):
        server_tls_context(str(tmp_path / "none.pem"))
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    with pytest.raises(TLSSetupError, match="not a usable PEM"):
        server_tls_context(str(bad))


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("3270", ("127.0.0.1", 3270)),
        ("127.0.0.1:3271", ("127.0.0.1", 3271)),
        ("0:3270", ("0", 3270)),
        ("[::1]:3270", ("::1", 3270)),
        ("localhost", ("localhost", 3270)),
    ],
)
def test_listen_addresses_and_a_port_alone_meaning_loopback(text, address):
    assert parse_listen_address(text) == address


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("0", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
    ],
)
def test_only_loopback_hosts_count_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def bare(*argv: str, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "vm370", "bare", "--psw", "0002000000000000", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        **kwargs,
    )


@pytest.mark.parametrize("where", ["0:0", "0.0.0.0:0", "[::]:0"])
def test_serving_beyond_loopback_needs_public(where):
    done = bare("--attach", "0C0=3277", "--tn3270", where)
    assert done.returncode == 2
    assert "--public" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--public"], "--public is for --tn3270"),
        (["--tls-cert", "c.pem"], "--tls-cert is for --tn3270"),
        (["--attach", "0C0=3277", "--tn3270", "0", "--tls-key", "k.pem"], "--tls-key needs"),
        (["--attach", "0C0=3277", "--tn3270", "0", "--tls-cert", "/nonexistent/c.pem"],
         "cannot read /nonexistent/c.pem"),
    ],
)  # fmt: skip
def test_tls_and_public_options_out_of_place_are_refused(argv, message):
    done = bare(*argv)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_public_serving_says_so_when_it_starts():
    process = subprocess.Popen(
        [sys.executable, "-m", "vm370", "bare", "--psw", "0002000000000000",
         "--attach", "0C0=3277", "--tn3270", "0.0.0.0:0", "--public"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        serving = process.stdout.readline()
        notice = process.stderr.readline()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    assert serving.startswith("tn3270: serving 3277 0C0 on 0.0.0.0:")
    assert notice.startswith("tn3270: public: 0.0.0.0:") and "NOT encrypted" in notice
