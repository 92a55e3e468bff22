"""Google Contacts CSV, current and older columns: every address, labels as tags (PRODUCT.md §9)."""

from __future__ import annotations

import pytest
from kith.errors import InvalidInput
from kith.imports.google_csv import is_google_csv, parse_google_csv
from kith.imports.rows import FileFormat, RowProblem

from .import_files import file_text

CURRENT = file_text("google_contacts.csv")
OLDER = file_text("google_contacts_old.csv")


def test_the_current_export_collects_every_address_and_labels() -> None:
    # Given Google's current CSV: three e-mail columns, one cell holding two addresses, labels with system groups
    # When parsed
    parsed = parse_google_csv(CURRENT)
    grace = parsed.rows[0]
    # Then each address is kept once, normalised, in column order; system groups are not tags
    assert parsed.format is FileFormat.GOOGLE
    assert (grace.line, grace.name) == (2, "Grace Brewster Hopper")
    assert grace.emails == ("grace@navy.example", "grace.hopper@example.com")
    assert grace.tags == ("Navy", "Mentors")
    assert (grace.company, grace.title) == ("US Navy", "Rear Admiral")
    # And the LinkedIn profile in a Website column becomes the contact's profile
    assert grace.linkedin_url == "https://www.linkedin.com/in/gracehopper"
    # And the note keeps the CRLF its quoted cell holds
    assert grace.notes == "Met at the COBOL panel.\r\nFollow up about the compiler talk."


def test_starred_and_my_contacts_are_dropped_and_other_sites_ignored() -> None:
    # Given Ada, labelled "* myContacts ::: * starred ::: Friends", with a blog in her Website column
    # When parsed
    ada = parse_google_csv(CURRENT).rows[1]
    # Then only the owner's own label is a tag, and the blog is not a LinkedIn profile
    assert (ada.line, ada.name, ada.emails) == (4, "Ada Lovelace", ("ada@example.org",))
    assert (ada.tags, ada.linkedin_url) == (("Friends",), None)


def test_hostile_strings_come_through_intact() -> None:
    # Given names with an RTL mark, Arabic script, emoji and HTML
    rows = {row.line: row for row in parse_google_csv(CURRENT).rows}
    # When parsed, Then they are kept exactly (escaping happens at output)
    assert rows[5].name == "\u200fنور الهدى 🌙"
    assert rows[9].name == "<img src=x onerror=alert(1)> Smith"


def test_a_company_without_a_person_is_named_by_the_company() -> None:
    # Given a row with only an organisation and an address (as Google shows such a contact)
    row = parse_google_csv(CURRENT).rows[3]
    # Then the organisation is its name
    assert (row.line, row.name, row.company, row.emails) == (
        6,
        "Northwind Traders",
        "Northwind Traders",
        ("orders@northwind.example",),
    )


def test_an_invalid_address_keeps_the_person_and_a_row_of_nobody_is_a_problem() -> None:
    # Given Tom, whose second address is not one (line 7), and a row with only a phone number (line 8)
    # When parsed
    parsed = parse_google_csv(CURRENT)
    # Then Tom is kept with his valid address, and the value that is not one is reported as skipped
    tom = next(row for row in parsed.rows if row.line == 7)
    assert (tom.name, tom.emails, tom.skipped_addresses) == (
        "Tom Ng",
        ("tom@example.com",),
        ("tom at example dot com",),
    )
    # And the row of nobody is a problem naming its line
    assert parsed.problems == [RowProblem(line=8, reason="no name and no e-mail address")]


def test_the_older_export_is_read_by_its_own_columns() -> None:
    # Given Google's older CSV (Name, Given Name, Group Membership, Organization 1 - Name, E-mail N - Type)
    # When parsed
    parsed = parse_google_csv(OLDER)
    alan, barbara, info = parsed.rows
    # Then the same fields come out of the other column names
    assert (alan.line, alan.name, alan.emails) == (2, "Alan Kay", ("alan@parc.example", "alan.kay@example.net"))
    assert (alan.company, alan.title, alan.notes) == ("Xerox PARC", "Fellow", "Ask about Smalltalk-80.")
    assert (alan.tags, alan.linkedin_url) == (("Research",), "https://www.linkedin.com/in/alankay")
    # And "* My Contacts", "* Starred in Android" and "System Group: ..." are not tags
    assert (barbara.name, barbara.company, barbara.tags) == ("Barbara Liskov", "MIT", ("MIT",))
    assert (info.line, info.name, info.emails, info.tags) == (4, "info", ("info@acme.example",), ())
    assert parsed.problems == []


def test_a_hand_made_google_csv_is_read() -> None:
    # Given the few columns people type when they build a CSV for Google by hand
    text = "First Name,Last Name,E-mail 1 - Value,E-mail 2 - Value\nKim,Lee,kim@example.com,KIM@example.com\n"
    # When parsed
    (row,) = parse_google_csv(text).rows
    # Then the name and the address (once) are read
    assert (row.line, row.name, row.emails, row.tags) == (2, "Kim Lee", ("kim@example.com",), ())


def test_malformed_rows_never_stop_the_file() -> None:
    # Given a header then rows cut short, too long, and with a stray quote
    header = CURRENT.split("\r\n", 1)[0]
    text = header + "\nKim\nLee" + "," * 33 + 'x,y\n"Quote"d,,Name\n' + "," * 18 + "not-an-address\n"
    # When parsed
    parsed = parse_google_csv(text)
    # Then nothing raises: each record is a row or a problem naming its line
    assert [(row.line, row.name) for row in parsed.rows] == [(2, "Kim"), (3, "Lee"), (4, "Quoted Name")]
    assert parsed.problems == [
        RowProblem(
            line=5, reason="no name and no valid e-mail address; skipped what is not an e-mail address: not-an-address"
        )
    ]


def test_a_file_whose_first_row_is_not_google_s_header_is_refused() -> None:
    # Given a CSV with other columns, When parsed as Google's, Then the whole file is refused
    with pytest.raises(InvalidInput, match="not a Google Contacts CSV header"):
        parse_google_csv("Full Name,Mail\nAna,ana@example.com\n")


@pytest.mark.parametrize(
    ("header", "google"),
    [
        (CURRENT.split("\r\n", 1)[0], True),
        (OLDER.split("\r\n", 1)[0], True),
        ("First Name,Last Name,URL,Email Address,Company,Position,Connected On", False),
        ("First Name,Middle Name,Last Name,Title,E-mail Address,E-mail 2 Address", False),
        ("name,emails,linkedin_url,company", False),
    ],
    ids=["current", "older", "linkedin", "outlook", "kith"],
)
def test_the_header_is_recognised_by_its_columns(header: str, google: bool) -> None:
    # Given a header row, When checked, Then only Google's current or older columns are recognised
    assert is_google_csv(header.split(",")) is google
