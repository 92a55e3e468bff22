"""Importing contact files: dry run, then the real run, merged by e-mail and LinkedIn, all or nothing (§7, §9)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.support import Kith

LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    "You will only see email addresses for connections who have allowed their connections to see or download "
    'their email address using this setting https://www.linkedin.com/psettings/privacy/email."\n'
    "\n"
    + """First Name,Last Name,URL,Email Address,Company,Position,Connected On
Ana,Lima,https://www.linkedin.com/in/ana-lima-1a2b3c,ana@lumen.example,Lumen,VP Product,12 Mar 2024
Ben,Okafor,https://www.linkedin.com/in/benokafor,,Fjord Labs,CTO,03 Jan 2023
Chiara,Bianchi,https://www.linkedin.com/in/chiara-b,,Ponte Ventures,Partner,28 Feb 2022
"""
)
KITH_HEADER = (
    "name,emails,linkedin_url,company,title,circle,cadence_days,goal,tags,notes,"
    "last_interaction_at,last_interaction_title,contact_id,snoozed_until\n"
)


def _kith_csv(rows: int, start: int = 0) -> bytes:
    lines = [f"Person {i},person{i}@example.com,,Co {i},,core,,,,,,,\n" for i in range(start, start + rows)]
    return (KITH_HEADER + "".join(lines)).encode()


def _import(kith: Kith, data: bytes, *, dry_run: bool, owner: str = "owner-1") -> tuple[int, Any]:
    query = "true" if dry_run else "false"
    return kith.http(
        "POST",
        f"/v1/imports?dry_run={query}",
        raw=data,
        owner=owner,
        headers={"content-type": "text/csv"},
    )


def _contacts(kith: Kith) -> dict[str, dict]:
    return {contact["name"]: contact for contact in kith.http("GET", "/v1/contacts?limit=200")[1]["contacts"]}


@pytest.fixture
def owner(kith: Kith) -> dict:
    return kith.create_owner()


def test_a_dry_run_reports_each_row_and_writes_nothing(kith: Kith, owner: dict) -> None:
    # Given an owner who already has Ana (under another spelling of her address)
    kith.create_contact("Ana L.", "ANA@lumen.example")
    before = kith.state()
    # When LinkedIn's export is sent as a dry run
    status, report = _import(kith, LINKEDIN.encode(), dry_run=True)
    # Then it says Ana merges (company and title, profile), Ben and Chiara are new, and nothing was written
    assert status == 200 and report["format"] == "linkedin" and report["dry_run"] is True
    assert (report["new"], report["merged"], report["unchanged"], report["skipped"]) == (2, 1, 0, 0)
    ana = next(row for row in report["rows"] if row["name"] == "Ana L.")
    assert ana["outcome"] == "merged" and set(ana["changes"]) >= {"company", "linkedin_url", "title"}
    assert [row["line"] for row in report["rows"]] == [5, 6, 7]
    assert kith.state() == before


def test_the_real_run_adds_and_merges_and_a_second_run_changes_nothing(kith: Kith, owner: dict) -> None:
    kith.create_contact("Ana L.", "ana@lumen.example")
    # When the file is imported for real
    status, report = _import(kith, LINKEDIN.encode(), dry_run=False)
    assert status == 201 and (report["new"], report["merged"]) == (2, 1)
    # Then Ben and Chiara are contacts with their profiles, and Ana kept her name but gained her company
    contacts = _contacts(kith)
    assert contacts["Ben Okafor"]["linkedin_url"] == "https://www.linkedin.com/in/benokafor"
    assert contacts["Ben Okafor"]["company"] == "Fjord Labs" and contacts["Ben Okafor"]["emails"] == []
    assert "Connected on LinkedIn on 3 Jan 2023" in contacts["Ben Okafor"]["notes"]
    assert contacts["Ana L."]["company"] == "Lumen" and "Ana Lima" not in contacts
    # And new contacts' first nudges are spread, not all on one day
    assert contacts["Ben Okafor"]["first_due_on"] != contacts["Chiara Bianchi"]["first_due_on"]
    # When the same file is imported again, Then every row is unchanged and the table is exactly as it was
    before = kith.state()
    status, again = _import(kith, LINKEDIN.encode(), dry_run=False)
    assert status == 201 and (again["new"], again["merged"], again["unchanged"]) == (0, 0, 3)
    assert kith.state() == before


def test_rows_of_one_file_merge_by_address_then_by_profile(kith: Kith, owner: dict) -> None:
    # Given a file naming Dee twice (same address, other case) and Eli twice (same profile)
    data = (
        KITH_HEADER
        + "Dee,dee@x.example,,Acme,,core,,,,,,,\n"
        + "Dee Dee,DEE@x.example; dee@y.example,,,CEO,core,,,vip,,,,\n"
        + "Eli,,https://www.linkedin.com/in/eli,,,core,,,,,,,\n"
        + "Eli R,eli@z.example,linkedin.com/in/ELI/,,,core,,,,,,,\n"
    ).encode()
    status, report = _import(kith, data, dry_run=False)
    # Then two contacts, each with everything its rows said
    assert status == 201 and (report["new"], report["merged"]) == (2, 2)
    contacts = _contacts(kith)
    assert set(contacts) == {"Dee", "Eli"}
    assert contacts["Dee"]["emails"] == ["dee@x.example", "dee@y.example"]
    assert (contacts["Dee"]["title"], contacts["Dee"]["tags"]) == ("CEO", ["vip"])
    assert contacts["Eli"]["emails"] == ["eli@z.example"]


def test_a_bad_row_is_skipped_with_its_line_and_the_rest_imported(kith: Kith, owner: dict) -> None:
    data = (KITH_HEADER + "Good,good@x.example,,,,core,,,,,,,\n" + ",not-an-address,,Acme,,core,,,,,,,\n").encode()
    status, report = _import(kith, data, dry_run=False)
    assert status == 201 and (report["new"], report["skipped"]) == (1, 1)
    skipped = next(row for row in report["rows"] if row["outcome"] == "skipped")
    assert skipped["line"] == 3 and "no name and no valid e-mail address" in skipped["reason"]
    assert set(_contacts(kith)) == {"Good"}


def test_an_invalid_address_keeps_the_person_and_the_report_names_it(kith: Kith, owner: dict) -> None:
    # Given LinkedIn's export with Chiara, whose address is written chiara(at)ponte.example
    data = LINKEDIN.replace(
        "Chiara,Bianchi,https://www.linkedin.com/in/chiara-b,,",
        "Chiara,Bianchi,https://www.linkedin.com/in/chiara-b,chiara(at)ponte.example,",
    ).encode()
    # When imported
    status, report = _import(kith, data, dry_run=False)
    # Then she is a new contact with her company and profile, and the report says which address was skipped
    assert status == 201 and (report["new"], report["skipped"]) == (3, 0)
    chiara = next(row for row in report["rows"] if row["line"] == 7)
    assert chiara["outcome"] == "new"
    assert chiara["reason"] == "skipped what is not an e-mail address: chiara(at)ponte.example"
    assert chiara["skipped_addresses"] == ["chiara(at)ponte.example"]
    contact = _contacts(kith)["Chiara Bianchi"]
    assert (contact["company"], contact["emails"]) == ("Ponte Ventures", [])
    assert contact["linkedin_url"] == "https://www.linkedin.com/in/chiara-b"


def test_a_linkedin_row_with_only_a_profile_is_skipped_not_named_by_its_slug(kith: Kith, owner: dict) -> None:
    # Given a connection row with no name and no address, only a profile URL
    data = (LINKEDIN + ",,https://www.linkedin.com/in/sam-reyes-4f2,,,,1 Jan 2024\n").encode()
    # When imported, Then that row is skipped with its line, and no contact is named "sam-reyes-4f2"
    status, report = _import(kith, data, dry_run=False)
    assert status == 201 and (report["new"], report["skipped"]) == (3, 1)
    assert [(row["line"], row["reason"]) for row in report["rows"] if row["outcome"] == "skipped"] == [
        (8, "no name and no e-mail address")
    ]
    assert "sam-reyes-4f2" not in _contacts(kith)


@pytest.mark.parametrize(
    ("data", "status", "fragment"),
    [
        (b"Full Name,Phone\nAna,123\n", 422, "columns"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 422, "not text"),
        (b"", 422, "empty"),
        (b"x" * (20 * 1024 * 1024), 413, "MB"),
    ],
    ids=["wrong-columns", "binary", "empty", "20-mb"],
)
def test_a_file_kith_cannot_read_is_refused_whole_and_changes_nothing(
    kith: Kith, owner: dict, data: bytes, status: int, fragment: str
) -> None:
    before = kith.state()
    answer_status, answer = _import(kith, data, dry_run=False)
    assert answer_status == status and fragment in answer["error"], answer
    assert kith.state() == before


def test_an_import_failing_midway_leaves_nothing_half_imported(kith: Kith, owner: dict) -> None:
    # Given an owner with one contact the file will merge into, and a file of 120 contacts (several transactions)
    kith.create_contact("Person 0", "person0@example.com")
    before = kith.state()
    client = kith.lambdas.modules["ApiFunction"].runtime.dynamodb
    real = client.transact_write_items
    calls = Counter[str]()

    def fail_the_third(**request: Any) -> Any:
        calls["transactions"] += 1
        if calls["transactions"] == 3:
            error = {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}
            raise ClientError(
                {"Error": error, "CancellationReasons": [{"Code": "ThrottlingError"}]}, "TransactWriteItems"
            )
        return real(**request)

    client.transact_write_items = fail_the_third
    try:
        # When the import's third transaction fails
        status, answer = _import(kith, _kith_csv(120), dry_run=False)
    finally:
        client.transact_write_items = real
    # Then the answer says nothing was imported, and the table is exactly as before
    assert status == 503 and "nothing was imported" in answer["error"]
    assert calls["transactions"] > 3
    assert kith.state() == before


def test_the_contacts_csv_export_imports_into_another_account_field_for_field(kith: Kith, owner: dict) -> None:
    # Given contacts with every field an owner sets, including text a spreadsheet would run as a formula
    kith.create_contact(
        'Ana "Q" Lima, PhD',
        "ana@lumen.example",
        linkedin_url="https://www.linkedin.com/in/ana",
        company='=HYPERLINK("x")',
        title="; -VP",
        circle="custom",
        cadence_days=45,
        goal="mentorship",
        tags=["vc", "nyc"],
        notes="line one\nline two, with a comma",
        last_interaction_at="2026-10-01T12:00:00Z",
    )
    kith.create_contact("Ben", "ben@x.example", circle="inner")
    ben = _contacts(kith)["Ben"]
    kith.http("PATCH", f"/v1/contacts/{ben['contact_id']}", {"snoozed_until": "2026-12-20T08:00:00Z"})
    export = kith.request("GET", "/v1/export/contacts.csv")
    status, csv_text = export.status, export.text
    assert status == 200 and "'=HYPERLINK" in csv_text and "; '-VP" in csv_text
    # When another owner imports the file
    kith.create_owner(owner_id="owner-2")
    status, report = _import(kith, csv_text.encode(), dry_run=False, owner="owner-2")
    assert status == 201 and report["format"] == "kith" and report["new"] == 2
    # Then each contact reads back the same, field for field
    fields = (
        "name", "emails", "linkedin_url", "company", "title", "circle", "cadence_days", "goal", "tags", "notes",
        "last_interaction_at", "last_interaction_title", "snoozed_until",
    )  # fmt: skip
    mine = {name: {f: c[f] for f in fields} for name, c in _contacts(kith).items()}
    status, listed = kith.http("GET", "/v1/contacts?limit=200", owner="owner-2")
    theirs = {c["name"]: {f: c[f] for f in fields} for c in listed["contacts"]}
    assert theirs == mine
