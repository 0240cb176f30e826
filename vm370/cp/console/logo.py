"""The logo a terminal shows before anyone logs on: the project's own, then VM/370 ONLINE."""


def logo_lines(columns: int) -> list[str]:
    """The project's logo, centred on ``columns``, ending in VM/370 ONLINE."""
    art = [
        "+--------------------------------------------------------------+",
        "|                                                              |",
        "|   V     V  M     M  33333   7777777   00000                  |",
        "|   V     V  MM   MM      3        7   0     0                 |",
        "|    V   V   M M M M   3333       7    0     0                 |",
        "|     V V    M  M  M      3      7     0     0                 |",
        "|      V     M     M  33333     7       00000                  |",
        "|                                                              |",
        "|   vm370: the CP-67/CMS time-sharing system, reconstructed    |",
        "|   on an emulated IBM System/360 Model 67                     |",
        "|                                                              |",
        "+--------------------------------------------------------------+",
    ]
    margin = " " * max(0, (columns - len(art[0])) // 2)
    return [margin + line for line in art] + ["", "VM/370 ONLINE"]
