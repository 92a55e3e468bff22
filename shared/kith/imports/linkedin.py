"""LinkedIn's Connections.csv, as LinkedIn exports it.

LinkedIn writes a few lines of notes before the header row (about missing e-mail addresses:
most connections do not share theirs), then one connection a row. "Connected On" reads like
"12 Mar 2024". Older exports have no URL column.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

from kith.domain.models import normalise_linkedin_url
from kith.errors import InvalidInput
from kith.imports.cells import addresses, by_column, column_names, csv_records, joined, name_of, read_rows
from kith.imports.rows import FileFormat, ImportRow, ParsedFile

LINKEDIN_COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
_REQUIRED = frozenset(column_names(column for column in LINKEDIN_COLUMNS if column != "URL"))
# The notes LinkedIn puts above the header are a handful of records; the header is never further down.
PREAMBLE_RECORDS = 10

_DAY = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})")
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS = {spelling: number for number, name in enumerate(_MONTH_NAMES, 1) for spelling in (name, name[:3])}


def is_linkedin_csv(header: list[str]) -> bool:
    return set(column_names(header)) >= _REQUIRED


def connected_on(value: str) -> date:
    """A day like "12 Mar 2024" (English month names, whatever the machine's locale)."""
    found = _DAY.fullmatch(value.strip())
    month = _MONTHS.get(found.group(2).lower()) if found else None
    if found is None or month is None:
        raise ValueError("Connected On: not a day like 12 Mar 2024")
    try:
        return date(int(found.group(3)), month, int(found.group(1)))
    except ValueError:
        raise ValueError("Connected On: no such day") from None


def _row(line: int, record: dict[str, str]) -> ImportRow:
    def cell(column: str) -> str:
        return record.get(column, "").strip()

    emails, skipped = addresses([cell("email address")])
    name = name_of([joined(cell("first name"), cell("last name"))], emails, skipped)
    url = cell("url")
    try:
        linkedin_url = normalise_linkedin_url(url) if url else None
    except ValueError as exc:
        raise ValueError(f"URL: {exc}") from None
    day = cell("connected on")
    return ImportRow(
        line=line,
        name=name,
        emails=emails,
        skipped_addresses=skipped,
        linkedin_url=linkedin_url,
        company=cell("company") or None,
        title=cell("position") or None,
        connected_on=connected_on(day) if day else None,
    )


def parse_linkedin_csv(text: str) -> ParsedFile:
    """Connections.csv, notes and header included; a row that does not read is a problem naming its line."""
    records = csv_records(text)
    for _, record in itertools.islice(records, PREAMBLE_RECORDS):
        if is_linkedin_csv(record):
            columns = column_names(record)
            break
    else:
        raise InvalidInput(f"no LinkedIn header row ({', '.join(LINKEDIN_COLUMNS)}) near the top of the file")
    rows, problems = read_rows(((line, by_column(columns, cells)) for line, cells in records), _row)
    return ParsedFile(format=FileFormat.LINKEDIN, rows=rows, problems=problems)
