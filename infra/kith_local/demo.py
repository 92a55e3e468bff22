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
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from kith_local.aws import local_aws, sent_emails
from kith_local.clock import SimulatedClock
from kith_local.demo_calendars import PROVIDERS, CalendarWeek, Consent, Delivery, Say, Scene, meetings_by_provider
from kith_local.demo_links import Click, click_through
from kith_local.demo_mail import MAIL_SOURCES, MailSeen, MailWeek
from kith_local.demo_people import (
    CONTACTS,
    DAYS,
    HOSTILE_ADDED,
    HOSTILE_CONTACT,
    HOSTILE_LABEL,
    OWNER,
    OWNER_ID,
    OWNER_TOKEN,
    START,
    TICK,
)
from kith_local.fake_providers import FakeProviders
from kith_local.harness import LocalKith
from kith_local.outbox import OutboxEntry, write_outbox
from kith_local.provider_settings import google_overrides, microsoft_overrides


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
    # The owner's mail of the week: what each message did.
    mail: list[MailSeen] = field(default_factory=list)

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


def _play_due_scenes(scenes: list[Scene], clock: SimulatedClock, kith: LocalKith, say: Say) -> int:
    """Play every scene due by now, in order, each followed by the meetings function; how many played."""
    played = 0
    while scenes and scenes[0].at <= clock.now():
        scene = scenes.pop(0)
        say(f"  {clock.now():%a %d %b %H:%M} UTC  {scene.title}")
        scene.play()
        drained = kith.process_meetings()
        if drained.delivered:
            say(f"      {drained.delivered} queued message(s) processed by the meetings function")
        played += 1
    return played


def _note_renewals(
    kith: LocalKith,
    clock: SimulatedClock,
    expiries: dict[str, tuple[str, str | None]],
    summary: Summary,
    say: Say,
) -> dict[str, tuple[str, str | None]]:
    """Record each watch the tick renewed (its expiry moved); the expiries as they stand now."""
    renewed = _expiries(kith)
    for connection_id, (provider, expires) in renewed.items():
        if expires != expiries[connection_id][1]:
            summary.renewals.append(Renewal(provider, clock.now(), _parse(expires)))
            lasts = f"{summary.renewals[-1].expires_at:%a %d %b %H:%M}"
            say(f"  {clock.now():%a %d %b %H:%M} UTC  renewed {_watch_of(provider)}; it now lasts to {lasts} UTC")
    return renewed


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
        mail = MailWeek(kith, OWNER_ID, (str(OWNER["name"]), str(OWNER["email"])), OWNER_TOKEN, say)
        scenes = sorted([*week.scenes(START), *mail.scenes(), hostile], key=lambda scene: scene.at)
        expiries: dict[str, tuple[str, str | None]] = {}
        say(f"The week, a tick every {int(TICK.total_seconds() // 60)} minutes for {days} days:")
        end = START + timedelta(days=days)
        while clock.now() < end:
            played = _play_due_scenes(scenes, clock, kith, say)
            expiries = _expiries(kith) if played else expiries
            clock.advance(TICK)
            result = kith.tick()
            summary.ticks += 1
            summary.digests += result["digests_queued"]
            summary.follow_ups += result["follow_ups_queued"]
            when = f"  {clock.now():%a %d %b %H:%M} UTC"
            if result["digests_queued"] or result["follow_ups_queued"]:
                say(f"{when}  queued {result['digests_queued']} digest(s), {result['follow_ups_queued']} follow-up(s)")
            if result["renewals_queued"]:
                expiries = _note_renewals(kith, clock, expiries, summary, say)

        interactions = kith.request("GET", "/v1/interactions", token=OWNER_TOKEN).body["interactions"]
        follow_ups = kith.request("GET", "/v1/follow-ups", token=OWNER_TOKEN).body["follow_ups"]
        summary.titles = [interaction["title"] for interaction in interactions if interaction["kind"] != "email"]
        summary.mail = list(mail.seen)
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
    for seen in summary.mail:
        did = f"moved {seen.contact}'s clock to {seen.clock}" if seen.logged else "refused, nothing stored"
        say(f"  mail ({MAIL_SOURCES[seen.source]}): {seen.label}: {did}")
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
