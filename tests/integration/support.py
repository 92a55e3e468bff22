"""Integration helpers: the stack in moto, handlers invoked with the events AWS would send."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import boto3
from kith_local.clock import SimulatedClock
from kith_local.events import API_HOST, Caller, Reply, http_event, route_for, sqs_event
from kith_local.fake_providers import FakeProviders
from kith_local.lambdas import LocalLambdas
from kith_local.plain_browser import Browser, ConsentTrip, give_consent
from kith_local.provider_payloads import (
    CALCOM_SIGNATURE,
    CALENDLY_SIGNATURE,
    calcom_signature,
    calendly_signature,
    google_push_headers,
)
from kith_local.provider_settings import microsoft_overrides
from kith_local.stack import LocalStack, create_stack
from moto import mock_aws

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
OWNER = "owner-1"
# Where the functions are reached in process: the API's own address, as its events name it.
API_ORIGIN = "https://api.kith.test"


class Kith:
    """The stack in moto, its functions in process, and helpers to speak to them as AWS would."""

    def __init__(self, stack: LocalStack, clock: SimulatedClock) -> None:
        self.stack = stack
        self.clock = clock
        self.lambdas = LocalLambdas(stack)
        self.sqs = boto3.client("sqs")
        self.dynamodb = boto3.client("dynamodb")
        self.routes = [route for spec in stack.functions.values() for route in spec.routes]

    # -- HTTP ----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        target: str,
        body: Any = None,
        *,
        owner: str | None = OWNER,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = "application/json",
        host: str = API_HOST,
        base64_body: bool = False,
    ) -> Reply:
        """A request as API Gateway hands it to the function its route names; the function's reply.

        `owner` is the JWT's subject on a route behind the authorizer (None: no token); `raw` is the body
        as sent, else `body` goes as JSON.
        """
        path, _, query = target.partition("?")
        route = route_for(self.routes, method, path)
        if route is None:
            return Reply(404, {"content-type": "application/json"}, b'{"message": "Not Found"}')
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        sent = ({"content-type": content_type} if content_type else {}) | (headers or {})
        event = http_event(
            method,
            path,
            self.clock.now(),
            route=f"{route.method} {route.path}",
            query=query,
            headers=sent,
            body=data,
            claims={"sub": owner} if owner is not None and route.authorized else None,
            caller=Caller(host=host, request_id="r"),
            base64_body=base64_body,
        )
        return Reply.of(self.lambdas.invoke(route.function, event))

    def http(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        owner: str | None = OWNER,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """A request's status and body as a client reads it (parsed JSON, or text); `request` has the headers."""
        reply = self.request(method, path, body, owner=owner, raw=raw, headers=headers)
        return reply.status, reply.body()

    def webhook(self, connection: dict[str, Any], body: bytes, signature: str | None = "valid") -> tuple[int, Any]:
        headers = {}
        if signature == "valid":
            headers[CALCOM_SIGNATURE] = calcom_signature(connection["signing_secret"], body)
        elif signature is not None:
            headers[CALCOM_SIGNATURE] = signature
        return self.http("POST", f"/webhooks/calcom/{connection['connection_id']}", raw=body, headers=headers)

    def calendly_webhook(
        self,
        connection: dict[str, Any],
        body: bytes,
        *,
        now: datetime | None = None,
        signature: str | None = "valid",
    ) -> tuple[int, Any]:
        """POST a Calendly delivery; "valid" signs it as Calendly would at `now` (the clock's time by default)."""
        headers = {}
        if signature == "valid":
            headers[CALENDLY_SIGNATURE] = calendly_signature(
                connection["signing_secret"], body, now or self.clock.now()
            )
        elif signature is not None:
            headers[CALENDLY_SIGNATURE] = signature
        return self.http("POST", f"/webhooks/calendly/{connection['connection_id']}", raw=body, headers=headers)

    def post_to_webhook(self, url: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """A provider POSTing to a Kith webhook URL (query string and all): (status, content type, raw body)."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        reply = self.request(
            "POST", target, raw=body, content_type=content_type, headers={"host": parts.netloc}, host=parts.netloc
        )
        return reply.status, reply.headers.get("content-type", ""), reply.content

    def open_link(
        self, method: str, url: str, form: bytes = b"", content_type: str = "application/x-www-form-urlencoded"
    ) -> tuple[int, dict[str, str], str]:
        """A person (or a mail provider) opening a one-click link from an email: (status, headers, page)."""
        # API Gateway hands form bodies over base64-encoded.
        reply = self.request(
            method,
            urlsplit(url).path,
            raw=form,
            content_type=content_type if form else None,
            host="kith.local",
            base64_body=True,
        )
        return reply.status, dict(reply.headers), reply.text

    # -- queues and schedule -----------------------------------------------------------------------

    def receive(self, queue: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.stack.queue_url(queue), MaxNumberOfMessages=10, VisibilityTimeout=0
            ).get("Messages", [])
            new = [message for message in batch if message["MessageId"] not in {m["MessageId"] for m in messages}]
            if not new:
                return messages
            messages.extend(new)

    def take(self, queue: str) -> list[dict[str, Any]]:
        """Receive every message on a queue and delete it, as a consumer that succeeded would."""
        url = self.stack.queue_url(queue)
        taken: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get(
            "Messages", []
        ):
            taken.extend(batch)
        for message in taken:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return taken

    def deliver(self, queue: str, messages: list[dict[str, Any]], function: str | None = None) -> dict[str, Any]:
        arn = self.stack.references[f"{queue}.Arn"]
        target = function or self.lambdas.consumer_of(queue)
        result: dict[str, Any] = self.lambdas.invoke(target, sqs_event(messages, arn))
        return result

    def process_meetings(self) -> dict[str, Any]:
        messages = self.take("MeetingQueue")
        return self.deliver("MeetingQueue", messages) if messages else {"batchItemFailures": []}

    def tick(self, at: datetime | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.lambdas.tick(at or self.clock.now())
        return result

    def send_mail(self) -> dict[str, Any]:
        messages = self.take("MailQueue")
        return self.deliver("MailQueue", messages) if messages else {"batchItemFailures": []}

    # -- what is stored and sent --------------------------------------------------------------

    def items(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        paginator = self.dynamodb.get_paginator("scan")
        for page in paginator.paginate(TableName=self.stack.table_name):
            found.extend(page["Items"])
        return found

    def state(self) -> list[tuple[str, str, str]]:
        """Every item of the table, in key order: two states compare equal only if nothing changed."""
        return sorted((item["pk"]["S"], item["sk"]["S"], repr(sorted(item.items()))) for item in self.items())

    def sent(self) -> list[Any]:
        from kith_local.aws import sent_emails

        return sent_emails()

    # -- set-up shortcuts ----------------------------------------------------------------------

    def create_owner(self, *, owner_id: str = OWNER, **settings: Any) -> dict[str, Any]:
        body = {"email": "owner@example.com", "name": "Olive Owner", "time_zone": "Europe/Berlin", **settings}
        status, owner = self.http("PUT", "/v1/owner", body, owner=owner_id)
        assert status == 200, owner
        return owner  # type: ignore[no-any-return]

    def create_contact(self, name: str, email: str, **fields: Any) -> dict[str, Any]:
        status, contact = self.http("POST", "/v1/contacts", {"name": name, "emails": [email], **fields})
        assert status == 201, contact
        return contact  # type: ignore[no-any-return]

    def connect(self, provider: str = "calcom") -> dict[str, Any]:
        status, connection = self.http("POST", "/v1/connections", {"provider": provider})
        assert status == 201, connection
        return connection  # type: ignore[no-any-return]

    # -- calendars reached through OAuth -------------------------------------------------------------

    def browser(self) -> Browser:
        """A browser reaching the fake providers over HTTP and Kith's API (API_ORIGIN) in process."""
        return Browser({API_ORIGIN: self._in_process})

    def _in_process(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        reply = self.request(method, target, owner=None, raw=body, headers=headers)
        return reply.status, dict(reply.headers), reply.content

    def begin_consent(self, provider: str, *, owner: str | None = OWNER) -> tuple[int, Any]:
        return self.http("POST", f"/v1/connections/{provider}/authorize", owner=owner)

    def consent(self, provider: str, *, owner: str = OWNER, decision: str = "Allow") -> ConsentTrip:
        """The owner asks Kith for the consent URL, opens it, presses Allow (or Deny) and is sent back to Kith."""
        status, started = self.begin_consent(provider, owner=owner)
        assert status == 200, started
        return give_consent(self.browser(), started["authorize_url"], decision)

    def connect_by_consent(self, provider: str, *, owner: str = OWNER, read_initial: bool = True) -> dict[str, Any]:
        """Google or Outlook connected through the consent redirect; the connection as listed, with its webhook URL.

        With `read_initial`, the meetings worker then reads what the calendar already holds (queued at connect).
        """
        before = {item["connection_id"] for item in self.http("GET", "/v1/connections", owner=owner)[1]["connections"]}
        trip = self.consent(provider, owner=owner)
        assert trip.landed.status == 303, trip.landed.text
        assert trip.landed.headers["location"] == f"/console/#/calendars?connected={provider}"
        listed = self.http("GET", "/v1/connections", owner=owner)[1]["connections"]
        (connection,) = [item for item in listed if item["connection_id"] not in before]
        if read_initial:
            assert self.process_meetings() == {"batchItemFailures": []}
        return {**connection, "webhook_url": self.stored_connection(connection["connection_id"])["webhook_url"]}

    def use_settings(self, overrides: dict[str, str]) -> None:
        """Every function gets these settings too (provider endpoints on a fake server), from a fresh cold start."""
        self.stack.overrides.update(overrides)
        self.lambdas = LocalLambdas(self.stack)

    def stored_connection(self, connection_id: str) -> dict[str, Any]:
        """The connection as the table holds it (channel, sync token, sealed refresh token)."""
        from boto3.dynamodb.types import TypeDeserializer

        item = self.dynamodb.get_item(
            TableName=self.stack.table_name,
            Key={"pk": {"S": f"CONNECTION#{connection_id}"}, "sk": {"S": "CONNECTION"}},
        )["Item"]
        stored: dict[str, Any] = TypeDeserializer().deserialize(item["connection"])
        return stored

    def google_push(
        self,
        connection_id: str,
        channel: dict[str, Any],
        state: str = "exists",
        message_number: int = 2,
        **changes: Any,
    ) -> tuple[int, Any]:
        """POST what Google sends to a channel's address: X-Goog-* headers and an empty body.

        `changes` replaces headers, or leaves them out with None: `token="forged"`, `token=None`, `resource_id="r0"`.
        """
        headers = google_push_headers(
            channel, state, message_number, expiration="Mon, 07 Dec 2026 10:00:00 GMT", **changes
        )
        return self.http("POST", f"/webhooks/google/{connection_id}", raw=b"", headers=headers)


@contextmanager
def kith_with_microsoft() -> Iterator[tuple[Kith, FakeProviders]]:
    """The stack in moto with an owner, Microsoft faked on 127.0.0.1: an Outlook calendar can be connected."""
    with mock_aws():
        clock = SimulatedClock(NOW)
        stack = create_stack()
        with FakeProviders(clock) as fake:
            stack.overrides |= microsoft_overrides(fake)
            kith = Kith(stack, clock)
            fake.notify = kith.post_to_webhook
            kith.create_owner()
            yield kith, fake
