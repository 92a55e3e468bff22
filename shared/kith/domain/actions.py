"""One-click actions from an email (PRODUCT.md §6): what each one does to a contact or an owner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from kith.domain.cadence import start_of_local_day
from kith.domain.models import CIRCLE_CADENCE_DAYS, Circle, Contact

LINK_LIFETIME = timedelta(days=30)
SNOOZE = timedelta(days=14)
LONGEST_PAUSE = timedelta(days=366)
# "See less often" from the widest circle: a contact kept, but yearly.
YEARLY = 365


class Action(StrEnum):
    DONE = "done"
    SNOOZE = "snooze"
    LESS_OFTEN = "less-often"
    PAUSE = "pause"
    ADD_ATTENDEE = "add"
    UNSUBSCRIBE = "unsubscribe"

    @property
    def needs_contact(self) -> bool:
        return self in {Action.DONE, Action.SNOOZE, Action.LESS_OFTEN}


class ActionClaim(BaseModel):
    """What a signed link lets its holder do: one action, for one owner (and one contact), until it expires."""

    model_config = ConfigDict(frozen=True)

    owner_id: str
    action: Action
    contact_id: str | None = None
    # For ADD_ATTENDEE: the meeting, and which of its attendees who are not yet contacts.
    interaction_id: str | None = None
    attendee: int | None = Field(default=None, ge=0)
    expires_at: datetime
    # Makes each link unique, so a second click on the same link is recognised and changes nothing more.
    nonce: str

    def expired_at(self, moment: datetime) -> bool:
        return moment >= self.expires_at


class PauseError(ValueError):
    """A pause end that is not a date in the coming year."""


def further_out(contact: Contact) -> tuple[Circle, int | None]:
    """The circle (and custom cadence) one step further out than the contact's: "see less often"."""
    if contact.circle is Circle.INNER:
        return Circle.CORE, None
    if contact.circle is Circle.CORE:
        return Circle.WIDER, None
    if contact.circle is Circle.CUSTOM and contact.cadence_days is not None:
        for circle in (Circle.CORE, Circle.WIDER):
            if CIRCLE_CADENCE_DAYS[circle] > contact.cadence_days:
                return circle, None
        return Circle.CUSTOM, min(max(contact.cadence_days * 2, YEARLY), 3650)
    if contact.circle is Circle.WIDER:
        return Circle.CUSTOM, YEARLY
    return contact.circle, contact.cadence_days


def pause_end(until: date, zone: ZoneInfo, now: datetime) -> datetime:
    """Nudges resume at the start of the chosen day, in the owner's time zone."""
    end = start_of_local_day(until, zone).astimezone(UTC)
    if end <= now:
        raise PauseError("the pause must end on a day after today")
    if end - now > LONGEST_PAUSE:
        raise PauseError("a pause can last at most a year")
    return end
