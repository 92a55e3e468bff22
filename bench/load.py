"""Part 8: the local HTTP API under concurrent Cal.com webhooks, then the meetings queue drained.

Clients are threads of this process, each with its own keep-alive HTTP/1.1 connection to kith_local's
API server (a ThreadingHTTPServer on 127.0.0.1, a thread per connection), which invokes the webhook
function's handler in process; boto3 in the functions talks over HTTP to moto's server, a thread of
this same process. So clients, server, functions and moto share one interpreter and its GIL: the
figures are those of the local harness on this machine, not of API Gateway and Lambda.

Every distinct booking must end as exactly one interaction: its id derives from the booking's
iCalendar UID, so the check reads the table after the drain and compares the interactions, contact
links and follow-ups stored with those the bookings call for.
"""

from __future__ import annotations

import http.client
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kith.calendars import calcom
from kith.calendars.signing import hmac_sha256_hex
from kith.domain.identities import meeting_interaction_id
from kith.usecases.intake import MeetingMessage
from kith_local.harness import LocalKith
from kith_local.lambdas import sqs_event

from bench.scenarios import calcom_body

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
CONTACTS_PER_OWNER = 12
PAST_SHARE = 0.7  # the rest are meetings ahead: they hold nudges back; clocks and follow-ups wait for their end


@dataclass(frozen=True)
class Webhook:
    owner: int
    path: str
    body: bytes
    signature: str
    interaction: tuple[str, str]  # (owner id, interaction id) the booking must become
    attendees: int


@dataclass
class Delivery:
    index: int  # in the planned list
    status: int  # 0: no answer, after five tries
    seconds: float  # from the first try to the answer
    dropped: tuple[str, ...] = ()  # the errors of the tries that got no answer


@dataclass
class LoadRun:
    webhooks_planned: int
    clients: int
    owners: int
    cap_seconds: float
    one_at_a_time: bool = True
    # One client alone first (the time a webhook takes with nothing else running), then `clients` at once.
    alone: list[Delivery] = field(default_factory=list)
    alone_seconds: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    send_seconds: float = 0.0
    capped: bool = False
    handler_seconds: list[float] = field(default_factory=list)  # webhook handler invocations, concurrent phase
    lock_wait_seconds: list[float] = field(default_factory=list)
    drain_seconds: float = 0.0
    drained: int = 0
    drain_failures: int = 0
    queue_left: int = 0
    dead_letters: int = 0
    distinct_bookings: int = 0
    resends: int = 0
    misrouted: int = 0  # accepted webhooks whose own booking is not what got queued
    interactions_expected: int = 0
    interactions_stored: int = 0
    lost: int = 0
    unexpected: int = 0
    links_expected: int = 0
    links_stored: int = 0
    follow_ups_expected: int = 0
    follow_ups_stored: int = 0

    @property
    def answered(self) -> list[Delivery]:
        return self.alone + self.deliveries

    @property
    def sent(self) -> int:
        return len(self.answered)

    @property
    def statuses(self) -> Counter[int]:
        return Counter(delivery.status for delivery in self.answered)

    @property
    def dropped(self) -> Counter[str]:
        """Tries that got no answer, by error, and were sent again."""
        return Counter(error for delivery in self.answered for error in delivery.dropped)

    @property
    def all_accepted(self) -> bool:
        return all(200 <= delivery.status < 300 for delivery in self.answered)

    @property
    def doubled(self) -> int:
        """Stored beyond what the bookings call for: extra interactions, links or follow-ups."""
        return (
            self.unexpected
            + max(0, self.links_stored - self.links_expected)
            + max(0, self.follow_ups_stored - self.follow_ups_expected)
        )

    def latency_ms(self, quantile: float, alone: bool = False) -> float:
        """Nearest rank, over the webhooks sent by the concurrent clients (or by the one client alone)."""
        return nearest_rank_ms([delivery.seconds for delivery in (self.alone if alone else self.deliveries)], quantile)

    def handler_ms(self, part: slice = slice(None)) -> float:
        """p50 of the webhook handler's invocations in the concurrent phase (a slice of them, in time order)."""
        return nearest_rank_ms(self.handler_seconds[part], 0.5)

    @property
    def per_second(self) -> float:
        """Webhooks answered per second while the concurrent clients were sending."""
        return len(self.deliveries) / self.send_seconds if self.send_seconds else 0.0

    @property
    def per_second_alone(self) -> float:
        return len(self.alone) / self.alone_seconds if self.alone_seconds else 0.0

    def figures(self) -> dict[str, Any]:
        return {
            "webhooks_planned": self.webhooks_planned,
            "sent": self.sent,
            "clients": self.clients,
            "one_invocation_at_a_time": self.one_at_a_time,
            "owners": self.owners,
            "distinct_bookings": self.distinct_bookings,
            "resends": self.resends,
            "statuses": {str(status): count for status, count in sorted(self.statuses.items())},
            "tries_without_answer": dict(self.dropped),
            "alone": {
                "sent": len(self.alone),
                "seconds": self.alone_seconds,
                "per_second": self.per_second_alone,
                "latency_ms": {"p50": self.latency_ms(0.5, alone=True), "p99": self.latency_ms(0.99, alone=True)},
            },
            "concurrent": {
                "sent": len(self.deliveries),
                "seconds": self.send_seconds,
                "capped": self.capped,
                "per_second": self.per_second,
                "latency_ms": {"p50": self.latency_ms(0.5), "p99": self.latency_ms(0.99), "max": self.latency_ms(1)},
                "webhook_handler_ms_p50": self.handler_ms(),
                "webhook_handler_ms_p50_first_500": self.handler_ms(slice(None, 500)),
                "webhook_handler_ms_p50_last_500": self.handler_ms(slice(-500, None)),
                "waiting_for_the_handler_ms_p50": nearest_rank_ms(self.lock_wait_seconds, 0.5),
            },
            "drain": {
                "seconds": self.drain_seconds,
                "messages": self.drained,
                "failures": self.drain_failures,
                "queue_left": self.queue_left,
                "dead_letters": self.dead_letters,
            },
            "interactions": {"expected": self.interactions_expected, "stored": self.interactions_stored},
            "links": {"expected": self.links_expected, "stored": self.links_stored},
            "follow_ups": {"expected": self.follow_ups_expected, "stored": self.follow_ups_stored},
            "misrouted": self.misrouted,
            "lost": self.lost,
            "doubled": self.doubled,
        }


