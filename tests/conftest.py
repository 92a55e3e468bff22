"""Shared test set-up: no test can reach a real AWS account.

Suites by level live in folders (unit, integration, e2e, template, browser); each
folder's conftest marks its tests and sets up what that level needs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}.items():
    os.environ[name] = value
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)


TESTS = Path(__file__).parent.resolve()
LEVELS = ("unit", "integration", "e2e", "template", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test carries the mark of its level, named by the folder it lives in."""
    for item in items:
        relative = Path(str(item.path)).resolve().relative_to(TESTS)
        if relative.parts and relative.parts[0] in LEVELS:
            item.add_marker(getattr(pytest.mark, relative.parts[0]))
