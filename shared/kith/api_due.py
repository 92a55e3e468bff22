"""The answer of GET /v1/due: the next digest's list, as the digest orders it."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from kith.domain.models import Circle, Contact, DigestEntry
from kith.usecases.due import NextDigest


class DueContactOut(BaseModel):
    contact_id: str
    name: str
    emails: list[str]
    circle: Circle
    goal: str | None
    last_interaction_at: datetime | None
    last_interaction_title: str | None
    due_at: datetime = Field(description="When the contact fell (or falls) due.")
    days_late: int = Field(description="Local days from the day it fell due to the digest's day; 0 on that day.")
    overdue: bool = Field(description="Past 1.5 times its cadence at the digest's time.")

    @classmethod
    def of(cls, entry: DigestEntry, days_late: int) -> DueContactOut:
        contact = entry.contact
        return cls(
            contact_id=contact.contact_id,
            name=contact.name,
            emails=list(contact.emails),
            circle=contact.circle,
            goal=contact.goal,
            last_interaction_at=contact.last_interaction_at,
            last_interaction_title=contact.last_interaction_title,
            due_at=entry.due_at.astimezone(UTC),
            days_late=days_late,
            overdue=entry.overdue,
        )


class HeldBackOut(BaseModel):
    contact_id: str
    name: str
    planned_meeting_at: datetime = Field(description="The upcoming meeting that holds the contact's nudge back.")

    @classmethod
    def of(cls, contact: Contact) -> HeldBackOut:
        assert contact.planned_meeting_at is not None
        return cls(
            contact_id=contact.contact_id,
            name=contact.name,
            planned_meeting_at=contact.planned_meeting_at.astimezone(UTC),
        )


class DueOut(BaseModel):
    digest_at: datetime = Field(
        description="The digest this list is for: the next one, or now when it is already due and not yet sent."
    )
    time_zone: str = Field(description="The owner's time zone, in which lateness is counted in days.")
    contacts: list[DueContactOut] = Field(description="Best first, as the digest ranks them: lateness, circle, goal.")
    held_back: list[HeldBackOut] = Field(
        description="Due, but not named: an upcoming meeting with them holds the nudge back. Soonest meeting first."
    )

    @classmethod
    def of(cls, digest: NextDigest) -> DueOut:
        return cls(
            digest_at=digest.digest_at,
            time_zone=digest.owner.settings.time_zone,
            contacts=[DueContactOut.of(entry, digest.days_late(entry)) for entry in digest.entries],
            held_back=[HeldBackOut.of(contact) for contact in digest.held_back],
        )
