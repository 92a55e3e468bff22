"""Kith's benchmark: DynamoDB requests per webhook and per digest, cold-start import times, what
one calendar notification costs per provider, emails composed per second, how often the digest
ranking agrees with the hand-made table of expectations, a contact import, the local API under
concurrent webhooks, requests per operation beside the fewest needed, the scheduler's fan-out and
the cost per active owner-month, the web console in a browser (its first load, requests per page view, a search
in a large network), and what one message to an owner's BCC Kith address, or in their Outlook Sent Items, costs.

    .venv/bin/python bench/run.py [--part NAME[,NAME...]] [--quick] [--repetitions N] [--notifications N]
                                  [--renders N] [--webhooks N] [--clients N] [--fanout-owners N,M]
                                  [--console-contacts N] [--json PATH]
    make bench [PARTS=NAME,...]

Each part is a module of bench/parts, registered below in the order they run; --part runs only those
named. Prints figures for a person to read; it asserts nothing. Parts 1 and 2 run on moto in process
(request counts are exact, timings there would mean nothing); part 3 spawns fresh interpreters;
part 4 runs the functions' handlers in process, on moto and a fake provider server on 127.0.0.1;
parts 5 and 6 are pure Python in this process; part 8 runs moto's server and the local API server
on 127.0.0.1 in this process; parts 9 and 10 run handlers on moto in process; part 11 computes;
part 13 runs the inbound function on moto in process; part 14 the webhook and meetings functions in
process, on moto and the fake Graph on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# `python bench/run.py` puts bench/ on the path, not the repository that holds the bench package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.parts import (
    calendars,
    console,
    contact_import,
    cost,
    digest,
    fan_out,
    import_times,
    inbound,
    load,
    operations,
    outlook_mail,
    ranking,
    rendering,
    webhook,
)
from bench.registry import Bench, Options, Part
from bench.report import table
from bench.scenarios import use_fake_aws

PARTS = (
    Part("webhook", "1. webhook requests", "webhook", webhook.run),
    Part("digest", "2. digest items read", "digest", digest.run),
    Part("import-times", "3. import times", "import_times", import_times.run),
    Part("calendars", "4. calendar notifications", "calendars", calendars.run),
    Part("rendering", "5. emails rendered", "rendering", rendering.run),
    Part("ranking", "6. ranking agreement", "ranking_agreement", ranking.run),
    Part("contact-import", "7. contact import", "contact_import", contact_import.run),
    Part("load", "8. load", "load", load.run),
    Part("operations", "9. requests per operation", "requests_per_operation", operations.run),
    Part("fan-out", "10. scheduler fan-out", "fan_out", fan_out.run),
    Part("cost", "11. cost per owner-month", "cost_per_owner_month", cost.run),
    Part("console", "12. web console", "console", console.run),
    Part("inbound", "13. BCC Kith", "inbound", inbound.run),
    Part("outlook-mail", "14. Outlook sent mail", "outlook_mail", outlook_mail.run),
)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--part",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these parts (repeat, or comma-separate): {', '.join(part.name for part in PARTS)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 import-time runs per module instead of 7, 5 notifications instead of 20, 500 renders instead of 2,000, "
        "1,000 webhooks instead of 5,000 for the load, capped at 60 s instead of 120",
    )
    parser.add_argument("--repetitions", type=int, help="import-time runs per module (overrides --quick)")
    parser.add_argument(
        "--notifications", type=int, help="measured notifications per calendar provider (default 20, --quick 5)"
    )
    parser.add_argument("--renders", type=int, help="emails composed per timed round (default 2,000, --quick 500)")
    parser.add_argument(
        "--webhooks", type=int, help="webhooks the load sends (default 5,000, --quick 1,000), from --clients at once"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients of the load (default 50)")
    parser.add_argument(
        "--load-seconds", type=float, help="cap on the load's concurrent phase (default 120 s, --quick 60 s)"
    )
    parser.add_argument(
        "--fanout-owners",
        default="10000",
        help="owners due in one slot for the fan-out, comma-separated (default 10000; 100000 takes ~5 minutes)",
    )
    parser.add_argument(
        "--console-contacts",
        type=int,
        help="contacts in the network the console searches (default 10,000, --quick 2,000)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON to PATH")
    arguments = parser.parse_args(argv)
    names = {name for value in arguments.part for name in value.split(",") if name}
    unknown = names - {part.name for part in PARTS}
    if unknown:
        parser.error(f"no part named {', '.join(sorted(unknown))}")
    arguments.parts = [part for part in PARTS if not names or part.name in names]
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)
    bench = Bench(Options.from_arguments(arguments))
    figures: dict[str, Any] = {}
    durations: dict[str, float] = {}
    for part in arguments.parts:
        # Throwaway credentials again: the load points the process at moto's server while it runs.
        use_fake_aws()
        started = time.perf_counter()
        figures[part.key] = part.run(bench)
        durations[part.label] = time.perf_counter() - started
        print()
    print(table(["part", "seconds"], [[label, seconds] for label, seconds in durations.items()]))
    print(f"  total {sum(durations.values()):.1f} s")
    if arguments.json:
        figures["durations_seconds"] = durations
        arguments.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"  figures written to {arguments.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
