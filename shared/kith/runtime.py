"""What a function needs, built once per cold start on first use.

Nothing here reads the environment at import time: handlers create a Runtime
at module level and touch it inside the handler, so tests and the local stack
can hand a function its own settings before the first call.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from kith.config import Settings
from kith.storage.repository import Repository

if TYPE_CHECKING:
    from kith.adapters.queue import Queue
    from kith.adapters.ses import SesMailer
    from kith.idempotency import OncePerEmail

# Adapters and the mailer's wiring are imported where they are first used: a function's cold
# start pays only for what that function touches.

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10)


class Runtime:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

    @cached_property
    def settings(self) -> Settings:
        return Settings.from_environ(self._environ if self._environ is not None else os.environ)

    @cached_property
    def _session(self) -> boto3.session.Session:
        return boto3.session.Session()

    def client(self, service: str) -> Any:
        return self._session.client(service, config=_CLIENT_CONFIG)

    @cached_property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @cached_property
    def repository(self) -> Repository:
        return Repository(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def _sqs(self) -> Any:
        return self.client("sqs")

    @cached_property
    def meeting_queue(self) -> Queue:
        from kith.adapters.queue import Queue

        return Queue(self._sqs, self.settings.require("meeting_queue_url"))

    @cached_property
    def mail_queue(self) -> Queue:
        from kith.adapters.queue import Queue

        return Queue(self._sqs, self.settings.require("mail_queue_url"))

    @cached_property
    def mailer(self) -> SesMailer:
        from kith.adapters.ses import SesMailer

        return SesMailer(self.client("sesv2"), self.settings.require("sender_address"), self.settings.configuration_set)

    @cached_property
    def deliver_once(self) -> OncePerEmail:
        from kith.idempotency import OncePerEmail
        from kith.usecases.mailing import deliver

        return OncePerEmail(
            self.dynamodb, self.settings.table_name, lambda job: deliver(self.repository, self.mailer, job)
        )
