"""Running one function from `sam build`'s output, laid out the way Lambda lays it out.

The function runs in a fresh python3.13 started with `-S` and a clean
environment: its sys.path is the standard library, the function's built folder
and the layer's python/ folder, nothing else. So a module the layer forgot to
ship, or a handler that only imports thanks to this repository's virtualenv,
fails here as it would in Lambda, with the traceback.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kith_local.architecture import foreign_extensions, this_machine
from kith_local.aws import LOCAL_CREDENTIALS
from kith_local.stack import LocalStack
from kith_local.template import REPOSITORY, load_template, resources_of_type

# `make build-local`'s output: built for this machine, so its compiled extensions load here.
DEFAULT_BUILD_DIR = REPOSITORY / ".aws-sam" / "build-local"
BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
# Lambda gives a function's init phase its own 10 seconds, on top of the invocation's timeout.
INIT_SECONDS = 10
# The bootstrap's exit codes (lambda_bootstrap.INIT_ERROR, FUNCTION_ERROR); it is not importable from here.
_INIT_ERROR = 3
_FUNCTION_ERROR = 4


class SandboxError(RuntimeError):
    """The function could not be run, or did not return."""


class BuildMissing(SandboxError):
    """No `sam build` output for the function where it was looked for."""


class InterpreterMissing(SandboxError):
    """No interpreter for the function's runtime on this machine."""


class BuiltForAnotherMachine(SandboxError):
    """The build's compiled extensions are for another processor than this machine's, so they cannot load here."""


class FunctionFailed(SandboxError):
    """The function ran and failed; `error` is the document Lambda would return, `stderr` has the traceback."""

    def __init__(self, message: str, error: dict[str, Any], logs: str, stderr: str) -> None:
        super().__init__(message)
        self.error = error
        self.logs = logs
        self.stderr = stderr


class FunctionInitFailed(FunctionFailed):
    """The handler could not be imported: a packaging mistake (a module missing from the build or the layer)."""


@dataclass(frozen=True)
class BuiltFunction:
    name: str
    handler: str
    runtime: str
    task_root: Path
    layers: tuple[Path, ...]
    memory_mb: int
    timeout_s: int

    @property
    def python_version(self) -> str:
        if not self.runtime.startswith("python"):
            raise SandboxError(f"{self.name} runs on {self.runtime}; only python runtimes run here")
        return self.runtime.removeprefix("python")


@dataclass(frozen=True)
class Invocation:
    function: str
    result: Any
    logs: str
    stderr: str
    seconds: float


def built_function(name: str, build_dir: Path = DEFAULT_BUILD_DIR) -> BuiltFunction:
    """The function as `sam build` left it: its folder, its layers' python/ folders, handler and limits."""
    built_template = build_dir / "template.yaml"
    if not built_template.is_file():
        raise BuildMissing(f"no sam build output in {build_dir}: run `make build-local` first")
    template = load_template(built_template)
    built = resources_of_type(template, "AWS::Serverless::Function")
    if name not in built:
        raise BuildMissing(f"{name} is not a function of the build in {build_dir}; it has {', '.join(sorted(built))}")
    defaults = template.get("Globals", {}).get("Function", {})
    properties = built[name]["Properties"]

    def setting(key: str) -> Any:
        return properties.get(key, defaults.get(key))

    task_root = build_dir / str(properties["CodeUri"])
    if not task_root.is_dir():
        raise BuildMissing(f"{task_root} is missing: run `make build-local` again")
    layers = resources_of_type(template, "AWS::Serverless::LayerVersion")
    layer_dirs: list[Path] = []
    for layer in [*defaults.get("Layers", []), *properties.get("Layers", [])]:
        logical_id = layer.get("Ref") if isinstance(layer, dict) else None
        if logical_id not in layers:
            raise SandboxError(f"{name} uses layer {layer!r}, which is not part of this build")
        content = build_dir / str(layers[logical_id]["Properties"]["ContentUri"])
        layer_dirs.append(content / "python")
    return BuiltFunction(
        name=name,
        handler=str(properties["Handler"]),
        runtime=str(setting("Runtime")),
        task_root=task_root,
        layers=tuple(layer_dirs),
        memory_mb=int(setting("MemorySize") or 128),
        timeout_s=int(setting("Timeout") or 3),
    )


