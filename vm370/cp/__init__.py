"""Layer 3: the Control Program, the supervisor of the emulated 360/67."""
