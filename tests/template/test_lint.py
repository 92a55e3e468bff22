"""template.yaml passes cfn-lint and `sam validate --lint`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kith_local.template import REPOSITORY, TEMPLATE

from tests.template.conftest import sam_environment


def test_cfn_lint_passes() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    completed = subprocess.run(
        [str(cfn_lint), str(TEMPLATE)], cwd=REPOSITORY, capture_output=True, text=True, timeout=120, check=False
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_sam_validate_lint_passes(sam: Path) -> None:
    completed = subprocess.run(
        [str(sam), "validate", "--lint", "--template-file", str(TEMPLATE)],
        cwd=REPOSITORY,
        env=sam_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_sam_validate_runs_the_transform_and_passes(sam: Path) -> None:
    # `--lint` runs cfn-lint alone; without it `sam validate` runs the SAM transform, which refuses what
    # cfn-lint lets through (an event's `Authorizer: NONE` on an API with no default authorizer, say).
    completed = subprocess.run(
        [str(sam), "validate", "--template-file", str(TEMPLATE)],
        cwd=REPOSITORY,
        env=sam_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
