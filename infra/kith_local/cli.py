"""kith-local: the demo, a local API server, and invoking one function with an event file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kith_local.template import REPOSITORY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kith-local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run one owner's week end to end; emails land in outbox/")
    demo.add_argument("--outbox", type=Path, default=REPOSITORY / "outbox")
    demo.add_argument("--days", type=int, default=5)
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        from kith_local.demo import run_demo

        run_demo(arguments.outbox, days=arguments.days)
        return 0
    parser.print_help(sys.stderr)
    return 2
