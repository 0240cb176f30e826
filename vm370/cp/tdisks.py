"""Temporary disks: DEFINE T2314 cylinders from the TDSK areas of the real configuration.

VM/370 (DMKVDS, DMKPGT) gave a T-disk whole cylinders of a CP-owned volume's
TDSK space and took them back when the user detached the disk or logged
off; the cylinders are not cleared, so a T-disk must be formatted before
use, as in VM/370. The first run of free cylinders large enough is taken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vm370.cp.vdevices import Extent, TranslatedDevice

if TYPE_CHECKING:
    from vm370.cp.sysconfig import SystemConfig
    from vm370.hardware.devices import Device


class TemporaryDisks:
    """The TDSK areas and which of their cylinders each T-disk holds."""

    def __init__(self, config: SystemConfig, packs: dict[str, tuple[int, Device]]) -> None:
        self.packs = packs
        # (volser, device type, first cylinder, cylinders) of each TDSK area.
        self.areas = [
            (pack.volser, pack.device_type, area.start, area.count)
            for pack, area in config.areas("TDSK")
        ]
        # id(device) -> (volser, start, cylinders) of the T-disks in use.
        self.in_use: dict[int, tuple[str, int, int]] = {}

    def free_cylinders(self) -> int:
        used = sum(cylinders for _, _, cylinders in self.in_use.values())
        return sum(area[3] for area in self.areas) - used

    def allocate(self, device_type: str, cylinders: int) -> TranslatedDevice | None:
        """A new T-disk of ``cylinders`` on a pack of ``device_type``; None if no room."""
        for volser, pack_type, first, count in self.areas:
            if pack_type != device_type or volser not in self.packs:
                continue
            taken = sorted(
                (start, size) for vol, start, size in self.in_use.values() if vol == volser
            )
            candidate = first
            for start, size in taken:
                if start - candidate >= cylinders:
                    break
                candidate = max(candidate, start + size)
            if first + count - candidate < cylinders:
                continue
            real_address, real = self.packs[volser]
            heads = real.image.heads  # type: ignore[attr-defined]
            extent = Extent(candidate, cylinders, heads)
            device = TranslatedDevice(device_type, real_address, real, extent, False, volser)
            device.temporary = True  # type: ignore[attr-defined]
            self.in_use[id(device)] = (volser, candidate, cylinders)
            return device
        return None

    def release(self, device: object) -> None:
        self.in_use.pop(id(device), None)
