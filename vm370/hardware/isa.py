"""The one instruction table of the System/360 Model 67.

Every other view of the instruction set is built from ``INSTRUCTIONS``: the
CPU's 256-entry dispatch, the disassembler, and the assembler's mnemonic
table. One row per opcode, from the IBM System/360 Principles of Operation
(GA22-6821) and, for the rows flagged ``67``, the Model 67 Functional
Characteristics (GA27-2719).

Columns of ``_TABLE``:

- opcode (hex) and mnemonic;
- format: RR, RX, RS, SI or SS (the five S/360 formats, decided by the two
  high bits of the opcode except for SI and RS, which share 80-BF);
- operands: the assembler operand form, as the Assembler F manual
  (GC28-6514) writes it;
- flags: ``P`` privileged, ``67`` present only on the Model 67,
  ``F`` floating-point feature, ``D`` decimal feature, ``-`` none;
- handler: the name of the executor function, spelled out in full;
- name: the instruction's name in the Principles of Operation.
"""

from __future__ import annotations

from dataclasses import dataclass

# Instruction length in bytes for each format.
FORMAT_LENGTH = {"RR": 2, "RX": 4, "RS": 4, "SI": 4, "SS": 6}

# Assembler operand forms. The field names are the manual's: R register,
# M mask, I immediate, D displacement, X index, B base, L length.
OPERAND_FORMS = frozenset(
    {
        "R1,R2",
        "R1",
        "M1,R2",
        "I",
        "R1,D2(X2,B2)",
        "M1,D2(X2,B2)",
        "R1,R3,D2(B2)",
        "R1,D2(B2)",
        "D1(B1),I2",
        "D1(B1)",
        "D1(L,B1),D2(B2)",
        "D1(L1,B1),D2(L2,B2)",
    }
)

