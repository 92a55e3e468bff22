"""Part 9: DynamoDB requests and request units per operation, each through its function's handler.

One stack on moto in process; an owner with 25 contacts (all due: last seen 70 days ago, core
circle) and a Cal.com connection, made through the API. Each operation is then run once, as Lambda
would run it, with its function's DynamoDB client counted (bench.counting.RequestLog) and metered
(bench.capacity.CapacityMeter): a webhook and its processing for meetings of 1, 5 and 20 attendees
(ended 90 minutes ago), the follow-up of the 1-attendee meeting and the digest through the mailer
(its once-per-email claim included), a "done" link clicked, a contact erased (one who was at every
meeting), and a 200-row LinkedIn import for a second owner.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from kith.calendars import calcom
from kith.calendars.signing import hmac_sha256_hex
from kith.domain.actions import Action
from kith.domain.identities import meeting_interaction_id
from kith.usecases.jobs import DigestJob, FollowUpJob
from kith_local.clock import SimulatedClock
from kith_local.events import sqs_event
from kith_local.stack import create_stack
from moto import mock_aws

from bench.capacity import CapacityMeter
from bench.counting import RequestLog
from bench.fanout import TICK, seed_owners
from bench.imports import linkedin_export
from bench.in_process import HOST, Kith, quiet_logs
from bench.scenarios import calcom_body

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
OWNER = "owner-ops"
IMPORTER = "owner-ops-import"
CONTACTS = 25
IMPORT_ROWS = 200
ATTENDEES = (1, 5, 20)
FUNCTIONS = (
    "WebhookFunction",
    "MeetingsFunction",
    "MailerFunction",
    "ActionsFunction",
    "ApiFunction",
    "SchedulerFunction",
)
TICK_OWNERS = 20


@dataclass
class Measured:
    operation: str
    function: str
    requests: dict[str, Any]
    units: dict[str, Any]
    per: int = 1  # the figures are for `per` things (an import: per contact written)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def request_count(self) -> float:
        return float(self.requests["requests"]) / self.per

    @property
    def read_units(self) -> float:
        return float(self.units["read_units"]) / self.per

    @property
    def write_units(self) -> float:
        return float(self.units["write_units"] + self.units["index_write_units"]) / self.per

    def operations(self) -> str:
        counts = self.requests["by_operation"]
        return ", ".join(f"{op} {count}" for op, count in counts.items() if count)

    def figures(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "function": self.function,
            "per": self.per,
            "requests": self.requests["requests"],
            "by_operation": {op: n for op, n in self.requests["by_operation"].items() if n},
            "by_repository_method": self.requests.get("by_repository_method", {}),
            "conditions_failed": self.requests["conditions_failed"],
            "units": self.units,
            "detail": self.detail,
        }


class _Probes:
    """A RequestLog and a CapacityMeter on each function's own DynamoDB client."""

    def __init__(self, kith: Kith) -> None:
        peek = boto3.client("dynamodb")
        self.logs: dict[str, RequestLog] = {}
        self.meters: dict[str, CapacityMeter] = {}
        for name in FUNCTIONS:
            client = kith.lambdas.modules[name].runtime.dynamodb
            self.logs[name] = RequestLog().attach(client)
            self.meters[name] = CapacityMeter(peek).attach(client)

    def clear(self) -> None:
        for name in FUNCTIONS:
            self.logs[name].clear()
            self.meters[name].clear()

    def take(self, operation: str, function: str, per: int = 1, **detail: Any) -> Measured:
        measured = Measured(
            operation, function, self.logs[function].summary(), self.meters[function].units.as_dict(), per, detail
        )
        self.clear()
        return measured


