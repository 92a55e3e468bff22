"""`make serve DEMO=1`: the demo owner and her network, seeded over HTTP so the console opens on a full Today.

The owner and contacts are make demo's; each contact's last interaction is logged (a call, a message
or a note) as long before now as it lay before the demo's Sunday. A Cal.com calendar then tells Kith
of a review that ended five minutes ago (an interaction, and a follow-up pending for an hour) and of
an intro call in two days (it holds back the nudge of a contact who is due). The development sign-in
is prefilled with this owner.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kith_local.demo_people import CONTACTS, OWNER, OWNER_ID, OWNER_TOKEN, START
from kith_local.harness import LocalKith
from kith_local.provider_payloads import CALCOM_SIGNATURE, calcom_body, calcom_signature

REVIEWED = "Jonas Weber"  # the review that ended: his follow-up is pending
PLANNED = "Tomás Ortega"  # due, with an intro call planned: his nudge is held back
LOGGED = {
    "Priya Natarajan": ("call", "Mentorship call"),
    "Mei Lin": ("message", "Sent her the job post"),
}


@dataclass(frozen=True)
class Seeded:
    owner_id: str
    contacts: int
    meetings: int


def seed_demo(kith: LocalKith) -> Seeded:
    now = kith.clock.now()
    _expect(kith.request("PUT", "/v1/owner", OWNER, token=OWNER_TOKEN), 200)
    ids: dict[str, str] = {}
    for contact in CONTACTS:
        moved = {name: value for name, value in contact.items() if name != "last_interaction_at"}
        created = _expect(kith.request("POST", "/v1/contacts", moved, token=OWNER_TOKEN), 201)
        ids[contact["name"]] = created["contact_id"]
        if "last_interaction_at" in contact:
            at = _utc(now - (START - _instant(contact["last_interaction_at"])))
            kind, title = LOGGED.get(contact["name"], ("note", "Caught up"))
            logged = {"kind": kind, "contact_ids": [created["contact_id"]], "at": at, "title": title}
            _expect(kith.request("POST", "/v1/interactions", logged, token=OWNER_TOKEN), 201)
    meetings = _calendar(kith, now)
    kith.process_meetings()
    return Seeded(OWNER_ID, len(ids), meetings)


def _calendar(kith: LocalKith, now: datetime) -> int:
    connection = _expect(kith.request("POST", "/v1/connections", {"provider": "calcom"}, token=OWNER_TOKEN), 201)
    path = connection["webhook_url"].removeprefix(kith.base_url)
    booking = functools.partial(
        calcom_body, organizer=(OWNER["name"], OWNER["email"]), time_zone=OWNER["time_zone"], created_at=now
    )
    ended = now - timedelta(minutes=50)  # ended five minutes ago: its follow-up waits an hour
    sent = [
        booking(
            "MEETING_ENDED",
            "bk-serve-review",
            ended,
            [_person(REVIEWED)],
            title="Portfolio review",
            minutes=45,
            flat=True,
        ),
        booking("BOOKING_CREATED", "bk-serve-intro", now + timedelta(days=2), [_person(PLANNED)], title="Intro call"),
    ]
    for body in sent:
        signature = calcom_signature(connection["signing_secret"], body)
        _expect(kith.request("POST", path, raw=body, headers={CALCOM_SIGNATURE: signature}), 202)
    return len(sent)


def _person(name: str) -> tuple[str, str]:
    contact = next(contact for contact in CONTACTS if contact["name"] == name)
    return name, contact["emails"][0]


def _expect(answer: Any, status: int) -> Any:
    if answer.status != status:
        raise RuntimeError(f"seeding the demo: HTTP {answer.status} {answer.body}")
    return answer.body


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
