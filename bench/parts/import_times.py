"""Part 3: each function's import time in a fresh interpreter, beside boto3's."""

from __future__ import annotations

from typing import Any

from bench.import_times import BASELINE, ImportTiming, import_times
from bench.registry import Bench
from bench.report import table


def run(bench: Bench) -> dict[str, Any]:
    repetitions = bench.options.repetitions
    timings = import_times(repetitions)
    print_imports(timings, repetitions)
    return {
        "repetitions": repetitions,
        "modules": [
            {"module": t.target, "median_ms": t.median_ms, "min_ms": t.min_ms, "samples_ms": t.samples_ms}
            for t in timings
        ],
    }


def print_imports(timings: list[ImportTiming], repetitions: int) -> None:
    baseline = next(timing for timing in timings if timing.target == BASELINE)
    print(f"3. Import time in a fresh interpreter ({repetitions} runs each, round-robin, after one warm-up round)")
    print("   (measured inside the child with perf_counter around the import only; bytecode cached)")
    print()
    rows = [
        [
            BASELINE if timing.target == BASELINE else f"functions/{timing.target}/app.py",
            timing.median_ms,
            timing.min_ms,
            f"{timing.median_ms / baseline.median_ms:.2f}x",
        ]
        for timing in timings
    ]
    print(table(["module", "median ms", "min ms", "x boto3"], rows))
    print()
    print("   Functions read no environment at import time: each builds its kith.runtime.Runtime lazily.")
