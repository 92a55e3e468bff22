"""Your network in and out: export everything, erase a contact, erase the account (PRODUCT.md §9)."""

from __future__ import annotations

import email
import email.policy
import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kith.domain.models import Suppression, SuppressionReason
from kith.errors import Retryable
from kith.imports.kith_csv import parse_kith_csv
from kith_local.fake_providers import FakeProviders
from kith_local.provider_payloads import calcom_body
from kith_local.provider_settings import google_overrides, microsoft_overrides

from tests.integration.support import OWNER, Kith

MONDAY_0800_BERLIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
OTHER = "owner-2"
LINK = re.compile(r"^\s*(?P<label>[A-Za-z ][A-Za-z0-9 ]*): (?P<url>https://[\w.-]+/a/\S+)$", re.MULTILINE)
NOTES = 'Met at "Rust Nation", London.\nTwo kids; prefers email — not calls.'


# -- helpers ------------------------------------------------------------------------------------------


def download(
    kith: Kith, path: str, *, owner: str = OWNER, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """GET a route whose answer is not JSON: (status, headers, body as sent over the wire, gzip undone)."""
    reply = kith.request("GET", path, owner=owner, headers=headers, content_type=None)
    raw = gzip.decompress(reply.content) if reply.headers.get("content-encoding") == "gzip" else reply.content
    return reply.status, dict(reply.headers), raw


def mentions(value: Any, text: str) -> bool:
    """Whether any string in a stored item (keys, attributes, lists and maps within) contains `text`."""
    if isinstance(value, str):
        return text in value
    if isinstance(value, dict):
        return any(mentions(inner, text) for inner in value.values())
    if isinstance(value, list):
        return any(mentions(inner, text) for inner in value)
    return False


def snapshot(items: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True) for item in items)


def by_title(kith: Kith) -> dict[str, dict[str, Any]]:
    return {
        interaction["title"]: interaction for interaction in kith.http("GET", "/v1/interactions")[1]["interactions"]
    }


def follow_ups(kith: Kith) -> dict[str, dict[str, Any]]:
    return {follow_up["title"]: follow_up for follow_up in kith.http("GET", "/v1/follow-ups")[1]["follow_ups"]}


def digest_link(kith: Kith, label: str) -> str:
    """A link from the digest email (not the follow-up)."""
    (digest,) = [
        message
        for message in (email.message_from_string(sent.raw_data, policy=email.policy.default) for sent in kith.sent())
        if not str(message["Subject"]).startswith("Follow up")
    ]
    plain = digest.get_body(preferencelist=("plain",))
    assert plain is not None
    text = plain.get_content()
    return next(match["url"] for match in LINK.finditer(text) if match["label"].strip() == label)


def book(kith: Kith, connection: dict[str, Any], uid: str, start: datetime, title: str, *guests: str) -> None:
    attendees = [(guest.split("@")[0].title(), guest) for guest in guests]
    status, _ = kith.webhook(connection, calcom_body("BOOKING_CREATED", uid, start, attendees, title=title))
    assert status == 202
    assert kith.process_meetings() == {"batchItemFailures": []}


# -- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture
def network(kith: Kith) -> dict[str, Any]:
    """Olive's network: four contacts, a Monday digest and follow-up sent, two meetings ahead (follow-ups pending).

    "Kickoff" (Ann, Ben and a stranger) ended and its follow-up went out with the digest (Ann is
    overdue); "Ann alone" and "Ann and Cy" are later that day, their follow-ups pending.
    """
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    kith.create_owner(digest_weekdays=[0], digest_hour=8)
    goals = [{"name": "mentorship"}, {"name": "hiring", "active": False}]
    assert kith.http("PUT", "/v1/goals", {"goals": goals})[0] == 200
    contacts = {
        "ann": kith.create_contact(
            "Ann Ångström",
            "ann@example.com",
            circle="inner",
            last_interaction_at="2026-09-01T12:00:00Z",
            linkedin_url="https://linkedin.com/in/Ann-A/",
            company="Acme, Inc.",
            title="CTO",
            goal="mentorship",
            tags=["climbing", "berlin"],
            notes=NOTES,
        ),
        "ben": kith.create_contact("Ben Builder", "ben@example.com", last_interaction_at="2026-11-20T12:00:00Z"),
        "cy": kith.create_contact("Cy Wider", "cy@example.com", circle="wider"),
        "dee": kith.create_contact(
            "Dee Custom", "dee@example.com", circle="custom", cadence_days=45, tags=["investor"]
        ),
    }
    calcom = kith.connect()
    book(kith, calcom, "bk-kickoff", MONDAY_0800_BERLIN - timedelta(hours=3), "Kickoff", "ann@example.com",
         "ben@example.com", "nia@new.example")  # fmt: skip
    kith.clock.set(MONDAY_0800_BERLIN + timedelta(hours=1, minutes=5))
    kith.tick()
    assert kith.send_mail() == {"batchItemFailures": []}
    assert len(kith.sent()) == 2
    book(kith, calcom, "bk-alone", MONDAY_0800_BERLIN + timedelta(hours=5), "Ann alone", "ann@example.com")
    book(kith, calcom, "bk-with-cy", MONDAY_0800_BERLIN + timedelta(hours=6), "Ann and Cy", "ann@example.com",
         "cy@example.com")  # fmt: skip
    return {"contacts": contacts, "calcom": calcom}


