"""`make demo`: one owner's week with Kith, end to end, on the embedded local AWS.

An owner and twenty contacts are created through the HTTP API. Four calendars are
connected over the real HTTP route of the local API server: Cal.com and Calendly
with signed webhooks, Google Calendar and Outlook through the fake provider server
on 127.0.0.1 (the owner's consent on its page, the redirect back to Kith's callback,
a push channel, a Graph subscription and its handshake); see demo_calendars. A
simulated clock then walks through the week: changes arrive, the scheduler ticks,
mail is sent, and the sweep renews what is about to lapse. Every email SES accepted
is written to outbox/ as .eml and .html.
"""

from __future__ import annotations

import email
import email.policy
import functools
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from kith_local.aws import local_aws, sent_emails
from kith_local.clock import SimulatedClock
from kith_local.demo_calendars import PROVIDERS, CalendarWeek, Consent, Delivery, Say, Scene, meetings_by_provider
from kith_local.demo_links import Click, click_through
from kith_local.fake_providers import FakeProviders
from kith_local.harness import LocalKith
from kith_local.outbox import OutboxEntry, write_outbox
from kith_local.provider_settings import google_overrides, microsoft_overrides

START = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Sunday evening in Berlin
OWNER_ID = "owner-ada"
OWNER_TOKEN = f"dev:{OWNER_ID}"
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
        "name": "Amara Nwosu",
        "emails": ["amara@baobab.example"],
        "company": "Baobab",
        "circle": "inner",
        "last_interaction_at": _ago(40),
    },
]

# Added midweek, so the first emails show ordinary people and a later digest shows the escaping at work.
HOSTILE_CONTACT: dict[str, Any] = {
    "name": "Zoe Adams <b>&</b> Co",
    "emails": ["zoe@quill.example"],
    "company": "Quill (a test contact: a name that tries to break the email)",
    "circle": "inner",
    "last_interaction_at": _ago(40),
}
HOSTILE_LABEL = "a contact whose name tries to break the email"
HOSTILE_ADDED = START + timedelta(days=2, hours=22)  # Wednesday afternoon in Berlin


@dataclass(frozen=True)
class Renewal:
    provider: str
    at: datetime
    expires_at: datetime


@dataclass
class Summary:
    webhooks: list[Delivery] = field(default_factory=list)
    # Google and Outlook, connected through the consent redirect: each hop the browser made.
    consents: list[Consent] = field(default_factory=list)
    # Per provider, the recorded meetings it told Kith of; a meeting two providers told of counts for both.
    meetings: dict[str, int] = field(default_factory=dict)
    # Meetings more than one provider told of (one interaction each): title -> providers.
    shared: dict[str, list[str]] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)
    renewals: list[Renewal] = field(default_factory=list)
    ticks: int = 0
    digests: int = 0
    follow_ups: int = 0
    outbox: list[OutboxEntry] = field(default_factory=list)
    # The emails naming HOSTILE_CONTACT, by file name.
    hostile: set[str] = field(default_factory=set)
    api: str = ""
    follow_up_states: Counter[str] = field(default_factory=Counter)  # recorded follow-ups by status
    contacts: int = 0
    clicks: list[Click] = field(default_factory=list)

    @property
    def interactions(self) -> int:
        return len(self.titles)

    def tally(self, provider: str) -> tuple[int, int]:
        """(accepted, refused) webhooks of one provider."""
        statuses = [delivery.status for delivery in self.webhooks if delivery.provider == provider]
        return sum(status < 300 for status in statuses), sum(status >= 400 for status in statuses)


@contextmanager
def _refusals_unlogged() -> Iterator[None]:
    """The demo sends forged webhooks on purpose: Kith's warnings about refusing them would only clutter it."""
    from kith.observability import logger

    level = logger.log_level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _expiries(kith: LocalKith) -> dict[str, tuple[str, str | None]]:
    listed = kith.request("GET", "/v1/connections", token=OWNER_TOKEN).body["connections"]
    return {item["connection_id"]: (item["provider"], item.get("expires_at")) for item in listed}


def _watch_of(provider: str) -> str:
    return f"{PROVIDERS[provider]}'s " + ("push channel" if provider == "google" else "subscription")


def _parse(instant: str | None) -> datetime:
    assert instant is not None
    return datetime.fromisoformat(instant.replace("Z", "+00:00"))


