"""Part 14: what one message in an owner's Outlook Sent Items costs: Graph calls, DynamoDB requests, and time.

Kith runs in process on moto (bench.in_process), Microsoft on the fake provider server on 127.0.0.1;
Outlook is connected with mail by the owner's consent. Each case files a message in Sent Items, lets
the fake Graph notify the webhook (handed over in process) and the meetings function read the queued
change. Requests are counted on each function's DynamoDB client; Graph calls on the fake's request
log. The time is from the webhook's invocation to the meetings function's return, the clocks moved,
warm, on moto (so it says how much work Kith does, not what AWS would take).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from kith_local.clock import SimulatedClock
from kith_local.fake_providers import FakeProviders
from kith_local.plain_browser import Browser, give_consent
from kith_local.provider_payloads import Person, graph_message
from kith_local.provider_settings import microsoft_overrides
from kith_local.stack import create_stack
from moto import mock_aws

from bench.counting import OPERATIONS, RequestLog
from bench.in_process import HOST, Kith, quiet_logs
from bench.registry import Bench
from bench.report import SHORT, table
from bench.scenarios import NOW

OWNER_ID = "owner-outlook-mail"
OWNER_EMAIL = "owner@example.com"  # the fake Graph user's mail
ANN: Person = ("Ann Attendee", "ann@example.com")
BEN: Person = ("Ben Builder", "ben@example.com")
TIMED = 30


@dataclass
class MailCase:
    label: str
    graph_calls: list[str]
    webhook: dict[str, Any]
    processing: dict[str, Any]
    milliseconds: list[float] = field(default_factory=list)


@dataclass
class _Meters:
    kith: Kith
    fake: FakeProviders
    webhook: RequestLog
    meetings: RequestLog
    subscription_id: str


def _connect(kith: Kith) -> None:
    started = kith.expect(200, "POST", "/v1/connections/outlook/authorize", {"mail": True})

    def in_process(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        return kith.api.handle(method, parts.path, parts.query, headers, body, HOST)

    landed = give_consent(Browser({f"https://{HOST}": in_process}), started["authorize_url"]).landed
    if landed.status != 303:
        raise RuntimeError(f"the consent callback answered {landed.status}: {landed.text[:300]}")
    kith.process()


def _graph_call(path: str) -> str:
    if path.startswith("/graph/v1.0/me/messages/"):
        return "GET me/messages/{id}"
    if path.startswith("/graph/v1.0/me/mailFolders"):
        return "GET Sent Items page"
    return path


def _case(meters: _Meters, label: str, deliver: Any) -> MailCase:
    """One notification (`deliver` sends it), processed; what it cost and how long it took."""
    kith, fake = meters.kith, meters.fake
    meters.webhook.clear()
    meters.meetings.clear()
    kith.lambdas.spans.clear()
    before = len(fake.requests)
    if (status := deliver()) != 202:
        raise RuntimeError(f"{label}: the webhook answered {status}")
    if kith.process() != 1:
        raise RuntimeError(f"{label}: one change should have been queued")
    started, _ = kith.lambdas.span("WebhookFunction")
    _, finished = kith.lambdas.span("MeetingsFunction")
    calls = [_graph_call(r.path) for r in fake.requests[before:] if r.path.startswith("/graph")]
    case = MailCase(label, calls, meters.webhook.summary(), meters.meetings.summary())
    case.milliseconds.append((finished - started) * 1000)
    return case


def _sent(meters: _Meters, message_id: str, sent_at: datetime, to: list[Person]) -> Any:
    meters.fake.graph_mail.put_sent(graph_message(message_id, sent_at, to))
    return lambda: meters.fake.graph_mail.notify_sent(meters.subscription_id, message_id)[0]


def _clock(meters: _Meters, contact_id: str) -> str:
    return str(meters.kith.expect(200, "GET", f"/v1/contacts/{contact_id}", None)["last_interaction_at"])


def _cases(meters: _Meters, ids: dict[str, str]) -> list[MailCase]:
    fake = meters.fake
    first = NOW - timedelta(hours=TIMED + 10)
    again = lambda: fake.graph_mail.notify_sent(meters.subscription_id, "AAMkFirst")[0]  # noqa: E731
    crowd = [ANN, *((f"Guest {n}", f"guest{n}@example.org") for n in range(8))]
    cases = [
        _case(meters, "to 2 contacts (first)", _sent(meters, "AAMkFirst", first, [ANN, BEN])),
        _case(meters, "the same message again", again),
        _case(meters, "to 9 people (over the size limit)", _sent(meters, "AAMkCrowd", first, crowd)),
    ]  # fmt: skip
    notify_gone = _sent(meters, "AAMkGone", first, [ANN])
    fake.graph_mail.delete_sent("AAMkGone")
    cases.append(_case(meters, "deleted before it was read (404)", notify_gone))
    for n in range(60):
        fake.graph_mail.put_sent(graph_message(f"AAMkOld{n}", NOW - timedelta(days=40, hours=n), [BEN]))
        fake.graph_mail.put_sent(graph_message(f"AAMkMissed{n}", first - timedelta(hours=n + 1), [ANN]))
    missed = lambda: fake.graph.notify_lifecycle(meters.subscription_id, "missed")[0]  # noqa: E731
    cases.append(_case(meters, "missed: Sent Items of 30 days (62 of 122 read)", missed))
    # Warm, timed: messages an hour apart, each later than the last, so every one moves both clocks.
    timings: list[float] = []
    for n in range(TIMED):
        at = first + timedelta(hours=n + 1)
        warm = _case(meters, f"to 2 contacts (warm, {TIMED} messages)", _sent(meters, f"AAMkWarm{n}", at, [ANN, BEN]))
        timings.extend(warm.milliseconds)
        wanted = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if (_clock(meters, ids[ANN[1]]), _clock(meters, ids[BEN[1]])) != (wanted, wanted):
            raise RuntimeError(f"message {n} did not move both clocks")
    warm.milliseconds = timings
    return [*cases, warm]


def measure() -> list[MailCase]:
    clock = SimulatedClock(NOW)
    with quiet_logs(), mock_aws(), FakeProviders(clock) as fake:
        stack = create_stack()
        stack.overrides |= microsoft_overrides(fake)
        kith = Kith(stack, clock, OWNER_ID)
        fake.notify = kith.post_to_webhook
        kith.expect(
            200, "PUT", "/v1/owner", {"email": OWNER_EMAIL, "name": "Olive Owner", "time_zone": "Europe/Berlin"}
        )
        ids = {}
        for name, email in (ANN, BEN):
            contact = {"name": name, "emails": [email], "last_interaction_at": "2026-09-01T12:00:00Z"}
            ids[email] = kith.expect(201, "POST", "/v1/contacts", contact)["contact_id"]
        _connect(kith)
        (subscription,) = fake.graph_mail.subscriptions
        modules = kith.lambdas.modules
        meters = _Meters(
            kith,
            fake,
            RequestLog().attach(modules["WebhookFunction"].runtime.dynamodb),
            RequestLog().attach(modules["MeetingsFunction"].runtime.dynamodb),
            subscription["id"],
        )
        return _cases(meters, ids)


def run(bench: Bench) -> list[dict[str, Any]]:
    cases = bench.measure("outlook_mail", measure)
    print_outlook_mail(cases)
    return [
        {
            "case": case.label,
            "graph_calls": case.graph_calls,
            "dynamodb_webhook": case.webhook["by_operation"],
            "dynamodb_processing": case.processing["by_operation"],
            "dynamodb_requests": case.webhook["requests"] + case.processing["requests"],
            "milliseconds": case.milliseconds,
        }
        for case in cases
    ]


def print_outlook_mail(cases: list[MailCase]) -> None:
    print("14. One message in Outlook's Sent Items (webhook and meetings functions in process on moto, fake Graph)")
    print(
        "   (DynamoDB requests counted on each function's client; a TransactWrite writes the interaction and its link)"
    )
    print()
    headers = ["case", "Graph calls", "webhook", "processing", *(SHORT[op] for op in OPERATIONS), "ms"]
    rows = []
    for case in cases:
        both = {op: case.webhook["by_operation"][op] + case.processing["by_operation"][op] for op in OPERATIONS}
        calls = {name: case.graph_calls.count(name) for name in dict.fromkeys(case.graph_calls)}
        rows.append(
            [
                case.label,
                " + ".join(f"{count} {name}" for name, count in calls.items()) or "0",
                case.webhook["requests"],
                case.processing["requests"],
                *(both[op] for op in OPERATIONS),
                f"{statistics.median(case.milliseconds):.1f}",
            ]
        )
    print(table(headers, rows, align="llrr" + "r" * len(OPERATIONS) + "r"))
    timed = cases[-1].milliseconds
    print()
    print(
        f"   notification to both clocks moved (warm, {len(timed)} messages): "
        f"median {statistics.median(timed):.1f} ms, p90 {sorted(timed)[int(len(timed) * 0.9) - 1]:.1f} ms"
    )
    print()
