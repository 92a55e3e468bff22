"""Every JSON body Kith reads, fuzzed as raw text through the handler API Gateway invokes.

The cases are built by tests/integration/json_fuzz.py.

Each /v1 route with a JSON body, and the signed Cal.com, Calendly and Outlook webhooks, get cases built from a valid
body with one to three places broken. Whatever the case: no 5xx and no exception; every 4xx is Kith's
`{"error": "..."}`; a body the published schema (or the rule for names) refuses gets a 4xx and changes nothing.
Failures are collected, not shrunk, so that the test lists every one; the figures print as a table (`pytest -rA`).
"""

from __future__ import annotations

import json
import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from kith_local.provider_payloads import calcom_body, calendly_body

from tests.integration.json_fuzz import Case, bodies
from tests.integration.json_verdict import request_schema
from tests.integration.support import NOW, Kith, kith_with_microsoft

CASES = int(os.environ.get("KITH_FUZZ_CASES", "120"))
FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
PAST = NOW - timedelta(hours=2)
ATTENDEES = [("Kim", "kim@example.com"), ("Lee Newman", "lee@example.com")]


@dataclass
class Tally:
    """One route family's figures: cases, statuses, and what went wrong."""

    statuses: Counter[int] = field(default_factory=Counter)
    faults: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def row(self, family: str) -> str:
        cases = sum(self.statuses.values())
        fives = sum(count for status, count in self.statuses.items() if status >= 500)
        spread = " ".join(f"{status}:{count}" for status, count in sorted(self.statuses.items()))
        return f"{family:<18} {cases:>6} {fives:>5} {len(self.wrong):>6}  {spread}"


HEADER = f"{'route family':<18} {'cases':>6} {'5xx':>5} {'wrong':>6}  statuses"
TALLIES: dict[str, Tally] = {}


