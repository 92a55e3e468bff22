"""GET /v1/due: whom the next digest would name, in the digest's own order (PRODUCT.md §5)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

from tests.integration.support import Kith

NEXT_MONDAY_0800_BERLIN = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def _network(kith: Kith) -> None:
    """Given (on Monday 30 November, 11:00 in Berlin) an owner whose digest names three on Monday mornings."""
    kith.create_owner(digest_weekdays=[0], digest_hour=8, digest_limit=3)
    kith.http("PUT", "/v1/goals", {"goals": [{"name": "job search"}]})
    kith.create_contact("Ivy Inner", "ivy@example.com", circle="inner", last_interaction_at="2026-10-20T12:00:00Z")
    cora = kith.create_contact("Cora Core", "cora@example.com")
    lunch = {"kind": "call", "contact_ids": [cora["contact_id"]], "at": "2026-09-01T12:00:00Z", "title": "Lunch"}
    assert kith.http("POST", "/v1/interactions", lunch)[0] == 201
    kith.create_contact("Gina Goal", "gina@example.com", goal="job search", last_interaction_at="2026-09-20T12:00:00Z")
    kith.create_contact("Will Wider", "will@example.com", circle="wider", last_interaction_at="2026-04-01T12:00:00Z")
    # Due on Friday: not yet due now, but by the next digest
    kith.create_contact("Nora Notyet", "nora@example.com", last_interaction_at="2026-10-05T12:00:00Z")
    snoozed = kith.create_contact("Sam Snoozed", "sam@example.com", last_interaction_at="2026-08-01T12:00:00Z")
    kith.http("PATCH", f"/v1/contacts/{snoozed['contact_id']}", {"snoozed_until": "2026-12-20T00:00:00Z"})
    kith.create_contact("Fred Fresh", "fred@example.com", last_interaction_at="2026-11-20T12:00:00Z")


def _digest_names(kith: Kith, at: datetime) -> list[str]:
    assert kith.tick(at + timedelta(minutes=5))["digests_queued"] == 1
    assert kith.send_mail() == {"batchItemFailures": []}
    message = email.message_from_string(kith.sent()[-1].raw_data, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    names = ("Ivy Inner", "Cora Core", "Gina Goal", "Will Wider", "Nora Notyet", "Sam Snoozed", "Fred Fresh")
    return sorted((name for name in names if name in text), key=text.index)


def test_the_next_digests_list_is_the_one_the_digest_then_sends_in_its_order(kith: Kith) -> None:
    _network(kith)
    # When the owner asks whom the next digest names
    status, due = kith.http("GET", "/v1/due")
    # Then it is the digest of next Monday 08:00 in Berlin, three names, ranked as the digest ranks them
    assert status == 200, due
    assert due["digest_at"] == "2026-12-07T07:00:00Z"
    listed = [contact["name"] for contact in due["contacts"]]
    assert len(listed) == 3
    # And when that digest goes out, it names the same people in the same order
    assert _digest_names(kith, NEXT_MONDAY_0800_BERLIN) == listed


def test_a_limit_lists_further_down_the_ranking_with_how_late_each_is(kith: Kith) -> None:
    _network(kith)
    # When more than the digest's size is asked for
    status, due = kith.http("GET", "/v1/due?limit=10")
    assert status == 200, due
    # Then every contact due by the digest is listed, snoozed and fresh ones left out, the best first
    # (the inner circle first, the goal before a wider contact who is later in days)
    by_name = {contact["name"]: contact for contact in due["contacts"]}
    assert list(by_name) == ["Ivy Inner", "Cora Core", "Gina Goal", "Will Wider", "Nora Notyet"]
    assert list(by_name)[:3] == [contact["name"] for contact in kith.http("GET", "/v1/due")[1]["contacts"]]
    assert due["time_zone"] == "Europe/Berlin"
    # And each says how late it will be at the digest, its last interaction and whether it is overdue
    assert by_name["Nora Notyet"]["days_late"] == 3 and by_name["Nora Notyet"]["overdue"] is False
    assert by_name["Nora Notyet"]["due_at"] == "2026-12-03T23:00:00Z"  # Friday 4 December, 00:00 in Berlin
    assert by_name["Ivy Inner"]["days_late"] == 27 and by_name["Ivy Inner"]["overdue"] is True
    cora = by_name["Cora Core"]
    assert (cora["last_interaction_at"], cora["last_interaction_title"]) == ("2026-09-01T12:00:00Z", "Lunch")
    assert cora["circle"] == "core" and cora["emails"] == ["cora@example.com"]
    assert by_name["Gina Goal"]["goal"] == "job search"


def test_nothing_due_is_an_empty_list(kith: Kith) -> None:
    kith.create_owner()
    kith.create_contact("Fred Fresh", "fred@example.com", last_interaction_at="2026-11-29T12:00:00Z")
    assert kith.http("GET", "/v1/due")[1]["contacts"] == []


def test_a_bad_limit_is_a_422_naming_it_and_no_profile_a_404(kith: Kith) -> None:
    status, answer = kith.http("GET", "/v1/due")
    assert status == 404 and "no owner profile" in answer["error"]
    kith.create_owner()
    for limit in ("0", "201", "many"):
        status, answer = kith.http("GET", f"/v1/due?limit={limit}")
        assert status == 422 and answer["error"].startswith("limit"), answer
