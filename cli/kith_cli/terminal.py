"""Where a command writes and asks: tables for people, the API's JSON for scripts, prompts on stderr."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from kith_cli.errors import UsageError

T = TypeVar("T")
WIDEST_CELL = 40
# Bidi embeddings, overrides and isolates: printed, they could make a row read as something else.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def shown(text: Any) -> str:
    """Text safe to print: a name holding terminal escapes or control characters cannot drive the terminal."""
    value = _BIDI.sub("\ufffd", "" if text is None else str(text))
    return "".join("\ufffd" if unicodedata.category(char) == "Cc" else char for char in value)


@dataclass
class Terminal:
    out: TextIO
    err: TextIO
    stdin: TextIO
    json: bool = False

    @property
    def interactive(self) -> bool:
        isatty = getattr(self.stdin, "isatty", None)
        return bool(isatty and isatty())

    def say(self, text: str = "") -> None:
        """A line for a person; nothing in --json mode, where stdout carries only the document."""
        if not self.json:
            print(text, file=self.out)

    def emit(self, document: Any, human: Callable[[], None]) -> None:
        if self.json:
            if document is not None:
                print(json.dumps(document, indent=2, ensure_ascii=False), file=self.out)
        else:
            human()

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        cells = [[_cell(value) for value in row] for row in rows]
        widths = [max([len(header), *(len(row[index]) for row in cells)]) for index, header in enumerate(headers)]
        for row in [list(headers), *cells]:
            print(
                "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip(), file=self.out
            )

    def ask(self, question: str, read: Callable[[str], T], default: str | None = None) -> T:
        """Ask until the answer reads; Enter takes the default. Prompts go to stderr, so stdout stays clean."""
        while True:
            suffix = f" [{default}]" if default not in (None, "") else ""
            print(f"{question}{suffix}: ", end="", file=self.err, flush=True)
            line = self.stdin.readline()
            if not line:
                print(file=self.err)
                if default is None:
                    raise UsageError(f"no answer for {question.lower()}")
                return read(default)
            answer = line.strip() or (default or "")
            try:
                return read(answer)
            except ValueError as wrong:
                print(f"  {wrong}", file=self.err)

    def confirm(self, question: str) -> bool:
        print(f"{question} [y/N] ", end="", file=self.err, flush=True)
        return self.stdin.readline().strip().lower() in {"y", "yes"}


def _cell(value: Any) -> str:
    text = shown(value) or "-"
    return text if len(text) <= WIDEST_CELL else text[: WIDEST_CELL - 1] + "…"
