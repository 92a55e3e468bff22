"""Import: a LinkedIn file's dry-run report, then the import in parts with a progress bar, then People."""

from __future__ import annotations

from pathlib import Path

from kith_local.browser import sign_in, wait_until_shown
from playwright.sync_api import Page, expect

from tests.browser.support import Console, Owner, visit

LINKEDIN = Path(__file__).parents[1] / "fixtures" / "imports" / "linkedin_connections.csv"
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def test_a_linkedin_file_is_checked_then_imported_and_its_people_listed(
    console: Console, owner: Owner, page: Page
) -> None:
    # Given a signed-in owner on Import, with no contacts
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/import")
    # When LinkedIn's Connections.csv is picked
    page.get_by_label("Contact file").set_input_files(LINKEDIN)
    # Then the dry run's report is shown: eight new, two skipped each with its line and the reason
    report = page.locator(".import-report")
    expect(report).to_be_visible()
    expect(page.locator(".import-new strong")).to_have_text("8")
    expect(page.locator(".import-skipped strong")).to_have_text("2")
    skipped = report.locator("tr.outcome-skipped")
    expect(skipped).to_have_count(2)
    lines = skipped.evaluate_all("rows => rows.map(row => [row.cells[0].textContent, row.cells[3].textContent])")
    assert [line for line, _ in lines] == ["11", "12"]
    assert "no such day" in lines[0][1] and "no name" in lines[1][1].lower()
    # And nothing is imported yet
    assert console.contacts(owner) == []
    # When the import is confirmed
    page.get_by_role("button", name="Import 8 contacts").click()
    # Then it finishes, says what it did, and People lists the eight (markup in a name shown as text)
    expect(page.locator(".notice-ok")).to_contain_text("Done: 8 new contacts")
    page.get_by_role("link", name="See your people").click()
    wait_until_shown(page, "#/people")
    rows = page.locator("li[data-contact-id]")
    expect(rows).to_have_count(8)
    expect(page.get_by_role("link", name="Ana Lima")).to_be_visible()
    expect(page.locator("main")).to_contain_text("<b>Dmitri</b> O'Neil <script>alert(1)</script>")
    stored = console.contacts(owner)
    assert sorted(contact["contact_id"] for contact in stored) == sorted(
        rows.evaluate_all("rows => rows.map(row => row.dataset.contactId)")
    )


def test_a_large_file_imports_in_parts_with_a_progress_bar(
    console: Console, owner: Owner, page: Page, tmp_path: Path
) -> None:
    # Given a LinkedIn file of 201 people: the console imports it in parts of at most 200 rows, so two
    rows = "".join(
        f"Person,Number {i},https://www.linkedin.com/in/person-{i},person{i}@example.com,Acme,Engineer,01 Jan 2024\n"
        for i in range(201)
    )
    connections = tmp_path / "Connections.csv"
    connections.write_text(LINKEDIN_HEADER + rows, encoding="utf-8")
    sign_in(page, console.base_url, owner.subject, owner.email)
    visit(page, console, "#/import")
    page.get_by_label("Contact file").set_input_files(connections)
    expect(page.locator(".import-new strong")).to_have_text("201")
    # When it is imported, its progress words watched as they change
    page.evaluate(
        """() => {
            window.kithProgress = [];
            new MutationObserver(() => {
                const words = document.getElementById('progress-words');
                const seen = window.kithProgress;
                if (words && words.textContent !== seen.at(-1)) seen.push(words.textContent);
            }).observe(document.getElementById('main'), {subtree: true, childList: true, characterData: true});
        }"""
    )
    page.get_by_role("button", name="Import 201 contacts").click()
    expect(page.locator(".notice-ok")).to_contain_text("Done: 201 new contacts", timeout=60_000)
    # Then the bar went through each part in order, and every person is in
    said = page.evaluate("() => window.kithProgress")
    counted = [line.split(" of ")[0] for line in said]
    assert counted == ["0", "200", "201"], said
    assert len(console.contacts(owner)) == 201
