"""A forwarded message's own sender, date and subject, as the major mail clients write them in the forward.

A forward carries the original's headers as text at the top of its first text part, under a line
each client writes its own way:

- Gmail: "---------- Forwarded message ---------", then "From: Name <addr>", "Date: Mon, Jan 5,
  2026 at 9:14 AM", "Subject:", "To:";
- Outlook: a line of underscores (or "-----Original Message-----"), then "From: Name <addr>" (older
  versions "Name [mailto:addr]"), "Sent: Monday, January 5, 2026 9:14 AM", "To:", "Subject:";
- Apple Mail: "Begin forwarded message:", then "From:", "Subject:", "Date: 5 January 2026 at
  09:14:00 GMT", "To:".

Their German and French words for the same fields are read too. A date without a zone is the
owner's local time (the client wrote it in the zone it ran in, which is the owner's as far as Kith
knows); a date that cannot be read is None, and the caller falls back on the forward's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr, parsedate_to_datetime
from zoneinfo import ZoneInfo

from kith.domain.mail import address

# How far into the text a forwarded block is looked for, and how many lines its fields may take.
MAX_LINES_SEARCHED = 400
MAX_FIELD_LINES = 16
FORWARD_PREFIXES = ("fwd", "fw", "wg", "tr", "wtr", "enc")

_MARKERS = (
    re.compile(r"^-+\s*(forwarded message|weitergeleitete nachricht|message transf[ée]r[ée])\s*-+$"),
    re.compile(
        r"^(begin forwarded message|anfang der weitergeleiteten nachricht|d[ée]but du message r[ée]exp[ée]di[ée])\s*:$"
    ),
    re.compile(r"^-+\s*(original message|urspr[üu]ngliche nachricht|message d'origine)\s*-+$"),
    re.compile(r"^_{8,}$"),
)
_FIELD = re.compile(r"^\*?([^\W\d_]+)\*?\s*:\s*\**\s*(.*)$")
_FIELDS = {
    "from": "from",
    "von": "from",
    "de": "from",
    "date": "date",
    "sent": "date",
    "datum": "date",
    "gesendet": "date",
    "envoyé": "date",
    "subject": "subject",
    "betreff": "subject",
    "objet": "subject",
    "to": "to",
    "an": "to",
    "à": "to",
    "cc": "cc",
}
_SUBJECT_PREFIX = re.compile(r"^\s*(?:\[?(?:" + "|".join(FORWARD_PREFIXES) + r")\]?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Forwarded:
    """What a forward says of the message it carries; `sender` is None when its From names no address."""

    sender: str | None
    date: str | None
    subject: str | None


def says_forward(subject: str | None) -> bool:
    """A subject that starts as a forward does: Fwd:, Fw:, WG:, TR: (and their bracketed forms)."""
    return bool(subject) and _SUBJECT_PREFIX.match(subject or "") is not None


def without_prefix(subject: str | None) -> str | None:
    return _SUBJECT_PREFIX.sub("", subject).strip() or None if subject else None


def _clean(line: str) -> str:
    """A line as read: quoting ("> "), bold marks and odd spaces (Gmail's narrow no-break space) taken off."""
    line = line.replace("\u202f", " ").replace("\xa0", " ").strip()
    while line.startswith(">"):
        line = line[1:].lstrip()
    return line


def forwarded_block(text: str, *, subject_says: bool = False) -> Forwarded | None:
    """The first forwarded block in the text: under a client's marker line, or, when the subject says the
    message is a forward, the first block of header lines that names a sender."""
    lines = [_clean(line) for line in text.splitlines()[:MAX_LINES_SEARCHED]]
    for index, line in enumerate(lines):
        if any(marker.match(line.lower()) for marker in _MARKERS):
            found = _fields(lines, index + 1)
            if found is not None:
                return found
    if subject_says:
        for index, line in enumerate(lines):
            field = _FIELD.match(line)
            if field and _FIELDS.get(field[1].lower()) == "from":
                found = _fields(lines, index)
                if found is not None:
                    return found
    return None


def _fields(lines: list[str], start: int) -> Forwarded | None:
    """The header lines from `start` (blank lines before them skipped), until a blank line; None without a From."""
    while start < len(lines) and not lines[start]:
        start += 1
    values: dict[str, str] = {}
    for line in lines[start : start + MAX_FIELD_LINES]:
        if not line:
            break
        field = _FIELD.match(line)
        name = _FIELDS.get(field[1].lower()) if field else None
        if field and name:
            values.setdefault(name, field[2].strip())
    if "from" not in values:
        return None
    return Forwarded(sender=sender_address(values["from"]), date=values.get("date"), subject=values.get("subject"))


def sender_address(value: str) -> str | None:
    """The address of "Name <addr>", "Name [mailto:addr]", "*Name* <addr>" or a bare address."""
    value = re.sub(r"\[mailto:([^\]]*)\]", r"<\1>", value.replace("*", ""))
    return address(parseaddr(value)[1])


# -- dates ------------------------------------------------------------------------------------

_MONTHS = {
    **{name: number for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)},
    # German and French abbreviations that English ones do not cover.
    "mär": 3, "mrz": 3, "mai": 5, "okt": 10, "dez": 12,
    "fév": 2, "févr": 2, "avr": 4, "juin": 6, "juil": 7, "aoû": 8, "aout": 8, "août": 8, "déc": 12,
}  # fmt: skip
_ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "ut": 0, "wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "jst": 9,
    "aest": 10, "aedt": 11,
}  # fmt: skip
_TOKEN = re.compile(
    r"(?P<gmt>(?:gmt|utc)(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)"
    r"|(?P<offset>[+-]\d{2}:?\d{2})"
    r"|(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"|(?P<number>\d+)"
    r"|(?P<word>[^\W\d_]+)"
)


