"""What a function needs, built once per cold start on first use.

Nothing here reads the environment at import time: handlers create a Runtime
at module level and touch it inside the handler, so tests and the local stack
can hand a function its own settings before the first call. Its AWS clients come from a
`ClientFactory` (by default one boto3 Session's, with standard retries).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import boto3
from botocore.config import Config

from kith.config import Settings
from kith.storage import stores

if TYPE_CHECKING:
    from kith.actions.links import Linker
    from kith.adapters.dead_letters import DeadLetterQueue
    from kith.adapters.inbound_mail import StoredMail
    from kith.adapters.kms import Vault
    from kith.adapters.queue import Queue
    from kith.adapters.secrets import ActionKeys
    from kith.adapters.ses import SesMailer
    from kith.calendars.accounts import CalendarAccount
    from kith.calendars.http_client import ProviderHttp
    from kith.calendars.oauth import OAuth
    from kith.domain.connections import Provider
    from kith.idempotency import OncePerEmail
    from kith.ports import (
        ActionStore,
        ConnectionStore,
        ContactStore,
        ErasureStore,
        ImportStore,
        InboundStore,
        MailStore,
        MeetingStore,
        SentMailStore,
    )

# Adapters and the mailer's wiring are imported where they are first used: a function's cold
# start pays only for what that function touches.

CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10)


class ClientFactory(Protocol):
    """Makes a boto3 client for one AWS service, by its name ("dynamodb", "sqs", "sesv2", ...).

    Every client a Runtime uses comes from its factory, made once per service on first use: the seam
    through which the local stack and the tests watch or fail a function's AWS calls (a factory may
    register botocore event handlers on each client it makes).
    """

    def __call__(self, service: str) -> Any: ...


class SessionClients:
    """The default factory: clients of one boto3 Session (made when first needed), with the standard retries."""

    def __init__(self, session: boto3.session.Session | None = None) -> None:
        self._session = session

    def __call__(self, service: str) -> Any:
        if self._session is None:
            self._session = boto3.session.Session()
        return self._session.client(service, config=CLIENT_CONFIG)


class Runtime:
    """`environ` gives the settings (os.environ when None); `clients` makes every AWS client the Runtime uses."""

    def __init__(self, environ: Mapping[str, str] | None = None, clients: ClientFactory | None = None) -> None:
        self._environ = environ
        self._clients: ClientFactory = clients or SessionClients()

    @cached_property
    def settings(self) -> Settings:
        return Settings.from_environ(self._environ if self._environ is not None else os.environ)

    def client(self, service: str) -> Any:
        return self._clients(service)

    @cached_property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    # The stores, one per port in kith.ports, all on the one DynamoDB client.

    @cached_property
    def contact_store(self) -> ContactStore:
        return stores.DynamoContactStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def meeting_store(self) -> MeetingStore:
        return stores.DynamoMeetingStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def mail_store(self) -> MailStore:
        return stores.DynamoMailStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def sent_mail_store(self) -> SentMailStore:
        return stores.DynamoSentMailStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def connection_store(self) -> ConnectionStore:
        return stores.DynamoConnectionStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def action_store(self) -> ActionStore:
        return stores.DynamoActionStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def import_store(self) -> ImportStore:
        return stores.DynamoImportStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def erasure_store(self) -> ErasureStore:
        return stores.DynamoErasureStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def inbound_store(self) -> InboundStore:
        return stores.DynamoInboundStore(self.dynamodb, self.settings.table_name, self.settings.due_shards)

    @cached_property
    def inbound_mailbox(self) -> StoredMail:
        """The messages SES stored for the inbound function: read from S3, then deleted."""
        from kith.adapters.inbound_mail import StoredMail

        return StoredMail(self.client("s3"), self.settings.require("inbound_bucket"), self.settings.inbound_prefix)

    @cached_property
    def sqs(self) -> Any:
        return self.client("sqs")

    @cached_property
    def meeting_queue(self) -> Queue:
        from kith.adapters.queue import Queue

        return Queue(self.sqs, self.settings.require("meeting_queue_url"))

    @cached_property
    def mail_queue(self) -> Queue:
        from kith.adapters.queue import Queue

        return Queue(self.sqs, self.settings.require("mail_queue_url"))

    @cached_property
    def dead_letters(self) -> DeadLetterQueue:
        from kith.adapters.dead_letters import DeadLetterQueue

        return DeadLetterQueue(self.sqs, self.settings.require("dead_letter_queue_url"))

    @cached_property
    def mailer(self) -> SesMailer:
        from kith.adapters.ses import SesMailer

        return SesMailer(self.client("sesv2"), self.settings.require("sender_address"), self.settings.configuration_set)

    @cached_property
    def deliver_once(self) -> OncePerEmail:
        from kith.idempotency import OncePerEmail
        from kith.usecases.mailing import deliver

        return OncePerEmail(
            self.dynamodb,
            self.settings.table_name,
            lambda job: deliver(self.mail_store, self.mailer, self.linker, job),
        )

    @cached_property
    def action_keys(self) -> ActionKeys:
        """The keys that sign and check one-click links, read from Secrets Manager when first needed."""
        from kith.adapters.secrets import ActionKeys

        return ActionKeys(self.client("secretsmanager"), self.settings.require("action_keys_secret"))

    @cached_property
    def linker(self) -> Linker:
        from kith.actions.links import Linker

        return Linker(self.settings.require("public_base_url"), self.action_keys)

    @cached_property
    def provider_http(self) -> ProviderHttp:
        from kith.calendars.http_client import ProviderHttp

        return ProviderHttp()

    @cached_property
    def vault(self) -> Vault:
        from kith.adapters.kms import Vault

        return Vault(self.client("kms"), self.settings.require("token_key_id"))

    @cached_property
    def oauth(self) -> OAuth:
        from kith.calendars import google_account, outlook_account
        from kith.calendars.oauth import OAuth, OAuthApp
        from kith.domain.connections import Provider

        settings = self.settings
        apps = {}
        if settings.google_client_id:
            apps[Provider.GOOGLE] = OAuthApp(
                authorize_url=settings.google_authorize_url,
                token_url=settings.google_token_url,
                client_id=settings.google_client_id,
                client_secret=settings.google_client_secret,
                scope=google_account.SCOPE,
                consent_parameters=google_account.CONSENT_PARAMETERS,
            )
        if settings.microsoft_client_id:
            apps[Provider.OUTLOOK] = OAuthApp(
                authorize_url=settings.microsoft_authorize_url,
                token_url=settings.microsoft_token_url,
                client_id=settings.microsoft_client_id,
                client_secret=settings.microsoft_client_secret,
                scope=outlook_account.SCOPE,
                mail_scope=outlook_account.MAIL_SCOPE,
                consent_parameters=outlook_account.CONSENT_PARAMETERS,
            )
        return OAuth(self.provider_http, self.vault, apps)

    @cached_property
    def calendar_accounts(self) -> dict[Provider, CalendarAccount]:
        """Google Calendar and Outlook, each behind the CalendarAccount port."""
        from kith.calendars.google_account import GoogleCalendar
        from kith.calendars.outlook_account import OutlookCalendar
        from kith.domain.connections import Provider

        return {
            Provider.GOOGLE: GoogleCalendar(self.provider_http, self.oauth, self.settings.google_api_url),
            Provider.OUTLOOK: OutlookCalendar(self.provider_http, self.oauth, self.settings.graph_url),
        }
