"""System generation: a complete data folder for ``vm370 init``.

``generate(folder, users=4)`` writes, in this order:

1. the pack images (2314, Hercules CKD), each created whole under a
   temporary name and renamed (vm370/hardware/host_files.py);
2. the CMS system disk on MAINT's 190 (cms/build.py: the nucleus assembled
   from cms/, its IPL records and an empty file area) and each user's 191,
   formatted with a few sample files;
3. ``user.direct`` (passwords hashed), ``passwords.txt`` (the passwords,
   mode 0600) and last ``system.conf``. A folder with ``system.conf`` is a
   complete system; one without it is at most a generation cut short.

Without a directory it writes its own: MAINT (classes A-G; the 190 system
disk and a 191), OPERATOR (A, B, C) and ``users`` class G users USER1..USERn,
each with a random password. With ``directory_text`` (a VM/370-format
directory) it keeps that directory as it is and creates every pack its
MDISK statements name, with CP's paging, spool and temporary-disk areas
where no minidisk lies (or on a pack of their own).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cms.filesystem import CMSDisk, CMSError
from cms.minidisk import Minidisk, MinidiskError
from vm370.cp.configfile import ConfigFileError
from vm370.cp.datafolder import (
    DIRECTORY_FILE,
    PACKS_DIR,
    PASSWORDS_FILE,
    SYSTEM_FILE,
    DataFolder,
    default_pack_image,
)
from vm370.cp.directory import Directory, parse_directory
from vm370.cp.passwords import hash_password
from vm370.hardware.devices.ckd_image import CKDImage, CKDImageError, create_image
from vm370.hardware.host_files import write_file

DEFAULT_USERS = 4
MAX_USERS = 99  # USER99 is the longest name the scheme makes
PASSWORD_LENGTH = 8  # VM/370's longest password
# No 0/O or 1/I/L: a password read off a screen or a printout is typed right the first time.
PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

PACK_TYPE = "2314"
PACK_CYLINDERS = 200  # a 2314's primary cylinders (GA26-3599); the alternates are never used
FIRST_PACK_ADDRESS = 0x130
SYSTEM_VOLUME = "VMSRES"
USER_VOLUME_PREFIX = "VMPK"
CP_VOLUME = "VMCP01"
# CP's areas on the system residence pack, in cylinders (start, count).
PAGE_AREA = (1, 40)
SPOOL_AREA = (41, 40)
TDISK_AREA = (81, 20)
PERM_AREA = (101, 99)
SYSTEM_DISK = (101, 20)  # MAINT 190
MAINT_191 = (121, 10)
OPERATOR_191 = (131, 5)
USER_DISK_CYLINDERS = 10
# A user pack holds 15 users' 191s (PERM 1-150) and, on the rest, a PAGE area
# of 49 cylinders: 980 page slots, some 65 pages (260K) for each of its users
# on top of VMSRES's 800. A CMS user at its ready line holds about 25 pages, so
# paging space grows with the users: 50 users at once overflowed VMSRES alone.
USERS_PER_PACK = 15
USER_PERM_AREA = (1, USERS_PER_PACK * USER_DISK_CYLINDERS)
USER_PAGE_AREA = (USER_PERM_AREA[1] + 1, PACK_CYLINDERS - 1 - USER_PERM_AREA[1])
STORAGE = "2M"
DISPLAYS = "0C0-0C3"
LINES = "020-023"  # 2741 lines for line-mode telnet clients (vm370 serve --telnet)
SPOOL_FILES = {
    "READER": ("00C", "2540", "spool/reader.cards"),
    "PUNCH": ("00D", "2540", "spool/punch.cards"),
    "PRINTER": ("00E", "1403", "spool/printer.txt"),
}

SAMPLE_ASSEMBLE = """\
* HELLO ASSEMBLE: a first program for CMS. It types a line on the
* console through the CMS macros (cms/maclib) and returns to CMS.
HELLO    CSECT
         REGEQU
         SAVE  (14,12)
         BALR  R12,0
         USING *,R12
         WRTERM 'HELLO FROM YOUR VIRTUAL MACHINE'
         RETURN (14,12),RC=0
         END   HELLO
