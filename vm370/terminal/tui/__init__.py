"""The Textual 3270 terminal: a 3270 screen plus teaching panels."""
