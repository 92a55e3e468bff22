"""A name an imported row takes: never blank, invisible or holding control characters (PRODUCT.md §9).

One rule for every format (kith.imports.cells.person_name): outer whitespace is taken off; a name with
nothing visible in it is no name (the row falls back to its next name, then to its address's local
part, else it is skipped with its line); a name holding a control character skips the row.
"""

from __future__ import annotations

import re

import pytest
from kith.imports.cells import person_name
from kith.imports.google_csv import parse_google_csv
from kith.imports.kith_csv import KITH_COLUMNS, parse_kith_csv
from kith.imports.linkedin import LINKEDIN_COLUMNS, parse_linkedin_csv
from kith.imports.rows import ParsedFile, RowProblem
from kith.imports.vcard import parse_vcards

INVISIBLE = [" ", "\u200b", "\u200b\u200c\u2060", "\u00a0\u3000", "\ufeff", "\u3164", "\u2800", "\u0301"]
CONTROL = ["Ana\x00", "A\x01na", "Ana\nLima", "Ana\tLima", "\x7fAna", "A\x85na"]
CONTROL_PROBLEM = re.compile(r"name: holds a control character or line break \(U\+[0-9A-F]{4}\)")


def linkedin(first: str, email: str = "") -> ParsedFile:
    return parse_linkedin_csv(",".join(LINKEDIN_COLUMNS) + "\n" + f'"{first}",,,{email},Lumen,,\n')


def google(first: str, email: str = "") -> ParsedFile:
    return parse_google_csv(f'First Name,Last Name,Nickname,E-mail 1 - Value\n"{first}",,Nick,{email}\n')


def vcard(full_name: str, email: str = "") -> ParsedFile:
    # A line break in a vCard value is written as the escape \n.
    lines = ["BEGIN:VCARD", "VERSION:4.0", "FN:" + full_name.replace("\n", "\\n"), "N:Lima;Ana;;;"]
    return parse_vcards("\r\n".join([*lines, *([f"EMAIL:{email}"] if email else []), "END:VCARD", ""]))


def kith(name: str, email: str = "") -> ParsedFile:
    return parse_kith_csv(",".join(KITH_COLUMNS) + "\n" + f'"{name}",{email},,Lumen,,,,,,,,,,\n')


@pytest.mark.parametrize("blank", INVISIBLE)
def test_a_name_with_nothing_visible_is_no_name(blank: str) -> None:
    # Given a name that is whitespace or invisible characters only, When checked, Then it is no name
    assert person_name(blank) == ""


@pytest.mark.parametrize("name", ["  Ana Lima ", "\u200fنور\u200f", "Zoë 👩\u200d💻", "e\u0301"])
def test_a_visible_name_is_kept_without_its_outer_whitespace(name: str) -> None:
    assert person_name(name) == name.strip()


@pytest.mark.parametrize("blank", INVISIBLE)
def test_an_invisible_name_falls_back_as_a_missing_one_does(blank: str) -> None:
    # Given rows whose first name is invisible, each with an address
    # When parsed, Then the next name the format has stands in, else the address's local part
    assert [row.name for row in google(blank, "kim@example.com").rows] == ["Nick"]
    assert [row.name for row in vcard(blank).rows] == ["Ana Lima"]
    assert [row.name for row in linkedin(blank, "kim@example.com").rows] == ["kim"]
    assert [row.name for row in kith(blank, "kim@example.com").rows] == ["kim"]
    # And without an address the row is skipped with its line
    assert linkedin(blank).problems == [RowProblem(line=2, reason="no name and no e-mail address")]
    assert kith(blank).problems == [RowProblem(line=2, reason="no name and no e-mail address")]


@pytest.mark.parametrize("name", CONTROL)
@pytest.mark.parametrize("parse", [linkedin, google, vcard, kith], ids=["linkedin", "google", "vcard", "kith"])
def test_a_name_holding_a_control_character_skips_its_row(name: str, parse: object) -> None:
    # Given a row whose name holds NUL, a line break or another control character (and a valid address)
    assert callable(parse)
    # When parsed, Then the row is skipped with its line: no such name reaches a digest
    parsed = parse(name, "kim@example.com")
    assert parsed.rows == [] and len(parsed.problems) == 1
    assert CONTROL_PROBLEM.fullmatch(parsed.problems[0].reason), parsed.problems[0].reason


def test_a_quoted_printable_nul_in_a_vcard_name_skips_its_card() -> None:
    # Given a vCard 2.1 name whose quoted-printable value decodes to a NUL, When parsed
    text = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE:Ana=00\r\nEND:VCARD\r\n"
    # Then the card is skipped with its line
    assert parse_vcards(text).problems == [
        RowProblem(line=1, reason="name: holds a control character or line break (U+0000)")
    ]
