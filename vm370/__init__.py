"""vm370: a reconstruction of CP-67/CMS on an emulated IBM System/360 Model 67."""

__version__ = "0.1.0"
