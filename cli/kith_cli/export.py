"""`kith export`: everything you have in Kith as JSON, or your contacts as Kith's CSV, to a file or stdout."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kith_cli.api import Api
from kith_cli.terminal import Terminal


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser("export", parents=[common], help="everything as JSON, or the contacts as CSV")
    export.add_argument("--csv", action="store_true", help="the contacts as Kith's CSV, which `kith import` reads")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(run=run)


def run(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    path = "/v1/export/contacts.csv" if arguments.csv else "/v1/export"
    document = api.send("GET", path).payload
    if not arguments.output or arguments.output == "-":
        buffer = getattr(terminal.out, "buffer", None)
        if buffer is not None:
            terminal.out.flush()
            buffer.write(document)
            buffer.flush()
        else:
            terminal.out.write(document.decode("utf-8"))
        return 0
    Path(arguments.output).write_bytes(document)
    terminal.say(f"wrote {arguments.output} ({len(document):,} bytes)")
    return 0