def run_demo(outbox: Path, days: int = DAYS, quiet: bool = False) -> Summary:
    # Bound to the terminal now: the fake calls Kith back while a function runs, with its stdout captured.
    say = (lambda *_: None) if quiet else functools.partial(print, file=sys.stdout, flush=True)
    summary = Summary()
    clock = SimulatedClock(START)
    with local_aws() as endpoint, FakeProviders(clock) as fake, LocalKith(clock) as kith, _refusals_unlogged():
        # The providers Kith talks to are the fake's.
        kith.use_settings(google_overrides(fake) | microsoft_overrides(fake))
        say(f"Embedded AWS at {endpoint}; fake Google and Microsoft at {fake.base_url}")
        say(f"Kith's API at {kith.base_url} (stack from template.yaml)")
        owner = kith.request("PUT", "/v1/owner", OWNER, token=OWNER_TOKEN)
        assert owner.status == 200, owner.body
        for contact in CONTACTS:
            created = kith.request("POST", "/v1/contacts", contact, token=OWNER_TOKEN)
            assert created.status == 201, created.body
            summary.contacts += 1
        say(f"Owner created with {summary.contacts} contacts; next digest {owner.body['next_digest_at']}")

        week = CalendarWeek(kith, fake, OWNER, OWNER_TOKEN, say)

        def add_hostile_contact() -> None:
            created = kith.request("POST", "/v1/contacts", HOSTILE_CONTACT, token=OWNER_TOKEN)
            assert created.status == 201, created.body
            summary.contacts += 1

        hostile = Scene(HOSTILE_ADDED, f"Added {HOSTILE_LABEL}: {HOSTILE_CONTACT['name']}", add_hostile_contact)
        scenes = sorted([*week.scenes(START), hostile], key=lambda scene: scene.at)
        expiries: dict[str, tuple[str, str | None]] = {}
        say(f"The week, a tick every {int(TICK.total_seconds() // 60)} minutes for {days} days:")
        end = START + timedelta(days=days)
        while clock.now() < end:
            while scenes and scenes[0].at <= clock.now():
                scene = scenes.pop(0)
                say(f"  {clock.now():%a %d %b %H:%M} UTC  {scene.title}")
                scene.play()
                drained = kith.process_meetings()
                if drained.delivered:
                    say(f"      {drained.delivered} queued message(s) processed by the meetings function")
                expiries = _expiries(kith)
            clock.advance(TICK)
            result = kith.tick()
            summary.ticks += 1
            summary.digests += result["digests_queued"]
            summary.follow_ups += result["follow_ups_queued"]
            when = f"  {clock.now():%a %d %b %H:%M} UTC"
            if result["digests_queued"] or result["follow_ups_queued"]:
                say(f"{when}  queued {result['digests_queued']} digest(s), {result['follow_ups_queued']} follow-up(s)")
            if result["renewals_queued"]:
                renewed = _expiries(kith)
                for connection_id, (provider, expires) in renewed.items():
                    if expires != expiries[connection_id][1]:
                        summary.renewals.append(Renewal(provider, clock.now(), _parse(expires)))
                        lasts = f"{summary.renewals[-1].expires_at:%a %d %b %H:%M}"
                        say(f"{when}  renewed {_watch_of(provider)}; it now lasts to {lasts} UTC")
                expiries = renewed

        interactions = kith.request("GET", "/v1/interactions", token=OWNER_TOKEN).body["interactions"]
        follow_ups = kith.request("GET", "/v1/follow-ups", token=OWNER_TOKEN).body["follow_ups"]
        summary.titles = [interaction["title"] for interaction in interactions]
        summary.follow_up_states = Counter(follow_up["status"] for follow_up in follow_ups)
        told = meetings_by_provider(kith, OWNER_ID, {interaction["interaction_id"] for interaction in interactions})
        summary.meetings = {provider: len(ids) for provider, ids in told.items()}
        for interaction in interactions:
            sources = [PROVIDERS[p] for p, ids in told.items() if interaction["interaction_id"] in ids]
            if len(sources) > 1:
                summary.shared[interaction["title"]] = sources
        summary.webhooks = list(week.webhooks.log)
        summary.consents = list(week.consents)
        summary.outbox = write_outbox(sent_emails(), outbox)
        summary.hostile = {entry.eml.name for entry in summary.outbox if _names_hostile_contact(entry)}
        summary.api = kith.base_url
        summary.clicks = click_through(kith, sent_emails())

    _print_summary(summary, outbox, say)
    return summary


def _names_hostile_contact(entry: OutboxEntry) -> bool:
    message = email.message_from_bytes(entry.eml.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    return text is not None and HOSTILE_CONTACT["name"] in text.get_content()


def _print_summary(summary: Summary, outbox: Path, say: Say) -> None:
    say("")
    say("Summary")
    say(f"  {'provider':<10}{'webhooks in':<32}meetings recorded")
    for provider, name in PROVIDERS.items():
        accepted, refused = summary.tally(provider)
        webhooks = f"{accepted + refused} ({accepted} accepted, {refused} refused)"
        say(f"  {name:<10}{webhooks:<32}{summary.meetings.get(provider, 0)}")
    shared = "".join(
        f"; “{title}” came from {' and '.join(sources)} (same iCalUID): one interaction"
        for title, sources in summary.shared.items()
    )
    for consent in summary.consents:
        hops = " -> ".join(str(status) for status in consent.statuses)
        say(f"  {PROVIDERS[consent.provider]} connected by consent: {hops}, then {consent.landed_at}")
    say(f"  interactions: {summary.interactions}{shared}")
    states = ", ".join(f"{count} {state}" for state, count in sorted(summary.follow_up_states.items()))
    say(f"  follow-ups:   {summary.follow_up_states.total()} recorded ({states})")
    say(f"  ticks:        {summary.ticks}; queued {summary.digests} digest(s) and {summary.follow_ups} follow-up(s)")
    renewed: dict[str, list[str]] = {}
    for renewal in summary.renewals:
        renewed.setdefault(_watch_of(renewal.provider), []).append(f"{renewal.at:%a %d %b %H:%M} UTC")
    details = "; ".join(f"{watch} on {' and '.join(times)}" for watch, times in renewed.items())
    say(f"  renewals:     {len(summary.renewals)}" + (f" ({details})" if details else ""))
    say(f"  sent:         {len(summary.outbox)} email(s), written to {outbox}/")
    for entry in summary.outbox:
        label = f"  [names {HOSTILE_LABEL}]" if entry.eml.name in summary.hostile else ""
        say(f"    - {entry.subject}  ({entry.eml.name}){label}")
    say(f"    Their links lead to this run's API at {summary.api}, which stopped when the demo ended.")
    say("    For links that answer when clicked, run `make serve`: it empties outbox/, then writes its emails there.")
    say(f"  one-click links, followed over HTTP: {len(summary.clicks)}")
    for click in summary.clicks:
        say(f"    - {click.what}: {click.method} {click.status}" + (f", “{click.said}”" if click.said else ""))
