"""What the console asks of the API beyond the lists: the digest's buttons, a contact's timeline, meetings that hold."""

from __future__ import annotations

from datetime import UTC, datetime

from kith_local.provider_payloads import calcom_body

from tests.integration.support import Kith

LONG_AGO = "2026-08-01T12:00:00Z"


def _due_names(kith: Kith) -> list[str]:
    status, due = kith.http("GET", "/v1/due?limit=50")
    assert status == 200, due
    return [contact["name"] for contact in due["contacts"]]


def test_done_logs_an_interaction_now_and_takes_the_contact_off_the_list(kith: Kith) -> None:
    # Given a contact due for months
    kith.create_owner()
    cora = kith.create_contact("Cora Core", "cora@example.com", last_interaction_at=LONG_AGO)
    assert _due_names(kith) == ["Cora Core"]
    # When the owner presses Done in the console
    status, done = kith.http("POST", f"/v1/contacts/{cora['contact_id']}/actions", {"action": "done"})
    # Then the contact's clock is now, its new version is its ETag, and nobody is due
    assert status == 200, done
    assert done["last_interaction_at"] == "2026-11-30T10:00:00Z"
    assert done["last_interaction_title"] == "Marked done in the Kith console"
    assert done["version"] == cora["version"] + 1
    assert _due_names(kith) == []
    # And the timeline shows the interaction, as a note from the console
    status, timeline = kith.http("GET", f"/v1/contacts/{cora['contact_id']}/interactions")
    assert status == 200, timeline
    assert [(i["kind"], i["source"], i["title"]) for i in timeline["interactions"]] == [
        ("note", "console", "Marked done in the Kith console")
    ]


def test_snooze_and_see_less_often_do_what_the_emails_links_do(kith: Kith) -> None:
    kith.create_owner()
    sam = kith.create_contact("Sam Snooze", "sam@example.com", last_interaction_at=LONG_AGO)
    lee = kith.create_contact("Lee Less", "lee@example.com", circle="inner", last_interaction_at=LONG_AGO)
    # When one is snoozed and the other seen less often
    status, snoozed = kith.http("POST", f"/v1/contacts/{sam['contact_id']}/actions", {"action": "snooze"})
    assert status == 200, snoozed
    status, less = kith.http("POST", f"/v1/contacts/{lee['contact_id']}/actions", {"action": "see_less_often"})
    assert status == 200, less
    # Then the snooze holds 14 days, the other moved one circle out, and neither clock moved
    assert snoozed["snoozed_until"] == "2026-12-14T10:00:00Z"
    assert less["circle"] == "core"
    assert snoozed["last_interaction_at"] == less["last_interaction_at"] == LONG_AGO
    assert _due_names(kith) == ["Lee Less"]


def test_an_unknown_action_or_contact_is_refused_and_changes_nothing(kith: Kith) -> None:
    kith.create_owner()
    cora = kith.create_contact("Cora Core", "cora@example.com", last_interaction_at=LONG_AGO)
    before = kith.state()
    status, refused = kith.http("POST", f"/v1/contacts/{cora['contact_id']}/actions", {"action": "pause"})
    assert status == 422 and refused["details"][0]["field"] == "action", refused
    status, refused = kith.http("POST", "/v1/contacts/nobody/actions", {"action": "done"})
    assert status == 404, refused
    # Another owner's contact is unknown to them
    kith.create_owner(owner_id="someone-else")
    status, refused = kith.http(
        "POST", f"/v1/contacts/{cora['contact_id']}/actions", {"action": "done"}, owner="someone-else"
    )
    assert status == 404, refused
    assert [row for row in kith.state() if "someone-else" not in row[0]] == before