def nearest_rank_ms(seconds: Sequence[float], quantile: float) -> float:
    ordered = sorted(seconds)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(quantile * len(ordered)) - 1)] * 1000


# -- set-up --------------------------------------------------------------------------------------


def _owner_id(index: int) -> str:
    return f"owner-load-{index}"


def _contact_email(owner: int, contact: int) -> str:
    return f"contact{contact:02d}@owner{owner}.load.example.com"


def set_up_owners(kith: LocalKith, owners: int) -> list[dict[str, Any]]:
    """Each owner, their contacts and one Cal.com connection, made over HTTP as a client would."""
    connections = []
    for index in range(owners):
        token = f"dev:{_owner_id(index)}"
        profile = {"email": f"owner{index}@load.example.com", "name": f"Owner {index}", "time_zone": "Europe/Berlin"}
        _expect(kith, 200, "PUT", "/v1/owner", profile, token)
        contacts = [
            {
                "name": f"Contact {index}-{contact}",
                "emails": [_contact_email(index, contact)],
                "circle": "core",
                "last_interaction_at": "2026-09-01T09:00:00Z",
            }
            for contact in range(CONTACTS_PER_OWNER)
        ]
        _expect(kith, 201, "POST", "/v1/contacts/batch", {"contacts": contacts}, token)
        connections.append(_expect(kith, 201, "POST", "/v1/connections", {"provider": "calcom"}, token))
    return connections


def _expect(kith: LocalKith, status: int, method: str, path: str, body: Any, token: str) -> Any:
    answer = kith.request(method, path, body, token=token)
    if answer.status != status:
        raise RuntimeError(f"{method} {path} answered {answer.status}: {answer.body}")
    return answer.body


def plan_webhooks(connections: Sequence[dict[str, Any]], count: int, resend_share: float, seed: int) -> list[Webhook]:
    """`count` webhooks: distinct bookings, and about `resend_share` of exact resends of earlier ones, shuffled."""
    rng = random.Random(seed)
    resends = round(count * resend_share)
    distinct: list[Webhook] = []
    for number in range(count - resends):
        owner = rng.randrange(len(connections))
        connection = connections[owner]
        attendees = [
            _contact_email(owner, contact) for contact in rng.sample(range(CONTACTS_PER_OWNER), rng.randint(1, 3))
        ]
        hours = rng.randint(2, 24 * 14)
        start = NOW - timedelta(hours=hours) if rng.random() < PAST_SHARE else NOW + timedelta(hours=hours)
        body = calcom_body(f"load-{seed}-{number:05d}", f"owner{owner}@load.example.com", attendees, start)
        event = calcom.parse(body)
        distinct.append(
            Webhook(
                owner=owner,
                path=f"/webhooks/calcom/{connection['connection_id']}",
                body=body,
                signature=hmac_sha256_hex(connection["signing_secret"], body),
                interaction=(_owner_id(owner), meeting_interaction_id(event)),
                attendees=len(attendees),
            )
        )
    planned = distinct + [rng.choice(distinct) for _ in range(resends)]
    rng.shuffle(planned)
    return planned