"""

SAMPLE_EXEC = """\
&TRACE OFF
* SAMPLE EXEC: a CMS EXEC procedure (the EXEC language of VM/370).
&TYPE THE FILES ON YOUR A-DISK:
LISTFILE * * A
CP QUERY FILES
"""

README_TEXT = """\
Welcome to your CMS minidisk (your 191, filemode A).

Files here:
  HELLO    ASSEMBLE  a small assembler program that uses the CMS macros
  SAMPLE   EXEC      a small EXEC procedure
  README   TEXT      this file

CMS commands to try: LISTFILE, TYPE README TEXT, STATE HELLO ASSEMBLE,
COPYFILE, ERASE, ACCESS, RELEASE. CP commands work from CMS with CP in
front (CP QUERY FILES), or after pressing PA1 (BEGIN goes back).

From the host, with the system stopped, `vm370 cms list --data DIR
--user USERID --cuu 191` lists this disk and `vm370 cms get` and
`vm370 cms put` copy files off and onto it.
"""

SAMPLE_FILES = (
    ("HELLO ASSEMBLE A1", SAMPLE_ASSEMBLE, "F", 80),
    ("SAMPLE EXEC A1", SAMPLE_EXEC, "F", 80),
    ("README TEXT A1", README_TEXT, "V", None),
)


class GenerationError(Exception):
    """The system cannot be generated as asked (the message says why; nothing usable was lost)."""


class SystemExists(GenerationError):
    """The folder already holds a system (or part of one)."""


@dataclass
class Pack:
    volser: str
    address: int
    areas: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def image(self) -> Path:
        return default_pack_image(self.volser)


@dataclass
class Generated:
    """What ``generate`` made: the passwords to show once, and what the 190 holds."""

    folder: Path
    passwords: dict[str, str]
    packs: list[str]
    cms_installed: bool
    formatted: list[str] = field(default_factory=list)


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def existing_system(folder: Path) -> str | None:
    """What in ``folder`` belongs to a system, or None if it holds none."""
    for name in (SYSTEM_FILE, DIRECTORY_FILE):
        if (folder / name).exists():
            return name
    packs = folder / PACKS_DIR
    if packs.is_dir() and any(packs.glob("*.ckd")):
        return f"{PACKS_DIR}/"
    return None


def generate(
    folder: str | Path,
    users: int = DEFAULT_USERS,
    directory_text: str | None = None,
    directory_name: str = "<directory>",
    force: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> Generated:
    """Write a whole system into ``folder`` (created if need be); see the module docstring."""
    folder = Path(folder)
    if directory_text is None and not 1 <= users <= MAX_USERS:
        raise GenerationError(f"--users must be 1 to {MAX_USERS}, not {users}")
    if folder.exists() and not folder.is_dir():
        raise GenerationError(f"{folder} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise GenerationError(f"cannot create {folder}: {error.strerror or error}") from None
    if not folder.is_dir():
        raise GenerationError(f"{folder} is not a folder")
    data = DataFolder(folder)
    with data.locked():
        found = existing_system(folder)
        if found and not force:
            raise SystemExists(
                f"{folder} already holds a system ({found}); give --force to replace it "
                "(everything on its packs is lost)"
            )
        if directory_text is None:
            passwords = {"MAINT": new_password(), "OPERATOR": new_password()}
            passwords.update({f"USER{n}": new_password() for n in range(1, users + 1)})
            packs, directory_text = _default_layout(passwords)
            directory = _parse(directory_text, directory_name)
        else:
            passwords = {}
            directory = _parse(directory_text, directory_name)
            packs = _packs_for(directory)
        if force:
            _remove_old_system(folder)
        (folder / PACKS_DIR).mkdir(exist_ok=True)
        (folder / "spool").mkdir(exist_ok=True)
        for pack in packs:
            progress(f"pack {pack.volser}: {PACK_TYPE} at {pack.address:03X}, {pack.image}")
            try:
                create_image(folder / pack.image, PACK_TYPE, PACK_CYLINDERS)
            except CKDImageError as error:
                raise GenerationError(str(error)) from None
        result = Generated(folder, passwords, [p.volser for p in packs], cms_installed=False)
        result.cms_installed = _install_cms(folder, directory, packs, progress)
        result.formatted = _format_user_disks(folder, directory, packs, progress)
        reader = folder / SPOOL_FILES["READER"][2]
        if not reader.exists():
            write_file(reader, b"")
        write_file(folder / DIRECTORY_FILE, directory_text.encode("utf-8"))
        if passwords:
            _write_passwords(folder / PASSWORDS_FILE, passwords)
        write_file(folder / SYSTEM_FILE, _system_conf(packs).encode("ascii"))
        try:
            data.load()
        except ConfigFileError as error:
            raise GenerationError(f"the generated system does not load: {error}") from None
    return result


def _parse(text: str, name: str) -> Directory:
    try:
        return parse_directory(text, name)
    except ConfigFileError as error:
        first, more = error.diagnostics[0], len(error.diagnostics) - 1
        also = f" (and {more} more problems: see `vm370 directory check`)" if more else ""
        raise GenerationError(f"{first}{also}") from None


def _remove_old_system(folder: Path) -> None:
    """--force: the old system's files go (the lock is held, so no system runs from them)."""
    for name in (SYSTEM_FILE, DIRECTORY_FILE, PASSWORDS_FILE):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
    packs = folder / PACKS_DIR
    if packs.is_dir():
        for image in packs.glob("*.ckd"):
            image.unlink()
    spool = folder / "spool"
    if spool.is_dir():
        shutil.rmtree(spool)


