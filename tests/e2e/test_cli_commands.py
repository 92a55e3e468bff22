"""`kith` for what a person does (setup, contacts, due, log, goals, export), against the local API server over HTTP.

One local Kith serves the module; each test speaks as its own owner (`dev:<test name>`), so none sees another's data.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import kith_cli.api
import pytest
from kith_cli.main import main
from kith_local.aws import local_aws
from kith_local.clock import WallClock
from kith_local.harness import LocalKith


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Tty(io.StringIO):
    """Answers typed at a terminal."""

    def isatty(self) -> bool:
        return True


class Cli:
    def __init__(self, kith: LocalKith, token: str) -> None:
        self.kith = kith
        self.token = token

    def __call__(self, *argv: str, stdin: io.StringIO | None = None) -> Ran:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--api", self.kith.base_url, "--token", self.token, *argv], out, err, stdin or io.StringIO())
        return Ran(code, out.getvalue(), err.getvalue())

    def api(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.kith.request(method, path, body, token=self.token)
        assert answer.status < 300, answer.body
        return answer.body

    def owner(self, **settings: Any) -> None:
        self.api(
            "PUT",
            "/v1/owner",
            {"email": "olive@example.com", "name": "Olive", "time_zone": "Europe/Berlin", **settings},
        )

    def contact(self, name: str, email: str | None = None, *, days_ago: int | None = None, **fields: Any) -> str:
        body: dict[str, Any] = {"name": name, "emails": [email] if email else [], **fields}
        if days_ago is not None:
            body["last_interaction_at"] = (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        created: str = self.api("POST", "/v1/contacts", body)["contact_id"]
        return created


@pytest.fixture(scope="module")
def kith() -> Iterator[LocalKith]:
    with local_aws(), LocalKith(WallClock(), stage="clicmd") as local:
        yield local


@pytest.fixture
def cli(kith: LocalKith, request: pytest.FixtureRequest) -> Cli:
    return Cli(kith, f"dev:{request.node.name[:60]}")


# -- kith setup -------------------------------------------------------------------------------------


def test_setup_from_flags_creates_the_profile_then_changes_only_what_is_given(cli: Cli) -> None:
    # When a script sets every value by flag
    ran = cli(
        "setup", "--email", "olive@example.com", "--name", "Olive", "--time-zone", "Europe/Berlin",
        "--digest-days", "mon,thu", "--digest-hour", "7", "--digest-size", "3", "--follow-up-delay", "90",
        "--working-days", "mon-thu", "--working-hours", "8-16", "--meeting-size-limit", "12",
        "--pause-until", "2027-01-04",
    )  # fmt: skip
    # Then the profile holds them, the pause from that local midnight, and the summary says so
    assert ran.code == 0, ran.err
    assert "saved Olive <olive@example.com>" in ran.out and "mon,thu at 07:00, at most 3 people" in ran.out
    assert "paused      until Mon 04 Jan 2027 00:00" in ran.out
    expected = {
        "time_zone": "Europe/Berlin",
        "digest_weekdays": [0, 3],
        "digest_hour": 7,
        "digest_limit": 3,
        "working_hours": {"days": [0, 1, 2, 3], "start_hour": 8, "end_hour": 16},
        "follow_up_delay_minutes": 90,
        "meeting_size_limit": 12,
        "paused_until": "2027-01-03T23:00:00Z",
        "other_addresses": [],
        "keep_email_subjects": False,
    }
    assert cli.api("GET", "/v1/owner")["settings"] == expected
    # Given the mail settings changed in the console meanwhile
    mail = {"other_addresses": ["olive@work.example"], "keep_email_subjects": True}
    profile = {"email": "olive@example.com", "name": "Olive", **expected, **mail}
    assert cli.kith.request("PUT", "/v1/owner", profile, token=cli.token).status == 200
    expected |= mail
    # When only the digest size changes, with --json
    ran = cli("setup", "--digest-size", "4", "--json")
    # Then the rest stays (the pause too), and stdout is the API's answer as it is
    assert ran.code == 0, ran.err
    owner = cli.api("GET", "/v1/owner")
    assert ran.json() == owner and owner["settings"] == {**expected, "digest_limit": 4}
    # And a pause ends with --resume
    assert cli("setup", "--resume").code == 0
    assert cli.api("GET", "/v1/owner")["settings"]["paused_until"] is None


def test_setup_without_a_terminal_needs_the_email_and_name_of_a_new_profile(cli: Cli) -> None:
    ran = cli("setup", "--name", "Olive")
    assert ran.code == 2 and "a new profile needs --email" in ran.err and "kith setup` in a terminal" in ran.err
    assert cli.kith.request("GET", "/v1/owner", token=cli.token).status == 404
    # And a value that does not read is a usage error naming it, before anything is sent
    ran = cli("setup", "--email", "o@example.com", "--name", "O", "--time-zone", "Mars/Olympus")
    assert ran.code == 2 and "'Mars/Olympus' is not an IANA time zone" in ran.err


def test_setup_in_a_terminal_asks_with_the_machines_time_zone_as_default(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    # Given answers typed at a terminal: a wrong address then a right one, Enter for the time zone,
    # an hour out of range then a good one, and Enter for the rest
    typed = ["not-an-address", "ivy@example.com", "Ivy", "", "mon,thu", "25", "9", "", "", "", ""]
    ran = cli("setup", stdin=Tty("\n".join(typed) + "\n"))
    # Then each question was asked on stderr, the wrong answers asked again, and the defaults taken
    assert ran.code == 0, ran.err
    assert "Time zone [America/New_York]: " in ran.err and "Digest hour (0-23) [8]: " in ran.err
    assert "'not-an-address' is not an e-mail address" in ran.err and "25 is not between 0 and 23" in ran.err
    owner = cli.api("GET", "/v1/owner")
    assert (owner["email"], owner["name"]) == ("ivy@example.com", "Ivy")
    settings = owner["settings"]
    assert (settings["time_zone"], settings["digest_weekdays"], settings["digest_hour"]) == (
        "America/New_York",
        [0, 3],
        9,
    )
    assert (settings["digest_limit"], settings["follow_up_delay_minutes"]) == (5, 60)
    # When asked again, Then the current values are the defaults, and Enter keeps them all
    ran = cli("setup", stdin=Tty("\n" * 9))
    assert ran.code == 0, ran.err
    assert "E-mail address [ivy@example.com]: " in ran.err and "Digest days [mon,thu]: " in ran.err
    assert cli.api("GET", "/v1/owner")["settings"] == settings
    # And a flag is not asked for; --no-input asks nothing
    ran = cli("setup", "--digest-hour", "10", "--no-input", stdin=Tty(""))
    assert ran.code == 0 and ran.err == "" and cli.api("GET", "/v1/owner")["settings"]["digest_hour"] == 10


def test_commands_before_setup_say_to_run_kith_setup(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEMAIL:ada@example.com\nEND:VCARD\n", encoding="utf-8")
    for argv in (("import", str(path), "--yes"), ("goals", "set", "mentorship"), ("due",)):
        ran = cli(*argv)
        assert ran.code == 1 and "no owner profile yet: create it with `kith setup` (HTTP 404)" in ran.err, argv


# -- kith contacts ----------------------------------------------------------------------------------


def test_contacts_are_added_listed_through_every_page_filtered_and_searched(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.owner()
    # When a contact is added with its fields
    ran = cli(
        "contacts", "add", "Ada Lovelace", "--email", "ada@example.com", "--email", "ada@work.example",
        "--circle", "inner", "--goal", "mentorship", "--company", "Analytical", "--tag", "math",
        "--last-met", "2026-01-05",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.out.startswith("added Ada Lovelace (") and ran.out.rstrip().endswith("in inner")
    for n in range(6):
        cli.contact(f"Person {n}", f"p{n}@example.com", circle="wider" if n % 2 else "core")
    ran = cli("contacts", "add", "Cy Custom", "--cadence-days", "10", "--json")
    assert ran.code == 0 and ran.json()["circle"] == "custom" and ran.json()["cadence_days"] == 10
    # When listed in pages of two
    monkeypatch.setattr(kith_cli.api, "PAGE", 2)
    ran = cli("contacts", "list", "--json")
    # Then every contact is there once, as the API gives them
    names = sorted(contact["name"] for contact in ran.json()["contacts"])
    assert names == sorted(["Ada Lovelace", "Cy Custom", *(f"Person {n}" for n in range(6))])
    ada = next(contact for contact in ran.json()["contacts"] if contact["name"] == "Ada Lovelace")
    assert ada["emails"] == ["ada@example.com", "ada@work.example"] and ada["tags"] == ["math"]
    assert ada["last_interaction_at"].startswith("2026-01-0")
    # And the table lists them with a header
    ran = cli("contacts", "list")
    lines = ran.out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "CIRCLE", "GOAL", "LAST", "SEEN", "E-MAIL"] and len(lines) == 9
    assert "custom 10d" in ran.out
    # And filters narrow the list
    wider = cli("contacts", "list", "--circle", "wider", "--json").json()["contacts"]
    assert sorted(contact["name"] for contact in wider) == ["Person 1", "Person 3", "Person 5"]
    assert [c["name"] for c in cli("contacts", "list", "--goal", "mentorship", "--json").json()["contacts"]] == [
        "Ada Lovelace"
    ]
    assert [c["name"] for c in cli("contacts", "list", "--due", "--json").json()["contacts"]] == ["Ada Lovelace"]
    assert [c["name"] for c in cli("contacts", "list", "--overdue", "--json").json()["contacts"]] == ["Ada Lovelace"]
    # And a search finds by the start of a word or of an address
    assert [c["name"] for c in cli("contacts", "search", "love", "--json").json()["contacts"]] == ["Ada Lovelace"]
    assert "Person 4" in cli("contacts", "search", "p4@").out
    assert cli("contacts", "search", "nobody").out == "no contacts\n"


def test_a_contact_is_shown_edited_with_its_etag_and_deleted_after_asking(cli: Cli) -> None:
    cli.owner()
    ada = cli.contact("Ada Lovelace", "ada@example.com", company="Analytical")
    cli.contact("Adam Smith", "adam@example.com")
    # When shown by id, and by a search that matches her alone
    by_id = cli("contacts", "show", ada)
    assert by_id.code == 0 and "company                 Analytical" in by_id.out
    assert cli("contacts", "show", "lovelace", "--json").json()["contact_id"] == ada
    # When edited: a goal set, the company cleared, an address added
    ran = cli("contacts", "edit", "Ada Lovelace", "--goal", "mentorship", "--company", "", "--add-email", "a@l.example")
    # Then the change is made on the version read, and the answer says what changed
    assert ran.code == 0 and ran.out == "changed Ada Lovelace: company, emails, goal\n", ran.err
    after = cli.api("GET", f"/v1/contacts/{ada}")
    assert (after["goal"], after["company"], after["emails"]) == (
        "mentorship",
        None,
        ["ada@example.com", "a@l.example"],
    )
    assert after["version"] == 2
    ran = cli("contacts", "edit", ada, "--remove-email", "ada@example.com", "--json")
    assert ran.code == 0 and ran.json()["emails"] == ["a@l.example"] and ran.json()["version"] == 3
    # And an edit with nothing to change is a usage error
    assert cli("contacts", "edit", ada).code == 2
    # When deletion is asked and the answer is no, Then nothing is deleted (exit 1)
    ran = cli("contacts", "delete", ada, stdin=io.StringIO("n\n"))
    assert ran.code == 1 and "nothing deleted" in ran.err and "Erase Ada Lovelace" in ran.err
    assert cli.kith.request("GET", f"/v1/contacts/{ada}", token=cli.token).status == 200
    # When answered yes, Then she is gone; --yes does not ask
    assert cli("contacts", "delete", ada, stdin=io.StringIO("y\n")).out == "deleted Ada Lovelace\n"
    assert cli.kith.request("GET", f"/v1/contacts/{ada}", token=cli.token).status == 404
    assert cli("contacts", "delete", "adam", "--yes").code == 0
    assert cli.api("GET", "/v1/contacts")["contacts"] == []


def test_a_contact_changed_between_the_read_and_the_write_is_not_overwritten(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.owner()
    ada = cli.contact("Ada Lovelace", "ada@example.com")
    read = kith_cli.api.Api.send

    def another_client_writes_after_each_read(
        api: kith_cli.api.Api, method: str, path: str, *args: Any, **kw: Any
    ) -> kith_cli.api.Reply:
        reply = read(api, method, path, *args, **kw)
        if method == "GET" and path == f"/v1/contacts/{ada}":
            cli.api("PATCH", f"/v1/contacts/{ada}", {"title": "Countess"})
        return reply

    # Given another client changing Ada just after each read of her
    monkeypatch.setattr(kith_cli.api.Api, "send", another_client_writes_after_each_read)
    # When she is edited, or deleted, Then the write is refused as stale (412) and changes nothing
    ran = cli("contacts", "edit", ada, "--goal", "mentorship")
    assert ran.code == 1 and "(HTTP 412)" in ran.err
    ran = cli("contacts", "delete", ada, "--yes")
    assert ran.code == 1 and "(HTTP 412)" in ran.err
    monkeypatch.undo()
    after = cli.api("GET", f"/v1/contacts/{ada}")
    assert after["goal"] is None and after["title"] == "Countess"


def test_the_apis_refusal_is_exit_1_with_its_reason_and_a_usage_error_exit_2(cli: Cli) -> None:
    cli.owner()
    # Given an address the API refuses
    ran = cli("contacts", "add", "Bad", "--email", "not-an-address")
    assert ran.code == 1 and ran.err.startswith("kith: emails.0") and "(HTTP 422)" in ran.err
    ada = cli.contact("Ada", "ada@example.com")
    ran = cli("contacts", "add", "Ada Again", "--email", "ada@example.com")
    assert ran.code == 1 and "(HTTP 409)" in ran.err
    ran = cli("contacts", "show", "0" * 32)
    assert ran.code == 1 and "(HTTP 404)" in ran.err
    # And usage errors are exit 2, with argparse's message, before anything is sent
    for argv in (("contacts", "add"), ("contacts", "list", "--circle", "closest"), ("due", "--limit", "0"), ("nope",)):
        ran = cli(*argv)
        assert ran.code == 2 and "usage: kith" in ran.err, argv
    assert [c["contact_id"] for c in cli.api("GET", "/v1/contacts")["contacts"]] == [ada]


# -- kith due and kith log --------------------------------------------------------------------------


def test_due_lists_the_next_digest_in_its_order(cli: Cli) -> None:
    cli.owner(digest_limit=2)
    cli.contact("Will Wider", "will@example.com", circle="wider", days_ago=300)
    cli.contact("Ivy Inner", "ivy@example.com", circle="inner", days_ago=40)
    cli.contact("Gina Goal", "gina@example.com", goal="job search", days_ago=90)
    cli.contact("Fred Fresh", "fred@example.com", days_ago=1)
    # When asked for the next digest's list
    ran = cli("due")
    # Then the table has the digest's people, in the order the API ranks them, with how late each is
    assert ran.code == 0, ran.err
    ranked = [entry["name"] for entry in cli.api("GET", "/v1/due")["contacts"]]
    lines = ran.out.splitlines()
    assert lines[0].startswith("next digest: ") and "(Europe/Berlin)" in lines[0]
    assert lines[1].split()[:3] == ["#", "NAME", "CIRCLE"]
    assert [" ".join(line.split()[1:3]) for line in lines[2:]] == ranked and len(ranked) == 2
    assert "overdue" in ran.out
    # And --limit goes further down the ranking; --json is the API's answer
    ran = cli("due", "--limit", "10", "--json")
    assert ran.json() == cli.api("GET", "/v1/due?limit=10")
    assert [entry["name"] for entry in ran.json()["contacts"]][:2] == ranked
    assert {entry["name"] for entry in ran.json()["contacts"]} == {"Will Wider", "Ivy Inner", "Gina Goal"}


def test_nothing_due_says_so(cli: Cli) -> None:
    cli.owner()
    cli.contact("Fred Fresh", "fred@example.com", days_ago=1)
    ran = cli("due")
    assert ran.code == 0 and ran.out.startswith("nobody is due by the next digest")


def test_log_records_a_call_with_contacts_named_by_search_or_id(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.owner()
    ada = cli.contact("Ada Lovelace", "ada@example.com", days_ago=100)
    bob = cli.contact("Bob Byron", "bob@example.com", days_ago=100)
    # When a call is logged now with Ada (by a search) and Bob (by id)
    before = datetime.now(UTC)
    ran = cli("log", "call", "lovelace", bob, "--title", "Catch-up")
    # Then both clocks moved to now, and the interaction is listed with its title
    assert ran.code == 0 and ran.out.startswith("logged a call with Ada Lovelace, Bob Byron at "), ran.err
    for contact_id in (ada, bob):
        contact = cli.api("GET", f"/v1/contacts/{contact_id}")
        at = datetime.fromisoformat(contact["last_interaction_at"])
        assert (
            before - timedelta(seconds=1) <= at <= datetime.now(UTC) and contact["last_interaction_title"] == "Catch-up"
        )
    # When a note is logged at a day and time without an offset, Then it is read in this machine's time zone
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    ran = cli("log", "note", "ada@example.com", "--at", "2026-01-02T09:30", "--json")
    assert ran.code == 0, ran.err
    assert ran.json()["kind"] == "note" and ran.json()["start"] == "2026-01-02T00:30:00Z"
    assert ran.json()["contact_ids"] == [ada]
    # And a time in the future is the API's refusal, naming `at`
    ran = cli("log", "message", ada, "--at", (datetime.now(UTC) + timedelta(days=2)).isoformat())
    assert ran.code == 1 and ran.err.startswith("kith: at") and "(HTTP 422)" in ran.err


def test_a_name_matching_several_contacts_or_none_is_refused_listing_the_candidates(cli: Cli) -> None:
    cli.owner()
    ada = cli.contact("Ada Lovelace", "ada@example.com", days_ago=100)
    adam = cli.contact("Adam Smith", "adam@example.com", days_ago=100)
    short = cli.contact("Ada", "ada.short@example.com", days_ago=100)
    # When the name is the start of several
    ran = cli("log", "call", "ad")
    # Then nothing is logged, and the candidates are listed with their ids
    assert ran.code == 1 and "'ad' matches 3 contacts; name one by its id" in ran.err
    assert ada in ran.err and adam in ran.err and "Adam Smith" in ran.err
    # And no match at all says so
    ran = cli("log", "call", "zelda")
    assert ran.code == 1 and "no contact matches 'zelda'" in ran.err
    assert cli.api("GET", "/v1/interactions")["interactions"] == []
    # But a whole name that only one contact has picks that one, though it starts others
    assert cli("log", "call", "ada").code == 0
    assert [i["contact_ids"] for i in cli.api("GET", "/v1/interactions")["interactions"]] == [[short]]


# -- kith goals and kith export ---------------------------------------------------------------------


def test_goals_are_listed_and_set(cli: Cli) -> None:
    cli.owner()
    assert cli("goals").out.startswith("no goals")
    ran = cli("goals", "set", "job search", "mentorship", "--inactive", "partnerships")
    assert ran.code == 0, ran.err
    assert ran.out.splitlines()[1:] == [
        "job search    active",
        "mentorship    active",
        "partnerships  set aside",
    ]
    expected = {
        "goals": [
            {"name": "job search", "active": True},
            {"name": "mentorship", "active": True},
            {"name": "partnerships", "active": False},
        ]
    }
    assert cli("goals", "list", "--json").json() == expected == cli.api("GET", "/v1/goals")
    # And a goal named twice is the API's refusal; nothing named, a usage error; --none declares none
    ran = cli("goals", "set", "a", "a")
    assert ran.code == 1 and "named twice" in ran.err
    assert cli("goals", "set").code == 2
    assert cli("goals", "set", "--none", "--json").json() == {"goals": []}


def test_export_writes_the_json_document_or_the_csv_an_import_reads_back(cli: Cli, tmp_path: Path) -> None:
    cli.owner()
    cli.contact("Ada Lovelace", "ada@example.com", goal="mentorship")
    cli.contact("Bob Byron", "bob@example.com")
    # When everything is exported to a file
    path = tmp_path / "kith.json"
    ran = cli("export", "-o", str(path))
    # Then the file is the API's document
    assert ran.code == 0 and ran.out.startswith(f"wrote {path} (")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(contact["name"] for contact in document["contacts"]) == ["Ada Lovelace", "Bob Byron"]
    assert document["owner"]["email"] == "olive@example.com"
    # When the contacts are exported as CSV to stdout
    ran = cli("export", "--csv")
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert ran.code == 0 and sorted(row["name"] for row in rows) == ["Ada Lovelace", "Bob Byron"]
    # Then importing that file changes nothing
    exported = tmp_path / "contacts.csv"
    exported.write_text(ran.out, encoding="utf-8")
    ran = cli("import", str(exported), "--yes", "--json")
    assert ran.code == 0 and (ran.json()["unchanged"], ran.json()["new"]) == (2, 0)


# -- reaching the API -------------------------------------------------------------------------------


def test_a_missing_address_or_token_says_how_to_set_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Given nobody signed in with `kith login`, and neither an address nor a token
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("KITH_API_URL", raising=False)
    monkeypatch.delenv("KITH_TOKEN", raising=False)
    err = io.StringIO()
    assert main(["due"], io.StringIO(), err) == 2
    assert "run `kith login --api URL`" in err.getvalue()
    assert "KITH_API_URL and KITH_TOKEN" in err.getvalue() and "--token dev:me" in err.getvalue()
    monkeypatch.setenv("KITH_API_URL", "127.0.0.1:3000")
    monkeypatch.setenv("KITH_TOKEN", "dev:me")
    err = io.StringIO()
    assert main(["due"], io.StringIO(), err) == 2 and "not an http:// or https:// address" in err.getvalue()


def test_an_unreachable_api_or_a_server_error_is_exit_3() -> None:
    err = io.StringIO()
    assert main(["--api", "http://127.0.0.1:9", "--token", "dev:me", "due"], io.StringIO(), err) == 3
    assert "cannot reach http://127.0.0.1:9" in err.getvalue()

    class Failing(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"message": "Internal Server Error"}'
            self.send_response(502)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        err = io.StringIO()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert main(["--api", url, "--token", "dev:me", "contacts", "list"], io.StringIO(), err) == 3
        assert err.getvalue() == "kith: the API failed: Internal Server Error (HTTP 502)\n"
    finally:
        server.shutdown()
        server.server_close()


def test_json_may_come_before_or_after_the_command(cli: Cli) -> None:
    cli.owner()
    assert cli("--json", "goals").json() == cli("goals", "--json").json() == {"goals": []}
