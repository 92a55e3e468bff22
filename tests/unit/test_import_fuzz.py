"""Every parser of contact files, fed hostile-but-plausible files (tests/unit/import_fuzz_files.py).

A parser's only outcomes are a `ParsedFile` (rows, and row problems naming their lines) or Kith's
whole-file refusal, `InvalidInput`; any other exception is a 500 at `POST /v1/imports`. Each row it
gives is one the import can keep: a name the domain takes, addresses already normalised.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from kith.domain.models import normalise_email
from kith.errors import InvalidInput
from kith.imports.cells import person_name
from kith.imports.detect import parse_contacts_file
from kith.imports.google_csv import parse_google_csv
from kith.imports.kith_csv import parse_kith_csv
from kith.imports.linkedin import parse_linkedin_csv
from kith.imports.rows import ParsedFile
from kith.imports.vcard import parse_vcards

from .import_fuzz_files import contact_files, google_texts, kith_texts, linkedin_texts, vcard_texts

# No example database: the run leaves nothing behind in the working tree.
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def assert_read_or_refused(parse: Callable[[], ParsedFile]) -> None:
    try:
        parsed = parse()
    except InvalidInput as refused:
        assert str(refused)
        return
    lines = [row.line for row in parsed.rows] + [problem.line for problem in parsed.problems]
    assert all(line >= 1 for line in lines)
    assert all(problem.reason for problem in parsed.problems)
    for row in parsed.rows:
        assert person_name(row.name) == row.name
        assert all(normalise_email(address) == address for address in row.emails)
        assert not set(row.emails) & set(row.skipped_addresses)


@FUZZ
@given(linkedin_texts())
def test_linkedin_connections_read_or_are_refused(text: str) -> None:
    assert_read_or_refused(lambda: parse_linkedin_csv(text))


@FUZZ
@given(google_texts())
def test_google_contacts_read_or_are_refused(text: str) -> None:
    assert_read_or_refused(lambda: parse_google_csv(text))


@FUZZ
@given(kith_texts())
def test_kith_csv_reads_or_is_refused(text: str) -> None:
    assert_read_or_refused(lambda: parse_kith_csv(text))


@FUZZ
@given(vcard_texts())
def test_vcards_read_or_are_refused(text: str) -> None:
    assert_read_or_refused(lambda: parse_vcards(text))


@FUZZ
@given(contact_files())
def test_any_contact_file_reads_or_is_refused_whole(data: bytes) -> None:
    assert_read_or_refused(lambda: parse_contacts_file(data, "upload"))