@pytest.fixture
def other(kith: Kith) -> dict[str, Any]:
    """A second owner with a contact, a Cal.com connection and a meeting of their own."""
    status, _ = kith.http(
        "PUT", "/v1/owner", {"email": "oscar@example.org", "name": "Oscar Other", "digest_weekdays": [3]}, owner=OTHER
    )
    assert status == 200
    status, contact = kith.http("POST", "/v1/contacts", {"name": "Bo Other", "emails": ["bo@example.org"]}, owner=OTHER)
    assert status == 201
    status, calcom = kith.http("POST", "/v1/connections", {"provider": "calcom"}, owner=OTHER)
    assert status == 201
    book(kith, calcom, "bk-other", MONDAY_0800_BERLIN - timedelta(hours=2), "Oscar's meeting", "bo@example.org")
    return {"contact": contact, "calcom": calcom}


@pytest.fixture
def calendars(kith: Kith) -> Iterator[FakeProviders]:
    """A fake Google and Microsoft: Olive connects Google Calendar and Outlook."""
    with FakeProviders(kith.clock) as fake:
        kith.use_settings(google_overrides(fake) | microsoft_overrides(fake))
        fake.notify = kith.post_to_webhook
        yield fake


def connect_calendars(kith: Kith, fake: FakeProviders) -> dict[str, str]:
    """Google Calendar and Outlook connected through the consent redirect, each first read done."""
    return {provider: kith.connect_by_consent(provider)["connection_id"] for provider in ("google", "outlook")}


# -- export -------------------------------------------------------------------------------------------


def test_the_export_holds_everything_the_owner_has_and_not_one_secret(
    kith: Kith, calendars: FakeProviders, network: dict[str, Any], other: dict[str, Any]
) -> None:
    # Given Olive's network, with Cal.com, Google Calendar and Outlook connected, and another owner beside her
    connected = connect_calendars(kith, calendars)
    google = kith.stored_connection(connected["google"])
    outlook = kith.stored_connection(connected["outlook"])
    secrets = {
        "Cal.com signing secret": network["calcom"]["signing_secret"],
        "Google channel token": google["google"]["channel_token"],
        "Google sync token": google["google"]["sync_token"],
        "Google refresh token (sealed)": google["refresh_token_sealed"],
        "Outlook clientState": outlook["graph"]["client_state"],
        "Outlook refresh token (sealed)": outlook["refresh_token_sealed"],
    }
    assert all(secrets.values())
    # When Olive exports
    status, headers, raw = download(kith, "/v1/export")
    # Then it is one JSON document of everything she has
    assert status == 200 and headers["content-type"] == "application/json"
    text = raw.decode()
    exported = json.loads(text)
    assert exported["exported_at"] == "2026-11-30T08:05:00Z"
    assert (exported["owner"]["owner_id"], exported["owner"]["email"]) == (OWNER, "owner@example.com")
    assert exported["owner"]["settings"]["digest_weekdays"] == [0]
    assert exported["goals"] == [{"name": "mentorship", "active": True}, {"name": "hiring", "active": False}]
    listed = kith.http("GET", "/v1/contacts")[1]["contacts"]
    assert exported["contacts"] == sorted(listed, key=lambda contact: contact["name"])
    assert [contact["name"] for contact in exported["contacts"]] == [
        "Ann Ångström",
        "Ben Builder",
        "Cy Wider",
        "Dee Custom",
    ]
    assert sorted(interaction["title"] for interaction in exported["interactions"]) == [
        "Ann alone",
        "Ann and Cy",
        "Kickoff",
    ]
    kickoff = next(interaction for interaction in exported["interactions"] if interaction["title"] == "Kickoff")
    assert kickoff["external_id"] == "bk-kickoff" and kickoff["ical_uid"] == "bk-kickoff@Cal.com"
    assert {(f["title"], f["status"]) for f in exported["follow_ups"]} == {
        ("Kickoff", "sent"),
        ("Ann alone", "pending"),
        ("Ann and Cy", "pending"),
    }
    assert exported["follow_ups"][-1]["new_attendees"] == [{"email": "nia@new.example", "name": "Nia"}]
    assert sorted(c["provider"] for c in exported["connections"]) == ["calcom", "google", "outlook"]
    assert sorted(s["kind"] for s in exported["sent"]) == ["digest", "follow_up"]
    assert {s["recipient"] for s in exported["sent"]} == {"owner@example.com"}
    # And not one secret, token or clientState is in it, in any form
    for name, secret in secrets.items():
        assert secret not in text, name
    assert "signing_secret" not in text and "refresh_token" not in text and "client_state" not in text
    # And nothing of the other owner
    for theirs in (OTHER, "Bo Other", "bo@example.org", other["calcom"]["connection_id"], "Oscar"):
        assert theirs not in text


