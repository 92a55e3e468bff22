"""Google Contacts CSV ("Google CSV" in Google Contacts' export), in its current and its older columns.

Current: First Name, Middle Name, Last Name, ..., Organization Name, Organization Title, Notes,
Labels, E-mail 1 - Label, E-mail 1 - Value, ..., Website 1 - Value. Older: Name, Given Name,
Additional Name, Family Name, ..., Notes, Group Membership, E-mail 1 - Type, E-mail 1 - Value, ...,
Organization 1 - Name, Organization 1 - Title, Website 1 - Value. One cell can hold several values
separated by " ::: ". Labels (groups) become tags, except Google's own system groups ("* myContacts",
"* starred", "System Group: ..."), which the owner never named.
"""

from __future__ import annotations

import re

from kith.errors import InvalidInput
from kith.imports.cells import (
    addresses,
    by_column,
    column_names,
    csv_records,
    joined,
    linkedin_profile,
    name_of,
    read_rows,
)
from kith.imports.rows import FileFormat, ImportRow, ParsedFile

_EMAIL = re.compile(r"e-mail (\d{1,4}) - value")
_WEBSITE = re.compile(r"website \d{1,4} - value")
_COMPANY = re.compile(r"organization(?: \d+ -)? name")
_TITLE = re.compile(r"organization(?: \d+ -)? title")
_SEPARATOR = ":::"
_SYSTEM_GROUP = ("*", "system group:")


def is_google_csv(header: list[str]) -> bool:
    columns = set(column_names(header))
    numbered = any(_EMAIL.fullmatch(column) for column in columns)
    current = {"first name", "last name"} <= columns and ("labels" in columns or numbered)
    older = {"given name", "family name"} <= columns and ("group membership" in columns or numbered)
    return current or older


def _values(cell: str) -> list[str]:
    return [value.strip() for value in cell.split(_SEPARATOR) if value.strip()]


def _first(record: dict[str, str], pattern: re.Pattern[str]) -> str:
    return next((value for column, cell in record.items() if pattern.fullmatch(column) for value in _values(cell)), "")


def _tags(cell: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(label for label in _values(cell) if not label.lower().startswith(_SYSTEM_GROUP)))


def _row(line: int, record: dict[str, str]) -> ImportRow:
    def cell(column: str) -> str:
        return record.get(column, "").strip()

    email_columns = sorted((int(found.group(1)), column) for column in record if (found := _EMAIL.fullmatch(column)))
    emails, skipped = addresses(value for _, column in email_columns for value in _values(record[column]))
    linkedin_url = linkedin_profile(
        value for column, text in record.items() if _WEBSITE.fullmatch(column) for value in _values(text)
    )
    company = _first(record, _COMPANY)
    name = name_of(
        (
            cell("name"),
            joined(cell("first name"), cell("middle name"), cell("last name")),
            joined(cell("given name"), cell("additional name"), cell("family name")),
            cell("nickname"),
            cell("file as"),
            company,
        ),
        emails,
        skipped,
    )
    return ImportRow(
        line=line,
        name=name,
        emails=emails,
        skipped_addresses=skipped,
        linkedin_url=linkedin_url,
        company=company or None,
        title=_first(record, _TITLE) or None,
        notes=cell("notes") or None,
        tags=_tags(record.get("labels") or record.get("group membership") or ""),
    )


def parse_google_csv(text: str) -> ParsedFile:
    """A Google Contacts CSV, header included; a row that does not read is a problem naming its line."""
    records = csv_records(text)
    _, header = next(records, (0, []))
    if not is_google_csv(header):
        raise InvalidInput("the first row is not a Google Contacts CSV header")
    columns = column_names(header)
    rows, problems = read_rows(((line, by_column(columns, cells)) for line, cells in records), _row)
    return ParsedFile(format=FileFormat.GOOGLE, rows=rows, problems=problems)
