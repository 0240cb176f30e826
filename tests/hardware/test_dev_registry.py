"""The device registry: every device type by name, built from --attach specifications."""

import pytest

from vm370.hardware.devices import DeviceError, create_device, load_device_types
from vm370.hardware.devices.card2540 import CardReader2540
from vm370.hardware.devices.ckd_image import create_image
from vm370.hardware.devices.dasd import Dasd2314
from vm370.hardware.devices.printer1403 import Printer1403


def test_registry_holds_the_unit_record_and_disk_types():
    types = load_device_types()
    for name in ("1052", "2540R", "2540P", "1403", "2311", "2314"):
        assert types[name].device_type == name


def test_create_device_from_type_and_file(tmp_path):
    deck = tmp_path / "deck.txt"
    deck.write_text("ONE\nTWO\n")
    reader = create_device("2540r", str(deck))
    assert isinstance(reader, CardReader2540) and len(reader.hopper) == 2
    printer = create_device("1403", str(tmp_path / "out.txt"))
    assert isinstance(printer, Printer1403)
    printer.close()
    pack = create_image(tmp_path / "p.2314", "2314", cylinders=1)
    disk = create_device("2314", f"{pack}:ro")
    assert isinstance(disk, Dasd2314) and disk.read_only
    disk.close()


def test_unknown_type_and_missing_pack_file_are_typed_errors():
    with pytest.raises(DeviceError, match="unknown device type '9999'"):
        create_device("9999")
    with pytest.raises(DeviceError, match="needs a pack image file"):
        create_device("2311")