def minimum(measured: Measured) -> tuple[float, str]:
    """The fewest requests the operation needs with the same guarantees, and why."""
    name = measured.operation
    if name.startswith("webhook intake"):
        return 1, "GetItem of the connection: owner, provider, signing secret"
    if name.startswith("meeting processing"):
        attendees = int(name.split(", ")[1].split(" ")[0])
        return 4 + attendees, (
            "owner; 2 BatchGetItem (addresses -> contact ids -> contacts); one conditional write of the "
            "interaction with its alias, links and follow-up (a transaction); one conditional clock move per "
            "contact (apart: one clock already moved must not undo the rest)"
        )
    if name.startswith("scheduler tick"):
        return 1 + 12 / TICK_OWNERS, "one conditional slot move per owner; the 12 due-index queries shared"
    if name.startswith("follow-up"):
        return 4, (
            "claim (conditional put: once per email); BatchGetItem owner, follow-up, interaction; BatchGetItem "
            "contacts; after the send one transaction: sent history, follow-up closed, claim completed"
        )
    if name.startswith("digest"):
        return 4, "claim; owner; due contacts (one Query of CDUE#owner); one write completing claim and history"
    if name.startswith("one-click"):
        return 2, "BatchGetItem owner and contact; one transaction: link spent (conditional), contact, interaction"
    if name.startswith("contact erased"):
        return 4, (
            "contact; its links (Query); its interactions and follow-ups (one BatchGetItem); one transaction of "
            "every change (up to 100 items)"
        )
    if name.startswith("contact import"):
        writes = measured.per + int(measured.detail.get("emails", 0))
        least = 2 + math.ceil(writes / 100)
        return least / measured.per, (
            f"owner; the owner's contacts (Query, 1 MB pages); transactions of 100 writes ({least} requests "
            f"for {measured.per} contacts and their e-mail claims)"
        )
    raise KeyError(name)


