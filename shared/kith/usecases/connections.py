"""Connecting and disconnecting calendars.

Booking tools (Cal.com, Calendly) get a webhook URL and a signing secret,
shown once. Calendars (Google, Outlook) are connected with an OAuth
authorization code: the provider's own implementation exchanges it, learns the
account, and starts the channel or subscription that will notify Kith. The code
comes from the owner's consent (kith.usecases.consent) with its PKCE verifier,
or from the owner in POST /v1/connections.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from kith.calendars.accounts import INITIAL_READ, CalendarAccount, CalendarChange
from kith.calendars.errors import ProviderAuthError, ProviderRejected
from kith.calendars.signing import new_signing_secret
from kith.domain.connections import CalendarConnection, ConnectionState, Provider
from kith.errors import InvalidInput, NotFound, ProviderUnavailable, Retryable
from kith.observability import logger
from kith.ports import ConnectionStore, MessageQueue

Accounts = Callable[[], Mapping[Provider, CalendarAccount]]


def webhook_path(provider: Provider, connection_id: str) -> str:
    return f"/webhooks/{provider.value}/{connection_id}"


def require_available(provider: Provider, available: Collection[Provider]) -> None:
    if provider not in available:
        offered = ", ".join(choice.value for choice in available)
        raise ProviderUnavailable(
            f"{provider.value} is not set up on this stack: its operator deploys it with the provider's "
            f"OAuth client (see the README's Configuration); available here: {offered}"
        )


def connect_calendar(
    store: ConnectionStore,
    accounts: Accounts,
    queue: MessageQueue,
    owner_id: str,
    provider: Provider,
    webhook_base: str,
    now: datetime,
    *,
    authorization_code: str | None = None,
    redirect_uri: str | None = None,
    code_verifier: str | None = None,
    available: Collection[Provider],
    mail: bool = False,
) -> CalendarConnection:
    """`mail` asks the calendar's provider for the owner's sent mail too; the connection says whether it was granted."""
    require_available(provider, available)
    store.get_owner(owner_id)
    connection_id = uuid.uuid4().hex
    connection = CalendarConnection(
        connection_id=connection_id,
        owner_id=owner_id,
        provider=provider,
        created_at=now,
        webhook_url=webhook_base.rstrip("/") + webhook_path(provider, connection_id),
        mail=mail and not provider.signs_webhooks,
    )
    if provider.signs_webhooks:
        connection = connection.model_copy(update={"signing_secret": new_signing_secret()})
        store.create_connection(connection)
        return connection
    if not authorization_code or not redirect_uri:
        raise InvalidInput(f"connecting {provider.value} needs the OAuth authorization_code and its redirect_uri")
    # Stored first: Outlook checks the webhook URL (the validation handshake) while the subscription is created.
    store.create_connection(connection)
    try:
        connected = accounts()[provider].connect(connection, authorization_code, redirect_uri, now, code_verifier)
    except ProviderAuthError as refused:
        store.delete_connection(connection)
        raise InvalidInput(f"{provider.value} refused the authorization ({refused.reason or refused.status})") from None
    except ProviderRejected as refused:
        store.delete_connection(connection)
        raise InvalidInput(f"{provider.value} refused the request ({refused.reason or refused.status})") from None
    except Exception:
        store.delete_connection(connection)
        raise
    saved = store.save_connection(connected)
    initial = CalendarChange(owner_id=owner_id, connection_id=connection_id, received_at=now, change=INITIAL_READ)
    try:
        queue.send(initial.model_dump(mode="json"))
    except Retryable:
        # Connected all the same: new changes still arrive. Google's first sync reads the window
        # anyway (it has no sync token yet); only Outlook's look back at recent meetings is skipped.
        logger.warning("the initial read of a new calendar could not be queued", extra={"provider": provider.value})
    return saved


def disconnect_calendar(
    store: ConnectionStore,
    accounts: Accounts,
    owner_id: str,
    connection_id: str,
    now: datetime,
) -> None:
    """Stop the channel or subscription (when the provider still lets us) and forget the connection."""
    connection = store.get_connection(connection_id)
    if connection.owner_id != owner_id:
        raise NotFound("unknown calendar connection")
    if not connection.provider.signs_webhooks and connection.state is not ConnectionState.REVOKED:
        accounts()[connection.provider].disconnect(connection, now)
    store.delete_connection(connection)