def test_the_export_is_gzipped_for_a_client_that_accepts_it_and_404_without_a_profile(
    kith: Kith, network: dict[str, Any], other: dict[str, Any]
) -> None:
    # When Olive's client accepts gzip, Then the same document arrives compressed
    _, plain_headers, plain = download(kith, "/v1/export")
    status, headers, unpacked = download(kith, "/v1/export", headers={"accept-encoding": "gzip, br"})
    assert status == 200 and headers["content-encoding"] == "gzip" and "content-encoding" not in plain_headers
    assert json.loads(unpacked) == json.loads(plain)
    # When the other owner exports, Then only their own data is in it
    status, _, raw = download(kith, "/v1/export", owner=OTHER)
    theirs = json.loads(raw)
    assert status == 200 and theirs["owner"]["owner_id"] == OTHER
    assert [contact["name"] for contact in theirs["contacts"]] == ["Bo Other"]
    assert [interaction["title"] for interaction in theirs["interactions"]] == ["Oscar's meeting"]
    assert "Ann" not in raw.decode() and "owner@example.com" not in raw.decode()
    # When someone without a profile exports, Then 404 (JSON and CSV alike)
    assert download(kith, "/v1/export", owner="nobody")[0] == 404
    assert download(kith, "/v1/export/contacts.csv", owner="nobody")[0] == 404


def test_the_contacts_csv_reads_back_as_the_same_contacts(kith: Kith, network: dict[str, Any]) -> None:
    # Given the contacts as the API shows them (Ann and Ben's clocks moved by the Kickoff meeting)
    listed = sorted(kith.http("GET", "/v1/contacts")[1]["contacts"], key=lambda contact: contact["name"])
    assert listed[0]["last_interaction_title"] == "Kickoff"
    # When Olive downloads her contacts as Kith's CSV
    status, headers, raw = download(kith, "/v1/export/contacts.csv")
    # Then it is a CSV download named for the day
    assert status == 200
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert headers["content-disposition"] == 'attachment; filename="kith-contacts-2026-11-30.csv"'
    # And Kith's importer reads every contact back, field for field
    parsed = parse_kith_csv(raw.decode("utf-8"))
    assert parsed.problems == []
    read_back = [
        {
            "name": row.name,
            "emails": list(row.emails),
            "linkedin_url": row.linkedin_url,
            "company": row.company,
            "title": row.title,
            "circle": row.circle,
            "cadence_days": row.cadence_days,
            "goal": row.goal,
            "tags": list(row.tags),
            "notes": row.notes,
            "last_interaction_at": row.last_interaction_at,
            "last_interaction_title": row.last_interaction_title,
        }
        for row in parsed.rows
    ]
    expected = [
        {
            **{name: contact[name] for name in read_back[0] if name != "last_interaction_at"},
            "last_interaction_at": datetime.fromisoformat(contact["last_interaction_at"])
            if contact["last_interaction_at"]
            else None,
        }
        for contact in listed
    ]
    assert read_back == expected
    assert read_back[0]["notes"] == NOTES and read_back[0]["linkedin_url"] == "https://www.linkedin.com/in/ann-a"


# -- erasing a contact --------------------------------------------------------------------------------


