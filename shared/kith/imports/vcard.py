"""vCard files (.vcf): 2.1, 3.0 and 4.0, one person a card.

vobject reads each card's lines: folding, vCard 2.1's quoted-printable values (soft line breaks
included) in their CHARSET, parameters and groups. Kith decodes the values itself: vobject's own
text decoding keeps only what comes before the first unescaped comma, and vCard 2.1 (and many
3.0 writers) leave commas in a note or a title unescaped. Cards are split here, not by vobject,
so that a broken card is a problem of its own and each row names its BEGIN:VCARD line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kith.imports.cells import addresses, joined, linkedin_profile, name_of, read_rows
from kith.imports.rows import FileFormat, ImportRow, ParsedFile

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ESCAPES = {"n": "\n", "N": "\n", "\\": "\\", ",": ",", ";": ";", ":": ":"}
# vCard 2.1 has no backslash escapes but "\;" inside a structured value such as N or ORG.
_ESCAPES_21 = {";": ";"}


@dataclass(frozen=True)
class _Card:
    text: str
    closed: bool


@dataclass(frozen=True)
class _Property:
    name: str
    value: str


def looks_like_vcard(text: str) -> bool:
    return text.lstrip()[:11].upper() == "BEGIN:VCARD"


def _is_begin(line: str) -> bool:
    return line.strip().upper() == "BEGIN:VCARD"


def count_cards(text: str) -> int:
    return sum(map(_is_begin, _LINE_BREAK.split(text)))


def _cards(text: str) -> Iterator[tuple[int, _Card]]:
    """Each card's lines with the line of its BEGIN:VCARD; a BEGIN before the last card's END cuts it short."""
    start = 0
    lines: list[str] = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if _is_begin(line):
            if lines:
                yield start, _Card("\n".join(lines), closed=False)
            start, lines = number, [line]
        elif lines:
            lines.append(line)
            if line.strip().upper() == "END:VCARD":
                yield start, _Card("\n".join(lines), closed=True)
                lines = []
    if lines:
        yield start, _Card("\n".join(lines), closed=False)


def _properties(card: str) -> list[_Property]:
    # vobject loads at the first vCard, not when the API function starts.
    from vobject.base import VObjectError, getLogicalLines, textLineToContentLine

    # What vobject raises for a card's bad content (found by fuzzing, tests/unit/test_import_fuzz.py),
    # each the card's own problem. Only vobject's calls are inside the try: Kith's faults stay faults.
    faults: tuple[tuple[type[Exception], str], ...] = (
        (VObjectError, "a line of this card is not a vCard property (NAME:value)"),
        (LookupError, "a value of this card names a CHARSET that is not known"),
        (UnicodeError, "a quoted-printable value of this card is not text in its CHARSET"),
        # ENCODING=QUOTED-PRINTABLE;ENCODING=8BIT: vobject hands the leftover list to bytes.decode.
        (TypeError, "a property of this card gives more than one ENCODING"),
    )
    try:
        lines = [textLineToContentLine(text) for text, _ in getLogicalLines(io.StringIO(card), allowQP=True)]
    except tuple(fault for fault, _ in faults) as exc:
        raise ValueError(next(reason for fault, reason in faults if isinstance(exc, fault))) from None
    return [_Property(line.name.upper(), line.value) for line in lines]


def _split(value: str, separator: str | None, escapes: dict[str, str]) -> list[str]:
    """The value's parts between unescaped separators, each with its escapes decoded."""
    parts: list[str] = []
    current: list[str] = []
    characters = iter(value)
    for character in characters:
        if character == "\\":
            following = next(characters, "")
            current.append(escapes.get(following, "\\" + following))
        elif character == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


def _row(line: int, card: _Card) -> ImportRow:
    if not card.closed:
        raise ValueError("this card has no END:VCARD")
    properties = _properties(card.text)
    version = next((found.value.strip() for found in properties if found.name == "VERSION"), "3.0")
    escapes = _ESCAPES_21 if version == "2.1" else _ESCAPES

    def texts(name: str) -> list[str]:
        return [text for found in properties if found.name == name if (text := _split(found.value, None, escapes)[0])]

    def first(name: str) -> str:
        return next((text.strip() for text in texts(name) if text.strip()), "")

    def fields(name: str, separator: str) -> list[list[str]]:
        return [_split(found.value, separator, escapes) for found in properties if found.name == name]

    structured = next(iter(fields("N", ";")), [])
    family, given, additional, prefix, suffix = (*structured, "", "", "", "", "")[:5]
    emails, skipped = addresses(_without_mailto(address) for address in texts("EMAIL"))
    structured_name = joined(*(part.replace(",", " ") for part in (prefix, given, additional, family, suffix)))
    name = name_of([*texts("FN"), structured_name], emails, skipped)
    company = next((parts[0].strip() for parts in fields("ORG", ";") if parts[0].strip()), "")
    notes = "\n".join(note.strip() for note in texts("NOTE") if note.strip())
    tags = (tag.strip() for parts in fields("CATEGORIES", ",") for tag in parts)
    return ImportRow(
        line=line,
        name=name,
        emails=emails,
        skipped_addresses=skipped,
        linkedin_url=linkedin_profile([*texts("URL"), *texts("X-SOCIALPROFILE")]),
        company=company or None,
        title=first("TITLE") or None,
        notes=notes or None,
        tags=tuple(dict.fromkeys(tag for tag in tags if tag)),
    )


def _without_mailto(address: str) -> str:
    return address[7:] if address[:7].lower() == "mailto:" else address


def parse_vcards(text: str) -> ParsedFile:
    """Every card in a .vcf; a card that does not read is a problem naming its BEGIN:VCARD line."""
    rows, problems = read_rows(_cards(text), _row)
    return ParsedFile(format=FileFormat.VCARD, rows=rows, problems=problems)
