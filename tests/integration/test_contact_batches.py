"""POST /v1/contacts/batch: a bulk add, checked whole before anything is written, due days spread (PRODUCT.md §7)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from kith.domain.models import Contact
from kith.storage import keys

from tests.integration.support import NOW, OWNER, Kith

BERLIN = ZoneInfo("Europe/Berlin")
ADD_DAY = NOW.astimezone(BERLIN).date()  # Monday 30 November 2026


@pytest.fixture
def owner(kith: Kith) -> dict[str, Any]:
    return kith.create_owner()  # in Europe/Berlin


def rows(count: int, prefix: str, **fields: Any) -> list[dict[str, Any]]:
    return [{"name": f"{prefix} {n}", "emails": [f"{prefix}{n}@example.com"], **fields} for n in range(count)]


def indexed_due_days(kith: Kith) -> dict[str, date]:
    """Each contact in the DueIndex, with the local day its due key says."""
    pages = kith.dynamodb.get_paginator("query").paginate(
        TableName=kith.stack.table_name,
        IndexName=keys.DUE_INDEX,
        KeyConditionExpression="due_pk = :due",
        ExpressionAttributeValues={":due": {"S": keys.contact_due_pk(OWNER)}},
    )
    found: dict[str, date] = {}
    for page in pages:
        for item in page["Items"]:
            instant, contact_id = item["due_sk"]["S"].split("#")
            found[contact_id] = keys.parse_instant(instant).astimezone(BERLIN).date()
    return found


def stored_contacts(kith: Kith) -> list[dict[str, Any]]:
    contacts: list[dict[str, Any]] = kith.http("GET", "/v1/contacts")[1]["contacts"]
    return contacts


def test_a_batch_is_added_with_first_due_days_spread_over_each_circles_window(kith: Kith, owner: dict) -> None:
    # Given a batch of 120 core and 21 inner contacts never met, one met in October, and one opted out
    body = [
        *rows(120, "core", circle="core"),
        *rows(21, "inner", circle="inner"),
        {"name": "Met", "circle": "core", "last_interaction_at": "2026-10-01T09:00:00Z"},
        {"name": "Opted out", "circle": "never"},
    ]
    # When it is posted
    status, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": body})
    # Then all are created, in the order sent
    assert status == 201, answer
    created = answer["contacts"]
    assert [c["name"] for c in created] == [row["name"] for row in body]
    # And the DueIndex spreads each circle over its own window, nothing due on the day of the add
    due_days = indexed_due_days(kith)
    for circle, cadence, count in (("core", 60, 120), ("inner", 21, 21)):
        members = {c["contact_id"] for c in created if c["circle"] == circle and c["last_interaction_at"] is None}
        per_day = Counter(day for cid, day in due_days.items() if cid in members)
        window = [ADD_DAY + timedelta(days=n) for n in range(1, cadence + 1)]
        assert set(per_day) == set(window)
        assert sum(per_day.values()) == count
        assert max(per_day.values()) <= 2 * count / cadence
    # And the contact met keeps its clock (60 days after 1 October), the opted-out one is not indexed
    met, opted_out = created[-2], created[-1]
    assert due_days[met["contact_id"]] == date(2026, 11, 30)
    assert met["first_due_on"] is None
    assert opted_out["contact_id"] not in due_days
    # And the repository agrees: nobody is due before the next local day, day one brings only its share
    store = kith.lambdas.modules["ApiFunction"].runtime.contact_store
    first_morning = datetime(2026, 12, 1, tzinfo=BERLIN)
    before = store.due_contacts(OWNER, first_morning - timedelta(seconds=1))
    assert {c.contact_id for c in before} == {met["contact_id"]}
    day_one = [c for c in store.due_contacts(OWNER, first_morning) if c.contact_id != met["contact_id"]]
    assert len(day_one) == 120 // 60 + 21 // 21
    assert {c.first_due_on for c in day_one} == {date(2026, 12, 1)}


def test_the_spread_days_are_what_the_contacts_say(kith: Kith, owner: dict) -> None:
    # Given a small batch of core contacts, When posted and read back
    status, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": rows(3, "trio", circle="core")})
    assert status == 201
    # Then each carries its first due day (days 20, 40 and 60 of the window), the same one the index holds
    first_due = {c["contact_id"]: date.fromisoformat(c["first_due_on"]) for c in answer["contacts"]}
    assert sorted((day - ADD_DAY).days for day in first_due.values()) == [20, 40, 60]
    assert indexed_due_days(kith) == first_due
    assert {c["contact_id"]: c["first_due_on"] for c in stored_contacts(kith)} == {
        cid: day.isoformat() for cid, day in first_due.items()
    }


@pytest.mark.parametrize(
    ("bad_row", "status", "fragments"),
    [
        ({"name": "Bad", "emails": ["nope"]}, 422, ["contacts.2.emails"]),
        ({"name": "Bad", "circle": "custom"}, 422, ["row 2", "cadence_days"]),
        ({"name": "Bad", "last_interaction_at": "2030-01-01T00:00:00Z"}, 422, ["row 2", "future"]),
        ({"name": "Bad", "emails": ["Row0@example.com"]}, 422, ["row 2", "row0@example.com", "row 0"]),
        ({"name": "Bad", "emails": ["b@example.com", "B@example.com"]}, 422, ["row 2", "listed twice"]),
        ({"name": "", "circle": "inner"}, 422, ["contacts.2.name"]),
    ],
)
def test_a_batch_with_one_bad_row_writes_nothing_and_names_the_row(
    kith: Kith, owner: dict, bad_row: dict, status: int, fragments: list[str]
) -> None:
    # Given a batch whose third row is wrong
    body = [*rows(2, "row"), bad_row, *rows(3, "after")]
    # When it is posted
    got, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": body})
    # Then it is refused, naming the row and what is wrong, and no contact or e-mail claim was written
    assert got == status, answer
    assert all(fragment in answer["error"] for fragment in fragments), answer
    assert stored_contacts(kith) == []
    assert not [item for item in kith.items() if item["sk"]["S"].startswith(("CONTACT#", "EMAIL#"))]


def test_an_address_another_contact_holds_refuses_the_whole_batch(kith: Kith, owner: dict) -> None:
    # Given Ann already holds ann@example.com
    kith.create_contact("Ann", "ann@example.com")
    # When a batch brings her address again on its second row
    body = [*rows(1, "new"), {"name": "Impostor", "emails": ["ANN@example.com"]}, *rows(2, "more")]
    status, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": body})
    # Then it is a 409 naming the row and the address, and only Ann is stored
    assert status == 409
    assert "row 1" in answer["error"] and "ann@example.com" in answer["error"]
    assert [c["name"] for c in stored_contacts(kith)] == ["Ann"]


@pytest.mark.parametrize("count", [0, 501])
def test_a_batch_holds_one_to_500_contacts(kith: Kith, owner: dict, count: int) -> None:
    # Given an empty batch or one over the limit, When posted, Then it is refused and nothing is written
    status, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": [{"name": "x"}] * count})
    assert status == 422
    assert "contacts" in answer["error"]
    assert stored_contacts(kith) == []


def test_a_clash_raced_in_midway_stops_the_batch_and_says_what_was_added(kith: Kith, owner: dict) -> None:
    # Given another request adds a contact with the third row's address after the batch was checked
    store = kith.lambdas.modules["ApiFunction"].runtime.contact_store
    real_create = store.create_contact
    calls = {"n": 0}

    def racing_create(contact: Contact, settings: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            real_create(contact.model_copy(update={"contact_id": "racer", "name": "Racer"}), settings)
        real_create(contact, settings)

    store.create_contact = racing_create
    # When the batch is written
    status, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": rows(5, "row")})
    store.create_contact = real_create
    # Then it stops at that row with a 409 saying the rows before it were added, and they are stored
    assert status == 409
    assert answer["error"].startswith("row 2: another contact already has the e-mail address row2@example.com")
    assert "rows before row 2 were added" in answer["error"]
    assert sorted(c["name"] for c in stored_contacts(kith)) == ["Racer", "row 0", "row 1"]
