"""A calendar or booking tool an owner connects, and the state of its push channel or subscription."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Provider(StrEnum):
    CALCOM = "calcom"
    CALENDLY = "calendly"
    GOOGLE = "google"
    OUTLOOK = "outlook"

    @property
    def signs_webhooks(self) -> bool:
        """Booking tools sign each webhook with a secret Kith issues; calendars are reached through OAuth."""
        return self in {Provider.CALCOM, Provider.CALENDLY}


def available_providers(oauth_clients: frozenset[str]) -> tuple[Provider, ...]:
    """Booking tools work on every stack; a calendar only where the stack has its OAuth client."""
    return tuple(provider for provider in Provider if provider.signs_webhooks or provider.value in oauth_clients)


class ConnectionState(StrEnum):
    ACTIVE = "active"
    # The channel or subscription is close to its end and has not been renewed yet.
    EXPIRING = "expiring"
    # The provider keeps failing (5xx, timeouts); Kith keeps retrying.
    FAILING = "failing"
    # The owner revoked Kith's access (or disconnected): nothing more arrives until they connect again.
    REVOKED = "revoked"


class GoogleWatch(BaseModel):
    """A Google Calendar push channel on one calendar, and where incremental sync stands."""

    model_config = ConfigDict(frozen=True)

    calendar_id: str = "primary"
    calendar_time_zone: str | None = None
    channel_id: str
    resource_id: str
    channel_token: str = Field(repr=False)
    expires_at: datetime
    sync_token: str | None = Field(default=None, repr=False)


class GraphSubscription(BaseModel):
    """A Microsoft Graph change subscription on the mailbox's events."""

    model_config = ConfigDict(frozen=True)

    subscription_id: str
    client_state: str = Field(repr=False)
    expires_at: datetime


class GmailWatch(BaseModel):
    """Gmail's push of the SENT label through Cloud Pub/Sub, and where reading the mailbox's history stands."""

    model_config = ConfigDict(frozen=True)

    # The historyId after which changes are still to be read: users.watch's, then each history.list's.
    history_id: str | None = None
    expires_at: datetime


class CalendarConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    connection_id: str
    owner_id: str
    provider: Provider
    created_at: datetime
    state: ConnectionState = ConnectionState.ACTIVE
    signing_secret: str | None = Field(default=None, repr=False)
    webhook_url: str | None = None
    account_email: str | None = None
    refresh_token_sealed: str | None = Field(default=None, repr=False)
    google: GoogleWatch | None = None
    graph: GraphSubscription | None = None
    # Sent mail (Google and Outlook), when the owner chose it at consent and the provider granted it.
    mail: bool = False
    gmail: GmailWatch | None = None
    graph_mail: GraphSubscription | None = None
    failures: int = 0
    version: int = 1

    @property
    def renews_at(self) -> datetime | None:
        """When the sweep should renew the channel or subscription: well before it lapses."""
        watches = (self.google, self.graph, self.gmail, self.graph_mail)
        expiries = [watch.expires_at for watch in watches if watch is not None]
        if not expiries or self.state is ConnectionState.REVOKED:
            return None
        return min(expiries) - RENEWAL_MARGIN


RENEWAL_MARGIN = timedelta(hours=12)


def connection_state_at(state: ConnectionState, expires_at: datetime | None, now: datetime) -> ConnectionState:
    """The state an owner sees: an active channel or subscription inside its renewal margin is expiring."""
    if state is ConnectionState.ACTIVE and expires_at is not None and expires_at - RENEWAL_MARGIN <= now:
        return ConnectionState.EXPIRING
    return state
