"""Account: the export downloads files an import reads back; erasing the account leaves nothing of it."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

from kith_local.browser import sign_in
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner, visit

CONTACTS = [
    {"name": "Ana Lima", "emails": ["ana@lumen.example"], "company": "Lumen", "circle": "inner", "goal": "mentorship"},
    {"name": "Bo Chen", "emails": ["bo@fjord.example", "bo.chen@example.com"], "circle": "wider", "tags": ["ski"]},
    {"name": "Zoë Ōkubo-Müller", "emails": [], "title": "CTO", "notes": "Met at the\nBerlin meetup"},
]


def _add_network(console: Console, owner: Owner) -> list[str]:
    ids = []
    for contact in CONTACTS:
        created = console.api(owner, "POST", "/v1/contacts", contact)
        assert created.status == 201, created.body
        ids.append(created.body["contact_id"])
    return ids


def _dry_run(console: Console, owner: Owner, path: Path) -> dict[str, Any]:
    query = urllib.parse.urlencode({"dry_run": "true", "filename": path.name})
    report = console.api(
        owner, "POST", f"/v1/imports?{query}", raw=path.read_bytes(), headers={"content-type": "text/csv"}
    )
    assert report.status == 200, report.body
    return report.body


def test_the_export_downloads_files_that_import_back(
    console: Console, owner: Owner, another_owner: Owner, page: Page, tmp_path: Path
) -> None:
    # Given an owner with three contacts, signed in on Account
    _add_network(console, owner)
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/account")
    # When the contacts are downloaded as CSV
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download contacts (CSV)").click()
    saved = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(saved)
    # Then the file is Kith's CSV: another owner's dry run finds three new people, this owner's three unchanged
    assert saved.suffix == ".csv"
    theirs = _dry_run(console, another_owner, saved)
    assert (theirs["format"], theirs["new"], theirs["merged"], theirs["skipped"]) == ("kith", 3, 0, 0)
    ours = _dry_run(console, owner, saved)
    assert (ours["new"], ours["unchanged"], ours["skipped"]) == (0, 3, 0)
    assert console.api(another_owner, "GET", "/v1/contacts").body["contacts"] == []
    # When everything is downloaded as JSON, Then it holds the profile and the three contacts
    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download everything (JSON)").click()
    document = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert json_download.value.suggested_filename.endswith(".json")
    assert sorted(contact["name"] for contact in document["contacts"]) == sorted(str(c["name"]) for c in CONTACTS)
    expect(page.locator("#status")).to_contain_text("downloading")


def test_erasing_the_account_asks_for_the_typed_confirmation_then_leaves_nothing(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given an owner with contacts, a logged call and a Cal.com calendar, signed in on Account
    ids = _add_network(console, owner)
    call = {"kind": "call", "contact_ids": ids[:2], "at": "2026-01-05T10:00:00Z", "title": "Catch-up"}
    assert console.api(owner, "POST", "/v1/interactions", call).status == 201
    assert console.api(owner, "POST", "/v1/connections", {"provider": "calcom"}).status == 201
    assert console.items_of(owner)
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/account")
    confirmation = page.get_by_label("Type your e-mail")
    # When the confirmation typed is not the address (nor "delete")
    confirmation.fill("not me")
    page.get_by_role("button", name="Erase my account").click()
    # Then nothing is erased, and the field says what to type
    expect(confirmation).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error:visible")).to_contain_text(owner.email)
    assert console.api(owner, "GET", "/v1/owner").status == 200
    # When the address is typed
    confirmation.fill(owner.email.upper())
    page.get_by_role("button", name="Erase my account").click()
    # Then the owner is signed out, and the table holds no item naming them or their address
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0
    assert console.items_of(owner) == []
    assert console.api(owner, "GET", "/v1/owner").status == 404
