"""Reading calendars reached through OAuth: queued changes, renewals, and the connection's health.

A provider that refuses the owner's token (revoked access) marks the
connection revoked and stops work on it; one that keeps failing (5xx,
timeouts) marks it failing and hands the message back for a later retry, so
nothing is lost. The first success after that makes it active again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from kith.calendars.accounts import CalendarAccount, CalendarChange
from kith.calendars.errors import ProviderAuthError, ProviderUnavailable
from kith.domain.connections import CalendarConnection, ConnectionState, Provider
from kith.errors import Conflict, NotFound, Retryable
from kith.ports import ConnectionStore, MeetingStore, SentMailStore
from kith.usecases.meetings import MeetingOutcome, apply_meeting_event
from kith.usecases.sent_mail import MailOutcome, own_addresses, record_sent_mail

T = TypeVar("T")


@dataclass
class SyncOutcome:
    meetings: list[MeetingOutcome] = field(default_factory=list)
    mail: MailOutcome = field(default_factory=MailOutcome)
    state: ConnectionState = ConnectionState.ACTIVE
    skipped: str | None = None


def apply_calendar_change(
    store: ConnectionStore,
    meetings: MeetingStore,
    accounts: Mapping[Provider, CalendarAccount],
    change: CalendarChange,
    now: datetime,
    forget_token: Callable[[str], None] = lambda _: None,
    sent_mail: SentMailStore | None = None,
) -> SyncOutcome:
    """Read what a change stands for: meetings recorded, and messages the owner sent (given `sent_mail`)."""
    try:
        connection = store.get_connection(change.connection_id)
    except NotFound:
        return SyncOutcome(skipped="connection is gone")
    if connection.state is ConnectionState.REVOKED:
        return SyncOutcome(state=connection.state, skipped="connection is revoked")
    account = accounts[connection.provider]
    reading, connection = _guarded(store, connection, lambda: account.read(connection, change, now), forget_token)
    outcome = SyncOutcome(state=connection.state)
    for meeting in reading.meetings:
        outcome.meetings.append(apply_meeting_event(meetings, connection.owner_id, meeting, now))
    if reading.messages and sent_mail is not None:
        owner = sent_mail.get_owner(connection.owner_id)
        own = own_addresses(sent_mail, owner, connection.account_email)
        outcome.mail = record_sent_mail(sent_mail, owner.owner_id, reading.messages, now, owner=owner, own=own)
    # What the provider changed (a sync token, a rotated refresh token) over the health just recorded.
    read = reading.connection.model_copy(
        update={"state": connection.state, "failures": connection.failures, "version": connection.version}
    )
    if read != connection:
        _save(store, read)
    return outcome


def renew_connection(
    store: ConnectionStore,
    accounts: Mapping[Provider, CalendarAccount],
    connection_id: str,
    now: datetime,
    forget_token: Callable[[str], None] = lambda _: None,
) -> ConnectionState | None:
    """Renew a channel or subscription the sweep found due; None when there is nothing left to renew."""
    try:
        connection = store.get_connection(connection_id)
    except NotFound:
        return None
    if connection.state is ConnectionState.REVOKED or connection.renews_at is None or connection.renews_at > now:
        return connection.state
    account = accounts[connection.provider]
    renewed, connection = _guarded(store, connection, lambda: account.renew(connection, now), forget_token)
    return _save(store, renewed.model_copy(update={"state": ConnectionState.ACTIVE, "failures": 0})).state


def _guarded(
    store: ConnectionStore, connection: CalendarConnection, work: Callable[[], T], forget_token: Callable[[str], None]
) -> tuple[T, CalendarConnection]:
    """Run provider work; record what its failures say about the connection.

    A refused access token may only be one this container cached past its life (a message handled
    long after it arrived): the work is tried once more with a fresh one before the connection is
    taken for revoked.
    """
    try:
        try:
            result = work()
        except ProviderAuthError:
            forget_token(connection.connection_id)
            result = work()
    except ProviderAuthError:
        _save(store, connection.model_copy(update={"state": ConnectionState.REVOKED}))
        raise
    except (ProviderUnavailable, Retryable):
        failing = connection.model_copy(update={"state": ConnectionState.FAILING, "failures": connection.failures + 1})
        _save(store, failing)
        raise
    if connection.state is ConnectionState.FAILING:
        connection = _save(store, connection.model_copy(update={"state": ConnectionState.ACTIVE, "failures": 0}))
    return result, connection


def _save(store: ConnectionStore, connection: CalendarConnection) -> CalendarConnection:
    """Save a connection's new state over the latest stored one (another worker may have saved since)."""
    try:
        return store.save_connection(connection)
    except Conflict:
        latest = store.get_connection(connection.connection_id)
        return store.save_connection(connection.model_copy(update={"version": latest.version}))
