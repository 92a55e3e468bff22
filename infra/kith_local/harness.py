"""Kith running locally as a whole: stack, functions, HTTP API and a clock, on the embedded AWS."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from kith_local.apiserver import LocalApi, listen, start
from kith_local.clock import Clock
from kith_local.lambdas import DrainResult, LocalLambdas
from kith_local.stack import create_stack


@dataclass
class HttpResult:
    status: int
    body: Any
    headers: dict[str, str]


class LocalKith:
    def __init__(self, clock: Clock, stage: str = "local", port: int = 0) -> None:
        self.clock = clock
        self.session = boto3.session.Session()
        self.stack = create_stack(self.session, stage=stage)
        # Bound before the functions load, so their settings name it from the first invocation:
        # links in emails and webhook addresses lead to this server, over plain HTTP.
        self.server = listen(port)
        host, port = self.server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self.stack.overrides["KITH_PUBLIC_BASE_URL"] = self.base_url
        # The console signs in through the development sign-in this server answers under /dev, not Cognito.
        self.stack.overrides["KITH_AUTH_URL"] = f"{self.base_url}/dev"
        self.lambdas = LocalLambdas(self.stack)
        self.api = LocalApi(self.lambdas, clock.now)
        start(self.server, self.api)
        self.sqs = self.session.client("sqs")
        self.dynamodb = self.session.client("dynamodb")

    def use_settings(self, overrides: Mapping[str, str]) -> None:
        """Every function gets these settings too, from a fresh cold start, as after a redeploy.

        For settings known only once another local server listens: a fake provider's address, say.
        """
        self.stack.overrides.update(overrides)
        self.lambdas = LocalLambdas(self.stack)
        self.api.lambdas = self.lambdas

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalKith:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload, response_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, payload, response_headers = error.code, error.read(), dict(error.headers)
        text = payload.decode() if payload else ""
        try:
            parsed: Any = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = text
        return HttpResult(status, parsed, {name.lower(): value for name, value in response_headers.items()})

    def process_meetings(self) -> DrainResult:
        return self.lambdas.drain(self.sqs, "MeetingQueue")

    def send_mail(self) -> DrainResult:
        return self.lambdas.drain(self.sqs, "MailQueue")

    def tick(self, now: datetime | None = None) -> dict[str, Any]:
        """One scheduler tick at the clock's time, then the consumers work through what it queued.

        Mail goes to the mailer; channel and subscription renewals go to the meetings function.
        """
        result: dict[str, Any] = self.lambdas.tick(now or self.clock.now())
        if result.get("renewals_queued"):
            self.process_meetings()
        self.send_mail()
        return result

    def queue_depth(self, logical_id: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.stack.queue_url(logical_id),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