_TABLE = """
04 SPM   RR R1                  -      set_program_mask                Set Program Mask
05 BALR  RR R1,R2               -      branch_and_link_register        Branch and Link
06 BCTR  RR R1,R2               -      branch_on_count_register        Branch on Count
07 BCR   RR M1,R2               -      branch_on_condition_register    Branch on Condition
08 SSK   RR R1,R2               P      set_storage_key                 Set Storage Key
09 ISK   RR R1,R2               P      insert_storage_key              Insert Storage Key
0A SVC   RR I                   -      supervisor_call                 Supervisor Call
0D BASR  RR R1,R2               67     branch_and_store_register       Branch and Store
10 LPR   RR R1,R2               -      load_positive_register          Load Positive
11 LNR   RR R1,R2               -      load_negative_register          Load Negative
12 LTR   RR R1,R2               -      load_and_test_register          Load and Test
13 LCR   RR R1,R2               -      load_complement_register        Load Complement
14 NR    RR R1,R2               -      and_register                    AND
15 CLR   RR R1,R2               -      compare_logical_register        Compare Logical
16 OR    RR R1,R2               -      or_register                     OR
17 XR    RR R1,R2               -      exclusive_or_register           Exclusive OR
18 LR    RR R1,R2               -      load_register                   Load
19 CR    RR R1,R2               -      compare_register                Compare
1A AR    RR R1,R2               -      add_register                    Add
1B SR    RR R1,R2               -      subtract_register               Subtract
1C MR    RR R1,R2               -      multiply_register               Multiply
1D DR    RR R1,R2               -      divide_register                 Divide
1E ALR   RR R1,R2               -      add_logical_register            Add Logical
1F SLR   RR R1,R2               -      subtract_logical_register       Subtract Logical
20 LPDR  RR R1,R2               F      load_positive_long_register     Load Positive (long)
21 LNDR  RR R1,R2               F      load_negative_long_register     Load Negative (long)
22 LTDR  RR R1,R2               F      load_and_test_long_register     Load and Test (long)
23 LCDR  RR R1,R2               F      load_complement_long_register   Load Complement (long)
24 HDR   RR R1,R2               F      halve_long_register             Halve (long)
28 LDR   RR R1,R2               F      load_long_register              Load (long)
29 CDR   RR R1,R2               F      compare_long_register           Compare (long)
2A ADR   RR R1,R2               F      add_normalized_long_register    Add Normalized (long)
2B SDR   RR R1,R2               F      subtract_normalized_long_register  Subtract Normalized (long)
2C MDR   RR R1,R2               F      multiply_long_register          Multiply (long)
2D DDR   RR R1,R2               F      divide_long_register            Divide (long)
2E AWR   RR R1,R2               F      add_unnormalized_long_register  Add Unnormalized (long)
2F SWR   RR R1,R2               F      subtract_unnormalized_long_register Subtract Unnormalized (long)
30 LPER  RR R1,R2               F      load_positive_short_register    Load Positive (short)
31 LNER  RR R1,R2               F      load_negative_short_register    Load Negative (short)
32 LTER  RR R1,R2               F      load_and_test_short_register    Load and Test (short)
33 LCER  RR R1,R2               F      load_complement_short_register  Load Complement (short)
34 HER   RR R1,R2               F      halve_short_register            Halve (short)
38 LER   RR R1,R2               F      load_short_register             Load (short)
39 CER   RR R1,R2               F      compare_short_register          Compare (short)
3A AER   RR R1,R2               F      add_normalized_short_register   Add Normalized (short)
3B SER   RR R1,R2               F      subtract_normalized_short_register Subtract Normalized (short)
3C MER   RR R1,R2               F      multiply_short_register         Multiply (short)
3D DER   RR R1,R2               F      divide_short_register           Divide (short)
3E AUR   RR R1,R2               F      add_unnormalized_short_register  Add Unnormalized (short)
3F SUR   RR R1,R2               F      subtract_unnormalized_short_register Subtract Unnormalized (short)
40 STH   RX R1,D2(X2,B2)        -      store_halfword                  Store Halfword
41 LA    RX R1,D2(X2,B2)        -      load_address                    Load Address
42 STC   RX R1,D2(X2,B2)        -      store_character                 Store Character
43 IC    RX R1,D2(X2,B2)        -      insert_character                Insert Character
44 EX    RX R1,D2(X2,B2)        -      execute                         Execute
45 BAL   RX R1,D2(X2,B2)        -      branch_and_link                 Branch and Link
46 BCT   RX R1,D2(X2,B2)        -      branch_on_count                 Branch on Count
47 BC    RX M1,D2(X2,B2)        -      branch_on_condition             Branch on Condition
48 LH    RX R1,D2(X2,B2)        -      load_halfword                   Load Halfword
49 CH    RX R1,D2(X2,B2)        -      compare_halfword                Compare Halfword
4A AH    RX R1,D2(X2,B2)        -      add_halfword                    Add Halfword
4B SH    RX R1,D2(X2,B2)        -      subtract_halfword               Subtract Halfword
4C MH    RX R1,D2(X2,B2)        -      multiply_halfword               Multiply Halfword
4D BAS   RX R1,D2(X2,B2)        67     branch_and_store                Branch and Store
4E CVD   RX R1,D2(X2,B2)        -      convert_to_decimal              Convert to Decimal
4F CVB   RX R1,D2(X2,B2)        -      convert_to_binary               Convert to Binary
50 ST    RX R1,D2(X2,B2)        -      store                           Store
54 N     RX R1,D2(X2,B2)        -      and                             AND
55 CL    RX R1,D2(X2,B2)        -      compare_logical                 Compare Logical
56 O     RX R1,D2(X2,B2)        -      or                              OR
57 X     RX R1,D2(X2,B2)        -      exclusive_or                    Exclusive OR
58 L     RX R1,D2(X2,B2)        -      load                            Load
59 C     RX R1,D2(X2,B2)        -      compare                         Compare
5A A     RX R1,D2(X2,B2)        -      add                             Add
5B S     RX R1,D2(X2,B2)        -      subtract                        Subtract
5C M     RX R1,D2(X2,B2)        -      multiply                        Multiply
5D D     RX R1,D2(X2,B2)        -      divide                          Divide
5E AL    RX R1,D2(X2,B2)        -      add_logical                     Add Logical
5F SL    RX R1,D2(X2,B2)        -      subtract_logical                Subtract Logical
60 STD   RX R1,D2(X2,B2)        F      store_long                      Store (long)
68 LD    RX R1,D2(X2,B2)        F      load_long                       Load (long)
69 CD    RX R1,D2(X2,B2)        F      compare_long                    Compare (long)
6A AD    RX R1,D2(X2,B2)        F      add_normalized_long             Add Normalized (long)
6B SD    RX R1,D2(X2,B2)        F      subtract_normalized_long        Subtract Normalized (long)
6C MD    RX R1,D2(X2,B2)        F      multiply_long                   Multiply (long)
6D DD    RX R1,D2(X2,B2)        F      divide_long                     Divide (long)
6E AW    RX R1,D2(X2,B2)        F      add_unnormalized_long           Add Unnormalized (long)
6F SW    RX R1,D2(X2,B2)        F      subtract_unnormalized_long     Subtract Unnormalized (long)
70 STE   RX R1,D2(X2,B2)        F      store_short                     Store (short)
78 LE    RX R1,D2(X2,B2)        F      load_short                      Load (short)
79 CE    RX R1,D2(X2,B2)        F      compare_short                   Compare (short)
7A AE    RX R1,D2(X2,B2)        F      add_normalized_short            Add Normalized (short)
7B SE    RX R1,D2(X2,B2)        F      subtract_normalized_short       Subtract Normalized (short)
7C ME    RX R1,D2(X2,B2)        F      multiply_short                  Multiply (short)
7D DE    RX R1,D2(X2,B2)        F      divide_short                    Divide (short)
7E AU    RX R1,D2(X2,B2)        F      add_unnormalized_short          Add Unnormalized (short)
7F SU    RX R1,D2(X2,B2)        F      subtract_unnormalized_short     Subtract Unnormalized (short)
80 SSM   SI D1(B1)              P      set_system_mask                 Set System Mask
82 LPSW  SI D1(B1)              P      load_psw                        Load PSW
83 DIAG  RS R1,R3,D2(B2)        P      diagnose                        Diagnose
84 WRD   SI D1(B1),I2           P      write_direct                    Write Direct
85 RDD   SI D1(B1),I2           P      read_direct                     Read Direct
86 BXH   RS R1,R3,D2(B2)        -      branch_on_index_high            Branch on Index High
87 BXLE  RS R1,R3,D2(B2)        -      branch_on_index_low_or_equal    Branch on Index Low or Equal
88 SRL   RS R1,D2(B2)           -      shift_right_single_logical      Shift Right Single Logical
89 SLL   RS R1,D2(B2)           -      shift_left_single_logical       Shift Left Single Logical
8A SRA   RS R1,D2(B2)           -      shift_right_single              Shift Right Single
8B SLA   RS R1,D2(B2)           -      shift_left_single               Shift Left Single
8C SRDL  RS R1,D2(B2)           -      shift_right_double_logical      Shift Right Double Logical
8D SLDL  RS R1,D2(B2)           -      shift_left_double_logical       Shift Left Double Logical
8E SRDA  RS R1,D2(B2)           -      shift_right_double              Shift Right Double
8F SLDA  RS R1,D2(B2)           -      shift_left_double               Shift Left Double
90 STM   RS R1,R3,D2(B2)        -      store_multiple                  Store Multiple
91 TM    SI D1(B1),I2           -      test_under_mask                 Test under Mask
92 MVI   SI D1(B1),I2           -      move_immediate                  Move
93 TS    SI D1(B1)              -      test_and_set                    Test and Set
94 NI    SI D1(B1),I2           -      and_immediate                   AND
95 CLI   SI D1(B1),I2           -      compare_logical_immediate       Compare Logical
96 OI    SI D1(B1),I2           -      or_immediate                    OR
97 XI    SI D1(B1),I2           -      exclusive_or_immediate          Exclusive OR
98 LM    RS R1,R3,D2(B2)        -      load_multiple                   Load Multiple
9C SIO   SI D1(B1)              P      start_io                        Start I/O
9D TIO   SI D1(B1)              P      test_io                         Test I/O
9E HIO   SI D1(B1)              P      halt_io                         Halt I/O
9F TCH   SI D1(B1)              P      test_channel                    Test Channel
B0 STMC  RS R1,R3,D2(B2)        P,67   store_multiple_control          Store Multiple Control
B1 LRA   RX R1,D2(X2,B2)        P,67   load_real_address               Load Real Address
B8 LMC   RS R1,R3,D2(B2)        P,67   load_multiple_control           Load Multiple Control
D1 MVN   SS D1(L,B1),D2(B2)     -      move_numerics                   Move Numerics
D2 MVC   SS D1(L,B1),D2(B2)     -      move_characters                 Move
D3 MVZ   SS D1(L,B1),D2(B2)     -      move_zones                      Move Zones
D4 NC    SS D1(L,B1),D2(B2)     -      and_characters                  AND
D5 CLC   SS D1(L,B1),D2(B2)     -      compare_logical_characters      Compare Logical
D6 OC    SS D1(L,B1),D2(B2)     -      or_characters                   OR
D7 XC    SS D1(L,B1),D2(B2)     -      exclusive_or_characters         Exclusive OR
DC TR    SS D1(L,B1),D2(B2)     -      translate                       Translate
DD TRT   SS D1(L,B1),D2(B2)     -      translate_and_test              Translate and Test
DE ED    SS D1(L,B1),D2(B2)     D      edit                            Edit
DF EDMK  SS D1(L,B1),D2(B2)     D      edit_and_mark                   Edit and Mark
F1 MVO   SS D1(L1,B1),D2(L2,B2) -      move_with_offset                Move with Offset
F2 PACK  SS D1(L1,B1),D2(L2,B2) -      pack                            Pack
F3 UNPK  SS D1(L1,B1),D2(L2,B2) -      unpack                          Unpack
F8 ZAP   SS D1(L1,B1),D2(L2,B2) D      zero_and_add                    Zero and Add
F9 CP    SS D1(L1,B1),D2(L2,B2) D      compare_decimal                 Compare Decimal
FA AP    SS D1(L1,B1),D2(L2,B2) D      add_decimal                     Add Decimal
FB SP    SS D1(L1,B1),D2(L2,B2) D      subtract_decimal                Subtract Decimal
FC MP    SS D1(L1,B1),D2(L2,B2) D      multiply_decimal                Multiply Decimal
FD DP    SS D1(L1,B1),D2(L2,B2) D      divide_decimal                  Divide Decimal
"""


