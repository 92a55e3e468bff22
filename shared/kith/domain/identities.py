"""Names that outlive any key layout: a meeting's interaction id and an email's key.

They are stored in items, links, aliases and sent history, so they are fixed for
good: the same meeting always gets the same id, the same email the same key,
however the table's keys are laid out.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from kith.domain.meetings import MeetingEvent

INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def instant(moment: datetime) -> str:
    """A moment to the second, in UTC: 2026-01-02T09:00:00Z."""
    return moment.astimezone(UTC).strftime(INSTANT_FORMAT)


def interaction_id(
    source: str, external_id: str, ical_uid: str | None = None, instance_start: datetime | None = None
) -> str:
    """The iCalendar UID names a meeting across providers; else the provider's own id does."""
    basis = f"ical:{ical_uid}" if ical_uid else f"{source}:{external_id}"
    if instance_start is not None:
        basis += f"@{instant(instance_start)}"
    return hashlib.sha256(basis.encode()).hexdigest()[:26]


def meeting_interaction_id(event: MeetingEvent) -> str:
    """One meeting, one id; replays and the same meeting from another provider land on the same item."""
    return interaction_id(event.source, event.external_id, event.ical_uid, event.instance_start)


def digest_email_key(slot: datetime) -> str:
    return f"digest#{instant(slot)}"


def follow_up_email_key(interaction_id: str) -> str:
    return f"follow_up#{interaction_id}"