@pytest.fixture(scope="module", autouse=True)
def _table(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    lines = ["JSON body fuzzing (5xx: server faults; wrong: a 2xx for a refused body, or not Kith's error shape)"]
    lines += [HEADER, *(tally.row(family) for family, tally in TALLIES.items())]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        print("\n" + "\n".join(lines))
        return
    reporter.write_line("")
    for line in lines:
        reporter.write_line(line)


Send = Callable[[bytes], tuple[int, Any]]


def raised(error: Exception) -> str:
    """The exception a handler let out, and the line of Kith's code it came from."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [frame for frame in frames if "/kith/" in frame.filename or "/functions/" in frame.filename] or frames
    where = f"{own[-1].filename.rsplit('/', 3)[-1]}:{own[-1].lineno}" if own else "?"
    return f"{type(error).__name__}: {str(error)[:120]} (at {where})"


def fuzz(kith: Kith, family: str, seeds: list[Any], schema: dict[str, Any] | None, send: Send) -> None:
    """Send every case; collect what went wrong; fail at the end listing each fault."""
    for seed in seeds:
        status, answer = send(json.dumps(seed).encode())
        assert 200 <= status < 300, (family, "a seed body is refused", status, answer)
    tally = TALLIES[family] = Tally()

    @FUZZ
    @given(case=bodies(seeds, schema))
    def run(case: Case) -> None:
        before = kith.state() if case.refused else None
        try:
            status, answer = send(case.body)
        except Exception as error:
            tally.statuses[599] += 1
            tally.faults.append(f"raised {raised(error)}\n    {case.describe()}")
            return
        tally.statuses[status] += 1
        if status >= 500:
            tally.faults.append(f"{status} {answer!r:.200}\n    {case.describe()}")
        elif status >= 400 and not (isinstance(answer, dict) and isinstance(answer.get("error"), str)):
            tally.wrong.append(f"{status} not Kith's error shape: {answer!r:.200}\n    {case.describe()}")
        elif case.refused and status < 400:
            tally.wrong.append(f"{status} for a body that should be refused: {answer!r:.200}\n    {case.describe()}")
        elif case.refused and kith.state() != before:
            tally.wrong.append(f"{status} refused but the table changed\n    {case.describe()}")

    run()
    print("\n" + HEADER + "\n" + tally.row(family))
    assert not tally.faults, f"{len(tally.faults)} server faults:\n" + "\n".join(tally.faults)
    assert not tally.wrong, f"{len(tally.wrong)} wrong answers:\n" + "\n".join(tally.wrong)


# -- the API ------------------------------------------------------------------------------------------------


def api_seeds(contact_id: str) -> dict[str, tuple[str, str, list[Any]]]:
    """Per family: the route, and valid bodies whose every field a case may break."""
    owner = {"email": "owner@example.com", "name": "Olive Owner", "time_zone": "Europe/Berlin"}
    contact = {
        "name": "Ann Example", "emails": ["ann@example.com"], "company": "Acme", "title": "CTO", "circle": "inner",
        "goal": "Job", "tags": ["met at a conference"], "notes": "Likes tea.\nAsk about the move.",
        "linkedin_url": "https://www.linkedin.com/in/ann-example", "last_interaction_at": "2026-10-01T10:00:00Z",
    }  # fmt: skip
    patch = {name: value for name, value in contact.items() if name != "last_interaction_at"}
    return {
        "owner": (
            "PUT",
            "/v1/owner",
            [
                owner,
                {
                    **owner,
                    "digest_weekdays": [0, 3],
                    "digest_hour": 7,
                    "digest_limit": 8,
                    "working_hours": {"days": [0, 1, 2, 3, 4], "start_hour": 8, "end_hour": 18},
                    "follow_up_delay_minutes": 30,
                    "meeting_size_limit": 10,
                    "paused_until": "2026-12-24T00:00:00Z",
                    "subscribed": True,
                },
            ],
        ),
        "contacts": (
            "POST",
            "/v1/contacts",
            [
                {"name": "Bo"},
                contact,
                {**contact, "emails": ["bo@example.com"], "circle": "custom", "cadence_days": 45},
            ],
        ),
        "batch": (
            "POST",
            "/v1/contacts/batch",
            [{"contacts": [{"name": "Cy"}, {**contact, "emails": ["cy@example.com"]}]}],
        ),
        "patch": (
            "PATCH",
            f"/v1/contacts/{contact_id}",
            [
                {"notes": "Met again."},
                {**patch, "emails": ["kim@example.com"], "snoozed_until": "2026-12-10T00:00:00Z"},
            ],
        ),
        "connections": (
            "POST",
            "/v1/connections",
            [{"provider": "calcom"}, {"provider": "calendly"}],
        ),
        "interactions": (
            "POST",
            "/v1/interactions",
            [{"kind": "call", "contact_ids": [contact_id], "at": "2026-11-29T10:00:00Z", "title": "Catch-up"}],
        ),
        "goals": (
            "PUT",
            "/v1/goals",
            [{"goals": [{"name": "Job", "active": True}, {"name": "mentorship", "active": False}]}],
        ),
    }


API_FAMILIES = ["owner", "contacts", "batch", "patch", "connections", "interactions", "goals"]


@pytest.mark.parametrize("family", API_FAMILIES)
def test_json_bodies_on_every_api_route_get_a_4xx_or_a_2xx_never_a_5xx(kith: Kith, family: str) -> None:
    # Given an owner with a contact
    kith.create_owner()
    contact = kith.create_contact("Kim", "kim@example.com")
    method, path, seeds = api_seeds(contact["contact_id"])[family]
    # When hostile bodies built from the route's valid ones are sent, Then none is a 5xx
    schema = request_schema(method, path.replace(contact["contact_id"], "{contact_id}"))
    fuzz(kith, family, seeds, schema, lambda body: kith.http(method, path, raw=body))


def test_connecting_an_oauth_calendar_is_fuzzed_too(kith: Kith) -> None:
    # Given a stack without Google or Outlook OAuth clients: their bodies reach the provider check
    kith.create_owner()
    seeds = [
        {"provider": provider, "authorization_code": "code", "redirect_uri": "https://app.kith.test/oauth"}
        for provider in ("google", "outlook")
    ]
    tally = TALLIES["connections oauth"] = Tally()
    for seed in seeds:
        assert kith.http("POST", "/v1/connections", seed)[0] == 422
    schema = request_schema("POST", "/v1/connections")

    @FUZZ
    @given(case=bodies(seeds, schema))
    def run(case: Case) -> None:
        try:
            status, answer = kith.http("POST", "/v1/connections", raw=case.body)
        except Exception as error:
            tally.statuses[599] += 1
            tally.faults.append(f"raised {raised(error)}\n    {case.describe()}")
            return
        tally.statuses[status] += 1
        if status >= 500 or status < 400 or not isinstance(answer.get("error"), str):
            tally.faults.append(f"{status} {answer!r:.200}\n    {case.describe()}")

    run()
    print("\n" + HEADER + "\n" + tally.row("connections oauth"))
    assert not tally.faults, "\n".join(tally.faults)


# -- signed webhooks ----------------------------------------------------------------------------------------


def _signed_seeds(kith: Kith, family: str) -> tuple[list[Any], Send]:
    if family == "calcom webhook":
        connection = kith.connect("calcom")
        seeds = [
            calcom_body("BOOKING_CREATED", "bk-1", PAST, ATTENDEES),
            calcom_body("BOOKING_RESCHEDULED", "bk-2", PAST, ATTENDEES, reschedule_uid="bk-1"),
            calcom_body("BOOKING_CANCELLED", "bk-3", PAST, ATTENDEES),
            calcom_body("MEETING_ENDED", "bk-4", PAST, ATTENDEES, flat=True),
        ]
        return [json.loads(seed) for seed in seeds], lambda body: kith.webhook(connection, body)
    connection = kith.connect("calendly")
    seeds = [
        calendly_body("invitee.created", "EV1", PAST, ATTENDEES[0], guests=["lee@example.com"]),
        calendly_body("invitee.canceled", "EV2", PAST, ATTENDEES[1]),
    ]
    return [json.loads(seed) for seed in seeds], lambda body: kith.calendly_webhook(connection, body)


@pytest.mark.parametrize("family", ["calcom webhook", "calendly webhook"])
def test_correctly_signed_webhook_bodies_get_a_4xx_or_a_2xx_never_a_5xx(kith: Kith, family: str) -> None:
    # Given an owner, a contact and a connection: each case is signed with the connection's secret
    kith.create_owner()
    kith.create_contact("Kim", "kim@example.com")
    seeds, send = _signed_seeds(kith, family)
    fuzz(kith, family, seeds, None, send)


def test_outlook_notifications_get_a_4xx_or_a_2xx_never_a_5xx() -> None:
    with kith_with_microsoft() as (kith, fake):
        # Given a connected Outlook calendar
        connection = kith.connect_by_consent("outlook")
        subscription_id = (
            kith.lambdas.modules["ApiFunction"]
            .runtime.connection_store.get_connection(connection["connection_id"])
            .graph.subscription_id
        )
        seeds = [
            {"value": [fake.graph.notification(subscription_id, "created", "AAMk1")]},
            {"value": [fake.graph.lifecycle_notification(subscription_id, "reauthorizationRequired")]},
        ]

        address = urlsplit(connection["webhook_url"])

        def send(body: bytes) -> tuple[int, Any]:
            return kith.http("POST", f"{address.path}?{address.query}", raw=body)

        # When hostile notification bodies arrive, Then none is a 5xx
        fuzz(kith, "outlook webhook", seeds, None, send)


# -- what the fuzzing found -----------------------------------------------------------------------------------


@pytest.mark.parametrize("family", API_FAMILIES)
def test_a_valid_body_wrapped_in_an_array_is_a_422_and_changes_nothing(kith: Kith, family: str) -> None:
    # Given an owner with a contact, and a route's valid body sent as the only item of a JSON array
    # (Powertools read a list given for an object as its first item, so `[{...}]` was a 2xx)
    kith.create_owner()
    contact = kith.create_contact("Kim", "kim@example.com")
    method, path, seeds = api_seeds(contact["contact_id"])[family]
    before = kith.state()
    # When it is sent, Then it is refused as no JSON object, and nothing changed
    status, answer = kith.http(method, path, raw=json.dumps([seeds[0], seeds[0]]).encode())
    assert (status, answer) == (422, {"error": "body: a JSON object is expected, not an array"})
    assert kith.state() == before