def _contacts(prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Contact {index:02d}",
            "emails": [f"{prefix}{index:02d}@example.com"],
            "circle": "core",
            "company": "Fjord Labs",
            "last_interaction_at": (NOW - timedelta(days=70)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for index in range(CONTACTS)
    ]


def _mail(kith: Kith, job: DigestJob | FollowUpJob) -> dict[str, Any]:
    message = {"MessageId": f"bench-{job.kind}", "ReceiptHandle": "r", "Body": json.dumps(job.to_message())}
    answer: dict[str, Any] = kith.lambdas.invoke(
        "MailerFunction", sqs_event([message], kith.stack.references["MailQueue.Arn"])
    )
    if answer["batchItemFailures"]:
        raise RuntimeError(f"the mailer failed the {job.kind}")
    return answer


def measure_operations() -> list[Measured]:
    with mock_aws(), quiet_logs():
        stack = create_stack()
        clock = SimulatedClock(NOW)
        kith = Kith(stack, clock, OWNER)
        owner = {"email": "olive@example.com", "name": "Olive Owner", "time_zone": "Europe/Berlin"}
        kith.expect(200, "PUT", "/v1/owner", owner | {"meeting_size_limit": 25})
        contacts = kith.expect(201, "POST", "/v1/contacts/batch", {"contacts": _contacts("contact")})["contacts"]
        connection = kith.expect(201, "POST", "/v1/connections", {"provider": "calcom"})
        probes = _Probes(kith)
        probes.clear()
        measured: list[Measured] = []

        # A tick that finds 20 other owners' digests due (part 10 does this for thousands).
        shards = int(stack.environment("SchedulerFunction")["KITH_DUE_SHARDS"])
        seed_owners(stack.table_name, TICK_OWNERS, shards)
        result = kith.lambdas.tick(TICK)
        measured.append(
            probes.take(
                f"scheduler tick, per owner due ({TICK_OWNERS} due)",
                "SchedulerFunction",
                per=TICK_OWNERS,
                sqs_requests=result["queue_requests"],
            )
        )

        # Webhooks and their processing: meetings that ended 90 minutes ago, every attendee a contact.
        meetings: dict[int, str] = {}
        for attendees in ATTENDEES:
            emails = [f"contact{index:02d}@example.com" for index in range(attendees)]
            # Each meeting ends after the one before, so it moves every attendee's clock on.
            start = NOW - timedelta(minutes=180 - attendees)
            body = calcom_body(f"ops-{attendees}", "olive@example.com", emails, start)
            headers = {"x-cal-signature-256": hmac_sha256_hex(connection["signing_secret"], body)}
            status, _, _ = kith.post(f"/webhooks/calcom/{connection['connection_id']}", body, headers)
            if status != 202:
                raise RuntimeError(f"the webhook answered {status}")
            if attendees == ATTENDEES[0]:
                # The intake reads the connection whatever the meeting holds: one row for all three.
                measured.append(probes.take("webhook intake", "WebhookFunction"))
            probes.clear()
            kith.process()
            measured.append(
                probes.take(f"meeting processing, {attendees} attendee{'s' * (attendees > 1)}", "MeetingsFunction")
            )
            meetings[attendees] = meeting_interaction_id(calcom.parse(body))

        # The follow-up of the 1-attendee meeting, then the digest, each one email through the mailer.
        _mail(kith, FollowUpJob(owner_id=OWNER, interaction_id=meetings[1], as_of=NOW))
        measured.append(probes.take("follow-up sent", "MailerFunction"))
        slot = NOW - timedelta(hours=3)  # Monday 08:00 in Berlin
        _mail(kith, DigestJob(owner_id=OWNER, slot=slot, as_of=NOW))
        measured.append(probes.take("digest sent", "MailerFunction", due=CONTACTS - max(ATTENDEES), contacts=CONTACTS))

        # A "done" link from that digest, clicked.
        links = kith.lambdas.modules["MailerFunction"].runtime.linker.for_email(OWNER, NOW)
        token = links.for_contact(Action.DONE, contacts[-1]["contact_id"]).rsplit("/", 1)[1]
        status, _, _ = kith.api.handle(
            "POST", f"/a/{token}", "", {"content-type": "application/x-www-form-urlencoded"}, b"", HOST
        )
        if status != 200:
            raise RuntimeError(f"the done link answered {status}")
        measured.append(probes.take("one-click action (done)", "ActionsFunction"))

        # Erasing the contact who was at every meeting (three interactions, three follow-ups).
        status, _ = kith.call("DELETE", f"/v1/contacts/{contacts[0]['contact_id']}")
        if status != 204:
            raise RuntimeError(f"erasing a contact answered {status}")
        measured.append(probes.take("contact erased (3 meetings)", "ApiFunction", interactions=3))

        # An import for a second owner, with no contacts yet: every row new.
        importer = Kith(stack, clock, IMPORTER)
        importer.expect(200, "PUT", "/v1/owner", owner | {"email": "ivy@example.com"})
        import_probes = _Probes(importer)
        import_probes.clear()
        data = linkedin_export(IMPORT_ROWS, seed=3)
        report = _import(importer, data)
        written = report["new"] + report["merged"]
        addresses = data.count(b"@example.com")
        measured.append(
            import_probes.take(
                f"contact import, per contact ({written} new)", "ApiFunction", per=written, emails=addresses
            )
        )
        order = (
            "webhook",
            "meeting",
            "follow-up",
            "digest",
            "scheduler",
            "one-click",
            "contact erased",
            "contact import",
        )
        return sorted(measured, key=lambda m: next(n for n, start in enumerate(order) if m.operation.startswith(start)))


def _import(kith: Kith, data: bytes) -> dict[str, Any]:
    headers = {"content-type": "text/csv", "authorization": f"Bearer dev:{kith.owner_id}"}
    status, _, payload = kith.api.handle(
        "POST", "/v1/imports", "dry_run=false&filename=Connections.csv", headers, data, HOST
    )
    if status != 201:
        raise RuntimeError(f"the import answered {status}: {payload[:200]!r}")
    report: dict[str, Any] = json.loads(payload)
    return report
