"""The least-privilege check runs last and reads the AWS calls this session's other tests recorded.

When the session also runs the integration and end-to-end suites (`make test`, a bare `pytest`),
recording starts once collection is done, before the first test, and the check moves to the end
of the run: the suites run once and the check reads what they recorded. When it does not
(`pytest tests/privilege`), the check runs those suites itself, in a subprocess that records.
Sessions that do not select the check never record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kith_local.calls import CALLS

from tests.privilege.session import RECORDED_IN_SESSION, RECORDING_SUITES, REPORT

HERE = Path(__file__).parent.resolve()
TESTS = HERE.parent
CHECK = HERE / "test_least_privilege.py"


def _is_check(item: pytest.Item) -> bool:
    return Path(str(item.path)).resolve() == CHECK


def _suite(item: pytest.Item) -> str:
    path = Path(str(item.path)).resolve()
    return path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else ""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    checks = [item for item in items if _is_check(item)]
    if checks:
        items[:] = [item for item in items if not _is_check(item)] + checks


def pytest_collection_finish(session: pytest.Session) -> None:
    if not any(_is_check(item) for item in session.items):
        return
    suites = {_suite(item) for item in session.items}
    if set(RECORDING_SUITES) <= suites:
        CALLS.start()
        session.config.stash[RECORDED_IN_SESSION] = True


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(REPORT, None)
    if report:
        terminalreporter.write_sep("-", "least privilege")
        for line in report.splitlines():
            terminalreporter.write_line(line)
