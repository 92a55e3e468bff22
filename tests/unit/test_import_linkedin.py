"""LinkedIn's Connections.csv: the notes above the header, one connection a row (PRODUCT.md §9)."""

from __future__ import annotations

from datetime import date

import pytest
from kith.errors import InvalidInput
from kith.imports.linkedin import connected_on, is_linkedin_csv, parse_linkedin_csv
from kith.imports.rows import FileFormat, RowProblem

from .import_files import file_text

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def test_the_export_with_its_notes_is_read_row_by_row() -> None:
    # Given Connections.csv as LinkedIn writes it: notes, a blank line, then the header on line 4
    # When parsed
    parsed = parse_linkedin_csv(file_text("linkedin_connections.csv"))
    # Then every connection is a row named by its line, with its address only when LinkedIn shared it
    assert parsed.format is FileFormat.LINKEDIN
    ana, ben, chiara = parsed.rows[:3]
    assert (ana.line, ana.name, ana.emails) == (5, "Ana Lima", ("ana.lima@lumen.example",))
    assert ana.linkedin_url == "https://www.linkedin.com/in/ana-lima-1a2b3c"
    assert (ana.company, ana.title, ana.connected_on) == ("Lumen", "VP Product", date(2024, 3, 12))
    assert (ben.line, ben.name, ben.emails, ben.connected_on) == (6, "Ben Okafor", (), date(2023, 1, 3))
    assert (chiara.company, chiara.connected_on) == ("Ponte Ventures, SGR", date(2022, 2, 28))
    assert [row.line for row in parsed.rows] == [5, 6, 7, 8, 9, 10, 13, 15]
    assert parsed.rows[-1].company is None and parsed.rows[-1].title is None


def test_hostile_strings_come_through_intact() -> None:
    # Given names with HTML, RTL marks and emoji, and a quoted cell holding a CRLF
    # When parsed
    rows = {row.line: row for row in parse_linkedin_csv(file_text("linkedin_connections.csv")).rows}
    # Then each is kept exactly as written: escaping happens where it is shown, not here
    assert rows[8].name == "<b>Dmitri</b> O'Neil <script>alert(1)</script>"
    assert (rows[8].company, rows[8].title) == ('Acme "Rockets"', "Head of R&D")
    assert rows[9].name == "Eitan \u200f\u05db\u05d4\u05df\u200f"
    assert (rows[9].company, rows[9].title) == ("Startup 🚀", "Founder 👩\u200d💻")
    assert rows[13].title == "Director,\r\nPartnerships"


def test_rows_that_do_not_read_are_problems_naming_their_lines() -> None:
    # Given the export's rows with a day that does not exist (line 11), and nobody (12)
    # When parsed
    parsed = parse_linkedin_csv(file_text("linkedin_connections.csv"))
    # Then each is a problem saying which line and what was wrong
    assert parsed.problems == [
        RowProblem(line=11, reason="Connected On: no such day"),
        RowProblem(line=12, reason="no name and no e-mail address"),
    ]


def test_an_invalid_address_keeps_the_person_and_reports_the_address() -> None:
    # Given Farah (line 10), whose address LinkedIn wrote as farah(at)example.com
    # When parsed
    farah = next(row for row in parse_linkedin_csv(file_text("linkedin_connections.csv")).rows if row.line == 10)
    # Then she is kept with her name, company and profile, and the address is reported as skipped
    assert (farah.name, farah.company, farah.title) == ("Farah Haddad", "Northwind", "Engineer")
    assert farah.linkedin_url == "https://www.linkedin.com/in/farah-haddad"
    assert (farah.emails, farah.skipped_addresses) == ((), ("farah(at)example.com",))