@dataclass
class _DateParts:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    clock: tuple[int, int, int] | None = None
    meridiem: str | None = None
    offset: timedelta | None = None

    def moment(self, zone: ZoneInfo) -> datetime | None:
        if None in (self.year, self.month, self.day) or self.clock is None:
            return None
        hour, minute, second = self.clock
        if self.meridiem == "pm" and hour < 12:
            hour += 12
        elif self.meridiem == "am" and hour == 12:
            hour = 0
        tzinfo = timezone(self.offset) if self.offset is not None else zone
        try:
            return datetime(self.year, self.month, self.day, hour, minute, second, tzinfo=tzinfo)  # type: ignore[arg-type]
        except ValueError:
            return None


def forwarded_date(text: str | None, zone: ZoneInfo) -> datetime | None:
    """A forwarded Date or Sent line as a moment; a date without a zone is read in `zone`."""
    if not text:
        return None
    text = text.replace("\u202f", " ").replace("\xa0", " ").strip()
    rfc = _rfc_date(text)
    if rfc is not None:
        return rfc
    parts = _DateParts()
    for token in _TOKEN.finditer(text.lower()):
        _read(parts, token)
    return parts.moment(zone)


def _rfc_date(text: str) -> datetime | None:
    """An RFC 5322 date with its zone (older clients copy the Date header as it was)."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _read(parts: _DateParts, token: re.Match[str]) -> None:
    if token["gmt"]:
        minutes = int(token["hours"]) * 60 + int(token["minutes"] or 0)
        parts.offset = timedelta(minutes=minutes if token["sign"] == "+" else -minutes)
    elif token["offset"]:
        digits = token["offset"].replace(":", "")
        minutes = int(digits[1:3]) * 60 + int(digits[3:5])
        parts.offset = timedelta(minutes=minutes if digits[0] == "+" else -minutes)
    elif token["time"] and parts.clock is None:
        pieces = [int(piece) for piece in re.split(r"[:.]", token["time"])]
        parts.clock = (pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else 0)
    elif token["number"]:
        _read_number(parts, int(token["number"]), len(token["number"]))
    elif token["word"]:
        _read_word(parts, token["word"])


def _read_number(parts: _DateParts, value: int, digits: int) -> None:
    if digits == 4 and parts.year is None:
        parts.year = value
    elif digits <= 2 and parts.day is None and 1 <= value <= 31:
        parts.day = value


def _read_word(parts: _DateParts, word: str) -> None:
    if word in {"am", "pm"}:
        parts.meridiem = word
    elif word in _ZONES and parts.offset is None:
        parts.offset = timedelta(hours=_ZONES[word])
    else:
        # The last month name wins: a French weekday ("mar." for mardi) may come before the month.
        month = _MONTHS.get(word) or _MONTHS.get(word[:4]) or _MONTHS.get(word[:3])
        if month is not None:
            parts.month = month
