"""When a contact is due and overdue (PRODUCT.md §1).

Cadences count calendar days in the owner's time zone: a contact last seen on
a Tuesday afternoon with a 21-day cadence is due from the start of the Tuesday
three weeks later, local time, whatever daylight saving did in between. A contact
never met counts from the day it was added, or, when a bulk add spread it
(kith.domain.spreading), from its first due day.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kith.domain.models import CIRCLE_CADENCE_DAYS, Circle, Contact

OVERDUE_FACTOR = 1.5


class CadenceError(ValueError):
    """A contact's circle and cadence do not fit together."""


def cadence_days(circle: Circle, custom_days: int | None) -> int | None:
    """Days between nudges for a circle; None means the contact opted out."""
    if circle is Circle.NEVER:
        return None
    if circle is Circle.CUSTOM:
        if custom_days is None or not 1 <= custom_days <= 3650:
            raise CadenceError("a custom circle needs cadence_days between 1 and 3650")
        return custom_days
    return CIRCLE_CADENCE_DAYS[circle]


def start_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _anchor_day(contact: Contact, zone: ZoneInfo, days: int) -> date:
    """The local day the cadence counts from.

    A contact spread by a bulk add and not met since counts from as many days before its first
    due day as its cadence, so due, overdue and the ratio agree; a later, shorter cadence caps it.
    """
    if contact.last_interaction_at is not None:
        return contact.last_interaction_at.astimezone(zone).date()
    added = contact.added_at.astimezone(zone).date()
    if contact.first_due_on is not None:
        return min(contact.first_due_on - timedelta(days=days), added)
    return added


def due_at(contact: Contact, zone: ZoneInfo) -> datetime | None:
    """The instant a contact falls due, or None for contacts never nudged.

    A snooze pushes the instant out; it never pulls it in.
    """
    days = cadence_days(contact.circle, contact.cadence_days)
    if days is None:
        return None
    local_day = _anchor_day(contact, zone, days) + timedelta(days=days)
    due = start_of_local_day(local_day, zone)
    if contact.snoozed_until is not None and contact.snoozed_until > due:
        return contact.snoozed_until
    return due


def overdue_at(contact: Contact, zone: ZoneInfo) -> datetime | None:
    days = cadence_days(contact.circle, contact.cadence_days)
    if days is None:
        return None
    local_day = _anchor_day(contact, zone, days) + timedelta(days=math.ceil(days * OVERDUE_FACTOR))
    return start_of_local_day(local_day, zone)


def is_due(contact: Contact, zone: ZoneInfo, now: datetime) -> bool:
    due = due_at(contact, zone)
    return due is not None and now >= due


def is_overdue(contact: Contact, zone: ZoneInfo, now: datetime) -> bool:
    overdue = overdue_at(contact, zone)
    return overdue is not None and is_due(contact, zone, now) and now >= overdue


def overdue_ratio(contact: Contact, zone: ZoneInfo, now: datetime) -> float:
    """How far past the last interaction we are, in cadences (1.0 means just due)."""
    days = cadence_days(contact.circle, contact.cadence_days)
    if days is None:
        return 0.0
    elapsed = now.astimezone(zone).date() - _anchor_day(contact, zone, days)
    return elapsed.days / days
