"""Part 13: what one message to an owner's "BCC Kith" address costs: S3 and DynamoDB requests, and time.

The inbound function runs in process on moto, invoked with the receipt event SES sends once its S3
action stored the message (kith_local.inbound_mail). Requests are counted on the function's own
clients with botocore's hooks; the time is the handler's, from invocation to the clock moved and the
message deleted, warm, on moto (so it says how much work Kith does, not what AWS would take).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from kith.api_contacts import ContactIn
from kith.domain.models import OwnerSettings
from kith.runtime import Runtime, SessionClients
from kith.usecases.contacts import add_contact
from kith.usecases.owners import save_owner
from kith_local import inbound_mail
from kith_local.clock import SimulatedClock
from kith_local.lambdas import LocalLambdas
from kith_local.stack import LocalStack, create_stack
from moto import mock_aws

from bench.counting import OPERATIONS, RequestLog
from bench.in_process import quiet_logs
from bench.registry import Bench
from bench.report import SHORT, table
from bench.scenarios import use_fake_aws

OWNER = "owner-bench"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TIMED = 30


class _Clients:
    """The function's clients, each DynamoDB request in `log` and each S3 call (and bytes read) counted."""

    def __init__(self) -> None:
        self.log = RequestLog()
        self.s3: Counter[str] = Counter()
        self.bytes_read = 0
        self._clients = SessionClients()

    def __call__(self, service: str) -> Any:
        client = self._clients(service)
        if service == "dynamodb":
            self.log.attach(client)
        elif service == "s3":
            client.meta.events.register("before-call.s3.*", self._s3_call)
            client.meta.events.register("after-call.s3.GetObject", self._s3_read)
        return client

    def _s3_call(self, model: Any, **_: Any) -> None:
        self.s3[model.name] += 1

    def _s3_read(self, parsed: dict[str, Any], **_: Any) -> None:
        self.bytes_read += int(parsed.get("ContentLength", 0))

    def clear(self) -> None:
        self.log.clear()
        self.s3.clear()
        self.bytes_read = 0


@dataclass
class _Local:
    stack: LocalStack
    lambdas: LocalLambdas
    clock: SimulatedClock


@dataclass
class InboundCase:
    label: str
    outcome: dict[str, Any]
    dynamodb: dict[str, Any]
    s3: dict[str, int]
    bytes_read: int
    milliseconds: list[float] = field(default_factory=list)


def _message(to: list[str], at: datetime, *, sender: str = "owner@example.com", attachment: int = 0) -> bytes:
    if not attachment:
        return inbound_mail.sent_message(sender, to, "Catching up", at)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, ", ".join(to), "The deck"
    message["Date"], message["Message-ID"] = at.strftime("%a, %d %b %Y %H:%M:%S +0000"), "<deck@bench.example>"
    message.set_content("The deck, as promised.")
    message.add_attachment(b"\x01" * attachment, maintype="application", subtype="pdf", filename="deck.pdf")
    return message.as_bytes()


def _forward(at: datetime) -> bytes:
    block = (
        "---------- Forwarded message ---------\nFrom: Ann Example <ann@example.com>\n"
        f"Date: {at:%a, %b} {at.day}, {at:%Y} at 9:14 AM\nSubject: Lunch\nTo: Owner <owner@example.com>\n\nLunch?"
    )
    return inbound_mail.sent_message("owner@example.com", ["log+x@in.kith.local"], "Fwd: Lunch", at, body=block)


def _setup(stack: LocalStack) -> str:
    runtime = Runtime(environ=stack.environment("ApiFunction"))
    settings = OwnerSettings(time_zone="Europe/Berlin", meeting_size_limit=8)
    save_owner(runtime.contact_store, OWNER, "owner@example.com", "Bench Owner", settings, NOW - timedelta(days=1))
    for name in ("ann", "ben"):
        fields = {
            "name": name.title(),
            "emails": [f"{name}@example.com"],
            "last_interaction_at": "2026-09-01T10:00:00Z",
        }
        add_contact(runtime.contact_store, OWNER, ContactIn.model_validate(fields).command(), NOW - timedelta(days=1))
    return inbound_mail.bcc_address(stack, OWNER)


