"""The teaching labs (layer 6): their pages, their programs, and the checks of students' work.

A lab is a page in ``docs/labs/`` (``NN-name.md``) that a student follows,
the programs it uses in ``decks/labs/``, and a test in ``tests/test_labs.py``
that runs the page's commands and fails when the page goes stale. The
package reaches both folders through ``pages`` and ``decks`` beside this
file, so ``vm370 lab show`` finds them from a checkout and from an
installed package alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PAGES = PACKAGE / "pages"
DECKS = PACKAGE / "decks"


class LabError(Exception):
    """A lab that does not exist, a file that cannot be read: one line for the student."""


@dataclass(frozen=True)
class Lab:
    number: int
    title: str
    page: str  # the file name in docs/labs/
    minutes: int  # how long a class needs, roughly
    prerequisites: str

    @property
    def path(self) -> Path:
        return PAGES / self.page

    def text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except OSError as error:
            raise LabError(f"lab {self.number}'s page {self.page} is missing: {error}") from None


# The labs in the order a course takes them. A lab appears here only when
# the features it uses exist and its page and test do.
LABS = (
    Lab(1, "trap and emulate, seen from outside", "01-trap-and-emulate.md", 60, "none"),
    Lab(2, "your first CMS session", "02-first-cms-session.md", 60, "none"),
    Lab(3, "Popek and Goldberg: the equivalence check", "03-popek-goldberg.md", 75, "lab 1"),
    Lab(
        4,
        "paravirtualization: DIAGNOSE against SIO",
        "04-paravirtualization.md",
        60,
        "labs 1 and 3",
    ),
    Lab(5, "paging and the associative array", "05-paging.md", 60, "lab 1"),
    Lab(6, "shadow tables, a virtual 360/67", "06-shadow-tables.md", 60, "labs 1 and 5"),
    Lab(7, "write a tiny supervisor", "07-tiny-supervisor.md", 120, "labs 1 and 3"),
    Lab(8, "spooling and users: what CP shares", "08-spooling.md", 60, "lab 1"),
    Lab(
        9, "type 1 and type 2, measured layer by layer", "09-type1-type2.md", 60, "labs 1, 3 and 5"
    ),
    Lab(10, "scheduling: two loops and a typist", "10-scheduling.md", 60, "labs 1 and 7"),
)


def lab(number: int) -> Lab:
    for candidate in LABS:
        if candidate.number == number:
            return candidate
    known = ", ".join(str(candidate.number) for candidate in LABS)
    raise LabError(f"there is no lab {number} (the labs are {known}: see vm370 lab list)")
