"""One-click links in emails: GET confirms, POST acts once, bad links change nothing (PRODUCT.md §6)."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta

import pytest
from kith_local.provider_payloads import calcom_body

from tests.integration.support import Kith

MONDAY_0800_BERLIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
LINE = re.compile(r"^\s*(?P<label>[A-Za-z ][A-Za-z0-9 ]*): (?P<url>https://[\w.-]+/a/\S+)$", re.MULTILINE)
ONE_CLICK = b"List-Unsubscribe=One-Click"


def _mails(kith: Kith) -> list[email.message.EmailMessage]:
    return [email.message_from_string(sent.raw_data, policy=email.policy.default) for sent in kith.sent()]


def _links(message: email.message.EmailMessage) -> list[tuple[str, str]]:
    """(label, URL) pairs of the plain-text part, in order: a person's links follow their name."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    return [(match["label"].strip(), match["url"]) for match in LINE.finditer(text)]


def _link(message: email.message.EmailMessage, label: str, index: int = 0) -> str:
    return [url for found, url in _links(message) if found == label][index]


def _contact(kith: Kith, name: str) -> dict:
    (found,) = [contact for contact in kith.http("GET", "/v1/contacts")[1]["contacts"] if contact["name"] == name]
    return found


@pytest.fixture
def digest(kith: Kith) -> email.message.EmailMessage:
    """A Monday digest naming Ann (inner, most overdue) then Ben (inner, goal)."""
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    kith.create_owner(digest_weekdays=[0], digest_hour=8, digest_limit=2)
    kith.create_contact("Ann Overdue", "ann@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z")
    kith.create_contact(
        "Ben Due", "ben@example.com", circle="inner", last_interaction_at="2026-11-05T12:00:00Z", goal="mentorship"
    )
    kith.clock.set(MONDAY_0800_BERLIN + timedelta(minutes=5))
    kith.tick()
    kith.send_mail()
    (message,) = _mails(kith)
    return message


def test_opening_a_link_shows_a_confirmation_and_changes_nothing(
    kith: Kith, digest: email.message.EmailMessage
) -> None:
    # Given the digest's "Snooze 14 days" link for Ann, When a mail scanner or a person opens it (GET)
    before = kith.state()
    status, headers, page = kith.open_link("GET", _link(digest, "Snooze 14 days"))
    # Then a small page asks to confirm with a POST button, and nothing changed
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "Snooze" in page and "Ann Overdue" in page and '<form method="post">' in page
    assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
    assert kith.state() == before


def test_snooze_holds_the_contact_back_for_14_days_and_a_second_click_changes_nothing(
    kith: Kith, digest: email.message.EmailMessage
) -> None:
    url = _link(digest, "Snooze 14 days")
    # When Ann's snooze is confirmed
    status, _, page = kith.open_link("POST", url)
    # Then Ann is snoozed for 14 days from the click
    assert status == 200 and "snoozed for 14 days" in page
    assert _contact(kith, "Ann Overdue")["snoozed_until"] == "2026-12-14T07:05:00Z"
    # When the link is followed again the next day (a double submit, a second click)
    kith.clock.advance(timedelta(days=1))
    before = kith.state()
    status, _, page = kith.open_link("POST", url)
    # Then it answers plainly and changes nothing more: the snooze still ends on the 14th
    assert status == 200 and "done already" in page
    assert kith.state() == before
    # And opening it now says so, with no button
    assert "<form" not in kith.open_link("GET", url)[2]


def test_done_logs_an_interaction_now_and_resets_the_clock(kith: Kith, digest: email.message.EmailMessage) -> None:
    url = _link(digest, "Done", 1)  # Ben's
    status, _, page = kith.open_link("POST", url)
    assert status == 200 and "Ben Due" in page
    ben = _contact(kith, "Ben Due")
    assert ben["last_interaction_at"] == "2026-11-30T07:05:00Z"
    interactions = kith.http("GET", "/v1/interactions")[1]["interactions"]
    assert [(i["title"], i["contact_ids"]) for i in interactions] == [
        ("Marked done in a Kith email", [ben["contact_id"]])
    ]
    # A second click records no second interaction
    kith.clock.advance(timedelta(hours=2))
    kith.open_link("POST", url)
    assert len(kith.http("GET", "/v1/interactions")[1]["interactions"]) == 1
    assert _contact(kith, "Ben Due")["last_interaction_at"] == "2026-11-30T07:05:00Z"


def test_see_less_often_moves_one_circle_out_once(kith: Kith, digest: email.message.EmailMessage) -> None:
    url = _link(digest, "See less often")
    assert kith.open_link("POST", url)[0] == 200
    assert _contact(kith, "Ann Overdue")["circle"] == "core"
    kith.open_link("POST", url)
    assert _contact(kith, "Ann Overdue")["circle"] == "core"