def _interpreter_version(candidate: str) -> tuple[str, str] | None:
    """(real executable, "X.Y") of a candidate interpreter, or None when it does not run."""
    try:
        probe = subprocess.run(
            [candidate, "-S", "-c", "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    lines = probe.stdout.split()
    if probe.returncode != 0 or len(lines) != 2:
        return None
    return lines[0], lines[1]


@functools.cache
def find_python(version: str) -> Path:
    """The pythonX.Y interpreter: $KITH_PYTHONXY if set, else on PATH, else a pyenv build."""
    variable = "KITH_PYTHON" + version.replace(".", "")
    configured = os.environ.get(variable)
    if configured:
        found = _interpreter_version(configured)
        if found is None or found[1] != version:
            raise InterpreterMissing(f"{variable}={configured} is not a working python{version}")
        return Path(found[0])
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates = [
        shutil.which(f"python{version}"),
        *sorted(glob.glob(f"{pyenv_root}/versions/{version}*/bin/python{version}"), reverse=True),
    ]
    for candidate in filter(None, candidates):
        found = _interpreter_version(candidate)
        if found is not None and found[1] == version:
            return Path(found[0])
    raise InterpreterMissing(f"no python{version} found (set {variable} to its path)")


def lambda_environment(stack: LocalStack, function: BuiltFunction, endpoint: str) -> dict[str, str]:
    """What Lambda sets, the function's variables from the template, and the local AWS endpoint."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "TZ": ":UTC",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONNOUSERSITE": "1",
        "LAMBDA_TASK_ROOT": str(function.task_root),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        **stack.environment(function.name),
        **LOCAL_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


@functools.cache
def _foreign_extensions(folder: Path, architecture: str) -> dict[Path, str]:
    return foreign_extensions([folder], architecture)


def check_runs_here(function: BuiltFunction) -> None:
    """Refuse a build whose compiled extensions are for another processor than this machine's."""
    machine = this_machine()
    for folder in (function.task_root, *function.layers):
        foreign = _foreign_extensions(folder, machine)
        if foreign:
            path, built_for = next(iter(foreign.items()))
            raise BuiltForAnotherMachine(
                f"{function.name}: {folder} was built for {built_for} ({path.name}), and this machine is {machine}: "
                "build for it with `make build-local` (the `make build` output is for deploying)"
            )


def run(function: BuiltFunction, event: Any, environment: Mapping[str, str], python: Path | None = None) -> Invocation:
    """Invoke the built function once in a fresh interpreter and return what its handler returned."""
    check_runs_here(function)
    interpreter = python or find_python(function.python_version)
    command = [
        str(interpreter),
        "-S",
        "-P",
        str(BOOTSTRAP),
        function.handler,
        function.name,
        str(function.memory_mb),
        str(function.timeout_s),
        str(function.task_root),
        *(str(layer) for layer in function.layers),
    ]
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command,
            input=json.dumps(event),
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=dict(environment),
            cwd=function.task_root,
            timeout=function.timeout_s + INIT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        raise SandboxError(f"{function.name} timed out after {expired.timeout:.0f} s") from None
    seconds = time.monotonic() - started
    lines = completed.stdout.rstrip().splitlines()
    last = lines[-1] if lines else ""
    logs = "\n".join(lines[:-1]).strip()
    if completed.returncode in (_INIT_ERROR, _FUNCTION_ERROR):
        error: dict[str, Any] = json.loads(last)
        failure = FunctionInitFailed if completed.returncode == _INIT_ERROR else FunctionFailed
        message = f"{function.name}: {error['errorType']}: {error['errorMessage']}\n{completed.stderr.rstrip()}"
        raise failure(message, error, logs, completed.stderr)
    if completed.returncode != 0:
        raise SandboxError(f"{function.name}: the bootstrap exited with {completed.returncode}\n{completed.stderr}")
    return Invocation(function.name, json.loads(last), logs, completed.stderr, seconds)


class Sandbox:
    """Functions of one `sam build` output, run against the stack on a local AWS endpoint."""

    def __init__(
        self, stack: LocalStack, endpoint: str, build_dir: Path = DEFAULT_BUILD_DIR, python: Path | None = None
    ) -> None:
        self.stack = stack
        self.endpoint = endpoint
        self.build_dir = build_dir
        self.python = python

    def invoke(self, name: str, event: Any) -> Invocation:
        function = built_function(name, self.build_dir)
        return run(function, event, lambda_environment(self.stack, function, self.endpoint), self.python)
