"""Hypothesis strategies for contact files a broken exporter or a hostile owner can upload.

Structure-aware: each format's real header (and LinkedIn's notes above it) with hostile cells, so the
fuzz reaches the row builders rather than stopping at format detection; vCards with random and
repeated parameters, encodings and charsets, folding, groups, NUL and very long lines; and each file
encoded as exporters write it, sometimes cut short or with stray bytes.
"""

from __future__ import annotations

import codecs
import csv
import io

from hypothesis import strategies as st
from kith.imports.kith_csv import KITH_COLUMNS
from kith.imports.linkedin import LINKEDIN_COLUMNS

LINKEDIN_NOTES = (
    "Notes:",
    '"When exporting your connection data, you may notice that some of the email addresses are missing."',
    "",
)
GOOGLE_CURRENT = (
    "First Name", "Middle Name", "Last Name", "Nickname", "File As", "Organization Name", "Organization Title",
    "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Value", "Website 1 - Value",
)  # fmt: skip
GOOGLE_OLDER = (
    "Name", "Given Name", "Additional Name", "Family Name", "Notes", "Group Membership", "E-mail 1 - Type",
    "E-mail 1 - Value", "E-mail 2 - Value", "Organization 1 - Name", "Organization 1 - Title", "Website 1 - Value",
)  # fmt: skip
VCARD_NAMES = (
    "FN", "N", "EMAIL", "ORG", "TITLE", "NOTE", "CATEGORIES", "URL", "X-SOCIALPROFILE", "TEL", "PHOTO", "VERSION",
    "item1.EMAIL", "item1.URL", "X-ABLabel", "BDAY", "ADR",
)  # fmt: skip
VCARD_PARAMETERS = (
    "ENCODING=QUOTED-PRINTABLE", "ENCODING=8BIT", "ENCODING=b", "ENCODING=BASE64", "ENCODING=", "QUOTED-PRINTABLE",
    "CHARSET=UTF-8", "CHARSET=ISO-8859-1", "CHARSET=X-NOPE", "CHARSET=", "CHARSET=utf-16", "TYPE=work",
    "TYPE=INTERNET,PREF", 'TYPE="a,b"', "PREF=1", "VALUE=uri", "X-=", '"quoted"', "LANGUAGE=de", "=", "",
)  # fmt: skip
# What makes a cell hostile: formula starts, separators, quotes, line ends, controls, invisible and bidi
# characters, a number past Python's 4,300 digits, addresses that are nearly addresses.
HOSTILE = (
    "=1+2", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x", ";=cmd|' /C calc'!A0", ",=1", " =1", "'quoted", "''", '"', '""',
    ",", ";", ":::", " ::: ", "\r\n", "\n", "\r", "\x00", "\x01", "\x7f", "\u200b", "\u200f", "\u202e", "\ufeff",
    " ", "\t\n", "7" * 4400, "-" + "9" * 5000, "1e400", "NaN", "Infinity", "ana@example.com", "ANA@Example.COM",
    "bo(at)example.com", "mailto:kim@example.com", "@", "a@", "x" * 300 + "@example.com",
    "https://www.linkedin.com/in/ana", "linkedin.com/in/", "https://www.linkedin.com/company/x", "12 Mar 2024",
    "31 Feb 2024", "1 Foo 2024", "0 Jan 0000", "99 Mar 99999", "\u0661\u0662 Mar 2024", "core", "inner", "custom",
    "never", "nope", "0", "-3", "36501", "2026-10-01T12:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59",
    "2026-13-01", "* myContacts ::: Friends", "<script>alert(1)</script>", "Zoë 👩\u200d💻",
)  # fmt: skip
_characters = st.characters(codec="utf-8")
hostile_texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(_characters, max_size=24),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map("".join),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=4),
)
long_texts = st.sampled_from(("x" * 5_000, "é" * 6_000, "y" * 140_000))
# One cell in about twenty is long: often enough to find the limits, rarely enough to reach everything else.
cells = st.integers(0, 19).flatmap(lambda pick: long_texts if pick == 0 else hostile_texts)


