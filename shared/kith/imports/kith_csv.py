"""Kith's own contacts CSV: what export writes and import reads back, field for field.

Several values in one cell (e-mail addresses, tags) are separated by "; ". Instants are
ISO 8601 in UTC. The header row is exactly KITH_COLUMNS, which is how the format is recognised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from kith.domain.models import Circle, Contact, check_instant, normalise_linkedin_url
from kith.imports.cells import addresses, csv_records, name_of, read_rows
from kith.imports.rows import FileFormat, ImportRow, ParsedFile

T = TypeVar("T")

KITH_COLUMNS = (
    "name",
    "emails",
    "linkedin_url",
    "company",
    "title",
    "circle",
    "cadence_days",
    "goal",
    "tags",
    "notes",
    "last_interaction_at",
    "last_interaction_title",
    "contact_id",
    "snoozed_until",
)
# A spreadsheet runs a cell as a formula when it starts with one of = + - @, also after spaces or a
# separator it may split on ("," ";" tab), or when it starts with a tab or a carriage return. Writing
# puts an apostrophe right before that character (after the run, where a split would start a cell),
# or before the whole cell for a tab or carriage return; an apostrophe already there gets one more.
# Reading takes off the one apostrophe after the run, so every text reads back as it was.
_FORMULA_START = ("=", "+", "-", "@", "'")
_SEPARATOR = "; "
_CIRCLES = ", ".join(circle.value for circle in Circle)


def _instant(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def write_kith_csv(contacts: Iterable[Contact]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(KITH_COLUMNS)
    for contact in contacts:
        cells = [
            contact.name,
            _SEPARATOR.join(contact.emails),
            contact.linkedin_url or "",
            contact.company or "",
            contact.title or "",
            contact.circle.value,
            contact.cadence_days if contact.cadence_days is not None else "",
            contact.goal or "",
            _SEPARATOR.join(contact.tags),
            contact.notes or "",
            _instant(contact.last_interaction_at),
            contact.last_interaction_title or "",
            contact.contact_id,
            _instant(contact.snoozed_until),
        ]
        writer.writerow([defused(str(cell)) for cell in cells])
    return out.getvalue()


def defused(cell: str) -> str:
    """The cell as written: a spreadsheet shows it as text, never runs it."""
    lead = _lead(cell)
    if cell[lead:].startswith(_FORMULA_START):
        return f"{cell[:lead]}'{cell[lead:]}"
    return "'" + cell if cell.startswith(("\t", "\r")) else cell


def restored(cell: str) -> str:
    """The cell as it was before `defused`."""
    lead = _lead(cell)
    return cell[:lead] + cell[lead + 1 :] if cell[lead:].startswith("'") else cell


def _lead(cell: str) -> int:
    """How many characters the cell starts with that a spreadsheet splits on or skips: spaces, "," and ";"."""
    return next((at for at, character in enumerate(cell) if not (character.isspace() or character in ",;")), len(cell))


def is_kith_csv(header: list[str]) -> bool:
    return tuple(cell.strip().lower() for cell in header) == KITH_COLUMNS


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _read(column: str, parse: Callable[[str], T], problem: str) -> Callable[[str], T]:
    """`parse`, with a ValueError naming the column and what it should hold."""

    def read(value: str) -> T:
        try:
            return parse(value)
        except ValueError as exc:
            raise ValueError(f"{column}: {problem or exc}") from None

    return read


def _row(line: int, record: dict[str, str]) -> ImportRow:
    def text(name: str) -> str | None:
        # Free text reads back exactly as export wrote it; blank is none.
        value = record.get(name, "")
        return value if value.strip() else None

    def value(name: str) -> str:
        return record.get(name, "").strip()

    emails, skipped = addresses(_split(value("emails")))
    cadence, at, snoozed = value("cadence_days"), value("last_interaction_at"), value("snoozed_until")
    return ImportRow(
        line=line,
        name=name_of([value("name")], emails, skipped),
        emails=emails,
        skipped_addresses=skipped,
        linkedin_url=_read("linkedin_url", normalise_linkedin_url, "")(url) if (url := value("linkedin_url")) else None,
        company=text("company"),
        title=text("title"),
        circle=_read("circle", Circle, f"not one of {_CIRCLES}")(circle) if (circle := value("circle")) else None,
        cadence_days=_read("cadence_days", _days, "not a whole number of days")(cadence) if cadence else None,
        goal=text("goal"),
        tags=_split(value("tags")),
        notes=text("notes"),
        last_interaction_at=_read("last_interaction_at", _parsed_instant, "")(at) if at else None,
        last_interaction_title=text("last_interaction_title"),
        snoozed_until=_read("snoozed_until", _parsed_instant, "")(snoozed) if snoozed else None,
    )


def _days(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise ValueError(text)
    return int(text)


def _parsed_instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("not an ISO 8601 instant such as 2026-10-01T12:00:00Z") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text} has no time zone: write it in UTC, ending in Z")
    try:
        return check_instant(moment)
    except OverflowError:
        raise ValueError(f"{text} is outside the years Kith keeps (1900 to 2199)") from None


def parse_kith_csv(text: str) -> ParsedFile:
    """Kith's CSV, header included; a row that does not read is a problem naming its line."""
    records = csv_records(text)
    _, header = next(records, (0, []))
    columns = [cell.strip().lower() for cell in header]
    rows, problems = read_rows(
        ((line, dict(zip(columns, map(restored, cells), strict=False))) for line, cells in records), _row
    )
    return ParsedFile(format=FileFormat.KITH, rows=rows, problems=problems)
