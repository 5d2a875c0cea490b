"""Settings for the worker subprocesses of tests/core/test_outbox.py.

The project's settings, with a short claim lease (one second unless the test says otherwise), a
sweep every second, and the mail backend named by KOUIKI_TEST_EMAIL_BACKEND when it is set.
"""

import os

from kouiki.settings import *  # noqa: F403

if os.environ.get("KOUIKI_TEST_EMAIL_BACKEND"):
    # The test backends write (if at all) where the file backend does.
    MAILERS = {
        "default": {
            "BACKEND": os.environ["KOUIKI_TEST_EMAIL_BACKEND"],
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},  # noqa: F405
        }
    }
KOUIKI_OUTBOX_LEASE_SECONDS = int(os.environ.get("KOUIKI_TEST_LEASE_SECONDS", "1"))
KOUIKI_OUTBOX_SWEEP_EVERY_SECONDS = 1