def _csv(records: list[list[str]], line_end: str, quoting: int) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end, quoting=quoting).writerows(records)
    return out.getvalue()


@st.composite
def _table(draw: st.DrawFn, header: list[str], preamble: tuple[str, ...] = ()) -> str:
    """A header and rows of hostile cells, written by a CSV writer, or joined raw (quotes left unbalanced)."""
    width = len(header)
    rows = draw(st.lists(st.lists(cells, min_size=max(0, width - 2), max_size=width + 2), max_size=6))
    line_end = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    if draw(st.booleans()):
        body = _csv([header, *rows], line_end, draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    else:
        body = "".join(",".join(record) + line_end for record in [header, *rows])
    return "".join(line + line_end for line in preamble) + body


@st.composite
def linkedin_texts(draw: st.DrawFn) -> str:
    columns = list(LINKEDIN_COLUMNS) if draw(st.booleans()) else [c for c in LINKEDIN_COLUMNS if c != "URL"]
    header = draw(st.permutations(columns)) if draw(st.booleans()) else columns
    preamble = LINKEDIN_NOTES if draw(st.booleans()) else ()
    return draw(_table(list(header), preamble))


@st.composite
def google_texts(draw: st.DrawFn) -> str:
    columns = draw(st.sampled_from([GOOGLE_CURRENT, GOOGLE_OLDER]))
    return draw(_table(list(draw(st.permutations(columns)))))


@st.composite
def kith_texts(draw: st.DrawFn) -> str:
    return draw(_table(list(KITH_COLUMNS)))


_qp_values = st.lists(
    st.sampled_from(["=C3=BC", "=FF", "=FE", "=", "=0D=0A", "=0D=0A=", "=00", "=3D", "=G1", "=\r\n", "J", "=E9"]),
    max_size=6,
).map("".join)
_property_values = st.one_of(hostile_texts, _qp_values, cells, st.just("a\\;b;c,d;;;"), st.just("\\"))


@st.composite
def _property(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(VCARD_NAMES) | st.text(st.sampled_from("ABCXYZ-.;:=\"'"), max_size=6))
    parameters = draw(st.lists(st.sampled_from(VCARD_PARAMETERS), max_size=4))
    line = ";".join([name, *parameters]) + draw(st.sampled_from([":", ":", ";", ""])) + draw(_property_values)
    if draw(st.booleans()) and len(line) > 2:
        # Folding: a line break and a space (or tab) anywhere in the line, as a careless writer does it.
        at = draw(st.integers(1, len(line) - 1))
        line = line[:at] + draw(st.sampled_from(["\r\n ", "\n\t", "\r\n", "=\r\n"])) + line[at:]
    return line


@st.composite
def _card(draw: st.DrawFn) -> list[str]:
    version = draw(st.sampled_from(["VERSION:2.1", "VERSION:3.0", "VERSION:4.0", "VERSION:9", ""]))
    lines = ["BEGIN:VCARD", version, *draw(st.lists(_property(), max_size=8))]
    if draw(st.integers(0, 5)):
        lines.append(draw(st.sampled_from(["END:VCARD", "end:vcard", " END:VCARD "])))
    return lines


@st.composite
def vcard_texts(draw: st.DrawFn) -> str:
    cards = draw(st.lists(_card(), min_size=1, max_size=4))
    between = draw(st.sampled_from(["", "", "chatter between cards", "BEGIN:VCARD", "END:VCARD"]))
    line_end = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    return line_end.join(line for card in cards for line in (*card, between) if line or between) + line_end


def _encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if encoding == "utf-16":
        return text.encode("utf-16")
    return text.encode(encoding, errors="replace")


@st.composite
def contact_files(draw: st.DrawFn) -> bytes:
    """Any of the four formats, encoded as an exporter might, sometimes cut short or with stray bytes."""
    text = draw(st.one_of(linkedin_texts(), google_texts(), kith_texts(), vcard_texts()))
    data = _encoded(text, draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])))
    damage = draw(st.sampled_from(["none", "none", "cut", "insert"]))
    if damage == "cut" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data
