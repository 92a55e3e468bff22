"""Part 3: how long each function's module takes to import in a fresh interpreter, beside a bare boto3.

The time is taken inside the child with perf_counter around the import alone, so interpreter start-up
and process spawn are not in the figure. Runs go round-robin across the targets so that noise on this
machine (another build, a page-cache flush) spreads over all of them instead of landing on one.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
FUNCTIONS = ("webhook", "meetings", "scheduler", "mailer", "ses_events", "api", "actions", "inbound")
BASELINE = "import boto3"

_TIMED = """
import importlib.util, sys, time
started = time.perf_counter()
{body}
print(repr((time.perf_counter() - started) * 1000.0))
"""
_LOAD_FILE = """
spec = importlib.util.spec_from_file_location("kith_function_{name}", {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
"""


@dataclass
class ImportTiming:
    target: str
    samples_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def min_ms(self) -> float:
        return min(self.samples_ms)


def _child_code(target: str) -> str:
    if target == BASELINE:
        return _TIMED.format(body="import boto3")
    path = REPOSITORY / "functions" / target / "app.py"
    return _TIMED.format(body=_LOAD_FILE.format(name=target, path=str(path)))


def _child_environment(pycache: str) -> dict[str, str]:
    """Bytecode goes to a private cache, so the repository gets no __pycache__ and every run reads the same."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    environment.update(
        {"POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPYCACHEPREFIX": pycache}
    )
    return environment


def _measure_once(code: str, environment: dict[str, str]) -> float:
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"import failed in the child:\n{completed.stderr.strip()}")
    return float(completed.stdout.strip().splitlines()[-1])


def import_times(repetitions: int) -> list[ImportTiming]:
    """The baseline first, then every function; one untimed warm-up round fills the OS and bytecode caches."""
    targets = [BASELINE, *FUNCTIONS]
    codes = {target: _child_code(target) for target in targets}
    pycache = tempfile.mkdtemp(prefix="kith-bench-pycache-")
    try:
        environment = _child_environment(pycache)
        for target in targets:
            _measure_once(codes[target], environment)
        timings = {target: ImportTiming(target) for target in targets}
        for _ in range(repetitions):
            for target in targets:
                timings[target].samples_ms.append(_measure_once(codes[target], environment))
    finally:
        shutil.rmtree(pycache, ignore_errors=True)
    return [timings[target] for target in targets]
