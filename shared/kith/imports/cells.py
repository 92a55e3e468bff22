"""What the contact-file parsers share: CSV records by line, and a row or a problem out of each record.

A row that does not read raises `ValueError` inside a parser's row builder; `read_rows` turns it
into a `RowProblem` naming the line, so one bad row never stops the rest of the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from pydantic import ValidationError

from kith.domain.models import normalise_email, normalise_linkedin_url
from kith.imports.rows import ImportRow, RowProblem

Record = TypeVar("Record")


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank CSV record with the 1-based line it starts on (a quoted cell can span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        line = reader.line_num + 1
        record = next(reader, None)
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


def addresses(cells: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """Normalised addresses from (where, value) pairs, each once; an invalid one raises naming where it was."""
    found: list[str] = []
    for where, value in cells:
        if not value.strip():
            continue
        try:
            found.append(normalise_email(value))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    return tuple(dict.fromkeys(found))


def linkedin_profile(values: Iterable[str]) -> str | None:
    """The first value that is a LinkedIn profile URL, normalised; other web sites are not Kith's business."""
    for value in values:
        try:
            return normalise_linkedin_url(value)
        except ValueError:
            continue
    return None


def stand_in_name(emails: tuple[str, ...], linkedin_url: str | None = None) -> str:
    """For a person the file gives no name: the address's local part, else the profile's id ("" if neither)."""
    if emails:
        return emails[0].split("@", 1)[0]
    if linkedin_url:
        return linkedin_url.rsplit("/", 1)[-1]
    return ""


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
