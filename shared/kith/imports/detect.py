"""Any contact file an owner brings: its text, its format (told by its content), and its rows (PRODUCT.md §9).

Only whole-file faults raise `InvalidInput`: not text, empty, columns of no known format, too many
rows, a CSV the reader cannot read (kith.imports.cells.csv_records). A row that does not read is a
`RowProblem` in the `ParsedFile`, and the rest is still read.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable

from kith.errors import InvalidInput
from kith.imports.cells import csv_records
from kith.imports.google_csv import is_google_csv, parse_google_csv
from kith.imports.kith_csv import KITH_COLUMNS, is_kith_csv, parse_kith_csv
from kith.imports.linkedin import LINKEDIN_COLUMNS, PREAMBLE_RECORDS, is_linkedin_csv, parse_linkedin_csv
from kith.imports.rows import ImportRow, ParsedFile
from kith.imports.vcard import count_cards, looks_like_vcard, parse_vcards

MAX_ROWS = 10_000
# Longer names are a problem of their row (ImportRow allows 200); these fields are cut to fit.
FIELD_LIMITS = {"company": 200, "title": 200, "notes": 5_000}

FORMATS_READ = (
    f"LinkedIn's Connections.csv ({', '.join(LINKEDIN_COLUMNS)}); "
    "Google Contacts CSV (First Name, Last Name, Labels, E-mail 1 - Value, ..., "
    "or the older Name, Given Name, Family Name, Group Membership, E-mail 1 - Value, ...); "
    f"Kith's CSV ({', '.join(KITH_COLUMNS)}); vCard (.vcf, BEGIN:VCARD)"
)
# Tab, line feed, form feed and carriage return are the only control characters a text file holds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SHOWN_COLUMNS = 10
_SHOWN_CHARACTERS = 40


def parse_contacts_file(data: bytes, filename: str | None = None) -> ParsedFile:
    """The file's rows and row problems, or `InvalidInput` saying why the file as a whole cannot be read."""
    text = decoded(data).removeprefix("\ufeff")
    if not text.strip():
        raise InvalidInput("the file is empty")
    parse, count = _reader(text, filename)
    if count > MAX_ROWS:
        raise InvalidInput(f"the file holds {count:,} contacts; at most {MAX_ROWS:,} are read in one import")
    parsed = parse(text)
    return parsed.model_copy(update={"rows": [_within_limits(row) for row in parsed.rows]})


def decoded(data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 (as Excel and some exports write it), else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _textual(_decode(data, "utf-16"))
    if utf16 := _utf16_without_bom(data):
        return _textual(_decode(data, utf16))
    if b"\x00" in data:
        raise InvalidInput("this file is not text: it holds NUL bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in the machine's code page; Windows-1252 is the common one.
        return _textual(_decode(data, "cp1252"))


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InvalidInput("this file is not text: it is neither UTF-8, UTF-16 nor Windows-1252") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """Mostly-ASCII UTF-16 has a NUL in every other byte, on the same side."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if even.count(0) == 0 and odd.count(0) >= len(odd) // 2:
        return "utf-16-le"
    if odd.count(0) == 0 and even.count(0) >= len(even) // 2:
        return "utf-16-be"
    return None


def _textual(text: str) -> str:
    """A guessed decoding is kept only if it reads as text: no control characters but line breaks and tabs."""
    if _CONTROL.search(text):
        raise InvalidInput("this file is not text: it holds control characters")
    return text


def _reader(text: str, filename: str | None) -> tuple[Callable[[str], ParsedFile], int]:
    """The parser for the file's format and how many contacts it holds, counted before any is read."""
    if looks_like_vcard(text):
        return parse_vcards, count_cards(text)
    if filename and filename.lower().endswith((".vcf", ".vcard")):
        raise InvalidInput("this .vcf file does not start with BEGIN:VCARD")
    records = csv_records(text)
    top = [record for _, record in itertools.islice(records, PREAMBLE_RECORDS)]
    if not top:
        raise InvalidInput(f"this file has no header row; the formats Kith reads are {FORMATS_READ}")
    parse: Callable[[str], ParsedFile]
    if is_kith_csv(top[0]):
        parse, header_at = parse_kith_csv, 0
    elif is_google_csv(top[0]):
        parse, header_at = parse_google_csv, 0
    elif (linkedin_at := next((at for at, record in enumerate(top) if is_linkedin_csv(record)), None)) is not None:
        parse, header_at = parse_linkedin_csv, linkedin_at
    else:
        raise InvalidInput(f"the columns found ({_shown(top[0])}) are none of the formats Kith reads: {FORMATS_READ}")
    return parse, len(top) - header_at - 1 + sum(1 for _ in records)


def _shown(header: list[str]) -> str:
    columns = [cell.strip()[:_SHOWN_CHARACTERS] for cell in header[:_SHOWN_COLUMNS]]
    return ", ".join(columns) + (", ..." if len(header) > _SHOWN_COLUMNS else "")


def _within_limits(row: ImportRow) -> ImportRow:
    update = {
        field: value[:limit]
        for field, limit in FIELD_LIMITS.items()
        if (value := getattr(row, field)) is not None and len(value) > limit
    }
    return row.model_copy(update=update) if update else row
