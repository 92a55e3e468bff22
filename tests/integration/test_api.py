"""The owner's HTTP API: clear 4xx answers for bad input, nothing changed by them."""

from __future__ import annotations

import pytest

from tests.integration.support import Kith


@pytest.fixture
def owner(kith: Kith) -> dict:
    return kith.create_owner(digest_weekdays=[1], digest_hour=7)


def test_an_owner_is_the_tokens_subject_and_settings_round_trip(kith: Kith, owner: dict) -> None:
    assert owner["owner_id"] == "owner-1"
    assert owner["settings"]["digest_weekdays"] == [1]
    assert owner["settings"]["digest_limit"] == 5
    # Tuesday 07:00 Berlin after Monday 2026-11-30 10:00 UTC
    assert owner["next_digest_at"] == "2026-12-01T06:00:00Z"
    status, again = kith.http("GET", "/v1/owner")
    assert status == 200 and again == owner


def test_requests_without_a_subject_are_401_and_another_owner_sees_nothing(kith: Kith, owner: dict) -> None:
    assert kith.http("GET", "/v1/owner", owner=None)[0] == 401
    contact = kith.create_contact("Ann", "ann@example.com")
    status, _ = kith.http("GET", f"/v1/contacts/{contact['contact_id']}", owner="someone-else")
    assert status == 404
    assert kith.http("GET", "/v1/contacts", owner="someone-else")[1] == {"contacts": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "name": "X"}, "email"),
        ({"email": "x@example.com", "name": "X", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"email": "x@example.com", "name": "X", "digest_hour": 24}, "digest_hour"),
        ({"email": "x@example.com", "name": "X", "digest_weekdays": []}, "digest_weekdays"),
        ({"email": "x@example.com", "name": "X", "surprise": True}, "surprise"),
    ],
)
def test_invalid_owner_settings_are_422_naming_the_field(kith: Kith, body: dict, field: str) -> None:
    status, answer = kith.http("PUT", "/v1/owner", body)
    assert status == 422
    assert field in answer["error"]
    assert kith.http("GET", "/v1/owner")[0] == 404


def test_malformed_json_is_400(kith: Kith, owner: dict) -> None:
    status, answer = kith.http("POST", "/v1/contacts", raw=b'{"name": ')
    assert (status, answer) == (400, {"error": "body is not valid JSON: Expecting value"})


def test_contacts_are_added_listed_and_updated_with_versions(kith: Kith, owner: dict) -> None:
    created = kith.create_contact("Ann Able", "Ann@Example.com", circle="custom", cadence_days=30, tags=["climbing"])
    assert created["emails"] == ["ann@example.com"]
    assert created["version"] == 1
    status, updated = kith.http(
        "PATCH",
        f"/v1/contacts/{created['contact_id']}",
        {"circle": "inner", "goal": "mentorship"},
        headers={"if-match": "1"},
    )
    assert status == 200
    assert (updated["circle"], updated["cadence_days"], updated["goal"], updated["version"]) == (
        "inner",
        None,
        "mentorship",
        2,
    )
    stale, answer = kith.http(
        "PATCH", f"/v1/contacts/{created['contact_id']}", {"goal": "x"}, headers={"if-match": "1"}
    )
    assert stale == 412 and "version 2" in answer["error"]
    listed = kith.http("GET", "/v1/contacts")[1]["contacts"]
    assert [(c["name"], c["goal"]) for c in listed] == [("Ann Able", "mentorship")]


def test_an_email_belongs_to_one_contact(kith: Kith, owner: dict) -> None:
    kith.create_contact("Ann", "ann@example.com")
    status, answer = kith.http("POST", "/v1/contacts", {"name": "Impostor", "emails": ["ANN@example.com"]})
    assert status == 409
    assert "ann@example.com" in answer["error"]
    assert len(kith.http("GET", "/v1/contacts")[1]["contacts"]) == 1


def test_changing_emails_moves_the_lookup(kith: Kith, owner: dict) -> None:
    first = kith.create_contact("Ann", "ann@old.example")
    kith.http("PATCH", f"/v1/contacts/{first['contact_id']}", {"emails": ["ann@new.example"]})
    # the old address is free again, the new one is taken
    assert kith.http("POST", "/v1/contacts", {"name": "Other", "emails": ["ann@old.example"]})[0] == 201
    assert kith.http("POST", "/v1/contacts", {"name": "Third", "emails": ["ann@new.example"]})[0] == 409


