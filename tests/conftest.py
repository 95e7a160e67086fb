"""Test-wide settings: Prefect and GX never write into the user's home or phone home."""

import atexit
import os
import shutil
import tempfile

_home = tempfile.mkdtemp(prefix="hhverify-prefect-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)  # one per test session, not one per run left in /tmp
os.environ.setdefault("PREFECT_HOME", _home)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

# Session fixtures of the tests that break a pass and compare it with an uninterrupted one.
from fault_support import province, reference  # noqa: E402,F401
