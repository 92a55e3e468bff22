"""Part 11: what an active owner costs per month at list prices, from the counts parts 9 and 10 measured.

Prices are AWS's us-east-1 list prices, written here by hand (nothing is fetched): the on-demand
DynamoDB prices are those after the November 2024 reduction. Free tiers are left out, except
Cognito's 10,000 monthly active users, which is not a trial. What an owner does in a month is an
assumption, stated below; what each of those things costs in requests and request units is measured
(part 9, through the handlers on moto), except Lambda durations, which are estimated from the
request counts (moto's timings say nothing about AWS's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.operations import Measured

PRICES_AS_OF = "2025-06-30"
PRICES = {  # us-east-1, USD
    "dynamodb_write_unit": 0.625 / 1e6,  # on-demand, per write request unit
    "dynamodb_read_unit": 0.125 / 1e6,  # on-demand, per read request unit
    "dynamodb_storage_gb_month": 0.25,
    "dynamodb_pitr_gb_month": 0.20,  # continuous backups, PointInTimeRecoveryEnabled in template.yaml
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB request
    "ses_email": 0.10 / 1000,
    "http_api_request": 1.00 / 1e6,  # API Gateway HTTP API, first 300 million a month
    "kms_key_month": 1.00,
    "kms_request": 0.03 / 10_000,
    "secret_month": 0.40,
    "secret_request": 0.05 / 10_000,
    "logs_gb": 0.50,  # CloudWatch Logs ingestion, standard class
    "metric_month": 0.30,  # CloudWatch custom metric (EMF), first 10,000
    "xray_trace": 5.00 / 1e6,  # traces recorded (Tracing: Active)
    "cognito_mau": 0.015,  # Essentials tier, above 10,000 monthly active users
    "eventbridge_rule_event": 0.0,  # a scheduled rule's events; EventBridge Scheduler would be $1.00 a million
}

# What an active owner does in a month (assumed, 4.35 weeks).
WEEKS = 4.35
ACTIVITY = {
    "digests": 1 * WEEKS,  # the default: Mondays
    "meetings": 8 * WEEKS,  # with at least one known contact
    "attendees_per_meeting": 1.5,  # known contacts at a meeting (between the measured 1 and 5)
    "webhooks_per_meeting": 1.5,  # the booking, and for some a reschedule or MEETING_ENDED, each processed
    "follow_ups_per_meeting": 1.0,
    "clicks": 6,  # one-click links followed
    "contacts_imported": 20,  # an import of 240 contacts a year, spread over the months
    "contacts_erased": 1,
}
# Lambda durations, estimated (not measured): 512 MB (template.yaml), arm64; own compute plus round trips.
MEMORY_GB = 512 / 1024
BASE_MS = 20.0
DYNAMODB_MS = 5.0
SQS_MS = 10.0
SES_MS = 60.0
LOG_BYTES_PER_INVOCATION = 1_000  # START/END/REPORT lines and one or two Powertools JSON lines
# The event source mapping's receives and batch deletes per message at low volume (a batch of one).
SQS_CONSUMER_REQUESTS = 2
STORAGE_GB_PER_OWNER = 0.001  # ~500 contacts at ~0.7 KB with their index copies, a year of meetings
# Fixed, per stack and month.
TICKS = 30.4 * 24 * 12  # rate(5 minutes)
METRICS = 10  # Powertools metric names x the service dimension (an upper bound: billed per hour published)
ESM_QUEUES = 3  # MeetingQueue, MailQueue, SesEventsQueue
IDLE_RECEIVES_PER_QUEUE = 5 * 3 * 60 * 24 * 30.4  # assumed: 5 pollers, a 20 s long poll each


@dataclass
class Line:
    item: str
    basis: str
    dollars: float  # per owner and month for variable lines, per stack and month for fixed ones
    fixed: bool = False


def _duration_seconds(dynamodb: float, sqs: float = 0, ses: float = 0) -> float:
    return (BASE_MS + dynamodb * DYNAMODB_MS + sqs * SQS_MS + ses * SES_MS) / 1000


def _lambda_dollars(invocations: float, seconds: float) -> float:
    return invocations * (PRICES["lambda_request"] + seconds * MEMORY_GB * PRICES["lambda_gb_second_arm64"])


def _find(measured: Sequence[Measured], start: str) -> Measured:
    return next(m for m in measured if m.operation.startswith(start))


def _per_attendees(measured: Sequence[Measured], attendees: float) -> dict[str, float]:
    """Processing at `attendees` known contacts, between the measured 1- and 5-attendee meetings."""
    one = _find(measured, "meeting processing, 1 ")
    five = _find(measured, "meeting processing, 5 ")
    share = (attendees - 1) / 4
    return {
        figure: getattr(one, figure) + share * (getattr(five, figure) - getattr(one, figure))
        for figure in ("request_count", "read_units", "write_units")
    }


def cost_lines(measured: Sequence[Measured]) -> list[Line]:
    a = ACTIVITY
    intake = _find(measured, "webhook intake")
    processing = _per_attendees(measured, a["attendees_per_meeting"])
    follow_up = _find(measured, "follow-up sent")
    digest = _find(measured, "digest sent")
    click = _find(measured, "one-click action")
    erase = _find(measured, "contact erased")
    imported = _find(measured, "contact import")
    tick = _find(measured, "scheduler tick")

    webhooks = a["meetings"] * a["webhooks_per_meeting"]
    emails = a["digests"] + a["meetings"] * a["follow_ups_per_meeting"]
    follow_ups = a["meetings"] * a["follow_ups_per_meeting"]
    # (what, how many a month, requests, read units, write units, SQS requests, SES sends) per thing
    things: list[tuple[str, float, float, float, float, float, float]] = [
        ("webhook intake", webhooks, intake.request_count, intake.read_units, intake.write_units, 1, 0),
        (
            "meeting processing",
            webhooks,
            processing["request_count"],
            processing["read_units"],
            processing["write_units"],
            SQS_CONSUMER_REQUESTS,
            0,
        ),
        ("follow-up", follow_ups, follow_up.request_count, follow_up.read_units, follow_up.write_units, 0, 1),
        ("digest", a["digests"], digest.request_count, digest.read_units, digest.write_units, 0, 1),
        ("digest slot moved by the tick", a["digests"], tick.request_count, tick.read_units, tick.write_units, 0.1, 0),
        ("one-click action", a["clicks"], click.request_count, click.read_units, click.write_units, 0, 0),
        (
            "contact imported",
            a["contacts_imported"],
            imported.request_count,
            imported.read_units,
            imported.write_units,
            0,
            0,
        ),
        ("contact erased", a["contacts_erased"], erase.request_count, erase.read_units, erase.write_units, 0, 0),
    ]
    read_units = sum(count * reads for _, count, _, reads, _, _, _ in things)
    write_units = sum(count * writes for _, count, _, _, writes, _, _ in things)
    lines = [
        Line(
            "DynamoDB writes",
            f"{write_units:,.0f} write units (part 9's units x the activity)",
            write_units * PRICES["dynamodb_write_unit"],
        ),
        Line(
            "DynamoDB reads",
            f"{read_units:,.0f} read units",
            read_units * PRICES["dynamodb_read_unit"],
        ),
        Line(
            "DynamoDB storage and PITR",
            f"{STORAGE_GB_PER_OWNER * 1000:.0f} MB stored (assumed)",
            STORAGE_GB_PER_OWNER * (PRICES["dynamodb_storage_gb_month"] + PRICES["dynamodb_pitr_gb_month"]),
        ),
    ]

    # Lambda: one invocation per webhook, per processed message, per email, per click; imports and erasures too.
    invocations = [
        (webhooks, _duration_seconds(intake.request_count, sqs=1)),
        (webhooks, _duration_seconds(processing["request_count"])),
        (follow_ups, _duration_seconds(follow_up.request_count, ses=1)),
        (a["digests"], _duration_seconds(digest.request_count, ses=1)),
        (a["clicks"], _duration_seconds(click.request_count)),
        (a["contacts_imported"] / 240, _duration_seconds(imported.request_count * 240)),
        (a["contacts_erased"], _duration_seconds(erase.request_count)),
    ]
    count = sum(n for n, _ in invocations)
    gb_seconds = sum(n * seconds for n, seconds in invocations) * MEMORY_GB
    lines.append(
        Line(
            "Lambda",
            f"{count:,.0f} invocations, {gb_seconds:,.1f} GB-s (estimated durations)",
            sum(_lambda_dollars(n, seconds) for n, seconds in invocations),
        )
    )
    sqs = sum(n * per for _, n, _, _, _, per, _ in things) + emails * SQS_CONSUMER_REQUESTS
    lines.append(Line("SQS", f"{sqs:,.0f} requests", sqs * PRICES["sqs_request"]))
    lines.append(Line("SES", f"{emails:,.1f} emails", emails * PRICES["ses_email"]))
    api = webhooks + a["clicks"] + 2
    lines.append(Line("API Gateway HTTP API", f"{api:,.0f} requests", api * PRICES["http_api_request"]))
    secrets = emails + a["clicks"]
    lines.append(
        Line(
            "Secrets Manager calls",
            f"{secrets:,.0f} GetSecretValue (one per mailer or actions invocation)",
            secrets * PRICES["secret_request"],
        )
    )
    lines.append(Line("KMS calls", "0 (a Cal.com owner; Google and Outlook tokens add decrypts)", 0.0))
    logs_gb = count * LOG_BYTES_PER_INVOCATION / 1e9
    lines.append(Line("CloudWatch Logs", f"{logs_gb * 1e6:,.0f} KB ingested", logs_gb * PRICES["logs_gb"]))
    lines.append(Line("X-Ray", f"{count:,.0f} traces", count * PRICES["xray_trace"]))

    # Per stack and month, whatever the number of owners.
    tick_seconds = _duration_seconds(12)
    lines += [
        Line(
            "scheduler ticks",
            f"{TICKS:,.0f} ticks: Lambda, 12 due-index queries (0.5 read unit each), logs, traces",
            _lambda_dollars(TICKS, tick_seconds)
            + TICKS * 12 * 0.5 * PRICES["dynamodb_read_unit"]
            + TICKS * (LOG_BYTES_PER_INVOCATION / 1e9 * PRICES["logs_gb"] + PRICES["xray_trace"]),
            fixed=True,
        ),
        Line(
            "SQS idle polling",
            f"{ESM_QUEUES} queues x {IDLE_RECEIVES_PER_QUEUE:,.0f} receives (assumed: 5 pollers, 20 s long polls)",
            ESM_QUEUES * IDLE_RECEIVES_PER_QUEUE * PRICES["sqs_request"],
            fixed=True,
        ),
        Line("KMS key", "TokenKey", PRICES["kms_key_month"], fixed=True),
        Line("Secrets Manager secret", "ActionKeys", PRICES["secret_month"], fixed=True),
        Line(
            "CloudWatch custom metrics",
            f"{METRICS} (upper bound: billed per hour a metric is published)",
            METRICS * PRICES["metric_month"],
            fixed=True,
        ),
        Line("EventBridge rule", "the tick's schedule", TICKS * PRICES["eventbridge_rule_event"], fixed=True),
    ]
    return lines


def per_owner(lines: Sequence[Line], owners: int) -> float:
    return sum(line.dollars / owners if line.fixed else line.dollars for line in lines)


def assumptions() -> dict[str, Any]:
    return {
        "prices_as_of": PRICES_AS_OF,
        "prices_usd_us_east_1": PRICES,
        "activity_per_owner_month": ACTIVITY,
        "lambda": {
            "memory_gb": MEMORY_GB,
            "base_ms": BASE_MS,
            "dynamodb_ms": DYNAMODB_MS,
            "sqs_ms": SQS_MS,
            "ses_ms": SES_MS,
        },
        "log_bytes_per_invocation": LOG_BYTES_PER_INVOCATION,
        "storage_gb_per_owner": STORAGE_GB_PER_OWNER,
        "idle_receives_per_queue": IDLE_RECEIVES_PER_QUEUE,
        "cognito_mau_not_in_totals": PRICES["cognito_mau"],
    }