@dataclass(frozen=True, slots=True)
class Instruction:
    """One row of the instruction table."""

    opcode: int
    mnemonic: str
    format: str
    operands: str
    privileged: bool
    model67_only: bool
    feature: str  # "standard", "floating" or "decimal"
    handler: str
    name: str

    @property
    def length(self) -> int:
        return FORMAT_LENGTH[self.format]


def _parse_table(text: str) -> tuple[Instruction, ...]:
    rows = []
    for line in text.strip().splitlines():
        opcode, mnemonic, fmt, operands, flags, handler, name = line.split(None, 6)
        flag_set = set(flags.split(",")) - {"-"}
        if fmt not in FORMAT_LENGTH or operands not in OPERAND_FORMS:
            raise ValueError(f"bad instruction table row: {line!r}")
        feature = "floating" if "F" in flag_set else "decimal" if "D" in flag_set else "standard"
        rows.append(
            Instruction(
                opcode=int(opcode, 16),
                mnemonic=mnemonic,
                format=fmt,
                operands=operands,
                privileged="P" in flag_set,
                model67_only="67" in flag_set,
                feature=feature,
                handler=handler,
                name=name.strip(),
            )
        )
    return tuple(rows)


INSTRUCTIONS: tuple[Instruction, ...] = _parse_table(_TABLE)

