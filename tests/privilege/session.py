"""What the least-privilege plugin (conftest.py) and the check share within one pytest session."""

from __future__ import annotations

import pytest

# The suites whose functions' calls are checked.
RECORDING_SUITES = ("integration", "e2e")
# True when this session records those suites' calls itself (it runs them before the check).
RECORDED_IN_SESSION = pytest.StashKey[bool]()
# The check's report, printed at the end of the run.
REPORT = pytest.StashKey[str]()
