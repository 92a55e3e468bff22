"""Kith's functions in this process, with stopwatches: the handlers invoked as Lambda would invoke them.

HTTP goes through kith_local's LocalApi (API Gateway payload 2.0 events for the routes of template.yaml),
the meetings queue is delivered by hand as SQS events, and every handler invocation is timed.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import boto3
from kith.observability import logger
from kith_local.apiserver import LocalApi
from kith_local.clock import SimulatedClock
from kith_local.events import sqs_event
from kith_local.lambdas import LocalLambdas
from kith_local.stack import LocalStack

HOST = "api.kith.test"


class TimedLambdas(LocalLambdas):
    """LocalLambdas that note when each handler invocation started and returned (perf_counter seconds)."""

    def __init__(self, stack: LocalStack) -> None:
        super().__init__(stack)
        self.spans: list[tuple[str, float, float]] = []

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return super().invoke(name, event)
        finally:
            self.spans.append((name, started, time.perf_counter()))

    def span(self, name: str) -> tuple[float, float]:
        (only,) = [(started, finished) for function, started, finished in self.spans if function == name]
        return only


class ProviderHttpTime:
    """Time spent inside one ProviderHttp's requests (retries and backoff included), in seconds."""

    def __init__(self, http: Any) -> None:
        self.seconds = 0.0
        request = http.request

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return request(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        setattr(http, "request", timed)  # noqa: B010 - an instance attribute shadows the method


@contextmanager
def quiet_logs() -> Iterator[None]:
    """The functions' JSON logs are still written, to a buffer instead of the terminal."""
    handler = logger.registered_handler
    previous = handler.setStream(io.StringIO()) if isinstance(handler, logging.StreamHandler) else None
    try:
        yield
    finally:
        if previous is not None:
            handler.setStream(previous)


class Kith:
    """The stack's functions in this process: HTTP through LocalApi, the meetings queue delivered by hand."""

    def __init__(self, stack: LocalStack, clock: SimulatedClock, owner_id: str) -> None:
        self.stack = stack
        self.owner_id = owner_id
        self.lambdas = TimedLambdas(stack)
        self.api = LocalApi(self.lambdas, clock.now)
        self.sqs = boto3.client("sqs")

    def post(self, path: str, body: bytes, headers: dict[str, str], query: str = "") -> tuple[int, str, bytes]:
        """(status, content type, body); header names lowercased, as API Gateway hands them over."""
        sent = {"content-type": "application/json"} | {name.lower(): value for name, value in headers.items()}
        status, answer_headers, payload = self.api.handle("POST", path, query, sent, body, HOST)
        return status, answer_headers.get("content-type", ""), payload

    def call(self, method: str, path: str, document: Any = None) -> tuple[int, Any]:
        """The owner calling the API (the dev token stands in for the JWT the authorizer would check)."""
        body = json.dumps(document).encode() if document is not None else b""
        headers = {"content-type": "application/json", "authorization": f"Bearer dev:{self.owner_id}"}
        path, _, query = path.partition("?")
        status, _, payload = self.api.handle(method, path, query, headers, body, HOST)
        return status, json.loads(payload) if payload else None

    def expect(self, status: int, method: str, path: str, document: Any) -> Any:
        """call(), for set-up steps that must succeed: the answer's body, or an error that says what went wrong."""
        answered, body = self.call(method, path, document)
        if answered != status:
            raise RuntimeError(f"{method} {path} answered {answered}: {body}")
        return body

    def post_to_webhook(self, url: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """How the fake Graph reaches a notificationUrl (its validation handshake and its notifications)."""
        parts = urlsplit(url)
        return self.post(parts.path, body, {"content-type": content_type}, parts.query)

    def process(self) -> int:
        """The event source mapping: receive what is queued, invoke the meetings function, delete on success."""
        url = self.stack.queue_url("MeetingQueue")
        messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get(
            "Messages", []
        )
        if not messages:
            return 0
        event = sqs_event(messages, self.stack.references["MeetingQueue.Arn"])
        failures = self.lambdas.invoke("MeetingsFunction", event)["batchItemFailures"]
        if failures:
            raise RuntimeError(f"the meetings function handed back {failures}")
        for message in messages:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)
