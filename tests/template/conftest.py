"""Template level: template.yaml checked by cfn-lint and `sam validate`, its references, and its build.

Every test under this folder is marked `template`. Tools the checks need (the
SAM CLI, a python3.13 for `sam build` and the sandbox) are a failure to find
under CI and a skip elsewhere, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, NoReturn

import pytest
from kith_local.sandbox import InterpreterMissing, find_python
from kith_local.template import REPOSITORY, functions, load_template

# make target -> (seconds the build took, the built layer's size in bytes, unpacked)
SAM_BUILDS = pytest.StashKey[dict[str, tuple[float, int]]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for target, (seconds, layer_bytes) in sorted(config.stash.get(SAM_BUILDS, {}).items()):
        terminalreporter.write_line(f"make {target} took {seconds:.1f} s; its layer is {layer_bytes:,} bytes unpacked")


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


def make_build(request: pytest.FixtureRequest, target: str, build_dir: Path, sam: Path, python313: Path) -> Path:
    """`make build` or `make build-local` into build_dir: the Makefile's own mechanism, not a copy of its command."""
    make = shutil.which("make")
    if make is None:
        missing("make is not installed")
    folder = "BUILD_DIR" if target == "build" else "LOCAL_BUILD_DIR"
    command = [make, "--no-print-directory", "-C", str(REPOSITORY), target]
    command += [f"{folder}={build_dir}", f"SAM={sam}", f"PYTHON313={python313}"]
    environment = sam_environment(python313)
    # Variables given to an outer `make test` (ARCH=...) would otherwise reach this make too.
    for inherited in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        environment.pop(inherited, None)
    started = time.monotonic()
    completed = subprocess.run(
        command, cwd=REPOSITORY, env=environment, capture_output=True, text=True, timeout=600, check=False
    )
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        shutil.rmtree(build_dir, ignore_errors=True)
        pytest.fail(f"make {target} failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    layer = build_dir / "KithLayer"
    layer_bytes = sum(path.stat().st_size for path in layer.rglob("*") if path.is_file())
    request.config.stash.setdefault(SAM_BUILDS, {})[target] = (seconds, layer_bytes)
    return build_dir


@pytest.fixture(scope="session")
def build_dir(
    request: pytest.FixtureRequest, sam: Path, python313: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """`make build-local`: template.yaml built for this machine's architecture, once per test session."""
    return make_build(request, "build-local", tmp_path_factory.mktemp("sam") / "build", sam, python313)


@pytest.fixture(scope="session")
def deploy_build_dir(
    request: pytest.FixtureRequest, sam: Path, python313: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """`make build`: what `sam deploy` ships, built for the template's default architecture."""
    return make_build(request, "build", tmp_path_factory.mktemp("sam") / "build", sam, python313)
