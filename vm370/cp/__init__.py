"""Layer 3: the Control Program, the supervisor of the emulated 360/67.

How it works, for students, is in docs/cp.md. The API is
``vm370.cp.system.ControlProgram``; ``vm370.cp.supervisor.Supervisor`` puts
CP on the real CPU; ``vm370.cp.bare.run_under_cp`` runs a standalone program
as CP's guest.
"""