def test_a_row_without_a_name_takes_one_from_its_address_never_from_its_profile() -> None:
    # Given rows with no name but an address, with only a profile URL, and with only an invalid address
    text = (
        HEADER
        + ",,,kim.lee@example.com,,,1 Jan 2024\n"
        + ",,https://www.linkedin.com/in/Sam-Reyes/,,,,\n"
        + ",,https://www.linkedin.com/in/lu,lu(at)example.com,,,\n"
    )
    # When parsed
    parsed = parse_linkedin_csv(text)
    # Then the address's local part stands in for the name
    assert [(row.name, row.emails, row.linkedin_url) for row in parsed.rows] == [
        ("kim.lee", ("kim.lee@example.com",), None)
    ]
    # And a row with no name and no address is skipped with its line, not named by its profile's id
    assert parsed.problems == [
        RowProblem(line=3, reason="no name and no e-mail address"),
        RowProblem(
            line=4,
            reason="no name and no valid e-mail address; skipped what is not an e-mail address: lu(at)example.com",
        ),
    ]


def test_an_older_export_without_the_url_column_is_read() -> None:
    # Given an export from before LinkedIn added the URL column
    text = "First Name,Last Name,Email Address,Company,Position,Connected On\nAna,Lima,,Lumen,VP Product,12 Mar 2024\n"
    # When parsed
    (row,) = parse_linkedin_csv(text).rows
    # Then the row is read by column name
    assert (row.line, row.name, row.linkedin_url, row.company, row.connected_on) == (
        2,
        "Ana Lima",
        None,
        "Lumen",
        date(2024, 3, 12),
    )


def test_a_url_that_is_not_a_profile_is_a_problem() -> None:
    # Given a row whose URL is a company page
    text = HEADER + "Ana,Lima,https://www.linkedin.com/company/lumen,,Lumen,VP,12 Mar 2024\n"
    # When parsed, Then the row is a problem naming the column
    assert parse_linkedin_csv(text).problems == [
        RowProblem(line=2, reason="URL: not a LinkedIn profile URL (https://www.linkedin.com/in/...)")
    ]


@pytest.mark.parametrize(
    ("value", "day"),
    [("12 Mar 2024", date(2024, 3, 12)), ("5 Mar 2024", date(2024, 3, 5)), ("05 march 2024", date(2024, 3, 5))],
)
def test_connected_on_reads_english_days(value: str, day: date) -> None:
    # Given LinkedIn's spelling of a day, When read, Then it is that day (whatever the machine's locale)
    assert connected_on(value) == day


@pytest.mark.parametrize("value", ["2024-03-12", "12 Mär 2024", "12 Foo 2024", "Mar 12 2024", "12 Mar 24"])
def test_connected_on_refuses_other_spellings(value: str) -> None:
    # Given a value that is not "12 Mar 2024"-like, When read, Then it is refused naming the column
    with pytest.raises(ValueError, match="Connected On: not a day like 12 Mar 2024"):
        connected_on(value)


def test_malformed_rows_never_stop_the_file() -> None:
    # Given short rows, long rows, an unterminated quote and stray quotes after the header
    text = HEADER + 'Ana\nBen,Okafor,,,,,,extra,cells\nx"y,"z\n"Eve,Stone,,,,,3 Mar 2024\n'
    # When parsed
    parsed = parse_linkedin_csv(text)
    # Then nothing raises: each record is a row or a problem, named by the line it starts on
    # (the quote opened on line 4 swallows line 5 into the last name: a name with a line break)
    assert [(row.line, row.name) for row in parsed.rows] == [(2, "Ana"), (3, "Ben Okafor")]
    assert parsed.problems == [RowProblem(line=4, reason="name: holds a control character or line break (U+000A)")]


def test_a_file_without_the_header_near_the_top_is_refused() -> None:
    # Given a CSV whose header is not LinkedIn's, When parsed as Connections.csv, Then the whole file is refused
    with pytest.raises(InvalidInput, match="no LinkedIn header row"):
        parse_linkedin_csv("Name,Email\nAna,ana@example.com\n")


def test_the_header_is_recognised_by_its_columns() -> None:
    # Given headers in any order and case, with or without URL, When checked, Then LinkedIn's columns are recognised
    assert is_linkedin_csv(["Connected On", "first name", "Last Name", "Email Address", "Company", "Position"])
    assert not is_linkedin_csv(["First Name", "Last Name", "E-mail 1 - Value", "Labels"])