def test_pause_until_a_chosen_day_stops_nudges_until_that_local_morning(
    kith: Kith, digest: email.message.EmailMessage
) -> None:
    url = _link(digest, "Pause all nudges")
    # Given the pause page asks for a day
    assert 'type="date"' in kith.open_link("GET", url)[2]
    # When no day or a past day is sent, Then a clear 422 and nothing changed
    before = kith.state()
    for form in (b"", b"until=soon", b"until=2026-11-01"):
        status, _, page = kith.open_link("POST", url, form)
        assert status == 422 and ("day" in page or "today" in page), page
    assert kith.state() == before
    # When the 14th of December is chosen
    status, _, page = kith.open_link("POST", url, b"until=2026-12-14")
    # Then nudges pause until midnight that day in Berlin
    assert status == 200 and "Monday 14 December 2026" in page
    assert kith.http("GET", "/v1/owner")[1]["settings"]["paused_until"] == "2026-12-13T23:00:00Z"
    # And the next Monday's digest does not go out
    kith.tick(datetime(2026, 12, 7, 7, 5, tzinfo=UTC))
    kith.send_mail()
    assert len(kith.sent()) == 1
    # And the link, used, changes nothing more
    assert "done already" in kith.open_link("POST", url, b"until=2027-01-10")[2]
    assert kith.http("GET", "/v1/owner")[1]["settings"]["paused_until"] == "2026-12-13T23:00:00Z"


def test_one_click_unsubscribe_works_without_login_cookie_or_redirect(
    kith: Kith, digest: email.message.EmailMessage
) -> None:
    # Given the List-Unsubscribe URL of the digest
    url = re.fullmatch(r"<(.+)>", str(digest["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # When a mail provider POSTs the RFC 8058 body to it, with no credentials at all
    status, headers, _ = kith.open_link("POST", url, ONE_CLICK)
    # Then it succeeds at once: no redirect, no cookie
    assert status == 200 and "location" not in headers and "set-cookie" not in headers
    assert kith.http("GET", "/v1/owner")[1]["unsubscribed_at"] == "2026-11-30T07:05:00Z"
    # And no further email goes out, even when a profile update does not mention it
    kith.create_contact("Cy Due", "cy@example.com", circle="inner", last_interaction_at="2026-09-01T12:00:00Z")
    kith.create_owner(digest_weekdays=[0], digest_hour=8, digest_limit=2)
    kith.tick(datetime(2026, 12, 7, 7, 5, tzinfo=UTC))
    kith.send_mail()
    assert len(kith.sent()) == 1
    # And saying so again is harmless; subscribing again through the API resumes the digests
    assert kith.open_link("POST", url, ONE_CLICK)[0] == 200
    kith.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    kith.create_owner(digest_weekdays=[0], digest_hour=8, digest_limit=2, subscribed=True)
    kith.tick(datetime(2026, 12, 14, 7, 5, tzinfo=UTC))
    kith.send_mail()
    assert len(kith.sent()) == 2


def test_forged_altered_cut_and_expired_links_get_clear_pages_and_change_nothing(
    kith: Kith, digest: email.message.EmailMessage
) -> None:
    url = _link(digest, "Done")
    flipped = url[:-1] + ("A" if url[-1] != "A" else "B")
    before = kith.state()
    for method in ("GET", "POST"):
        status, headers, page = kith.open_link(method, flipped)
        assert (status, headers["content-type"].split(";")[0]) == (403, "text/html"), page
        assert "not one Kith signed" in page
        status, _, page = kith.open_link(method, url.rsplit(".", 1)[0])
        assert status == 400 and "incomplete" in page
    kith.clock.advance(timedelta(days=30))
    status, _, page = kith.open_link("POST", url)
    assert status == 403 and "expired" in page
    assert kith.state() == before


def test_a_link_to_a_deleted_contact_is_gone(kith: Kith, digest: email.message.EmailMessage) -> None:
    ann = _contact(kith, "Ann Overdue")
    kith.dynamodb.delete_item(
        TableName=kith.stack.table_name,
        Key={"pk": {"S": "OWNER#owner-1"}, "sk": {"S": f"CONTACT#{ann['contact_id']}"}},
    )
    for method in ("GET", "POST"):
        status, _, page = kith.open_link(method, _link(digest, "Done"))
        assert status == 410 and "deleted" in page


def test_a_follow_up_offers_attendees_who_are_not_contacts_and_adds_one_once(kith: Kith) -> None:
    # Given a meeting with a contact and a stranger, and its follow-up email
    kith.create_owner()
    kith.create_contact("Ben Due", "ben@example.com", circle="inner")
    connection = kith.connect()
    meeting = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    guests = [("Ben Due", "ben@example.com"), ("Nia <New>", "nia@new.example")]
    kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-add", meeting, guests, title="Pitch"))
    kith.process_meetings()
    kith.clock.set(datetime(2026, 11, 30, 10, 35, tzinfo=UTC))
    kith.tick()
    kith.send_mail()
    (follow_up,) = _mails(kith)
    url = _link(follow_up, "Add to Kith")
    # When the owner opens the link, Then the page names the attendee, escaped, and offers circles
    status, _, page = kith.open_link("GET", url)
    assert status == 200 and "Nia &lt;New&gt;" in page and "nia@new.example" in page and 'name="circle"' in page
    # When an unknown circle is sent, Then 422 and nothing is added
    assert kith.open_link("POST", url, b"circle=best-friends")[0] == 422
    # When confirmed in the inner circle
    status, _, page = kith.open_link("POST", url, b"circle=inner")
    assert status == 200 and "now a contact" in page
    # Then Nia is a contact whose clock starts at the meeting
    nia = _contact(kith, "Nia <New>")
    assert (nia["emails"], nia["circle"], nia["last_interaction_at"]) == (
        ["nia@new.example"],
        "inner",
        "2026-11-30T09:30:00Z",
    )
    # And a second click adds nobody
    assert "done already" in kith.open_link("POST", url, b"circle=core")[2]
    assert len(kith.http("GET", "/v1/contacts")[1]["contacts"]) == 2
