"""Layer 4: the CMS-like operating system (S/360 assembler source) and its host-side tools."""
