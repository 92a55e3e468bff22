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
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from kith.calendars import calcom
from kith.calendars.signing import hmac_sha256_hex
from kith.domain.identities import meeting_interaction_id
from kith.usecases.intake import MeetingMessage
from kith_local.events import sqs_event
from kith_local.harness import LocalKith

from bench.load_run import Delivery, LoadRun, Webhook
from bench.scenarios import calcom_body

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
CONTACTS_PER_OWNER = 12
PAST_SHARE = 0.7  # the rest are meetings ahead: they hold nudges back; clocks and follow-ups wait for their end


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
