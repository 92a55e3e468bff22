"""What the contact-file parsers share: CSV records by line, names, addresses, a row or a problem per record.

A row that does not read raises `ValueError` inside a parser's row builder; `read_rows` turns it
into a `RowProblem` naming the line, so one bad row never stops the rest of the file. A CSV the
reader cannot read at all (a cell over its size limit) raises `InvalidInput`, a whole-file refusal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from pydantic import ValidationError

from kith.domain.models import normalise_email, normalise_linkedin_url
from kith.domain.text import BlankText, check_name
from kith.errors import InvalidInput
from kith.imports.rows import ImportRow, RowProblem

Record = TypeVar("Record")


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank CSV record with the 1-based line it starts on (a quoted cell can span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader, None)
        except csv.Error as exc:
            raise InvalidInput(f"this CSV file cannot be read: {exc} (line {line})") from None
        if record is None:
            return
        if any(cell.strip() for cell in record):
            yield line, record


def column_names(header: Iterable[str]) -> list[str]:
    return [cell.strip().casefold() for cell in header]


def by_column(columns: list[str], record: list[str]) -> dict[str, str]:
    """A record's cells by (case-folded) column name; a short record leaves the last columns out."""
    return dict(zip(columns, record, strict=False))


def joined(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part.strip())


# Shown in the report, cut short: a cell of 100,000 characters is no address to show in full.
_SHOWN_ADDRESS = 320


def addresses(values: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The valid addresses, normalised, each once; and the values that are not addresses, as written."""
    found: list[str] = []
    skipped: list[str] = []
    for value in values:
        if not (written := value.strip()):
            continue
        try:
            found.append(normalise_email(written))
        except ValueError:
            skipped.append(written if len(written) <= _SHOWN_ADDRESS else written[:_SHOWN_ADDRESS] + "\u2026")
    return tuple(dict.fromkeys(found)), tuple(dict.fromkeys(skipped))


def linkedin_profile(values: Iterable[str]) -> str | None:
    """The first value that is a LinkedIn profile URL, normalised; other web sites are not Kith's business."""
    for value in values:
        try:
            return normalise_linkedin_url(value)
        except ValueError:
            continue
    return None


def person_name(value: str) -> str:
    """The name a cell gives, outer whitespace off; "" when nothing in it is visible.

    A name holding a control character (NUL, a line break, ...) is no name Kith keeps: ValueError.
    """
    try:
        return check_name(value)
    except BlankText:
        return ""
    except ValueError as refused:
        raise ValueError(f"name: {refused}") from None


def name_of(candidates: Iterable[str], emails: tuple[str, ...], skipped: tuple[str, ...] = ()) -> str:
    """The first candidate that is a name, else the first address's local part; ValueError if neither.

    A profile URL never names a person: its id is not what anyone calls them.
    """
    for candidate in candidates:
        if name := person_name(candidate):
            return name
    if emails and (name := person_name(emails[0].split("@", 1)[0])):
        return name
    if skipped:
        raise ValueError(f"no name and no valid e-mail address; {skipped_note(skipped)}")
    raise ValueError("no name and no e-mail address")


def skipped_note(skipped: tuple[str, ...]) -> str:
    return "skipped what is not an e-mail address: " + ", ".join(skipped)


def problem_reason(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field = ".".join(map(str, first["loc"])) or "row"
        return f"{field}: {first['msg']}"
    return str(exc)


def read_rows(
    records: Iterable[tuple[int, Record]], build: Callable[[int, Record], ImportRow]
) -> tuple[list[ImportRow], list[RowProblem]]:
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for line, record in records:
        try:
            rows.append(build(line, record))
        except ValueError as exc:
            problems.append(RowProblem(line=line, reason=problem_reason(exc)))
    return rows, problems