def _default_layout(passwords: dict[str, str]) -> tuple[list[Pack], str]:
    """The packs and the directory of the standard system."""
    system = Pack(
        SYSTEM_VOLUME,
        FIRST_PACK_ADDRESS,
        [("PAGE", *PAGE_AREA), ("SPOOL", *SPOOL_AREA), ("TDSK", *TDISK_AREA), ("PERM", *PERM_AREA)],
    )
    students = [u for u in passwords if u.startswith("USER")]
    user_packs = []
    for index in range(0, len(students), USERS_PER_PACK):
        number = index // USERS_PER_PACK + 1
        user_packs.append(
            Pack(
                f"{USER_VOLUME_PREFIX}{number:02d}",
                FIRST_PACK_ADDRESS + number,
                [("PERM", *USER_PERM_AREA), ("PAGE", *USER_PAGE_AREA)],
            )
        )
    spool = [
        " SPOOL 00C 2540 READER *",
        " SPOOL 00D 2540 PUNCH A",
        " SPOOL 00E 1403 A",
    ]

    def user(userid: str, storage: str, classes: str, account: str) -> list[str]:
        hashed = hash_password(passwords[userid])
        return [
            f"USER {userid} {hashed} {storage} 16M {classes}",
            f" ACCOUNT {account}",
            " IPL 190",
            " CONSOLE 009 3215",
            *spool,
        ]

    lines = [
        "* The user directory written by `vm370 init` (VM/370 format, docs/cp.md).",
        "* The passwords are hashed; the folder's passwords.txt holds them.",
        f"DIRECTORY {FIRST_PACK_ADDRESS:03X} {PACK_TYPE} {SYSTEM_VOLUME}",
        "*",
        "* MAINT owns CMS: 190 is the CMS system disk, linked read-only by every user.",
        *user("MAINT", "1M", "ABCDEFG", "SYSTEM"),
        f" MDISK 190 {PACK_TYPE} {SYSTEM_DISK[0]:03d} {SYSTEM_DISK[1]:03d} {SYSTEM_VOLUME} MR ALL",
        f" MDISK 191 {PACK_TYPE} {MAINT_191[0]:03d} {MAINT_191[1]:03d} {SYSTEM_VOLUME} W",
        "*",
        "* The operator: system control, resources, the real unit record devices.",
        *user("OPERATOR", "1M", "ABC", "SYSTEM"),
        " LINK MAINT 190 190 RR",
        f" MDISK 191 {PACK_TYPE} {OPERATOR_191[0]:03d} {OPERATOR_191[1]:03d} {SYSTEM_VOLUME} W",
    ]
    for index, userid in enumerate(students):
        pack = user_packs[index // USERS_PER_PACK]
        start = 1 + (index % USERS_PER_PACK) * USER_DISK_CYLINDERS
        lines += [
            "*",
            *user(userid, "1M", "G", "STUDENT"),
            " LINK MAINT 190 190 RR",
            f" MDISK 191 {PACK_TYPE} {start:03d} {USER_DISK_CYLINDERS:03d} {pack.volser} W",
        ]
    return [system, *user_packs], "\n".join(lines) + "\n"


def _packs_for(directory: Directory) -> list[Pack]:
    """Every pack the directory's minidisks name, and room for CP's areas."""
    extents = directory.volume_extents()
    volumes = list(extents)
    if directory.volume is not None and directory.volume.volser not in volumes:
        volumes.insert(0, directory.volume.volser)
    for user in directory.users.values():
        for disk in user.minidisks.values():
            if disk.device_type != PACK_TYPE:
                raise GenerationError(
                    f"{directory.filename}:{disk.line}: {user.userid} {disk.cuu:03X} is a "
                    f"{disk.device_type}; `vm370 init` makes {PACK_TYPE} packs only"
                )
            if disk.end_cylinder >= PACK_CYLINDERS:
                raise GenerationError(
                    f"{directory.filename}:{disk.line}: {user.userid} {disk.cuu:03X} ends at "
                    f"cylinder {disk.end_cylinder}; a {PACK_TYPE} has cylinders 0-199"
                )
    if directory.volume is not None and directory.volume.device_type != PACK_TYPE:
        raise GenerationError(
            f"{directory.filename}:{directory.volume.line}: the DIRECTORY pack is a "
            f"{directory.volume.device_type}; `vm370 init` makes {PACK_TYPE} packs only"
        )
    packs: list[Pack] = []
    taken: set[int] = set()
    if directory.volume is not None:
        taken.add(directory.volume.cuu)
    next_address = FIRST_PACK_ADDRESS
    for volser in volumes:
        if directory.volume is not None and volser == directory.volume.volser:
            address = directory.volume.cuu
        else:
            while next_address in taken:
                next_address += 1
            address = next_address
            taken.add(address)
        packs.append(Pack(volser, address))
    wanted = [("PAGE", PAGE_AREA[1]), ("SPOOL", SPOOL_AREA[1])]
    if any(user.temporary_disks for user in directory.users.values()):
        wanted.append(("TDSK", TDISK_AREA[1]))
    free = {pack.volser: _free_runs(extents.get(pack.volser, [])) for pack in packs}
    for kind, count in wanted:
        place = next(
            (
                (pack, run)
                for pack in packs
                for run in free[pack.volser]
                if run[1] - run[0] >= count
            ),
            None,
        )
        if place is None:
            cp_pack = next((p for p in packs if p.volser == CP_VOLUME), None)
            if cp_pack is None:
                while next_address in taken:
                    next_address += 1
                cp_pack = Pack(CP_VOLUME, next_address)
                taken.add(next_address)
                packs.append(cp_pack)
                free[CP_VOLUME] = [(1, PACK_CYLINDERS)]
            place = (cp_pack, free[CP_VOLUME][0])
        pack, run = place
        pack.areas.append((kind, run[0], count))
        runs = free[pack.volser]
        runs[runs.index(run)] = (run[0] + count, run[1])
    return packs


def _free_runs(extents) -> list[tuple[int, int]]:
    """Cylinder runs [start, end) no minidisk uses (cylinder 0 is kept for the label)."""
    runs, position = [], 1
    for extent in extents:
        if extent.start_cylinder > position:
            runs.append((position, extent.start_cylinder))
        position = max(position, extent.end_cylinder + 1)
    if position < PACK_CYLINDERS:
        runs.append((position, PACK_CYLINDERS))
    return runs


def _system_conf(packs: list[Pack]) -> str:
    lines = [
        "* The real configuration written by `vm370 init` (docs/cp.md). Files are",
        "* relative to the data folder.",
        f"STORAGE {STORAGE}",
    ]
    for pack in packs:
        lines.append(f"PACK {pack.volser} {PACK_TYPE} {pack.address:03X} {pack.image.as_posix()}")
        lines += [f"AREA {pack.volser} {kind} {start} {count}" for kind, start, count in pack.areas]
    lines.append(f"DISPLAY {DISPLAYS} 3277 MODEL 2")
    lines.append(f"TERMINAL {LINES} 2741")
    for unit, (address, device_type, file) in SPOOL_FILES.items():
        lines.append(f"{unit} {address} {device_type} {file}")
    return "\n".join(lines) + "\n"


def _system_disk_owner(directory: Directory):
    """(user, minidisk) of the CMS system disk: MAINT's 190, else the first 190 there is."""
    maint = directory.users.get("MAINT")
    if maint is not None and 0x190 in maint.minidisks:
        return maint, maint.minidisks[0x190]
    for user in directory.users.values():
        if 0x190 in user.minidisks:
            return user, user.minidisks[0x190]
    return None, None


def _install_cms(folder: Path, directory: Directory, packs: list[Pack], progress) -> bool:
    """Write the CMS system disk on the 190; False when the directory has no 190."""
    from cms.build import BuildError, build_system_disk

    owner, disk = _system_disk_owner(directory)
    if disk is None:
        progress("no 190 minidisk in the directory: CMS is not installed")
        return False
    image = folder / _pack_named(packs, disk.volser).image
    try:
        built = build_system_disk(image, disk.start_cylinder, disk.cylinders, maclib=True)
    except BuildError as error:
        raise GenerationError(f"CMS system disk ({owner.userid} 190): {error}") from None
    progress(
        f"CMS installed on {owner.userid} 190 ({disk.volser} cylinders {disk.start_cylinder}-"
        f"{disk.end_cylinder}): nucleus on its last {built.nucleus_cylinders} cylinder(s)"
    )
    return True


def _pack_named(packs: list[Pack], volser: str) -> Pack:
    return next(pack for pack in packs if pack.volser == volser)


def _format_user_disks(folder: Path, directory: Directory, packs, progress) -> list[str]:
    """Format every 191 of a user who can log on, with the sample files."""
    formatted = []
    for user in directory.users.values():
        disk = user.minidisks.get(0x191)
        if disk is None or not user.can_log_on:
            continue
        image = CKDImage(folder / _pack_named(packs, disk.volser).image)
        try:
            cms = CMSDisk.format(Minidisk(image, disk.start_cylinder, disk.cylinders), "USR191")
            for fileid, text, recfm, lrecl in SAMPLE_FILES:
                cms.put(fileid, text.encode("utf-8"), recfm, lrecl)
            image.flush()
        except (CMSError, MinidiskError, CKDImageError) as error:
            raise GenerationError(f"{user.userid} 191: {error}") from None
        finally:
            image.close()
        formatted.append(user.userid)
    if formatted:
        progress(f"191 formatted with sample files for {', '.join(formatted)}")
    return formatted


def _write_passwords(path: Path, passwords: dict[str, str]) -> None:
    """The passwords, readable by the folder's owner only: 0600 before a byte is written."""
    text = "".join(f"{userid:<8} {password}\n" for userid, password in passwords.items())
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, stat.S_IRUSR | stat.S_IWUSR)  # whatever the umask
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_passwords(folder: str | Path) -> dict[str, str]:
    """The passwords ``generate`` stored (empty when there is no passwords file)."""
    path = Path(folder) / PASSWORDS_FILE
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return {}
    passwords = {}
    for line in text.splitlines():
        userid, _, password = line.strip().partition(" ")
        if userid and password.strip():
            passwords[userid] = password.strip()
    return passwords


def default_data_folder() -> Path:
    """``$VM370_HOME``, else the platform's folder for a user's application data."""
    home = os.environ.get("VM370_HOME")
    if home:
        return Path(home).expanduser()
    if os.name == "nt":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "vm370"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "vm370"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "vm370"
