"""What a user has SET: which messages reach them, RUN, ECMODE and the PF keys.

VM/370 kept these bits in the VMBLOK (VMMLEVEL, VMMLVL2, VMOSTAT) and the
PF key table (VMPFUNC); here they are one object per logged-on user, set by
the SET command (commands/set.py) and read where a message is shown.

- MSG and WNG: whether messages and warnings from other users (MSG,
  WARNING) are shown; the sender learns DMKMSG057W NOT RECEIVING otherwise.
- EMSG: how CP's coded messages (``DMKxxxnnnE text``) are shown: ON (code and
  text), CODE, TEXT or OFF.
- IMSG: whether CP's informational responses (``DASD 192 DEFINED``, coded
  ``I`` messages) are shown.
- RUN: after a command typed in CP mode entered by PA1, the machine goes on
  running as if BEGIN had been typed.
- PF keys 1-24: a line typed by the key, at once (IMMED) or placed in the
  input area for the user to change and enter (DELAYED, VM/370's default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EMSG_MODES = ("ON", "OFF", "CODE", "TEXT")
PF_KEYS = range(1, 25)
# DMK, a module's three letters, a three-digit number and a severity letter.
_CODED = re.compile(r"^(DMK[A-Z]{3}\d{3}[A-Z])(?: (.*))?$")


@dataclass(frozen=True)
class FunctionKeySetting:
    text: str
    immediate: bool = False


@dataclass
class UserSettings:
    msg: bool = True
    wng: bool = True
    emsg: str = "ON"
    imsg: bool = True
    run: bool = False
    ecmode: bool = False
    pf: dict[int, FunctionKeySetting] = field(default_factory=dict)
    # CP mode was entered by PA1 from a running machine (what RUN ON resumes).
    interrupted: bool = False

    def present(self, line: str) -> str | None:
        """How a line of CP's response shows under EMSG and IMSG (None: not at all)."""
        coded = _CODED.match(line)
        if coded is None:
            return line
        code, text = coded.group(1), coded.group(2) or ""
        if code.endswith("I") and not self.imsg:
            return None
        if self.emsg == "OFF":
            return None
        if self.emsg == "CODE":
            return code
        if self.emsg == "TEXT":
            return text
        return line
