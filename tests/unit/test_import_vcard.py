"""vCard files: 2.1 with quoted-printable, 3.0 with folded lines, 4.0; one person a card (PRODUCT.md §9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import kith
import pytest
from kith.imports.rows import FileFormat, RowProblem
from kith.imports.vcard import parse_vcards

from .import_files import file_text


def card(*lines: str) -> str:
    return "".join(f"{line}\r\n" for line in ("BEGIN:VCARD", *lines, "END:VCARD"))


def test_vcard_21_quoted_printable_is_decoded_in_its_charset() -> None:
    # Given an Android-style vCard 2.1 file: UTF-8 and Latin-1 quoted-printable, a soft line break in a note
    # When parsed
    parsed = parse_vcards(file_text("vcard21_quoted_printable.vcf"))
    jurgen, anna, kai, rene = parsed.rows
    # Then names, company and title are text again, and the note's two physical lines are one value
    assert parsed.format is FileFormat.VCARD
    assert (jurgen.line, jurgen.name) == (1, "Jürgen Müller")
    assert jurgen.emails == ("juergen@example.de", "j.mueller@firma.example")
    assert (jurgen.company, jurgen.title) == ("Bäckerei Müller GmbH", "Leiter Vertrieb, Süd")
    assert jurgen.notes == (
        "Kennengelernt auf der Messe in München, sprach über Exporte nach Österreich.\r\nZweite Zeile."
    )
    assert (anna.line, anna.name, anna.emails) == (13, "Анна Иванова", ())
    # And a card with only an address is named by its local part; N alone (in ISO-8859-1) makes a name
    assert (kai.line, kai.name, kai.emails) == (19, "kai.berg", ("kai.berg@example.se",))
    assert (rene.line, rene.name, rene.emails) == (24, "René François", ("rene@example.fr",))
    # And a card with only a phone number is a problem at its BEGIN:VCARD line
    assert parsed.problems == [RowProblem(line=33, reason="no name and no e-mail address")]


def test_vcard_30_folded_lines_and_escapes_are_undone() -> None:
    # Given an Apple-style vCard 3.0: folded TITLE and NOTE, escaped commas, a grouped URL with an escaped colon
    # When parsed
    ben, zoe = parse_vcards(file_text("vcard30_folded.vcf")).rows
    # Then each value is whole, commas included (not cut at the first one)
    assert (ben.line, ben.name) == (1, "Dr. Benjamin Chukwuemeka Okafor, PhD")
    assert ben.title == "Chief Technology Officer and Head of the Distributed Systems Research Group"
    assert ben.notes == (
        "Met at the Berlin distributed systems meetup, talked about consensus protocols.\nIntroduced by Ana."
    )
    assert (ben.company, ben.tags) == ("Fjord Labs, Inc.", ("Investors", "Advisors, informal"))
    assert ben.emails == ("ben@fjordlabs.example", "benjamin.okafor@example.net")
    assert ben.linkedin_url == "https://www.linkedin.com/in/ben-okafor-phd"
    # And a hostile name comes through intact
    assert (zoe.line, zoe.name, zoe.emails) == (18, "<script>alert('x')</script> Zoë 👩\u200d💻", ("zoe@example.com",))


def test_vcard_40_is_read_and_an_empty_fn_falls_back_to_n() -> None:
    # Given a vCard 4.0 file with PREF, a LinkedIn URL on a country subdomain, a data: photo and an empty FN
    chiara, hiro = parse_vcards(file_text("vcard40.vcf")).rows
    # When parsed, Then the fields come through and N names the card whose FN is empty
    assert (chiara.line, chiara.name, chiara.company, chiara.title) == (
        1,
        "Chiara Bianchi",
        "Ponte Ventures",
        "Partner",
    )
    assert chiara.emails == ("chiara@ponte.example", "chiara.bianchi@example.it")
    assert chiara.linkedin_url == "https://www.linkedin.com/in/chiara-b"
    assert (chiara.tags, chiara.notes) == (("Investors", "Italy"), "Prefers mornings; never Fridays.")
    assert (hiro.line, hiro.name, hiro.emails) == (16, "Hiro Tanaka", ("hiro.tanaka@example.jp",))


def test_an_invalid_address_keeps_the_person_and_their_other_addresses() -> None:
    # Given a card with one address that is not one, beside a valid one, a company and a title
    text = card("VERSION:3.0", "FN:Bo", "EMAIL:bo(at)example.com", "EMAIL:bo@example.com", "ORG:Acme", "TITLE:CEO")
    # When parsed
    parsed = parse_vcards(text)
    # Then Bo is kept with everything else, and the value that is not an address is reported as skipped
    (bo,) = parsed.rows
    assert (bo.name, bo.company, bo.title, bo.emails) == ("Bo", "Acme", "CEO", ("bo@example.com",))
    assert (bo.skipped_addresses, parsed.problems) == (("bo(at)example.com",), [])


def test_broken_cards_are_problems_and_the_rest_is_read() -> None:
    # Given a card with a line that is no property, a card cut short by the next BEGIN, and a card never closed
    text = (
        card("VERSION:3.0", "FN:First", "this line has no colon")
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut short\r\n"
        + card("VERSION:3.0", "FN:Whole")
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Never closed\r\n"
    )
    # When parsed
    parsed = parse_vcards(text)
    # Then nothing raises: each broken card is a problem at its BEGIN line
    assert [(row.line, row.name) for row in parsed.rows] == [(9, "Whole")]
    assert parsed.problems == [
        RowProblem(line=1, reason="a line of this card is not a vCard property (NAME:value)"),
        RowProblem(line=6, reason="this card has no END:VCARD"),
        RowProblem(line=13, reason="this card has no END:VCARD"),
    ]


def test_a_charset_that_does_not_decode_is_a_problem_of_its_card() -> None:
    # Given quoted-printable bytes that are not UTF-8, and a CHARSET Python does not know
    text = card("VERSION:2.1", "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=FF=FE") + card(
        "VERSION:2.1", "FN;CHARSET=X-NOPE;ENCODING=QUOTED-PRINTABLE:Ana"
    )
    # When parsed, Then each card is a problem saying why
    assert parse_vcards(text).problems == [
        RowProblem(line=1, reason="a quoted-printable value of this card is not text in its CHARSET"),
        RowProblem(line=5, reason="a value of this card names a CHARSET that is not known"),
    ]


def test_vcard_21_backslashes_are_text() -> None:
    # Given a 2.1 note with a Windows path (2.1 has no \\n escape), and several NOTE lines
    text = card("VERSION:2.1", "FN:Ana", "NOTE:Files in C:\\new\\tables", "NOTE:Second note")
    # When parsed, Then the backslashes stay and the notes are joined line by line
    (row,) = parse_vcards(text).rows
    assert row.notes == "Files in C:\\new\\tables\nSecond note"


def test_line_ends_of_any_kind_and_text_between_cards() -> None:
    # Given cards with bare CR line ends, a mailto: address, and chatter between the cards
    text = "exported by PhoneTool\rBEGIN:VCARD\rVERSION:4.0\rFN:Ana\rEMAIL:mailto:Ana@Example.com\rEND:VCARD\r\r"
    text += "BEGIN:VCARD\nVERSION:4.0\nN:Lee;Kim;;;\nEND:VCARD\n"
    # When parsed, Then both cards are read at their lines
    parsed = parse_vcards(text)
    assert [(row.line, row.name, row.emails) for row in parsed.rows] == [
        (2, "Ana", ("ana@example.com",)),
        (8, "Kim Lee", ()),
    ]


def test_vobject_is_not_loaded_until_a_vcard_is_read() -> None:
    # Given a fresh interpreter, as at a Lambda cold start, that finds the same kith package
    shared = str(Path(kith.__file__).resolve().parents[1])
    probe = "import sys, kith.imports.detect; print('vobject' in sys.modules)"
    # When the import modules are loaded
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": shared},
    )
    # Then vobject is not (it loads with the first vCard)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "prop",
    [
        "FN;ENCODING=QUOTED-PRINTABLE;ENCODING=8BIT:Ana",
        "EMAIL;ENCODING=8BIT;ENCODING=QUOTED-PRINTABLE:ana=40example.com",
        "NOTE;QUOTED-PRINTABLE;ENCODING=BASE64;CHARSET=UTF-8:x",
    ],
)
def test_a_property_with_two_encodings_is_a_problem_of_its_card(prop: str) -> None:
    # Given a card naming two ENCODINGs for one property (vobject raised TypeError), then a card that reads
    text = card("VERSION:2.1", "FN:Bo", prop) + card("VERSION:2.1", "FN:Cy")
    # When parsed, Then the first card is a problem at its BEGIN line, and the next is read
    parsed = parse_vcards(text)
    assert parsed.problems == [RowProblem(line=1, reason="a property of this card gives more than one ENCODING")]
    assert [(row.line, row.name) for row in parsed.rows] == [(6, "Cy")]
