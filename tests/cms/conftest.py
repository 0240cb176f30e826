"""Fixtures for the CMS tests.

Pack images and minidisks for the file-system tests (``pack``, ``formatted``),
and CMS built once per test session and IPLed on the bare machine by each
test: ``cms_system`` is the built system disk (a small 2314 pack); ``run_cms``
IPLs a fresh copy of it with lines typed ahead on the console at 009 and
returns what the console printed, one string per line (typed lines are
echoed, as the 1052 prints them).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cms_disks import opened

from cms.build import Nucleus, SystemDisk, build_nucleus, build_system_disk
from cms.filesystem import CMSDisk
from vm370.hardware.devices.ckd_image import create_image
from vm370.hardware.devices.console1052 import Console1052
from vm370.hardware.devices.dasd import Dasd2314
from vm370.hardware.machine import Machine


@pytest.fixture
def pack(tmp_path: Path) -> Callable[..., Path]:
    """make_pack(device_type="2311", cylinders=12) -> the path of a blank pack image."""

    def make_pack(device_type: str = "2311", cylinders: int = 12) -> Path:
        return create_image(tmp_path / f"pack{cylinders}.{device_type}", device_type, cylinders)

    return make_pack


@pytest.fixture
def formatted(pack) -> Path:
    """A 2311 pack with a CMS disk LABEL1 on cylinders 2-11 (400 blocks)."""
    path = pack("2311", 12)
    with opened(path, 2, 10) as device:
        CMSDisk.format(device, "LABEL1")
    return path


SYSTEM_CYLINDERS = 5
# Enough for every test session here; a session that needs more says so.
MAX_INSTRUCTIONS = 5_000_000


@dataclass
class BuiltSystem:
    pack: Path
    nucleus: Nucleus
    disk: SystemDisk


@dataclass
class CMSRun:
    """What one IPL printed and how the machine stopped."""

    lines: list[str]
    stop: str
    machine: Machine
    console: Console1052
    devices: list = field(default_factory=list)

    def close(self) -> None:
        """Detach the disks from the host files, so the host tools can open them."""
        for device in self.devices:
            device.close()
        self.devices.clear()

    def after(self, typed: str) -> list[str]:
        """The lines printed after the echo of ``typed`` up to the next typed line's echo."""
        index = self.lines.index(typed)
        return self.lines[index + 1 :]


@pytest.fixture(scope="session")
def cms_system(tmp_path_factory) -> BuiltSystem:
    folder = tmp_path_factory.mktemp("cms")
    pack = folder / "system.2314"
    create_image(pack, "2314", cylinders=SYSTEM_CYLINDERS)
    nucleus = build_nucleus()
    disk = build_system_disk(pack, 0, SYSTEM_CYLINDERS, nucleus)
    return BuiltSystem(pack, nucleus, disk)


@pytest.fixture
def run_cms(cms_system, tmp_path):
    """IPL a copy of the system disk at 190 with ``typed`` lines; return a CMSRun."""
    runs = []

    def run(
        typed: list[str],
        disks: dict[int, Path] | None = None,
        devices: dict | None = None,
        max_instructions: int = MAX_INSTRUCTIONS,
        storage: int = 256 * 1024,
    ) -> CMSRun:
        pack = tmp_path / "system.2314"
        if not pack.exists():
            shutil.copyfile(cms_system.pack, pack)
        machine = Machine(storage)
        console = Console1052(None, None)
        for line in typed:
            console.type_line(line)
        machine.attach(0x009, console)
        attached = [Dasd2314(pack)]
        machine.attach(0x190, attached[0])
        for address, path in (disks or {}).items():
            attached.append(Dasd2314(path))
            machine.attach(address, attached[-1])
        for address, device in (devices or {}).items():
            attached.append(device)
            machine.attach(address, device)
        runs.append(attached)
        machine.ipl(0x190)
        stop = machine.run(max_instructions)
        lines = "".join(console.transcript).splitlines()
        return CMSRun(lines, stop, machine, console, attached)

    yield run
    for devices in runs:
        for device in devices:
            device.close()
