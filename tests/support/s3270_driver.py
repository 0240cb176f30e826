"""Drive Debian's s3270 (the scripting x3270) from tests.

s3270 reads one action per line on stdin and answers with ``data:`` lines, a
status line and ``ok`` or ``error``. Every read here has a timeout, and the
process is always ended, so a test can never hang on it.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading

S3270_PATH = shutil.which("s3270")


class S3270Error(Exception):
    """s3270 answered ``error`` or did not answer in time."""


class S3270:
    def __init__(self, *arguments: str, timeout: float = 15.0) -> None:
        if S3270_PATH is None:
            raise S3270Error("s3270 is not installed")
        self.timeout = timeout
        self.process = subprocess.Popen(
            [S3270_PATH, "-utf8", *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.status = ""

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def do(self, action: str) -> list[str]:
        """Run one action; return its data lines; raise S3270Error if it fails."""
        self.process.stdin.write(action + "\n")
        self.process.stdin.flush()
        data: list[str] = []
        while True:
            try:
                line = self._lines.get(timeout=self.timeout)
            except queue.Empty:
                raise S3270Error(f"s3270 did not answer {action} in {self.timeout}s") from None
            if line is None:
                raise S3270Error(f"s3270 exited during {action}: {data}")
            if line.startswith("data: "):
                data.append(line[6:])
            elif line == "data:":
                data.append("")
            elif line == "ok":
                return data
            elif line == "error":
                raise S3270Error(f"{action} failed: {data} {self.status}")
            else:
                self.status = line

    def screen(self) -> list[str]:
        return self.do("Ascii()")

    def screen_text(self) -> str:
        return "\n".join(self.screen())

    def wait_for_text(self, text: str, attempts: int = 200) -> list[str]:
        """Poll the screen (bounded) until ``text`` shows; return the screen."""
        for _ in range(attempts):
            screen = self.screen()
            if any(text in line for line in screen):
                return screen
            self.do("Wait(0.05,Seconds)")
        raise S3270Error(f"{text!r} never appeared; screen was:\n" + "\n".join(screen))

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("Quit()\n")
                self.process.stdin.flush()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
