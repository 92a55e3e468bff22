"""Any contact file: its text, its format told by its content, whole-file refusals and limits (PRODUCT.md §9)."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kith.domain.models import Contact, normalise_linkedin_url
from kith.errors import InvalidInput
from kith.imports.detect import MAX_ROWS, parse_contacts_file
from kith.imports.kith_csv import write_kith_csv
from kith.imports.rows import FileFormat, ParsedFile, RowProblem

from .import_files import file_bytes

LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
GOOGLE_HEADER = "First Name,Last Name,Organization Name,Organization Title,Notes,Labels,E-mail 1 - Value\r\n"
# No example database: the run leaves nothing behind in the working tree.
PROPERTY = settings(max_examples=200, deadline=None, database=None)


@pytest.mark.parametrize(
    ("name", "file_format", "rows", "problems"),
    [
        ("linkedin_connections.csv", FileFormat.LINKEDIN, 8, 2),
        ("google_contacts.csv", FileFormat.GOOGLE, 6, 1),
        ("google_contacts_old.csv", FileFormat.GOOGLE, 3, 0),
        ("vcard21_quoted_printable.vcf", FileFormat.VCARD, 4, 1),
        ("vcard30_folded.vcf", FileFormat.VCARD, 2, 0),
        ("vcard40.vcf", FileFormat.VCARD, 2, 0),
    ],
)
def test_the_format_is_told_by_the_content(name: str, file_format: FileFormat, rows: int, problems: int) -> None:
    # Given a fixture file uploaded under a name that says nothing
    # When parsed
    parsed = parse_contacts_file(file_bytes(name), "upload.dat")
    # Then its format is recognised from what it holds, and all of it is read
    assert (parsed.format, len(parsed.rows), len(parsed.problems)) == (file_format, rows, problems)


def test_kith_s_own_csv_is_recognised() -> None:
    # Given what Kith's export writes
    contact = Contact(
        contact_id="c-1", owner_id="o-1", name="Ana Lima", emails=("ana@example.com",), added_at=datetime.now(UTC)
    )
    # When parsed back
    parsed = parse_contacts_file(write_kith_csv([contact]).encode(), "kith-export.csv")
    # Then it is Kith's format, field for field
    assert parsed.format is FileFormat.KITH
    assert [(row.line, row.name, row.emails) for row in parsed.rows] == [(2, "Ana Lima", ("ana@example.com",))]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        lambda text: text.encode("utf-16-le"),
        lambda text: text.encode("cp1252"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-16-be-bom", "utf-16-le-no-bom", "windows-1252"],
)
def test_the_encodings_exports_use_are_read(encode: object) -> None:
    # Given LinkedIn's export re-saved in another encoding (Excel, Notepad, an older Windows)
    text = LINKEDIN_HEADER + "René,Müller,,rene@example.fr,Café Crème,Barista \u2013 Head,12 Mar 2024\r\n"
    assert callable(encode)
    # When parsed
    (row,) = parse_contacts_file(encode(text)).rows
    # Then the text is the same as the UTF-8 original's
    assert (row.name, row.company, row.title) == ("René Müller", "Café Crème", "Barista \u2013 Head")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (file_bytes("not_contacts.png"), "this file is not text: it holds NUL bytes"),
        (b"\x01\x02\x03\xff\xfe\xfd binary", "this file is not text: it holds control characters"),
        (b"\x81\x8d\x8f\x90\x9d", "this file is not text: it is neither UTF-8, UTF-16 nor Windows-1252"),
        (codecs.BOM_UTF16_LE + b"a\x00b", "this file is not text: it is neither UTF-8, UTF-16 nor Windows-1252"),
        (codecs.BOM_UTF8 + b"\xff", "this file is not text: it is neither UTF-8, UTF-16 nor Windows-1252"),
        (b"", "the file is empty"),
        (b" \r\n\t\r\n", "the file is empty"),
        (codecs.BOM_UTF8, "the file is empty"),
        (b'""\n,,\n', "this file has no header row"),
    ],
    ids=["png", "controls", "undefined-1252", "odd-utf-16", "bad-utf-8-bom", "empty", "blank", "bom-only", "no-header"],
)
def test_a_file_that_is_not_contacts_text_is_refused_whole(data: bytes, reason: str) -> None:
    # Given bytes that are no text, or no rows at all, When parsed, Then InvalidInput says which
    with pytest.raises(InvalidInput) as refused:
        parse_contacts_file(data, "contacts.csv")
    assert str(refused.value).startswith(reason)


def test_a_csv_of_unknown_columns_is_refused_naming_them_and_the_formats_read() -> None:
    # Given Outlook's CSV export
    with pytest.raises(InvalidInput) as refused:
        parse_contacts_file(file_bytes("outlook_contacts.csv"), "contacts.csv")
    # When parsed, Then the message names the columns found and every format Kith reads
    message = str(refused.value)
    assert message.startswith(
        "the columns found (First Name, Middle Name, Last Name, Title, Suffix, Initials, Web Page, Gender, "
        "Birthday, Anniversary, ...) are none of the formats Kith reads: LinkedIn's Connections.csv (First Name, "
    )
    for named in ("Google Contacts CSV (First Name, Last Name, Labels", "Kith's CSV (name, emails", "vCard (.vcf"):
        assert named in message


def test_a_vcf_file_that_holds_no_vcard_is_refused() -> None:
    # Given a CSV saved under a .vcf name, When parsed, Then the file is refused rather than read as CSV
    with pytest.raises(InvalidInput, match=r"this \.vcf file does not start with BEGIN:VCARD"):
        parse_contacts_file(file_bytes("linkedin_connections.csv"), "Contacts.VCF")


def test_a_csv_the_csv_reader_cannot_read_is_refused() -> None:
    # Given a cell longer than the CSV reader takes (a file that is not a contact list)
    data = (LINKEDIN_HEADER + "Ana,Lima,,,," + "x" * 200_000 + ",12 Mar 2024\r\n").encode()
    # When parsed, Then the whole file is refused, not half read
    with pytest.raises(InvalidInput, match="this CSV file cannot be read: field larger than field limit"):
        parse_contacts_file(data)


def test_at_most_ten_thousand_rows_are_read() -> None:
    # Given LinkedIn exports of exactly 10,000 and of 10,001 connections
    rows = "".join(f"Person,{number},,,,,\r\n" for number in range(MAX_ROWS))
    # When parsed, Then the first is read whole
    assert len(parse_contacts_file((LINKEDIN_HEADER + rows).encode()).rows) == 10_000
    # And the second is refused whole, before any row is read
    with pytest.raises(InvalidInput, match="the file holds 10,001 contacts; at most 10,000 are read in one import"):
        parse_contacts_file((LINKEDIN_HEADER + rows + "One,More,,,,,\r\n").encode())


def test_at_most_ten_thousand_vcards_are_read() -> None:
    # Given 10,001 cards, When parsed, Then the file is refused whole
    data = ("BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(InvalidInput, match="the file holds 10,001 contacts"):
        parse_contacts_file(data, "all.vcf")


def test_long_fields_are_cut_and_a_long_name_is_a_problem() -> None:
    # Given a company and title of 300 characters, a note of 6,000, and a name of 201 beside one of 200
    text = (
        GOOGLE_HEADER
        + f"Ana,Lima,{'C' * 300},{'T' * 300},{'N' * 6000},,ana@example.com\r\n"
        + f"{'x' * 201},,,,,,\r\n"
        + f"{'y' * 200},,,,,,\r\n"
    )
    # When parsed
    parsed = parse_contacts_file(text.encode())
    ana, long_name = parsed.rows
    # Then company and title keep 200 characters and the note 5,000
    assert (ana.company, ana.title, ana.notes) == ("C" * 200, "T" * 200, "N" * 5000)
    # And a name over 200 characters is its row's problem, while 200 is a name
    assert long_name.name == "y" * 200
    assert parsed.problems == [RowProblem(line=3, reason="name: String should have at most 200 characters")]


@pytest.mark.parametrize(
    "spelling",
    [
        "https://www.linkedin.com/in/ana-lima",
        "http://linkedin.com/in/ana-lima/",
        "www.linkedin.com/in/Ana-Lima",
        "linkedin.com/in/ana-lima?trk=public_profile",
        "https://uk.linkedin.com/in/ana-lima#experience",
        "  HTTPS://WWW.LINKEDIN.COM/IN/ANA-LIMA/  ",
    ],
)
def test_every_spelling_of_a_profile_is_one_url(spelling: str) -> None:
    # Given a spelling of Ana's profile, When normalised, Then it is the one canonical URL
    assert normalise_linkedin_url(spelling) == "https://www.linkedin.com/in/ana-lima"


@pytest.mark.parametrize(
    "value",
    [
        "https://www.linkedin.com/company/lumen",
        "https://www.linkedin.com/in/",
        "https://www.linkedin.com/in/ana-lima/details/experience",
        "https://example.com/in/ana-lima",
        "ana-lima",
    ],
)
def test_what_is_not_a_profile_url_is_refused(value: str) -> None:
    # Given a URL that is not a member's profile, When normalised, Then it is refused
    with pytest.raises(ValueError, match="not a LinkedIn profile URL"):
        normalise_linkedin_url(value)


def _parses_or_refuses(data: bytes) -> None:
    try:
        parsed = parse_contacts_file(data, "upload")
    except InvalidInput:
        return
    assert isinstance(parsed, ParsedFile)


@PROPERTY
@given(st.binary(max_size=600))
def test_any_bytes_parse_or_are_refused(data: bytes) -> None:
    # Given any bytes at all, When parsed, Then the answer is a ParsedFile or InvalidInput, nothing else
    _parses_or_refuses(data)


@PROPERTY
@given(st.text(max_size=600))
def test_any_text_parses_or_is_refused(text: str) -> None:
    # Given any text, When parsed, Then the answer is a ParsedFile or InvalidInput, nothing else
    _parses_or_refuses(text.encode())


fragments = st.one_of(
    st.sampled_from(
        [
            "Notes:",
            LINKEDIN_HEADER,
            GOOGLE_HEADER,
            "name,emails,linkedin_url,company,title,circle,cadence_days,goal,tags,notes,"
            "last_interaction_at,last_interaction_title,contact_id,snoozed_until",
            "BEGIN:VCARD",
            "END:VCARD",
            "VERSION:2.1",
            "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BC=",
            "N:a\\;b;c,d;;;",
            "EMAIL:x@example.com",
            "URL:https://linkedin.com/in/x",
            "Ana,Lima,https://www.linkedin.com/in/ana,ana@example.com,Lumen,VP,12 Mar 2024",
            ',"',
            ",,,,,,,",
            "Ana,,,core,-3,,,,,2099-13-01,,",
        ]
    ),
    st.text(max_size=40),
)


@PROPERTY
@given(st.lists(fragments, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
def test_near_miss_files_parse_or_are_refused(lines: list[str], line_end: str) -> None:
    # Given lines of every format, shuffled with noise (headers, half cards, broken quotes, bad values)
    # When parsed, Then rows that do not read are problems and only whole-file faults raise InvalidInput
    _parses_or_refuses(line_end.join(lines).encode())
