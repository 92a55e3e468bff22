"""Every AWS call a function makes in the integration and end-to-end tests is one its role allows.

The calls are recorded as the functions run in process (kith_local.calls); each function's role
is template.yaml's after the SAM transform (roles.py). A call the role does not allow fails this
test; a permission the role grants and no call used is listed in the report, not failed. The
report is printed at the end of the run and kept, with the calls, in this test's temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from kith_local.calls import CALLS, ENVIRONMENT_VARIABLE, Call, read
from kith_local.template import REPOSITORY, load_template

from tests.privilege.review import render, review
from tests.privilege.roles import roles
from tests.privilege.session import RECORDED_IN_SESSION, RECORDING_SUITES, REPORT

SUITE_PATHS = [f"tests/{suite}" for suite in RECORDING_SUITES]


def run_recording(paths: list[str], directory: Path) -> subprocess.CompletedProcess[str]:
    """Run test suites in a pytest of their own that writes the calls it records under `directory`."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider"],
        cwd=REPOSITORY,
        env={**os.environ, ENVIRONMENT_VARIABLE: str(directory)},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def recorded(config: pytest.Config, directory: Path) -> tuple[Counter[Call], Counter[Call], str]:
    """The calls this session recorded, or those of a run of the suites made now: (made, outside a run, source)."""
    if config.stash.get(RECORDED_IN_SESSION, False):
        CALLS.write(directory / "calls-session.jsonl")
        made, outside = read(directory)
        return made, outside, "recorded while this session ran the integration and end-to-end tests"
    completed = run_recording(SUITE_PATHS, directory)
    tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-15:])
    if completed.returncode not in {0, 1}:
        pytest.fail(f"`pytest {' '.join(SUITE_PATHS)}` did not run (exit {completed.returncode}):\n{tail}")
    made, outside = read(directory)
    source = f"recorded by `pytest {' '.join(SUITE_PATHS)}`, run by this check"
    if completed.returncode == 1:
        source += f"; some of those tests failed, so their calls are partial:\n{tail}\n"
    return made, outside, source


def test_every_aws_call_a_function_makes_is_allowed_by_its_role(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("least-privilege")
    # Given the AWS calls each function made while the integration and end-to-end tests ran
    made, outside, source = recorded(request.config, directory)
    assert made, f"no AWS call was recorded ({source})"
    # When each is held against the function's role, as the SAM transform writes it
    template = load_template()
    result = review(template, roles(template), made, outside)
    report = render(result, source)
    (directory / "report.txt").write_text(report + "\n", encoding="utf-8")
    request.config.stash[REPORT] = f"{report}\n\nReport and recorded calls: {directory}"
    # Then the role allows every one of them
    assert not result.refused, report
