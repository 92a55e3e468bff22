"""Template level: template.yaml checked by cfn-lint and `sam validate`, its references, and its build.

Every test under this folder is marked `template`. Tools the checks need (the
SAM CLI, a python3.13 for `sam build` and the sandbox) are a failure to find
under CI and a skip elsewhere, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, NoReturn

import pytest
from kith_local.sandbox import InterpreterMissing, find_python
from kith_local.template import REPOSITORY, TEMPLATE, functions, load_template

SAM_BUILD_SECONDS = pytest.StashKey[float]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    seconds = config.stash.get(SAM_BUILD_SECONDS, None)
    if seconds is not None:
        terminalreporter.write_line(f"sam build took {seconds:.1f} s")


def missing(reason: str) -> NoReturn:
    """A tool the template suite needs is absent: under CI that fails the test, elsewhere it skips it."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="session")
def function_names(template: dict[str, Any]) -> list[str]:
    return sorted(functions(template))


@pytest.fixture(scope="session")
def sam() -> Path:
    configured = os.environ.get("KITH_SAM")
    path = Path(configured) if configured else REPOSITORY / ".venv-tools" / "bin" / "sam"
    if not os.access(path, os.X_OK):
        missing(f"the SAM CLI is not at {path} (run `make tools`, or set KITH_SAM)")
    return path


@pytest.fixture(scope="session")
def python313() -> Path:
    try:
        return find_python("3.13")
    except InterpreterMissing as absent:
        missing(str(absent))


def sam_environment(python: Path | None = None) -> dict[str, str]:
    environment = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"}
    environment.pop("AWS_ENDPOINT_URL", None)
    if python is not None:
        environment["PATH"] = f"{python.parent}{os.pathsep}{environment.get('PATH', '')}"
    return environment


@pytest.fixture(scope="session")
def build_dir(
    request: pytest.FixtureRequest, sam: Path, python313: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """`sam build` of template.yaml for this machine's architecture, once per test session."""
    architecture = "arm64" if platform.machine().lower() in {"aarch64", "arm64"} else "x86_64"
    target = tmp_path_factory.mktemp("sam") / "build"
    command = [
        str(sam),
        "build",
        "--template-file",
        str(TEMPLATE),
        "--build-dir",
        str(target),
        "--parameter-overrides",
        f"Architecture={architecture}",
    ]
    started = time.monotonic()
    completed = subprocess.run(
        command,
        cwd=REPOSITORY,
        env=sam_environment(python313),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    request.config.stash[SAM_BUILD_SECONDS] = time.monotonic() - started
    if completed.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        pytest.fail(f"sam build failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return target