def test_deleting_a_contact_erases_every_trace_and_the_others_keep_their_meetings(
    kith: Kith, network: dict[str, Any]
) -> None:
    ann, ben, cy = (network["contacts"][name]["contact_id"] for name in ("ann", "ben", "cy"))
    meetings = by_title(kith)
    alone = meetings["Ann alone"]["interaction_id"]
    ben_before = kith.http("GET", f"/v1/contacts/{ben}")[1]
    done = digest_link(kith, "Done")
    assert any(mentions(item, ann) for item in kith.items())
    # When Olive deletes Ann
    status, body = kith.http("DELETE", f"/v1/contacts/{ann}")
    # Then she is gone, and no item anywhere in the table mentions her id
    assert (status, body) == (204, None)
    assert kith.http("GET", f"/v1/contacts/{ann}")[0] == 404
    assert [item for item in kith.items() if mentions(item, ann)] == []
    # And the meeting she had alone is deleted with its provider alias; the others keep theirs, without her
    meetings = by_title(kith)
    assert sorted(meetings) == ["Ann and Cy", "Kickoff"]
    assert meetings["Kickoff"]["contact_ids"] == [ben]
    assert meetings["Ann and Cy"]["contact_ids"] == [cy]
    assert [item for item in kith.items() if mentions(item, alone)] == [
        item for item in kith.items() if item["sk"]["S"] == f"FOLLOWUP#{alone}"
    ]
    # And the pending follow-up left with nobody is cancelled (out of the due index); the others shrink
    states = {title: (f["status"], f["contact_ids"]) for title, f in follow_ups(kith).items()}
    assert states == {
        "Kickoff": ("sent", [ben]),
        "Ann alone": ("cancelled", []),
        "Ann and Cy": ("pending", [cy]),
    }
    assert not any(item["sk"]["S"] == f"FOLLOWUP#{alone}" and "due_pk" in item for item in kith.items())
    # And Ben is untouched
    assert kith.http("GET", f"/v1/contacts/{ben}")[1] == ben_before
    # And the digest's one-click link to Ann answers 410, changing nothing
    before = snapshot(kith.items())
    for method in ("GET", "POST"):
        status, _, page = kith.open_link(method, done)
        assert status == 410 and "deleted" in page
    assert snapshot(kith.items()) == before
    # And her address is free again: a new contact can hold it
    assert kith.create_contact("Ann Again", "ann@example.com")["emails"] == ["ann@example.com"]


def test_deleting_an_unknown_contact_a_stale_version_or_another_owners_contact_changes_nothing(
    kith: Kith, network: dict[str, Any], other: dict[str, Any]
) -> None:
    dee = network["contacts"]["dee"]
    before = snapshot(kith.items())
    # When the contact is unknown, Then 404
    status, body = kith.http("DELETE", "/v1/contacts/no-such-contact")
    assert status == 404 and "no contact" in body["error"]
    # When If-Match names another version, Then the precondition fails (412)
    status, body = kith.http("DELETE", f"/v1/contacts/{dee['contact_id']}", headers={"if-match": '"7"'})
    assert status == 412 and "version 1" in body["error"]
    # When the other owner's token names Olive's contact, Then 404
    assert kith.http("DELETE", f"/v1/contacts/{dee['contact_id']}", owner=OTHER)[0] == 404
    # And nothing changed
    assert snapshot(kith.items()) == before
    # When If-Match names the version as it is, Then it is deleted
    assert kith.http("DELETE", f"/v1/contacts/{dee['contact_id']}", headers={"if-match": '"1"'})[0] == 204
    assert kith.http("DELETE", f"/v1/contacts/{dee['contact_id']}")[0] == 404


# -- erasing the account ------------------------------------------------------------------------------


