"""The HTTP API's lists, filters and conditional writes (PRODUCT.md §1, §2, §9).

Lists come a page at a time behind an opaque cursor; contact filters read the narrowest part of
the table they can; a stale If-Match is a 412; interactions can be logged and deleted by hand;
goals lift a contact in the digest only while they are active.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from kith.domain.models import FollowUp, SentEmail
from kith.storage import keys
from kith_local.provider_payloads import calcom_body

from tests.integration.support import NOW, OWNER, Kith


@pytest.fixture
def owner(kith: Kith) -> dict[str, Any]:
    return kith.create_owner()  # in Europe/Berlin; NOW is Monday 30 November 2026, 10:00 UTC


def _add(kith: Kith, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    status, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": rows})
    assert status == 201, answer
    created: list[dict[str, Any]] = answer["contacts"]
    return created


def _pages(kith: Kith, path: str, key: str) -> Iterator[list[dict[str, Any]]]:
    """Every page of a list, following next_cursor until it is null."""
    cursor: str | None = None
    separator = "&" if "?" in path else "?"
    while True:
        status, page = kith.http("GET", path + (f"{separator}cursor={cursor}" if cursor else ""))
        assert status == 200, page
        yield page[key]
        cursor = page["next_cursor"]
        if cursor is None:
            return


def _names(kith: Kith, query: str) -> list[str]:
    status, page = kith.http("GET", f"/v1/contacts?{query}")
    assert status == 200, page
    assert page["next_cursor"] is None
    return sorted(contact["name"] for contact in page["contacts"])


def _queries(kith: Kith) -> list[dict[str, Any]]:
    """The parameters of every DynamoDB Query the API function makes from now on."""
    seen: list[dict[str, Any]] = []
    client = kith.lambdas.modules["ApiFunction"].runtime.dynamodb
    client.meta.events.register("provide-client-params.dynamodb.Query", lambda params, **_: seen.append(params))
    return seen


def _days_ago(days: int) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- pages ----------------------------------------------------------------------------------------


def test_120_contacts_are_walked_in_pages_of_50_none_missing_none_twice(kith: Kith, owner: dict) -> None:
    # Given 120 contacts
    created = _add(kith, [{"name": f"Person {n}", "emails": [f"p{n}@example.com"]} for n in range(120)])
    # When the list is walked with the default page size, following next_cursor
    pages = list(_pages(kith, "/v1/contacts", "contacts"))
    # Then there are pages of 50, 50 and 20, and together they hold every contact exactly once
    assert [len(page) for page in pages] == [50, 50, 20]
    listed = [contact["contact_id"] for page in pages for contact in page]
    assert len(listed) == len(set(listed)) == 120
    assert set(listed) == {contact["contact_id"] for contact in created}


def test_a_filtered_list_is_walked_in_full_pages_until_the_last(kith: Kith, owner: dict) -> None:
    # Given 120 contacts, every fourth one in the inner circle
    rows = [{"name": f"Person {n}", "circle": "inner" if n % 4 == 0 else "core"} for n in range(120)]
    inner = {contact["contact_id"] for contact in _add(kith, rows) if contact["circle"] == "inner"}
    # When the inner ones are walked seven at a time
    pages = list(_pages(kith, "/v1/contacts?circle=inner&limit=7", "contacts"))
    # Then every page but the last is full, and the 30 inner contacts come once each
    assert [len(page) for page in pages] == [7, 7, 7, 7, 2]
    listed = [contact["contact_id"] for page in pages for contact in page]
    assert len(listed) == len(set(listed)) and set(listed) == inner


def test_a_list_that_ends_on_a_full_page_says_so_without_an_empty_page(kith: Kith, owner: dict) -> None:
    # Given exactly four contacts
    _add(kith, [{"name": f"Person {n}"} for n in range(4)])
    # When walked two at a time, Then two pages, the second one the last
    assert [len(page) for page in _pages(kith, "/v1/contacts?limit=2", "contacts")] == [2, 2]


@pytest.mark.parametrize("limit", ["0", "201", "ten", "-5"])
def test_a_limit_outside_1_to_200_is_422_naming_limit(kith: Kith, owner: dict, limit: str) -> None:
    # Given a page size out of range or not a number, When a list is asked for, Then 422 names the parameter
    for path in ("/v1/contacts", "/v1/interactions", "/v1/follow-ups", "/v1/sent"):
        status, answer = kith.http("GET", f"{path}?limit={limit}")
        assert status == 422 and answer["error"].startswith("limit:"), (path, answer)


def test_a_garbled_cursor_or_one_from_another_list_is_400_naming_cursor(kith: Kith, owner: dict) -> None:
    # Given contacts enough for a second page, and that page's cursor
    _add(kith, [{"name": f"Person {n}"} for n in range(3)])
    cursor = kith.http("GET", "/v1/contacts?limit=1")[1]["next_cursor"]
    assert cursor is not None
    forged = base64.urlsafe_b64encode(json.dumps({"list": "contacts", "sk": "PROFILE"}).encode()).decode().rstrip("=")
    # When the cursor is cut, garbled, forged, or handed to another list
    refused = [
        ("/v1/contacts", cursor[:-3]),
        ("/v1/contacts", "not*a*cursor"),
        ("/v1/contacts", forged),
        ("/v1/interactions", cursor),
        ("/v1/contacts?due=true", cursor),
    ]
    for path, bad in refused:
        separator = "&" if "?" in path else "?"
        status, answer = kith.http("GET", f"{path}{separator}cursor={quote(bad)}")
        # Then each is a 400 with the one error body, naming the cursor
        assert status == 400 and set(answer) == {"error"} and answer["error"].startswith("cursor:"), (path, bad)


def test_interactions_follow_ups_and_sent_emails_come_in_pages_too(kith: Kith, owner: dict) -> None:
    # Given five interactions logged by hand, five follow-ups and five sent emails
    contact = kith.create_contact("Ann", "ann@example.com")
    for days in range(1, 6):
        body = {"kind": "call", "contact_ids": [contact["contact_id"]], "at": _days_ago(days)}
        assert kith.http("POST", "/v1/interactions", body)[0] == 201
    runtime = kith.lambdas.modules["ApiFunction"].runtime
    for n in range(5):
        end = NOW - timedelta(days=n)
        runtime.meeting_store.save_follow_up(
            FollowUp(owner_id=OWNER, interaction_id=f"i{n}", due_at=end, contact_ids=("c",), meeting_end=end)
        )
        runtime.mail_store.record_sent(
            SentEmail(
                owner_id=OWNER,
                email_key=f"digest#{n}",
                kind="digest",
                recipient="owner@example.com",
                subject="Your week",
                sent_at=end,
                message_id=f"m{n}",
            )
        )
    # When each list is walked two at a time
    for path, key, identity in (
        ("/v1/interactions", "interactions", "interaction_id"),
        ("/v1/follow-ups", "follow_ups", "interaction_id"),
        ("/v1/sent", "sent", "email_key"),
    ):
        pages = list(_pages(kith, f"{path}?limit=2", key))
        # Then pages of 2, 2 and 1 hold all five, once each
        assert [len(page) for page in pages] == [2, 2, 1], path
        assert len({item[identity] for page in pages for item in page}) == 5, path


# -- filters and search ------------------------------------------------------------------------------


def test_contacts_are_filtered_by_circle_and_by_goal_whatever_its_case(kith: Kith, owner: dict) -> None:
    # Given contacts in three circles, some with goals, one goal in another case
    _add(
        kith,
        [
            {"name": "Ida Inner", "circle": "inner", "goal": "job search"},
            {"name": "Ivo Inner", "circle": "inner"},
            {"name": "Cora Core", "circle": "core", "goal": "job search"},
            {"name": "Cid Core", "circle": "core", "goal": "Job Search"},
            {"name": "Wes Wider", "circle": "wider", "goal": "mentorship"},
        ],
    )
    # When filtered by circle, by goal, and by both
    # Then each answer holds exactly the contacts every filter fits
    assert _names(kith, "circle=inner") == ["Ida Inner", "Ivo Inner"]
    assert _names(kith, "goal=job%20search") == ["Cid Core", "Cora Core", "Ida Inner"]
    assert _names(kith, "goal=JOB%20SEARCH&circle=core") == ["Cid Core", "Cora Core"]
    assert _names(kith, "goal=sailing") == []


def test_due_and_overdue_read_only_the_due_index(kith: Kith, owner: dict) -> None:
    # Given core contacts (60 days; overdue after 90) seen 10, 70 and 100 days ago, and one opted out
    _add(
        kith,
        [
            {"name": "Recent Rae", "last_interaction_at": _days_ago(10)},
            {"name": "Due Dora", "last_interaction_at": _days_ago(70), "goal": "mentorship"},
            {"name": "Overdue Otto", "last_interaction_at": _days_ago(100)},
            {"name": "Never Nia", "circle": "never", "last_interaction_at": _days_ago(900)},
            {"name": "Inner Ike", "circle": "inner", "last_interaction_at": _days_ago(30)},
        ],
    )
    queries = _queries(kith)
    # When the due contacts, the overdue ones, and the due ones with a goal are asked for
    due = _names(kith, "due=true")
    overdue = _names(kith, "overdue=true")
    due_with_goal = _names(kith, "due=true&goal=mentorship")
    # Then each holds exactly those (inner Ike, 30 days on a 21-day cadence, is due but not overdue)
    assert due == ["Due Dora", "Inner Ike", "Overdue Otto"]
    assert overdue == ["Overdue Otto"]
    assert due_with_goal == ["Due Dora"]
    # And every read went through the DueIndex, for this owner's due contacts only
    assert [query.get("IndexName") for query in queries] == [keys.DUE_INDEX] * 3
    assert {query["ExpressionAttributeValues"][":due"]["S"] for query in queries} == {keys.contact_due_pk(OWNER)}


def test_due_contacts_come_earliest_due_first_a_page_at_a_time(kith: Kith, owner: dict) -> None:
    # Given twelve due core contacts seen 61 to 72 days ago
    _add(kith, [{"name": f"Due {days}", "last_interaction_at": _days_ago(days)} for days in range(61, 73)])
    # When walked five at a time
    pages = list(_pages(kith, "/v1/contacts?due=true&limit=5", "contacts"))
    # Then pages of 5, 5 and 2, the one due longest first
    assert [len(page) for page in pages] == [5, 5, 2]
    assert [contact["name"] for page in pages for contact in page] == [f"Due {days}" for days in range(72, 60, -1)]


def test_search_finds_any_word_of_a_name_by_its_start_case_and_accents_folded(kith: Kith, owner: dict) -> None:
    # Given contacts whose names share letters in different places
    _add(
        kith,
        [
            {"name": "Zoë Ng", "emails": ["zoe@ng.example"]},
            {"name": "Ann Able", "emails": ["a.able@example.com"]},
            {"name": "Bob Annable", "emails": ["bob@example.com"]},
            {"name": "Joann Smith", "emails": ["js@example.com"]},
            {"name": "Émile Zola", "emails": ["ez@example.com"]},
        ],
    )
    # When searched by the start of a word, in any case, with or without accents
    # Then the contacts with a word starting so are found, and not those with it inside a word
    assert _names(kith, "q=ann") == ["Ann Able", "Bob Annable"]
    assert _names(kith, "q=ZOE") == ["Zoë Ng"]
    assert _names(kith, "q=ng") == ["Zoë Ng"]
    assert _names(kith, "q=emile") == ["Émile Zola"]
    assert _names(kith, "q=%C3%A9mi") == ["Émile Zola"]  # "émi"
    assert _names(kith, "q=ann%20ab") == ["Ann Able"]
    assert _names(kith, "q=smi") == ["Joann Smith"]
    assert _names(kith, "q=nn") == []
    # And a query that starts an address finds it too, name or not
    assert _names(kith, "q=js") == ["Joann Smith"]
    # And search combines with the other filters
    assert _names(kith, "q=ann&circle=core") == ["Ann Able", "Bob Annable"]
    assert _names(kith, "q=ann&circle=inner") == []


def test_search_by_an_address_reads_only_the_matching_email_lookups(kith: Kith, owner: dict) -> None:
    # Given contacts with neighbouring addresses, one with two addresses at the same start
    _add(
        kith,
        [
            {"name": "Bob", "emails": ["bob@annable.example"]},
            {"name": "Bobby", "emails": ["bobby@example.com"]},
            {"name": "Multi", "emails": ["multi@a.example", "multi@b.example"]},
            {"name": "Other", "emails": ["other@example.com"]},
        ],
    )
    queries = _queries(kith)
    # When searched by the start of an address, in any case
    # Then exactly those addresses' contacts are found, a contact with two of them once
    assert _names(kith, "q=BOB@") == ["Bob"]
    assert _names(kith, "q=bob@ann") == ["Bob"]
    assert _names(kith, "q=multi@") == ["Multi"]
    assert [len(page) for page in _pages(kith, "/v1/contacts?q=multi@&limit=1", "contacts")] == [1]
    # And each read was of the e-mail lookups starting so, not of the contacts
    prefixes = [query["ExpressionAttributeValues"][":prefix"]["S"] for query in queries]
    assert prefixes[:3] == ["EMAIL#bob@", "EMAIL#bob@ann", "EMAIL#multi@"]
    assert all(prefix.startswith("EMAIL#") for prefix in prefixes)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("circle=closest", "circle"),
        ("due=maybe", "due"),
        ("overdue=2", "overdue"),
        ("goal=", "goal"),
        ("goal=" + "g" * 101, "goal"),
        ("q=", "q"),
        ("q=" + "x" * 101, "q"),
        ("q=--%20%21", "q"),
    ],
)
def test_a_bad_filter_value_is_422_naming_the_parameter(kith: Kith, owner: dict, query: str, parameter: str) -> None:
    # Given a filter value that cannot be used, When contacts are listed with it
    status, answer = kith.http("GET", f"/v1/contacts?{query}")
    # Then 422, the message starting with the parameter's name
    assert status == 422 and answer["error"].startswith(f"{parameter}:"), answer


# -- ETag and If-Match ---------------------------------------------------------------------------


def test_a_stale_if_match_is_412_and_changes_nothing(kith: Kith, owner: dict) -> None:
    # Given a contact, read with its ETag
    created = kith.create_contact("Ann", "ann@example.com")
    path = f"/v1/contacts/{created['contact_id']}"
    reply = kith.request("GET", path)
    assert (reply.status, reply.headers["etag"], reply.json()["version"]) == (200, '"1"', 1)
    # When it is changed with that ETag, Then the change lands and the answer carries the new ETag
    reply = kith.request("PATCH", path, {"goal": "mentorship"}, headers={"if-match": '"1"'})
    assert (reply.status, reply.json()["version"], reply.headers["etag"]) == (200, 2, '"2"')
    # When a second writer sends the ETag it read before that change
    status, answer = kith.http("PATCH", path, {"goal": "job search"}, headers={"if-match": '"1"'})
    # Then it is refused as a failed precondition, with the one error body, and nothing changed
    assert status == 412
    assert answer == {"error": "contact is at version 2, not 1"}
    assert kith.http("GET", path)[1]["goal"] == "mentorship"
    # And a bare version number works as well, and without If-Match the write goes through as before
    assert kith.http("PATCH", path, {"company": "Acme"}, headers={"if-match": "2"})[0] == 200
    reply = kith.request("PATCH", path, {"title": "CTO"})
    assert (reply.status, reply.headers["etag"]) == (200, '"4"')


def test_an_if_match_that_is_no_version_is_422_naming_it(kith: Kith, owner: dict) -> None:
    # Given a contact, When changed with an If-Match that is not a version
    created = kith.create_contact("Ann", "ann@example.com")
    status, answer = kith.http(
        "PATCH", f"/v1/contacts/{created['contact_id']}", {"goal": "x"}, headers={"if-match": "yesterday"}
    )
    # Then 422 names the header, and the contact is unchanged
    assert status == 422 and answer["error"].startswith("If-Match:")
    assert kith.http("GET", f"/v1/contacts/{created['contact_id']}")[1]["version"] == 1


# -- interactions by hand ------------------------------------------------------------------------------


@pytest.fixture
def pair(kith: Kith, owner: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    ann = kith.create_contact("Ann", "ann@example.com", last_interaction_at="2026-10-01T09:00:00Z")
    ben = kith.create_contact("Ben", "ben@example.com")
    return ann, ben


def _contact(kith: Kith, contact: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = kith.http("GET", f"/v1/contacts/{contact['contact_id']}")[1]
    return found


def test_a_logged_call_moves_its_contacts_clocks_and_deleting_it_gives_them_back(kith: Kith, pair: tuple) -> None:
    ann, ben = pair
    # Given Ann last seen on 1 October and Ben never met
    # When a call with both is logged for 20 November
    body = {"kind": "call", "contact_ids": [ann["contact_id"], ben["contact_id"]], "at": "2026-11-20T10:00:00Z"}
    status, logged = kith.http("POST", "/v1/interactions", {**body, "title": "Catch-up call"})
    # Then it is recorded as a real interaction by hand, and both clocks moved to it
    assert status == 201
    assert (logged["kind"], logged["source"], logged["counts_for_cadence"]) == ("call", "manual", True)
    assert logged["start"] == logged["end"] == "2026-11-20T10:00:00Z"
    for contact in (ann, ben):
        after = _contact(kith, contact)
        assert (after["last_interaction_at"], after["last_interaction_title"]) == (
            "2026-11-20T10:00:00Z",
            "Catch-up call",
        )
    listed = kith.http("GET", "/v1/interactions")[1]["interactions"]
    assert [item["interaction_id"] for item in listed] == [logged["interaction_id"]]
    # When it is deleted
    assert kith.http("DELETE", f"/v1/interactions/{logged['interaction_id']}")[0] == 204
    # Then it is gone, and each contact has back the last interaction it had before
    assert kith.http("GET", "/v1/interactions")[1] == {"interactions": [], "next_cursor": None}
    assert _contact(kith, ann)["last_interaction_at"] == "2026-10-01T09:00:00Z"
    assert _contact(kith, ben)["last_interaction_at"] is None
    assert kith.http("DELETE", f"/v1/interactions/{logged['interaction_id']}")[0] == 404


def test_a_logged_note_older_than_the_clock_does_not_move_it_back(kith: Kith, pair: tuple) -> None:
    ann, _ = pair
    # Given Ann met on 25 November
    kith.http("POST", "/v1/interactions", {"kind": "message", "contact_ids": [ann["contact_id"]], "at": _days_ago(5)})
    # When a note from 10 November is logged, Then it is recorded but Ann's clock stays on the later one
    body = {"kind": "note", "contact_ids": [ann["contact_id"]], "at": "2026-11-10T09:00:00Z"}
    assert kith.http("POST", "/v1/interactions", body)[0] == 201
    assert _contact(kith, ann)["last_interaction_at"] == _days_ago(5)
    assert len(kith.http("GET", "/v1/interactions")[1]["interactions"]) == 2


def test_an_unknown_contact_refuses_the_whole_interaction(kith: Kith, pair: tuple) -> None:
    ann, _ = pair
    before = kith.items()
    # When a call is logged with Ann and a contact that does not exist
    body = {"kind": "call", "contact_ids": [ann["contact_id"], "nobody-here"], "at": _days_ago(1)}
    status, answer = kith.http("POST", "/v1/interactions", body)
    # Then 404 names the unknown contact, and nothing at all was written
    assert (status, answer) == (404, {"error": "no contact nobody-here"})
    assert kith.items() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"at": "2026-12-01T10:00:00Z"}, "at"),
        ({"at": "2026-11-20T10:00:00"}, "at"),
        ({"kind": "meeting"}, "kind"),
        ({"contact_ids": []}, "contact_ids"),
        ({"contact_ids": [f"c{n}" for n in range(21)]}, "contact_ids"),
        ({"title": "t" * 201}, "title"),
    ],
)
def test_an_impossible_interaction_is_422_naming_the_field(kith: Kith, pair: tuple, change: dict, field: str) -> None:
    ann, _ = pair
    # Given an interaction in the future, without a time zone, of a kind that only calendars make, or too big
    body = {"kind": "call", "contact_ids": [ann["contact_id"]], "at": _days_ago(1), **change}
    # When logged, Then 422 names the field, and Ann's clock did not move
    status, answer = kith.http("POST", "/v1/interactions", body)
    assert status == 422 and answer["error"].startswith(field), answer
    assert _contact(kith, ann)["last_interaction_at"] == "2026-10-01T09:00:00Z"


def test_a_meeting_cannot_be_deleted_by_hand(kith: Kith, pair: tuple) -> None:
    # Given a meeting with Ann that came from Cal.com
    connection = kith.connect()
    kith.webhook(
        connection, calcom_body("BOOKING_CREATED", "bk-1", NOW - timedelta(hours=2), [("Ann", "ann@example.com")])
    )
    kith.process_meetings()
    (meeting,) = kith.http("GET", "/v1/interactions")[1]["interactions"]
    # When it is deleted through the API, Then 409 says meetings follow their calendar, and it stays
    status, answer = kith.http("DELETE", f"/v1/interactions/{meeting['interaction_id']}")
    assert status == 409 and "calendar" in answer["error"]
    assert len(kith.http("GET", "/v1/interactions")[1]["interactions"]) == 1


# -- goals -------------------------------------------------------------------------------------------


def test_goals_are_declared_read_back_and_kept_by_a_profile_write(kith: Kith, owner: dict) -> None:
    # Given an owner without goals
    assert kith.http("GET", "/v1/goals")[1] == {"goals": []}
    # When two goals are declared, one set aside
    declared = {"goals": [{"name": " job search "}, {"name": "mentorship", "active": False}]}
    status, answer = kith.http("PUT", "/v1/goals", declared)
    # Then they are stored as named (trimmed), and a later PUT /v1/owner keeps them
    expected = {"goals": [{"name": "job search", "active": True}, {"name": "mentorship", "active": False}]}
    assert (status, answer) == (200, expected)
    kith.create_owner(digest_hour=9)
    assert kith.http("GET", "/v1/goals")[1] == expected


@pytest.mark.parametrize(
    "goals",
    [
        [{"name": f"goal {n}"} for n in range(11)],
        [{"name": "job search"}, {"name": "job search", "active": False}],
        [{"name": "  "}],
        [{"name": "g" * 101}],
        [{"name": "x", "weight": 3}],
    ],
    ids=["eleven", "twice", "blank", "too long", "unknown field"],
)
def test_impossible_goals_are_422_and_change_nothing(kith: Kith, owner: dict, goals: list) -> None:
    # Given declared goals, When replaced by too many, a repeated name, a blank or long name, or an unknown field
    kith.http("PUT", "/v1/goals", {"goals": [{"name": "partnerships"}]})
    status, answer = kith.http("PUT", "/v1/goals", {"goals": goals})
    # Then 422 names the goals, and the goals declared before stay
    assert status == 422 and answer["error"].startswith("goals"), answer
    assert kith.http("GET", "/v1/goals")[1] == {"goals": [{"name": "partnerships", "active": True}]}


def test_goals_need_an_owner_profile_first(kith: Kith) -> None:
    status, answer = kith.http("PUT", "/v1/goals", {"goals": [{"name": "job search"}]})
    assert status == 404 and "PUT /v1/owner" in answer["error"]


MONDAY_0800_BERLIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _digest_names(kith: Kith, at: datetime, names: tuple[str, ...]) -> list[str]:
    """Run the digest due at `at` and say which of `names` the email lists, in order."""
    assert kith.tick(at + timedelta(minutes=5))["digests_queued"] == 1
    assert kith.send_mail() == {"batchItemFailures": []}
    message = email.message_from_string(kith.sent()[-1].raw_data, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return sorted((name for name in names if name in text), key=text.index)


def test_a_goal_lifts_a_contact_in_the_digest_only_while_it_is_active(kith: Kith) -> None:
    # Given an owner with a one-name digest on Mondays and Thursdays, and two core contacts equally late,
    # Zed serving the owner's job search
    kith.clock.set(MONDAY_0800_BERLIN - timedelta(days=1))
    kith.create_owner(digest_weekdays=[0, 3], digest_hour=8, digest_limit=1)
    seen = "2026-09-01T12:00:00Z"
    kith.create_contact("Aaron Plain", "aaron@example.com", last_interaction_at=seen)
    kith.create_contact("Zed Seeker", "zed@example.com", last_interaction_at=seen, goal="job search")
    names = ("Aaron Plain", "Zed Seeker")
    # When the job search is declared but set aside, Then Monday's digest names Aaron (the name breaks the tie)
    kith.http("PUT", "/v1/goals", {"goals": [{"name": "job search", "active": False}, {"name": "mentorship"}]})
    assert _digest_names(kith, MONDAY_0800_BERLIN, names) == ["Aaron Plain"]
    # When the job search is active again, Then Thursday's digest names Zed
    kith.http("PUT", "/v1/goals", {"goals": [{"name": "job search"}, {"name": "mentorship"}]})
    assert _digest_names(kith, MONDAY_0800_BERLIN + timedelta(days=3), names) == ["Zed Seeker"]