def test_a_change_listing_one_address_twice_is_refused_and_changes_nothing(kith: Kith, owner: dict) -> None:
    first = kith.create_contact("Ann", "ann@old.example")
    status, answer = kith.http(
        "PATCH", f"/v1/contacts/{first['contact_id']}", {"emails": ["ann@new.example", "Ann@New.example"]}
    )
    assert (status, "listed twice" in answer["error"]) == (422, True)
    assert kith.http("GET", f"/v1/contacts/{first['contact_id']}")[1]["emails"] == ["ann@old.example"]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"name": "", "emails": []}, 422, "name"),
        ({"name": "A", "circle": "closest"}, 422, "circle"),
        ({"name": "A", "circle": "custom"}, 422, "cadence_days"),
        ({"name": "A", "emails": ["nope"]}, 422, "emails"),
        ({"name": "A", "emails": ["a@example.com", "A@example.com"]}, 422, "listed twice"),
        ({"name": "A", "last_interaction_at": "2030-01-01T00:00:00Z"}, 422, "future"),
    ],
)
def test_invalid_contacts_are_refused_and_nothing_is_stored(
    kith: Kith, owner: dict, body: dict, status: int, fragment: str
) -> None:
    got, answer = kith.http("POST", "/v1/contacts", body)
    assert got == status
    assert fragment in answer["error"]
    assert kith.http("GET", "/v1/contacts")[1] == {"contacts": [], "next_cursor": None}


def test_contacts_need_an_owner_profile_first(kith: Kith) -> None:
    status, answer = kith.http("POST", "/v1/contacts", {"name": "Early"})
    assert status == 404
    assert "PUT /v1/owner" in answer["error"]


def test_a_calcom_connection_returns_its_webhook_url_and_secret(kith: Kith, owner: dict) -> None:
    connection = kith.connect()
    assert connection["webhook_url"] == f"https://api.kith.test/webhooks/calcom/{connection['connection_id']}"
    assert len(connection["signing_secret"]) >= 32
    listed = kith.http("GET", "/v1/connections")[1]["connections"]
    assert [c["connection_id"] for c in listed] == [connection["connection_id"]]
    assert "signing_secret" not in listed[0]
    assert kith.http("POST", "/v1/connections", {"provider": "zoom"})[0] == 422
    # And it can be disconnected, after which its webhooks are refused
    assert kith.http("DELETE", f"/v1/connections/{connection['connection_id']}")[0] == 204
    assert kith.http("GET", "/v1/connections")[1]["connections"] == []
    assert kith.webhook(connection, b"{}")[0] == 404


def test_unknown_routes_are_404(kith: Kith, owner: dict) -> None:
    # Given no such route, When called, Then 404 with the one error body every route answers with
    assert kith.http("GET", "/v1/nothing-here") == (404, {"error": "no route GET /v1/nothing-here"})


def test_an_edit_racing_a_meeting_keeps_the_meetings_clock(kith: Kith, owner: dict) -> None:
    from datetime import UTC, datetime

    from kith.usecases.contacts import ContactChanges, update_contact

    runtime = kith.lambdas.modules["ApiFunction"].runtime
    store, meetings = runtime.contact_store, runtime.meeting_store
    created = kith.create_contact("Ann", "ann@example.com", last_interaction_at="2026-10-01T09:00:00Z")
    settings = store.get_owner("owner-1").settings
    stale = store.get_contact("owner-1", created["contact_id"])
    # Given a meeting moves Ann's clock after the edit read her, but before it writes
    real_get = store.get_contact
    reads = {"n": 0}

    def get_then_meeting(owner_id: str, contact_id: str):  # type: ignore[no-untyped-def]
        reads["n"] += 1
        if reads["n"] == 1:
            meetings.move_contact_clock(stale, settings, datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "Coffee")
            return stale
        return real_get(owner_id, contact_id)

    store.get_contact = get_then_meeting
    # When the edit (no If-Match) is applied
    updated = update_contact(store, "owner-1", created["contact_id"], ContactChanges(goal="mentorship"), None)
    # Then it was re-applied on the fresh contact: the goal is set and the meeting's clock is kept
    store.get_contact = real_get
    stored = store.get_contact("owner-1", created["contact_id"])
    assert reads["n"] == 2
    assert (stored.goal, stored.last_interaction_title) == ("mentorship", "Coffee")
    assert updated.version == stored.version


def test_a_channel_close_to_lapsing_and_not_yet_renewed_is_listed_as_expiring(kith: Kith, owner: dict) -> None:
    from datetime import timedelta

    from kith.domain.connections import CalendarConnection, GoogleWatch, Provider

    from tests.integration.support import NOW

    store = kith.lambdas.modules["ApiFunction"].runtime.connection_store
    watch = GoogleWatch(channel_id="c", resource_id="r", channel_token="t", expires_at=NOW + timedelta(hours=20))
    store.create_connection(
        CalendarConnection(
            connection_id="g1", owner_id="owner-1", provider=Provider.GOOGLE, created_at=NOW, google=watch
        )
    )
    # Twenty hours before it lapses the channel is active; inside the twelve-hour renewal margin it is expiring
    assert [c["state"] for c in kith.http("GET", "/v1/connections")[1]["connections"]] == ["active"]
    kith.clock.set(NOW + timedelta(hours=9))
    assert [c["state"] for c in kith.http("GET", "/v1/connections")[1]["connections"]] == ["expiring"]
