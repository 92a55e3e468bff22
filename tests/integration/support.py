"""Integration helpers: the stack in moto, handlers invoked with the events AWS would send."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
from kith.calendars.signing import hmac_sha256_hex
from kith_local.clock import SimulatedClock
from kith_local.fake_providers import FakeProviders
from kith_local.lambdas import LocalLambdas, sqs_event
from kith_local.plain_browser import Browser, ConsentTrip, give_consent
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
        # The response headers of the last `http` call (lower-cased names), e.g. an ETag.
        self.last_headers: dict[str, str] = {}

    # -- HTTP ----------------------------------------------------------------------------------

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
        path, _, query = path.partition("?")
        function = "WebhookFunction" if path.startswith("/webhooks/") else "ApiFunction"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        try:
            text, encoded = data.decode(), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(data).decode(), True
        parts = path.strip("/").split("/")
        context: dict[str, Any] = {
            "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
            "domainName": "api.kith.test",
            "requestId": "r",
            "stage": "$default",
            "timeEpoch": int(self.clock.now().timestamp() * 1000),
        }
        if function == "ApiFunction" and owner is not None:
            context["authorizer"] = {"jwt": {"claims": {"sub": owner}, "scopes": None}}
        event = {
            "version": "2.0",
            "routeKey": f"{method} {path}",
            "rawPath": path,
            "rawQueryString": query,
            "queryStringParameters": dict(parse_qsl(query, keep_blank_values=True)) or None,
            "headers": {"content-type": "application/json", **(headers or {})},
            "pathParameters": {"provider": parts[1], "connection_id": parts[2]}
            if function == "WebhookFunction"
            else {},
            "requestContext": context,
            "body": text or None,
            "isBase64Encoded": encoded,
        }
        response = self.lambdas.invoke(function, event)
        self.last_headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
        payload = response.get("body")
        self.last_text = base64.b64decode(payload).decode() if response.get("isBase64Encoded") else payload or ""
        if not self.last_headers.get("content-type", "application/json").startswith("application/json"):
            return response["statusCode"], self.last_text
        return response["statusCode"], json.loads(payload) if payload else None

    def http_text(self, method: str, path: str, *, owner: str | None = OWNER) -> tuple[int, str]:
        """A route answering in text (a CSV, say): its status and body as text."""
        status, _ = self.http(method, path, owner=owner)
        return status, self.last_text

    def webhook(self, connection: dict[str, Any], body: bytes, signature: str | None = "valid") -> tuple[int, Any]:
        headers = {}
        if signature == "valid":
            headers["x-cal-signature-256"] = hmac_sha256_hex(connection["signing_secret"], body)
        elif signature is not None:
            headers["x-cal-signature-256"] = signature
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
            sent = int((now or self.clock.now()).timestamp())
            digest = hmac.new(connection["signing_secret"].encode(), f"{sent}.".encode() + body, hashlib.sha256)
            headers["Calendly-Webhook-Signature"] = f"t={sent},v1={digest.hexdigest()}"
        elif signature is not None:
            headers["Calendly-Webhook-Signature"] = signature
        return self.http("POST", f"/webhooks/calendly/{connection['connection_id']}", raw=body, headers=headers)

    def post_to_webhook(self, url: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """A provider POSTing to a Kith webhook URL (query string and all): (status, content type, raw body)."""
        parts = urlsplit(url)
        segments = parts.path.strip("/").split("/")
        event = {
            "version": "2.0",
            "routeKey": f"POST {parts.path}",
            "rawPath": parts.path,
            "rawQueryString": parts.query,
            "queryStringParameters": dict(parse_qsl(parts.query, keep_blank_values=True)) or None,
            "headers": {"content-type": content_type, "host": parts.netloc},
            "pathParameters": {"provider": segments[1], "connection_id": segments[2]},
            "requestContext": {
                "http": {"method": "POST", "path": parts.path, "sourceIp": "127.0.0.1"},
                "domainName": parts.netloc,
                "requestId": "r",
                "stage": "$default",
                "timeEpoch": int(self.clock.now().timestamp() * 1000),
            },
            "body": body.decode() or None,
            "isBase64Encoded": False,
        }
        response = self.lambdas.invoke("WebhookFunction", event)
        headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
        return response["statusCode"], headers.get("content-type", ""), (response.get("body") or "").encode()

    def open_link(
        self, method: str, url: str, form: bytes = b"", content_type: str = "application/x-www-form-urlencoded"
    ) -> tuple[int, dict[str, str], str]:
        """A person (or a mail provider) opening a one-click link from an email: (status, headers, page)."""
        path = urlsplit(url).path
        event = {
            "version": "2.0",
            "routeKey": f"{method} /a/{{token}}",
            "rawPath": path,
            "rawQueryString": "",
            "headers": {"content-type": content_type} if form else {},
            "pathParameters": {"token": path.rsplit("/", 1)[1]},
            "requestContext": {
                "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
                "domainName": "kith.local",
                "requestId": "r",
                "stage": "$default",
                "timeEpoch": int(self.clock.now().timestamp() * 1000),
            },
            # API Gateway hands form bodies over base64-encoded.
            "body": base64.b64encode(form).decode() if form else None,
            "isBase64Encoded": bool(form),
        }
        response = self.lambdas.invoke("ActionsFunction", event)
        headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
        return response["statusCode"], headers, response.get("body") or ""

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
        status, _ = self.http(method, target, owner=None, raw=body, headers=headers)
        return status, dict(self.last_headers), self.last_text.encode()

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
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Channel-Token": channel.get("token"),
            "X-Goog-Channel-Expiration": "Mon, 07 Dec 2026 10:00:00 GMT",
            "X-Goog-Message-Number": str(message_number),
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-State": state,
            "X-Goog-Resource-URI": channel["resourceUri"],
        }
        for name, value in changes.items():
            headers[_GOOGLE_HEADERS[name]] = value
        sent = {name: value for name, value in headers.items() if value is not None}
        return self.http("POST", f"/webhooks/google/{connection_id}", raw=b"", headers=sent)


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


def calcom_body(
    trigger: str,
    uid: str,
    start: datetime,
    attendees: list[tuple[str, str]],
    *,
    minutes: int = 30,
    title: str = "Coffee",
    flat: bool = False,
    reschedule_uid: str | None = None,
    created_at: datetime = datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
) -> bytes:
    """A Cal.com delivery; `created_at` dates it (a wrapped one more than a day old is refused as a replay)."""
    booking: dict[str, Any] = {
        "type": "30min",
        "title": title,
        "startTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endTime": (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "organizer": {"name": "Olive Owner", "email": "owner@example.com", "timeZone": "Europe/Berlin"},
        "attendees": [{"name": name, "email": email, "timeZone": "Europe/Berlin"} for name, email in attendees],
        "uid": uid,
        "iCalUID": f"{uid}@Cal.com",
        "status": "ACCEPTED",
    }
    if reschedule_uid:
        booking["rescheduleUid"] = reschedule_uid
    if flat:
        return json.dumps({"triggerEvent": trigger, "createdAt": "2026-11-01T00:00:00Z", **booking}).encode()
    sent = created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"triggerEvent": trigger, "createdAt": sent, "payload": booking}).encode()


CALENDLY_API = "https://api.calendly.com"


def calendly_invitee_uri(event_uuid: str, invitee_uuid: str) -> str:
    return f"{CALENDLY_API}/scheduled_events/{event_uuid}/invitees/{invitee_uuid}"


def calendly_body(
    kind: str,
    event_uuid: str,
    start: datetime,
    invitee: tuple[str, str],
    *,
    invitee_uuid: str | None = None,
    guests: list[str] | None = None,
    hosts: list[str] | None = None,
    minutes: int = 30,
    title: str = "Coffee",
    rescheduled: bool = False,
    old_invitee: str | None = None,
    new_invitee: str | None = None,
) -> bytes:
    """A Calendly v2 invitee.created / invitee.canceled body; the owner hosts unless `hosts` says otherwise."""
    name, email = invitee
    uuid = invitee_uuid or f"INV-{event_uuid}-{email.split('@')[0].upper()}"
    event_uri = f"{CALENDLY_API}/scheduled_events/{event_uuid}"
    canceled = kind == "invitee.canceled"
    scheduled_event: dict[str, Any] = {
        "uri": event_uri,
        "name": title,
        "status": "canceled" if canceled else "active",
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        "end_time": (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        "event_type": f"{CALENDLY_API}/event_types/COFFEE30",
        "location": {"type": "google_conference", "join_url": "https://meet.google.com/abc-defg-hij"},
        "invitees_counter": {"total": 1, "active": 0 if canceled else 1, "limit": 1},
        "created_at": "2026-11-01T00:00:00.000000Z",
        "updated_at": "2026-11-01T00:00:00.000000Z",
        "event_memberships": [
            {"user": f"{CALENDLY_API}/users/HOST{n}", "user_email": host, "user_name": host.split("@")[0]}
            for n, host in enumerate(hosts if hosts is not None else ["owner@example.com"])
        ],
        "event_guests": [{"email": guest, "created_at": "2026-11-01T00:00:00Z"} for guest in guests or []],
    }
    payload: dict[str, Any] = {
        "uri": f"{event_uri}/invitees/{uuid}",
        "email": email,
        "name": name,
        "status": "canceled" if canceled else "active",
        "timezone": "Europe/Berlin",
        "event": event_uri,
        "created_at": "2026-11-01T00:00:00.000000Z",
        "updated_at": "2026-11-01T00:00:00.000000Z",
        "rescheduled": rescheduled,
        "old_invitee": old_invitee,
        "new_invitee": new_invitee,
        "questions_and_answers": [],
        "tracking": {"utm_source": None},
        "scheduled_event": scheduled_event,
    }
    if canceled:
        payload["cancellation"] = {"canceled_by": name, "reason": None, "canceler_type": "invitee"}
    return json.dumps(
        {
            "created_at": "2026-11-30T09:00:00.000000Z",
            "created_by": f"{CALENDLY_API}/users/HOST0",
            "event": kind,
            "payload": payload,
        }
    ).encode()


_GOOGLE_HEADERS = {
    "channel_id": "X-Goog-Channel-ID",
    "token": "X-Goog-Channel-Token",
    "resource_id": "X-Goog-Resource-ID",
    "resource_state": "X-Goog-Resource-State",
}