# -- one invocation at a time ----------------------------------------------------------------------


def one_invocation_at_a_time(kith: LocalKith, run: LoadRun) -> None:
    """Lambda runs one invocation per execution environment at a time; kith_local's server does not.

    Its threads call the same handlers at once, and Powertools keeps the invocation's state in
    process-wide objects (the resolver's current event is a class attribute; metrics and logger keys
    are shared): under load, one request can read another's event. With this lock the functions see
    what Lambda gives them, one event at a time, while the HTTP server and moto stay concurrent.
    """
    invoke = kith.lambdas.invoke
    lock = threading.Lock()

    def serialised(name: str, event: dict[str, Any]) -> Any:
        waited = time.perf_counter()
        with lock:
            started = time.perf_counter()
            try:
                return invoke(name, event)
            finally:
                if name == "WebhookFunction":
                    run.lock_wait_seconds.append(started - waited)
                    run.handler_seconds.append(time.perf_counter() - started)

    setattr(kith.lambdas, "invoke", serialised)  # noqa: B010 - an instance attribute shadows the method


# -- sending -------------------------------------------------------------------------------------


def send_concurrently(
    base_url: str, webhooks: Sequence[Webhook], clients: int, cap_seconds: float
) -> tuple[list[Delivery], float, bool]:
    """`clients` threads, each on its own keep-alive connection, taking the next webhook until none or time is left."""
    host, port = base_url.removeprefix("http://").split(":")
    deliveries: list[Delivery] = []
    next_index = iter(range(len(webhooks)))
    take = threading.Lock()
    capped = threading.Event()
    started = time.perf_counter()
    deadline = started + cap_seconds

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        mine: list[Delivery] = []
        try:
            while True:
                if time.perf_counter() >= deadline:
                    capped.set()
                    return
                with take:
                    index = next(next_index, None)
                if index is None:
                    return
                webhook = webhooks[index]
                headers = {"content-type": "application/json", "x-cal-signature-256": webhook.signature}
                sent = time.perf_counter()
                status, dropped = 0, list[str]()
                # No answer (the connection refused or dropped): sent again on a new connection after a
                # short wait, as a sender that retries would; each try is noted, after five it is no answer.
                while not status and len(dropped) < 5:
                    if dropped:
                        time.sleep(0.05 * 2 ** len(dropped))
                    try:
                        connection.request("POST", webhook.path, body=webhook.body, headers=headers)
                        response = connection.getresponse()
                        response.read()
                        status = response.status
                    except (OSError, http.client.HTTPException) as error:
                        dropped.append(type(error).__name__)
                        connection.close()
                        connection = http.client.HTTPConnection(host, int(port), timeout=60)
                mine.append(Delivery(index, status, time.perf_counter() - sent, tuple(dropped)))
        finally:
            connection.close()
            with take:
                deliveries.extend(mine)

    threads = [threading.Thread(target=client, name=f"load-client-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return deliveries, time.perf_counter() - started, capped.is_set()


# -- draining ------------------------------------------------------------------------------------


def drain(kith: LocalKith, run: LoadRun, cap_seconds: float) -> Counter[tuple[str, str]]:
    """The event source mapping, one batch of ten at a time: what each queued message stands for is noted first."""
    url = kith.stack.queue_url("MeetingQueue")
    arn = kith.stack.references["MeetingQueue.Arn"]
    queued: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    while time.perf_counter() - started < cap_seconds:
        received = kith.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
            "Messages", []
        )
        if not received:
            break
        answer = kith.lambdas.invoke("MeetingsFunction", sqs_event(received, arn)) or {}
        failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
        done = []
        for message in received:
            if message["MessageId"] in failed:
                run.drain_failures += 1
                kith.sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
                continue
            work = MeetingMessage.model_validate_json(message["Body"])
            queued[(work.owner_id, meeting_interaction_id(work.event))] += 1
            done.append({"Id": message["MessageId"], "ReceiptHandle": message["ReceiptHandle"]})
        if done:
            # As the event source mapping does: the batch's successes deleted in one request.
            kith.sqs.delete_message_batch(QueueUrl=url, Entries=done)
            run.drained += len(done)
    run.drain_seconds = time.perf_counter() - started
    return queued


# -- checking --------------------------------------------------------------------------------------


def _stored(kith: LocalKith) -> Counter[str]:
    """Items of the load's owners by kind (INTERACTION, LINK, FOLLOWUP), and interaction keys as 'I <pk> <id>'."""
    kinds: Counter[str] = Counter()
    paginator = kith.dynamodb.get_paginator("scan")
    for page in paginator.paginate(TableName=kith.stack.table_name, ProjectionExpression="pk, sk"):
        for item in page["Items"]:
            pk, sk = item["pk"]["S"], item["sk"]["S"]
            if not pk.startswith("OWNER#owner-load-"):
                continue
            kind = sk.split("#", 1)[0]
            kinds[kind] += 1
            if kind == "INTERACTION":
                kinds[f"I {pk.removeprefix('OWNER#')} {sk.removeprefix('INTERACTION#')}"] += 1
    return kinds


def check(kith: LocalKith, run: LoadRun, answered: Sequence[Webhook]) -> None:
    """Compare what is stored with what the accepted (2xx) bookings call for."""
    accepted = {webhook.interaction: webhook for webhook in answered}
    run.distinct_bookings = len(accepted)
    run.resends = len(answered) - len(accepted)
    run.interactions_expected = len(accepted)
    run.links_expected = sum(webhook.attendees for webhook in accepted.values())
    # A booking with known contacts gets its follow-up when recorded, due after the meeting ends.
    run.follow_ups_expected = len(accepted)
    stored = _stored(kith)
    recorded = {tuple(key.split(" ")[1:]) for key in stored if key.startswith("I ")}
    run.interactions_stored = stored["INTERACTION"]
    run.lost = len(set(accepted) - recorded)
    run.unexpected = len(recorded - set(accepted))
    # One LINK per contact a meeting names, besides the one each contact got for its stated last interaction.
    run.links_stored = stored["LINK"] - run.owners * CONTACTS_PER_OWNER
    run.follow_ups_stored = stored["FOLLOWUP"]


# -- the whole run -------------------------------------------------------------------------------


def load(
    kith: LocalKith,
    webhooks: int,
    clients: int,
    *,
    owners: int = 5,
    resend_share: float = 0.1,
    cap_seconds: float = 60.0,
    drain_cap_seconds: float = 300.0,
    seed: int = 11,
    alone: int = 100,
    as_served: bool = False,
) -> LoadRun:
    """Send, drain, check; on a LocalKith whose stack has nothing of owner-load-* yet.

    Handlers are invoked one at a time unless `as_served` (see one_invocation_at_a_time).
    """
    run = LoadRun(webhooks_planned=webhooks, clients=clients, owners=owners, cap_seconds=cap_seconds)
    run.one_at_a_time = not as_served
    if not as_served:
        one_invocation_at_a_time(kith, run)
    connections = set_up_owners(kith, owners)
    planned = plan_webhooks(connections, webhooks, resend_share, seed)
    first = min(alone, webhooks // 10)
    run.alone, run.alone_seconds, _ = send_concurrently(kith.base_url, planned[:first], 1, cap_seconds)
    run.handler_seconds.clear()
    run.lock_wait_seconds.clear()
    deliveries, run.send_seconds, run.capped = send_concurrently(kith.base_url, planned[first:], clients, cap_seconds)
    run.deliveries = [Delivery(first + d.index, d.status, d.seconds, d.dropped) for d in deliveries]
    accepted = [planned[delivery.index] for delivery in run.answered if 200 <= delivery.status < 300]

    queued = drain(kith, run, drain_cap_seconds)
    run.misrouted = sum((Counter(webhook.interaction for webhook in accepted) - queued).values())
    run.queue_left = kith.queue_depth("MeetingQueue")
    run.dead_letters = kith.queue_depth("MeetingDeadLetterQueue")
    check(kith, run, accepted)
    return run


def load_bench(webhooks: int, clients: int, cap_seconds: float = 60.0, drain_cap_seconds: float = 600.0) -> LoadRun:
    """The whole part 8: moto's server on 127.0.0.1, the local stack and its API server, the run."""
    from kith_local.aws import local_aws
    from kith_local.clock import SimulatedClock

    from bench.in_process import quiet_logs

    with local_aws(), quiet_logs(), LocalKith(SimulatedClock(NOW), stage="load") as kith:
        return load(kith, webhooks, clients, cap_seconds=cap_seconds, drain_cap_seconds=drain_cap_seconds)