def _case(local: _Local, clients: _Clients, label: str, raw: bytes, recipient: str, **verdicts: str) -> InboundCase:
    clients.clear()
    outcome = inbound_mail.deliver_inbound(local, raw, recipient, **verdicts)
    return InboundCase(label, outcome, clients.log.summary(), dict(clients.s3), clients.bytes_read)


def _timed(local: _Local, address: str) -> list[float]:
    """Warm BCCs to Ann and Ben, each later than the last, so every one moves both clocks."""
    timings = []
    for index in range(TIMED):
        at = NOW - timedelta(hours=TIMED) + timedelta(hours=index)
        raw = _message(["ann@example.com", "ben@example.com"], at)
        started = time.perf_counter()
        outcome = inbound_mail.deliver_inbound(local, raw, address)
        timings.append((time.perf_counter() - started) * 1000.0)
        assert outcome["logged"] == 1
    return timings


def measure() -> list[InboundCase]:
    use_fake_aws()
    with quiet_logs(), mock_aws():
        stack = create_stack(stage="bench")
        address = _setup(stack)
        clients = _Clients()
        local = _Local(stack, LocalLambdas(stack), SimulatedClock(NOW))
        local.lambdas.cold_start(lambda _function: clients)
        first = _message(["ann@example.com", "ben@example.com"], NOW - timedelta(days=2))
        cases = [
            _case(local, clients, "BCC to 2 contacts (first)", first, address),
            _case(local, clients, "the same message again", first, address),
            _case(local, clients, "forward (Gmail) of a contact's mail", _forward(NOW - timedelta(days=1)), address),
            _case(local, clients, "40 MB message, 1 contact", _message(["ben@example.com"], NOW - timedelta(hours=40),
                                                                     attachment=30 * 1024 * 1024), address),
            _case(local, clients, "refused: SPF and DKIM failing", first, address, spf="FAIL", dkim="FAIL"),
            _case(local, clients, "refused: not the owner's From",
                  _message(["ann@example.com"], NOW, sender="mallory@example.net"), address),
            _case(local, clients, "refused: unknown address", first, "log+abcdefghijklmnopqrstuvwx@in.kith.local"),
        ]  # fmt: skip
        cases[0].milliseconds = _timed(local, address)
    return cases


def run(bench: Bench) -> list[dict[str, Any]]:
    cases = bench.measure("inbound", measure)
    print_inbound(cases)
    return [
        {
            "case": case.label,
            "outcome": case.outcome,
            "dynamodb": case.dynamodb["by_operation"],
            "dynamodb_requests": case.dynamodb["requests"],
            "s3": case.s3,
            "bytes_read": case.bytes_read,
            "milliseconds": case.milliseconds,
        }
        for case in cases
    ]


def print_inbound(cases: list[InboundCase]) -> None:
    print("13. One message to an owner's BCC Kith address (the inbound function, in process on moto)")
    print("   (requests counted on the function's clients; a TransactWrite writes the interaction and its link)")
    print()
    headers = ["case", "S3", "DynamoDB", *(SHORT[op] for op in OPERATIONS), "bytes read", "outcome"]
    rows = [
        [
            case.label,
            " + ".join(f"{count} {name}" for name, count in case.s3.items()) or "0",
            case.dynamodb["requests"],
            *(case.dynamodb["by_operation"][op] for op in OPERATIONS),
            f"{case.bytes_read:,}",
            ", ".join(case.outcome["refusals"]) or f"logged {case.outcome['logged']}",
        ]
        for case in cases
    ]
    print(table(headers, rows, align="ll" + "r" * (len(headers) - 3) + "l"))
    timed = cases[0].milliseconds
    if timed:
        print()
        print(
            f"   invocation to both clocks moved and the message deleted (warm, {len(timed)} BCCs): "
            f"median {statistics.median(timed):.1f} ms, p90 {sorted(timed)[int(len(timed) * 0.9) - 1]:.1f} ms"
        )
    print()
