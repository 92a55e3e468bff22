"""Connecting Google Calendar or Outlook by the owner's consent, in one click.

`begin_consent` gives the provider's consent URL: the least scopes Kith needs, PKCE S256, and a
state that is signed, names the owner and expires after 10 minutes. The pending consent (its
PKCE verifier) is kept in the table under the state's nonce.

`complete_consent` is where the provider sends the owner's browser back. There is no login: the
state is the proof. It is checked (signature, key, expiry, provider), then the pending consent is
spent in one conditional delete, which gives the verifier and makes the state single-use, so a
reload or a second click finds it spent and connects nothing more. The code is exchanged with
the verifier and the calendar connected as POST /v1/connections connects it.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from kith.actions.tokens import KeyRing
from kith.calendars.consent_state import PendingConsent, sign_state, verify_state
from kith.calendars.oauth import OAuth
from kith.domain.connections import CalendarConnection, Provider
from kith.errors import AlreadyDone, Forbidden, InvalidInput, InvalidLink, KithError, NotFound
from kith.ports import ConnectionStore, MessageQueue
from kith.usecases.connections import Accounts, connect_calendar, require_available

PROVIDER_NAMES = {Provider.GOOGLE: "Google", Provider.OUTLOOK: "Outlook"}
# What a browser can put in the query; anything longer is no answer a provider gives.
MAX_CODE_LENGTH = 4096
MAX_ERROR_LENGTH = 256
SHOWN_ERROR_LENGTH = 64


class ConsentDeclined(Forbidden):
    """The owner said no on the provider's consent page."""


class ConsentFailed(InvalidLink):
    """The provider's answer carries an error other than a refusal, or no code."""


class ConsentSpent(AlreadyDone):
    """The state was used already (a reload, a second click, a second tab)."""


class ConsentOfAnother(Forbidden):
    """A state whose owner is not the one who began the consent it names."""


@dataclass(frozen=True)
class ConsentStarted:
    authorize_url: str
    expires_at: datetime


@dataclass(frozen=True)
class ProviderAnswer:
    """The query the provider's redirect carries: a code and the state, or an error and the state."""

    code: str | None = None
    state: str | None = None
    error: str | None = None

    @classmethod
    def of(cls, query: dict[str, str]) -> ProviderAnswer:
        code, state, error = (query.get(name) or None for name in ("code", "state", "error"))
        if (code and len(code) > MAX_CODE_LENGTH) or (error and len(error) > MAX_ERROR_LENGTH):
            raise ConsentFailed("the answer from the provider is longer than any it gives: nothing was connected")
        return cls(code=code, state=state, error=error)


def callback_uri(public_base: str, provider: Provider) -> str:
    """Where the provider sends the owner back: the address registered with its OAuth client."""
    return f"{public_base.rstrip('/')}/oauth/{provider.value}/callback"


def calendar_provider(name: str) -> Provider:
    """The calendar a callback path names; NotFound for anything but google and outlook."""
    with contextlib.suppress(ValueError):
        provider = Provider(name)
        if provider in PROVIDER_NAMES:
            return provider
    raise NotFound("Kith connects Google and Outlook through this address, nothing else")


def begin_consent(
    store: ConnectionStore,
    oauth: OAuth,
    ring: KeyRing,
    owner_id: str,
    provider: Provider,
    public_base: str,
    now: datetime,
    *,
    available: Collection[Provider],
    mail: bool = False,
) -> ConsentStarted:
    """`mail`: the owner chose to let Kith see the messages they send (headers only) as well as the calendar."""
    if provider.signs_webhooks:
        raise InvalidInput(f"connect {provider.value} with POST /v1/connections: it signs its webhooks")
    require_available(provider, available)
    store.get_owner(owner_id)
    consent = PendingConsent.begin(owner_id, provider, callback_uri(public_base, provider), now, mail=mail)
    state = sign_state(consent.claim, ring)
    url = oauth.consent_url(provider, consent.redirect_uri, state, consent.code_challenge, mail=mail)
    store.begin_consent(consent)
    return ConsentStarted(authorize_url=url, expires_at=consent.expires_at)


def complete_consent(
    store: ConnectionStore,
    accounts: Accounts,
    queue: MessageQueue,
    ring: Callable[[], KeyRing],
    provider: Provider,
    answer: ProviderAnswer,
    public_base: str,
    now: datetime,
    *,
    available: Collection[Provider],
) -> CalendarConnection:
    name = PROVIDER_NAMES[provider]
    if answer.error is not None:
        _forget(store, ring, provider, answer.state, now)
        if answer.error == "access_denied":
            raise ConsentDeclined(f"you declined to let Kith read your {name} calendar, so nothing was connected")
        raise ConsentFailed(f"{name} answered with the error “{_shown(answer.error)}”, so nothing was connected")
    if answer.state is None:
        raise ConsentFailed(f"{name} sent you back without Kith's consent state, so nothing was connected")
    claim = verify_state(answer.state, ring(), now)
    if claim.provider is not provider:
        raise ConsentFailed(
            f"this consent was for {PROVIDER_NAMES[claim.provider]}, not {name}, so nothing was connected"
        )
    if answer.code is None:
        raise ConsentFailed(f"{name} sent you back without an authorization code, so nothing was connected")
    consent = store.spend_consent(claim.owner_id, claim.nonce)
    if consent is None:
        raise ConsentSpent(
            "this consent link was already used, or was not begun from your account — "
            "if you completed it, your calendar is connected"
        )
    if consent.owner_id != claim.owner_id or consent.provider is not claim.provider:
        raise ConsentOfAnother("this consent was begun by someone else, so nothing was connected")
    return connect_calendar(
        store,
        accounts,
        queue,
        consent.owner_id,
        provider,
        public_base,
        now,
        authorization_code=answer.code,
        redirect_uri=consent.redirect_uri,
        code_verifier=consent.code_verifier,
        available=available,
        mail=consent.mail,
    )


def _forget(
    store: ConnectionStore, ring: Callable[[], KeyRing], provider: Provider, state: str | None, now: datetime
) -> None:
    """A consent the provider answered with an error is over: its pending item goes, if the state is ours."""
    if state is None:
        return
    with contextlib.suppress(KithError):
        claim = verify_state(state, ring(), now)
        if claim.provider is provider:
            store.spend_consent(claim.owner_id, claim.nonce)


def _shown(code: str) -> str:
    """A provider's error code as a page may show it: printable, and short."""
    printable = "".join(ch for ch in code if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    return printable[:SHOWN_ERROR_LENGTH] or "(unreadable)"
