"""POST /v1/imports fed hostile-but-plausible contact files (tests/unit/import_fuzz_files.py), through the handler.

Whatever the file, the answer is a report (200 for a dry run, 201 for an import) or a 4xx naming what
was wrong with the file as a whole: never a 5xx.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.support import Kith
from tests.unit.import_fuzz_files import contact_files

# Fewer cases than the parsers' own fuzzing (tests/unit/test_import_fuzz.py): each one is a whole request.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@FUZZ
@given(data=contact_files(), dry_run=st.booleans())
def test_any_contact_file_gets_a_report_or_a_4xx(kith: Kith, data: bytes, dry_run: bool) -> None:
    if kith.http("GET", "/v1/owner")[0] == 404:
        kith.create_owner()
    query = "true" if dry_run else "false"
    status, answer = kith.http("POST", f"/v1/imports?dry_run={query}", raw=data, headers={"content-type": "text/csv"})
    assert status in (200, 201, 413, 422), (status, answer)
    if status >= 400:
        assert answer["error"]
    else:
        assert answer["dry_run"] is dry_run
        assert all(row["line"] >= 1 for row in answer["rows"])
