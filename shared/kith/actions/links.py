"""The signed links one email carries: an action per contact, pause, unsubscribe, add an attendee."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from kith.actions.tokens import KeyRing, sign
from kith.domain.actions import LINK_LIFETIME, Action, ActionClaim

ACTION_PATH = "/a/"


def _nonce() -> str:
    return secrets.token_urlsafe(12)


class ActionLinks:
    """Links for one email to one owner, each unique and valid for 30 days from sending."""

    def __init__(
        self, base_url: str, ring: KeyRing, owner_id: str, sent_at: datetime, nonce: Callable[[], str] = _nonce
    ) -> None:
        self._base = base_url.rstrip("/") + ACTION_PATH
        self._ring = ring
        self._owner_id = owner_id
        self._expires_at = sent_at + LINK_LIFETIME
        self._nonce = nonce

    def _link(self, action: Action, **fields: str | int) -> str:
        claim = ActionClaim.model_validate(
            {
                "owner_id": self._owner_id,
                "action": action,
                "expires_at": self._expires_at,
                "nonce": self._nonce(),
                **fields,
            }
        )
        return self._base + sign(claim, self._ring)

    def for_contact(self, action: Action, contact_id: str) -> str:
        return self._link(action, contact_id=contact_id)

    def add_attendee(self, interaction_id: str, attendee: int) -> str:
        return self._link(Action.ADD_ATTENDEE, interaction_id=interaction_id, attendee=attendee)

    def pause(self) -> str:
        return self._link(Action.PAUSE)

    def unsubscribe(self) -> str:
        return self._link(Action.UNSUBSCRIBE)


class Linker:
    """Hands each email its links; the key ring is read when the first email needs it."""

    def __init__(self, base_url: str, ring: Callable[[], KeyRing], nonce: Callable[[], str] = _nonce) -> None:
        self._base_url = base_url
        self._ring = ring
        self._nonce = nonce

    def for_email(self, owner_id: str, sent_at: datetime) -> ActionLinks:
        return ActionLinks(self._base_url, self._ring(), owner_id, sent_at, self._nonce)