# 256 entries indexed by the first byte; None where the opcode is not
# installed (executing it is an operation exception, PoO "Program Interruptions").
BY_OPCODE: list[Instruction | None] = [None] * 256
for _row in INSTRUCTIONS:
    BY_OPCODE[_row.opcode] = _row

BY_MNEMONIC: dict[str, Instruction] = {row.mnemonic: row for row in INSTRUCTIONS}


def instruction_length(first_byte: int) -> int:
    """Length in bytes implied by the two high bits of the opcode (PoO: ILC)."""
    return (2, 4, 4, 6)[first_byte >> 6]


# The extended branch mnemonics of the assembler (GC28-6514, "Extended
# Mnemonic Codes"): mnemonic -> (base mnemonic, mask).
EXTENDED_BRANCHES: dict[str, tuple[str, int]] = {
    "B": ("BC", 15),
    "NOP": ("BC", 0),
    "BH": ("BC", 2),
    "BL": ("BC", 4),
    "BE": ("BC", 8),
    "BNH": ("BC", 13),
    "BNL": ("BC", 11),
    "BNE": ("BC", 7),
    "BO": ("BC", 1),
    "BP": ("BC", 2),
    "BM": ("BC", 4),
    "BZ": ("BC", 8),
    "BNP": ("BC", 13),
    "BNM": ("BC", 11),
    "BNZ": ("BC", 7),
    "BNO": ("BC", 14),
    "BR": ("BCR", 15),
    "NOPR": ("BCR", 0),
    "BHR": ("BCR", 2),
    "BLR": ("BCR", 4),
    "BER": ("BCR", 8),
    "BNHR": ("BCR", 13),
    "BNLR": ("BCR", 11),
    "BNER": ("BCR", 7),
    "BOR": ("BCR", 1),
    "BPR": ("BCR", 2),
    "BMR": ("BCR", 4),
    "BZR": ("BCR", 8),
    "BNPR": ("BCR", 13),
    "BNMR": ("BCR", 11),
    "BNZR": ("BCR", 7),
    "BNOR": ("BCR", 14),
}