def test_a_timeline_lists_newest_first_a_page_at_a_time(kith: Kith) -> None:
    # Given a contact with five logged calls and another contact with one of their own
    kith.create_owner()
    ann = kith.create_contact("Ann", "ann@example.com")
    bob = kith.create_contact("Bob", "bob@example.com")
    for day in (3, 1, 5, 2, 4):
        call = {
            "kind": "call",
            "contact_ids": [ann["contact_id"]],
            "at": f"2026-11-0{day}T12:00:00Z",
            "title": f"{day}",
        }
        assert kith.http("POST", "/v1/interactions", call)[0] == 201
    bobs = {"kind": "message", "contact_ids": [bob["contact_id"]], "at": "2026-11-06T12:00:00Z"}
    assert kith.http("POST", "/v1/interactions", bobs)[0] == 201
    # When Ann's timeline is read two at a time
    titles: list[str] = []
    cursor = ""
    pages = 0
    while True:
        status, page = kith.http("GET", f"/v1/contacts/{ann['contact_id']}/interactions?limit=2{cursor}")
        assert status == 200, page
        titles += [interaction["title"] for interaction in page["interactions"]]
        pages += 1
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    # Then it is hers alone, newest first, in three pages
    assert titles == ["5", "4", "3", "2", "1"]
    assert pages == 3
    # And a cursor from her timeline does not open Bob's, nor a made-up one anything
    status, first = kith.http("GET", f"/v1/contacts/{ann['contact_id']}/interactions?limit=2")
    status, refused = kith.http("GET", f"/v1/contacts/{bob['contact_id']}/interactions?cursor={first['next_cursor']}")
    assert status == 400, refused
    assert kith.http("GET", "/v1/contacts/nobody/interactions")[0] == 404


def test_a_due_contact_with_an_upcoming_meeting_is_held_back_not_named(kith: Kith) -> None:
    # Given three due contacts: one booked tomorrow (before the next digest), one after it
    kith.create_owner()
    kith.create_contact("Ann Attendee", "ann@example.com", last_interaction_at=LONG_AGO)
    kith.create_contact("Bea Later", "bea@example.com", last_interaction_at=LONG_AGO)
    kith.create_contact("Cora Core", "cora@example.com", last_interaction_at=LONG_AGO)
    connection = kith.connect("calcom")
    for uid, start, attendee in (
        ("bk-later", datetime(2026, 12, 20, 10, 0, tzinfo=UTC), ("Bea Later", "bea@example.com")),
        ("bk-soon", datetime(2026, 12, 1, 10, 0, tzinfo=UTC), ("Ann Attendee", "ann@example.com")),
    ):
        assert kith.webhook(connection, calcom_body("BOOKING_CREATED", uid, start, [attendee]))[0] == 202
    kith.process_meetings()
    # When the owner asks who is due
    status, due = kith.http("GET", "/v1/due")
    assert status == 200, due
    # Then Cora is named, and both others are listed as held back by their meetings, the soonest first
    assert [contact["name"] for contact in due["contacts"]] == ["Cora Core"]
    assert [(held["name"], held["planned_meeting_at"]) for held in due["held_back"]] == [
        ("Ann Attendee", "2026-12-01T10:00:00Z"),
        ("Bea Later", "2026-12-20T10:00:00Z"),
    ]


def test_follow_ups_name_their_contacts_and_list_by_state(kith: Kith) -> None:
    # Given a meeting with Ann that ended an hour ago (its follow-up pending) and Bob deleted since
    kith.create_owner()
    kith.create_contact("Ann Attendee", "ann@example.com")
    bob = kith.create_contact("Bob Gone", "bob@example.com")
    connection = kith.connect("calcom")
    start = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    guests = [("Ann Attendee", "ann@example.com"), ("Bob Gone", "bob@example.com")]
    assert kith.webhook(connection, calcom_body("BOOKING_CREATED", "bk-met", start, guests))[0] == 202
    kith.process_meetings()
    assert kith.http("DELETE", f"/v1/contacts/{bob['contact_id']}")[0] == 204
    # When the pending follow-ups are listed
    status, page = kith.http("GET", "/v1/follow-ups?status=pending")
    assert status == 200, page
    # Then the one follow-up names Ann, and no longer Bob
    (follow_up,) = page["follow_ups"]
    assert follow_up["status"] == "pending"
    assert follow_up["contact_names"] == ["Ann Attendee"]
    # And none is sent yet, and a state that does not exist is a 422 naming it
    assert kith.http("GET", "/v1/follow-ups?status=sent")[1]["follow_ups"] == []
    status, refused = kith.http("GET", "/v1/follow-ups?status=later")
    assert status == 422 and refused["details"][0]["field"] == "status", refused
