"""Kith's own CSV: what export writes a spreadsheet never runs, and import reads back exactly (PRODUCT.md §9)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kith.domain.models import Contact
from kith.errors import InvalidInput
from kith.imports.kith_csv import KITH_COLUMNS, defused, parse_kith_csv, restored, write_kith_csv
from kith.imports.rows import RowProblem

# No example database: the run leaves nothing behind in the working tree.
PROPERTY = settings(max_examples=300, deadline=None, database=None)
HEADER = ",".join(KITH_COLUMNS) + "\r\n"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a spreadsheet may split a line on, or skip before it looks at a cell's first character.
LEADS = ("", " ", "  ", ",", ";", "\t", ", ", "; ", ";\t", " ,", "\n")
_any_text = st.text(st.characters(codec="utf-8"), max_size=40)
texts = st.one_of(
    _any_text,
    st.tuples(st.sampled_from(LEADS), st.sampled_from((*FORMULA_STARTS, "'", "''")), _any_text).map("".join),
)


def contact(**fields: object) -> Contact:
    return Contact.model_validate(
        {"contact_id": "c-1", "owner_id": "o-1", "name": "Ana", "added_at": datetime(2026, 1, 1, tzinfo=UTC), **fields}
    )


def spreadsheet_cells(text: str, separator: str) -> list[list[str]]:
    """The cells a spreadsheet splitting on `separator` sees."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


@pytest.mark.parametrize("lead", LEADS)
@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_formula_after_spaces_or_a_separator_is_defused(lead: str, start: str) -> None:
    # Given a company that starts with a formula character, after any run of spaces or separators
    company = f'{lead}{start}HYPERLINK("http://evil.example")'
    # When exported
    written = write_kith_csv([contact(company=company)])
    # Then, whatever a spreadsheet splits on, no cell it sees starts (after that run) with a formula character
    for separator in (",", ";", "\t"):
        for record in spreadsheet_cells(written, separator):
            for cell in record:
                assert not cell.lstrip(" ,;\t\r\n").startswith(("=", "+", "-", "@")), (separator, cell)
    # And the apostrophe sits right before the formula character, where a split would start a cell
    (record,) = spreadsheet_cells(written, ",")[1:]
    assert record[KITH_COLUMNS.index("company")] == f"{lead}'{company[len(lead) :]}"


@pytest.mark.parametrize(
    ("cell", "written"),
    [("\tx", "'\tx"), ("\rx", "'\rx"), ("'x", "''x"), ("'", "''"), (" 'x", " ''x"), ("\t=x", "\t'=x"), ("a=b", "a=b")],
)
def test_tab_carriage_return_and_the_apostrophe_itself_are_defused(cell: str, written: str) -> None:
    # Given a cell starting with a tab, a carriage return or an apostrophe, When defused and restored
    # Then it is written with an apostrophe and read back as it was
    assert (defused(cell), restored(defused(cell))) == (written, cell)


@PROPERTY
@given(texts)
def test_defusing_then_restoring_gives_back_any_text(text: str) -> None:
    # Given any text, When defused then restored, Then it is exactly the original
    assert restored(defused(text)) == text
    # And it is never written starting, after spaces and separators, with a formula character
    written = defused(text)
    after_lead = re.sub(r"^[\s,;]*", "", written)
    assert not after_lead.startswith(FORMULA_STARTS)
    # (a leading tab or carriage return is kept only with the apostrophe after the run)
    assert not written.startswith(("\t", "\r")) or after_lead.startswith("'")


@PROPERTY
@given(company=texts, title=texts, notes=texts, goal=texts, last_title=texts, tag=texts)
def test_free_text_reads_back_exactly_through_the_file(
    company: str, title: str, notes: str, goal: str, last_title: str, tag: str
) -> None:
    # Given a contact whose free text is anything at all (formula starts, line ends, outer spaces)
    tags = (tag.strip(),) if tag.strip() and ";" not in tag else ()
    exported = contact(
        company=company,
        title=title,
        notes=notes,
        goal=goal,
        tags=tags,
        last_interaction_at=datetime(2026, 10, 1, 12, tzinfo=UTC),
        last_interaction_title=last_title,
    )
    # When written as Kith's CSV and read back
    parsed = parse_kith_csv(write_kith_csv([exported]))
    # Then each field is the exact original (blank reads as none)
    (row,) = parsed.rows
    for field, value in [
        ("company", company), ("title", title), ("notes", notes), ("goal", goal), ("last_interaction_title", last_title)
    ]:  # fmt: skip
        assert getattr(row, field) == (value if value.strip() else None), field
    assert row.tags == tags


def test_values_that_do_not_read_name_their_column() -> None:
    # Given rows with a cadence past Python's 4,300 digits, an unknown circle and an instant that is no instant
    text = (
        HEADER
        + f"Ana,,,,,custom,{'7' * 5000},,,,,,,\r\n"
        + "Ben,,,,,outer,,,,,,,,\r\n"
        + "Cy,,,,,,,,,,yesterday,,,\r\n"
        + "Di,,,,,,,,,,0001-01-01T00:00:00+14:00,,,\r\n"
    )
    # When parsed, Then each row is a problem naming the column and what it should hold
    assert parse_kith_csv(text).problems == [
        RowProblem(line=2, reason="cadence_days: not a whole number of days"),
        RowProblem(line=3, reason="circle: not one of inner, core, wider, custom, never"),
        RowProblem(line=4, reason="last_interaction_at: not an ISO 8601 instant such as 2026-10-01T12:00:00Z"),
        RowProblem(
            line=5,
            reason="last_interaction_at: 0001-01-01T00:00:00+14:00 is outside the years Kith keeps (1900 to 2199)",
        ),
    ]


def test_an_invalid_address_keeps_the_contact_and_its_other_addresses() -> None:
    # Given a row listing a valid address and one that is not an address
    text = HEADER + "Ana,ana@example.com; ana(at)example.com,,Lumen,,core,,,,,,,,\r\n"
    # When parsed, Then Ana is kept with her valid address and company, and the other is reported as skipped
    (row,) = parse_kith_csv(text).rows
    assert (row.name, row.company, row.emails, row.skipped_addresses) == (
        "Ana",
        "Lumen",
        ("ana@example.com",),
        ("ana(at)example.com",),
    )


def test_a_cell_over_the_csv_reader_s_limit_is_a_whole_file_refusal() -> None:
    # Given Kith's CSV with a cell longer than the CSV reader takes, When parsed directly
    # Then it is Kith's whole-file refusal, not the csv module's error
    with pytest.raises(InvalidInput, match="this CSV file cannot be read: field larger than field limit"):
        parse_kith_csv(HEADER + "Ana," + "x" * 200_000 + "\r\n")
