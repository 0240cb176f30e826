"""Layer 5: 3270 data stream, TN3270 server and the Textual terminal."""
