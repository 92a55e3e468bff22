"""Kith's own contacts CSV: what export writes and import reads back, field for field.

Several values in one cell (e-mail addresses, tags) are separated by "; ". Instants are
ISO 8601 in UTC. The header row is exactly KITH_COLUMNS, which is how the format is recognised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from kith.domain.models import Circle, Contact, check_instant, normalise_email, normalise_linkedin_url
from kith.imports.rows import FileFormat, ImportRow, ParsedFile, RowProblem

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
# A spreadsheet runs a cell that starts with one of these as a formula: such a cell is written with a
# leading apostrophe, which reading takes off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SEPARATOR = "; "


def _instant(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def write_kith_csv(contacts: Iterable[Contact]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(KITH_COLUMNS)
    for contact in contacts:
        _writerow(
            writer,
            [
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
            ],
        )
    return out.getvalue()


def _writerow(writer: Any, cells: list[object]) -> None:
    writer.writerow([_defused(str(cell)) for cell in cells])


def _defused(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) or cell.startswith("'") else cell


def _restored(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def is_kith_csv(header: list[str]) -> bool:
    return tuple(cell.strip().lower() for cell in header) == KITH_COLUMNS


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _row(line: int, record: dict[str, str]) -> ImportRow:
    def text(name: str) -> str | None:
        return _restored(record.get(name, "").strip()) or None

    cadence = text("cadence_days")
    at = text("last_interaction_at")
    snoozed = text("snoozed_until")
    return ImportRow(
        line=line,
        name=text("name") or "",
        emails=tuple(normalise_email(address) for address in _split(record.get("emails", ""))),
        linkedin_url=normalise_linkedin_url(url) if (url := text("linkedin_url")) else None,
        company=text("company"),
        title=text("title"),
        circle=Circle(circle) if (circle := text("circle")) else None,
        cadence_days=int(cadence) if cadence else None,
        goal=text("goal"),
        tags=_split(record.get("tags", "")),
        notes=text("notes"),
        last_interaction_at=_parsed_instant(at) if at else None,
        last_interaction_title=text("last_interaction_title"),
        snoozed_until=_parsed_instant(snoozed) if snoozed else None,
    )


def _parsed_instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text} has no time zone: write it in UTC, ending in Z")
    return check_instant(moment)


def parse_kith_csv(text: str) -> ParsedFile:
    """Kith's CSV, header included; a row that does not read is a problem naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    columns = [cell.strip().lower() for cell in header]
    while True:
        # A quoted cell can span lines: a record is named by the line it starts on.
        line = reader.line_num + 1
        record = next(reader, None)
        if record is None:
            break
        if not any(cell.strip() for cell in record):
            continue
        try:
            rows.append(_row(line, dict(zip(columns, record, strict=False))))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(map(str, first["loc"])) or "row"
            problems.append(RowProblem(line=line, reason=f"{field}: {first['msg']}"))
        except ValueError as exc:
            problems.append(RowProblem(line=line, reason=str(exc)))
    return ParsedFile(format=FileFormat.KITH, rows=rows, problems=problems)