def test_deleting_the_account_stops_the_calendars_and_erases_every_item_and_nothing_of_another_owner(
    kith: Kith, calendars: FakeProviders, network: dict[str, Any], other: dict[str, Any]
) -> None:
    # Given Olive's network with Google Calendar and Outlook connected, and her address on the suppression list
    connected = connect_calendars(kith, calendars)
    subscription = kith.stored_connection(connected["outlook"])["graph"]["subscription_id"]
    assert len(calendars.google.channels) == 1 and len(calendars.graph.subscriptions) == 1
    kith.lambdas.modules["ApiFunction"].runtime.mail_store.suppress(
        Suppression(address="owner@example.com", reason=SuppressionReason.COMPLAINT, since=kith.clock.now())
    )
    unsubscribe = digest_link(kith, "Unsubscribe")
    theirs = kith.http("GET", "/v1/contacts", owner=OTHER)[1]
    before = kith.items()
    assert any(item["pk"]["S"] == "IDEMPOTENCY#mail" for item in before)
    # When Olive deletes her account
    status, body = kith.http("DELETE", "/v1/owner")
    # Then the Google channel was stopped and the Outlook subscription deleted, at the providers
    assert (status, body) == (204, None)
    (stop,) = calendars.requests_to("/google/calendar/v3/channels/stop")
    assert stop.method == "POST" and calendars.google.channels == []
    assert [r.method for r in calendars.requests_to(f"/graph/v1.0/subscriptions/{subscription}")] == ["DELETE"]
    assert calendars.graph.subscriptions == []
    # And no item mentions her any more; everything else (the other owner, the mailer's records, the
    # suppression list) is exactly as it was
    after = kith.items()
    assert [item for item in after if mentions(item, OWNER)] == []
    assert snapshot(after) == snapshot([item for item in before if not mentions(item, OWNER)])
    assert any(item["pk"]["S"] == f"OWNER#{OTHER}" for item in after)
    assert any(item["pk"]["S"] == "SUPPRESSION#owner@example.com" for item in after)
    # And she has no profile, no digest of hers is scheduled (the other owner's still is), and her links answer 410
    assert kith.http("GET", "/v1/owner")[0] == 404
    kith.tick(MONDAY_0800_BERLIN + timedelta(days=7, minutes=5))
    assert {json.loads(job["Body"])["owner_id"] for job in kith.take("MailQueue")} == {OTHER}
    status, _, page = kith.open_link("POST", unsubscribe, b"List-Unsubscribe=One-Click")
    assert status == 410 and "no longer exists" in page
    # And the other owner still sees all of theirs
    assert kith.http("GET", "/v1/contacts", owner=OTHER)[1] == theirs
    # And deleting again is harmless
    settled = snapshot(kith.items())
    assert kith.http("DELETE", "/v1/owner")[0] == 204
    assert snapshot(kith.items()) == settled


def test_a_contact_deletion_cut_short_is_finished_by_sending_it_again(
    kith: Kith, network: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = network["contacts"]["ann"]["contact_id"]
    store = kith.lambdas.modules["ApiFunction"].runtime.erasure_store

    def throttled(contact: Any) -> None:
        raise Retryable("DynamoDB is throttling (ThrottlingException)")

    # Given a deletion that stops before its last write (the contact item itself)
    monkeypatch.setattr(store, "delete_contact", throttled)
    assert kith.http("DELETE", f"/v1/contacts/{ann}")[0] == 503
    # Then the contact is still there to be deleted, out of its meetings already
    assert kith.http("GET", f"/v1/contacts/{ann}")[0] == 200
    assert sorted(by_title(kith)) == ["Ann and Cy", "Kickoff"]
    # When the owner sends the deletion again, Then it finishes: nothing mentions her
    monkeypatch.undo()
    assert kith.http("DELETE", f"/v1/contacts/{ann}")[0] == 204
    assert [item for item in kith.items() if mentions(item, ann)] == []


def test_a_meeting_landing_on_a_contact_while_it_is_deleted_is_erased_too(
    kith: Kith, network: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = network["contacts"]["ann"]["contact_id"]
    version = kith.http("GET", f"/v1/contacts/{ann}")[1]["version"]
    store = kith.lambdas.modules["ApiFunction"].runtime.erasure_store
    delete_contact = store.delete_contact
    landed: list[str] = []
    tries: list[int] = []

    def meeting_first(contact: Any) -> None:
        tries.append(contact.version)
        if not landed:
            # A meeting with Ann that ended is recorded between taking her out of meetings and deleting her
            book(kith, network["calcom"], "bk-late", MONDAY_0800_BERLIN, "Late news", "ann@example.com")
            landed.append("Late news")
        delete_contact(contact)

    monkeypatch.setattr(store, "delete_contact", meeting_first)
    # When Olive deletes Ann at the version she read
    status, _ = kith.http("DELETE", f"/v1/contacts/{ann}", headers={"if-match": f'"{version}"'})
    # Then the deletion went on past the meeting (which moved Ann's clock: a second try) and erased it as well
    assert status == 204 and landed == ["Late news"]
    assert tries == [version, version + 1]
    assert [item for item in kith.items() if mentions(item, ann)] == []
    assert "Late news" not in by_title(kith)
