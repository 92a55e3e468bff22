"""`make demo`: one owner's week with Kith, end to end, on the embedded local AWS.

An owner and about twenty contacts are created through the HTTP API; a Cal.com
connection is made; signed webhooks arrive through the real route (a booking, a
meeting that ended, a booking and its cancellation, a ping, and a forged one
that must be refused); then a simulated clock walks through the week, ticking
the scheduler and running the mailer. Every email SES accepted is written to
outbox/ as .eml and .html.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kith.calendars.signing import hmac_sha256_hex

from kith_local.aws import local_aws, sent_emails
from kith_local.clock import SimulatedClock
from kith_local.harness import LocalKith
from kith_local.outbox import OutboxEntry, write_outbox

START = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Sunday evening in Berlin
OWNER_TOKEN = "dev:owner-ada"
TICK = timedelta(minutes=30)
DAYS = 5

OWNER = {
    "email": "ada@example.com",
    "name": "Ada Moreau",
    "time_zone": "Europe/Berlin",
    "digest_weekdays": [0, 3],
    "digest_hour": 8,
    "digest_limit": 5,
}


def _ago(days: int) -> str:
    return (START - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


CONTACTS: list[dict[str, Any]] = [
    {
        "name": "Priya Natarajan",
        "emails": ["priya@lumen.example"],
        "company": "Lumen",
        "circle": "inner",
        "goal": "mentorship",
        "last_interaction_at": _ago(30),
    },
    {
        "name": "Jonas Weber",
        "emails": ["jonas@fjord.example"],
        "company": "Fjord Labs",
        "circle": "core",
        "last_interaction_at": _ago(95),
    },
    {
        "name": "Mei Lin",
        "emails": ["mei@orbit.example"],
        "company": "Orbit",
        "circle": "inner",
        "goal": "job search",
        "last_interaction_at": _ago(25),
    },
    {
        "name": "Tomás Ortega",
        "emails": ["tomas@altamar.example"],
        "company": "Altamar",
        "circle": "core",
        "last_interaction_at": _ago(61),
    },
    {
        "name": "Grace Okafor",
        "emails": ["grace@kite.example"],
        "company": "Kite Health",
        "circle": "wider",
        "goal": "industry insight",
        "last_interaction_at": _ago(200),
    },
    {
        "name": "Luca Bianchi",
        "emails": ["luca@ponte.example"],
        "company": "Ponte",
        "circle": "core",
        "last_interaction_at": _ago(58),
    },
    {
        "name": "Sofia Lindqvist",
        "emails": ["sofia@nord.example"],
        "company": "Nord",
        "circle": "inner",
        "last_interaction_at": _ago(19),
    },
    {
        "name": "Omar Haddad",
        "emails": ["omar@sahel.example"],
        "company": "Sahel Capital",
        "circle": "wider",
        "goal": "partnerships",
        "last_interaction_at": _ago(150),
    },
    {
        "name": "Hana Sato",
        "emails": ["hana@kumo.example"],
        "company": "Kumo",
        "circle": "custom",
        "cadence_days": 45,
        "last_interaction_at": _ago(47),
    },
    {
        "name": "Elena Popescu",
        "emails": ["elena@carpat.example"],
        "company": "Carpat",
        "circle": "core",
        "last_interaction_at": _ago(10),
    },
    {
        "name": "Kwame Mensah",
        "emails": ["kwame@volta.example"],
        "company": "Volta",
        "circle": "wider",
        "last_interaction_at": _ago(40),
    },
    {"name": "Ingrid Berg", "emails": ["ingrid@fjell.example"], "company": "Fjell", "circle": "never"},
    {
        "name": "Rafael Costa",
        "emails": ["rafael@mar.example"],
        "company": "Mar Digital",
        "circle": "core",
        "goal": "partnerships",
        "last_interaction_at": _ago(63),
    },
    {
        "name": "Anya Petrova",
        "emails": ["anya@neva.example"],
        "company": "Neva",
        "circle": "inner",
        "last_interaction_at": _ago(5),
    },
    {
        "name": "Daniel Cohen",
        "emails": ["daniel@cedar.example"],
        "company": "Cedar",
        "circle": "custom",
        "cadence_days": 14,
        "last_interaction_at": _ago(12),
    },
    {
        "name": "Fatima Zahra",
        "emails": ["fatima@atlas.example"],
        "company": "Atlas",
        "circle": "core",
        "last_interaction_at": _ago(30),
    },
    {
        "name": "Noah Kim",
        "emails": ["noah@han.example"],
        "company": "Han River",
        "circle": "wider",
        "last_interaction_at": _ago(179),
    },
    {
        "name": "Chloé Martin",
        "emails": ["chloe@loire.example"],
        "company": "Loire",
        "circle": "inner",
        "goal": "mentorship",
        "last_interaction_at": _ago(22),
    },
    {
        "name": "Arjun Mehta",
        "emails": ["arjun@indus.example"],
        "company": "Indus",
        "circle": "core",
        "last_interaction_at": _ago(120),
    },
    {
        "name": "Zoe Adams <b>&</b> Co",
        "emails": ["zoe@quill.example"],
        "company": "Quill",
        "circle": "inner",
        "last_interaction_at": _ago(40),
    },
]


def _booking(
    trigger: str,
    uid: str,
    title: str,
    start: datetime,
    minutes: int,
    attendees: list[tuple[str, str]],
    flat: bool = False,
) -> bytes:
    booking = {
        "type": "30min",
        "title": title,
        "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTime": (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "organizer": {"name": OWNER["name"], "email": OWNER["email"], "timeZone": OWNER["time_zone"]},
        "attendees": [{"name": name, "email": address, "timeZone": "Europe/Berlin"} for name, address in attendees],
        "uid": uid,
        "iCalUID": f"{uid}@Cal.com",
        "status": "ACCEPTED",
    }
    if flat:
        return json.dumps({"triggerEvent": trigger, "createdAt": START.isoformat(), **booking}).encode()
    return json.dumps({"triggerEvent": trigger, "createdAt": START.isoformat(), "payload": booking}).encode()


@dataclass
class Summary:
    webhooks: list[tuple[str, int]] = field(default_factory=list)
    ticks: int = 0
    digests: int = 0
    follow_ups: int = 0
    outbox: list[OutboxEntry] = field(default_factory=list)
    interactions: int = 0
    follow_ups_recorded: int = 0
    contacts: int = 0

    @property
    def accepted(self) -> int:
        return sum(1 for _, status in self.webhooks if status < 300)

    @property
    def refused(self) -> int:
        return sum(1 for _, status in self.webhooks if status >= 400)


def run_demo(outbox: Path, days: int = DAYS, quiet: bool = False) -> Summary:
    say = (lambda *_: None) if quiet else print
    summary = Summary()
    clock = SimulatedClock(START)
    with local_aws() as endpoint, LocalKith(clock) as kith:
        say(f"Embedded AWS at {endpoint}; Kith's API at {kith.base_url} (stack from template.yaml)")
        owner = kith.request("PUT", "/v1/owner", OWNER, token=OWNER_TOKEN)
        assert owner.status == 200, owner.body
        ids: dict[str, str] = {}
        for contact in CONTACTS:
            created = kith.request("POST", "/v1/contacts", contact, token=OWNER_TOKEN)
            assert created.status == 201, created.body
            ids[contact["name"]] = created.body["contact_id"]
        summary.contacts = len(ids)
        say(f"Owner created with {len(ids)} contacts; next digest {owner.body['next_digest_at']}")

        connection = kith.request("POST", "/v1/connections", {"provider": "calcom"}, token=OWNER_TOKEN).body
        path = connection["webhook_url"].split("://", 1)[1].split("/", 1)[1]
        secret = connection["signing_secret"]

        def deliver(label: str, body: bytes, signature: str | None = None) -> int:
            sig = signature if signature is not None else hmac_sha256_hex(secret, body)
            result = kith.request("POST", "/" + path, raw=body, headers={"x-cal-signature-256": sig})
            summary.webhooks.append((label, result.status))
            say(f"  webhook {label:<44} -> {result.status}")
            return result.status

        say("Cal.com webhooks through the HTTP route:")
        tomorrow_ten = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        deliver(
            "PING (test)",
            json.dumps(
                {
                    "triggerEvent": "PING",
                    "createdAt": START.isoformat(),
                    "payload": {"type": "Test", "title": "Test trigger event"},
                }
            ).encode(),
        )
        deliver(
            "BOOKING_CREATED coffee tomorrow (Priya + a guest)",
            _booking(
                "BOOKING_CREATED",
                "bk-coffee",
                "Coffee with Priya",
                tomorrow_ten,
                30,
                [("Priya Natarajan", "priya@lumen.example"), ("Sam Rivera", "sam@newco.example")],
            ),
        )
        ended = START - timedelta(hours=2)
        deliver(
            "MEETING_ENDED portfolio review (Jonas)",
            _booking(
                "MEETING_ENDED",
                "bk-review",
                "Portfolio review",
                ended - timedelta(minutes=45),
                45,
                [("Jonas Weber", "jonas@fjord.example")],
                flat=True,
            ),
        )
        intro = functools.partial(
            _booking,
            uid="bk-intro",
            title="Intro call",
            start=tomorrow_ten + timedelta(days=1),
            minutes=30,
            attendees=[("Tomás Ortega", "tomas@altamar.example")],
        )
        deliver("BOOKING_CREATED intro call Tuesday (Tomás)", intro("BOOKING_CREATED"))
        deliver("BOOKING_CANCELLED intro call Tuesday", intro("BOOKING_CANCELLED"))
        forged = _booking(
            "BOOKING_CREATED", "bk-forged", "Forged", tomorrow_ten, 30, [("Mei Lin", "mei@orbit.example")]
        )
        status = deliver("BOOKING_CREATED forged signature", forged, signature="0" * 64)
        assert status == 401, "a forged webhook must be refused"
        drained = kith.process_meetings()
        say(f"Meetings processed: {drained.delivered} queued events")

        say(f"Walking the clock through {days} days, a tick every {int(TICK.total_seconds() // 60)} minutes:")
        end = START + timedelta(days=days)
        while clock.now() < end:
            clock.advance(TICK)
            result = kith.tick()
            summary.ticks += 1
            summary.digests += result["digests_queued"]
            summary.follow_ups += result["follow_ups_queued"]
            if result["digests_queued"] or result["follow_ups_queued"]:
                say(
                    f"  {clock.now():%a %d %b %H:%M} UTC: queued {result['digests_queued']} digest(s), "
                    f"{result['follow_ups_queued']} follow-up(s)"
                )

        interactions = kith.request("GET", "/v1/interactions", token=OWNER_TOKEN).body["interactions"]
        follow_ups = kith.request("GET", "/v1/follow-ups", token=OWNER_TOKEN).body["follow_ups"]
        summary.interactions = len(interactions)
        summary.follow_ups_recorded = len(follow_ups)
        summary.outbox = write_outbox(sent_emails(), outbox)

    say("")
    say("Summary")
    say(f"  came in:  {len(summary.webhooks)} webhooks ({summary.accepted} accepted, {summary.refused} refused)")
    say(
        f"  recorded: {summary.interactions} interaction(s), {summary.follow_ups_recorded} follow-up(s), "
        f"{summary.contacts} contacts"
    )
    say(
        f"  ticks:    {summary.ticks}; queued {summary.digests} digest job(s) and {summary.follow_ups} follow-up job(s)"
    )
    say(f"  sent:     {len(summary.outbox)} email(s), written to {outbox}/")
    for entry in summary.outbox:
        say(f"    - {entry.subject}  ({entry.eml.name})")
    return summary
