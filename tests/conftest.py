"""Suite-wide settings.

In CI (the CI environment variable set), hypothesis draws its examples from a
fixed seed, so a submission's run is reproducible like the machine itself;
locally it keeps exploring new examples.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
