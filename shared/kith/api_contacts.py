"""Request and response bodies of the owner's profile, contacts and goals, mapped to and from the domain explicitly.

The owner's settings take their bounds from the domain's OwnerSettings; a contact's fields are checked here,
once, and handed to the use cases as commands (NewContact, ContactChanges).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from kith.domain.bounds import (
    LONGEST_ZONE_NAME,
    MOST_OTHER_ADDRESSES,
    DigestLimit,
    FollowUpDelayMinutes,
    Hour,
    MeetingSizeLimit,
    WeekdayNumber,
)
from kith.domain.models import (
    MAX_GOALS,
    Circle,
    Contact,
    EmailAddress,
    Goal,
    Instant,
    LinkedInUrl,
    Owner,
    OwnerSettings,
    WorkingHours,
    check_time_zone,
)
from kith.domain.paging import Page
from kith.domain.spreading import BULK_ADD_LIMIT
from kith.domain.text import GoalName, Label, Note, PersonName, Tag, goal_key
from kith.usecases.contacts import ContactChanges, NewContact

NEXT_CURSOR = "Pass it as `cursor` for the next page; null on the last page."
_DEFAULT = OwnerSettings()
# What the API takes for a contact's lists and custom cadence (ten years at most).
_MOST_EMAILS = 20
_MOST_TAGS = 30
CadenceDays = Annotated[int, Field(ge=1, le=3650)]


class BodyIn(BaseModel):
    """A request body: a field the API does not know is refused."""

    model_config = ConfigDict(extra="forbid")


class OwnerIn(BodyIn):
    email: EmailAddress
    name: PersonName
    time_zone: Annotated[str, Field(min_length=1, max_length=LONGEST_ZONE_NAME)] = _DEFAULT.time_zone
    digest_weekdays: list[WeekdayNumber] = Field(default=list(_DEFAULT.digest_weekdays), min_length=1)
    digest_hour: Hour = _DEFAULT.digest_hour
    digest_limit: DigestLimit = _DEFAULT.digest_limit
    working_hours: WorkingHours = _DEFAULT.working_hours
    follow_up_delay_minutes: FollowUpDelayMinutes = _DEFAULT.follow_up_delay_minutes
    meeting_size_limit: MeetingSizeLimit = _DEFAULT.meeting_size_limit
    paused_until: Instant | None = Field(
        default=None, description="Pause all nudges (a vacation) until this instant; follow-ups wait for it."
    )
    subscribed: StrictBool | None = Field(
        default=None,
        description="false stops every email, as an email's unsubscribe link does; true starts them again; "
        "left out, it stays as it is.",
    )
    other_addresses: list[EmailAddress] = Field(
        default=[],
        max_length=MOST_OTHER_ADDRESSES,
        description="Other addresses you send from: a message BCC'd or forwarded to Kith from one counts as yours.",
    )
    keep_email_subjects: StrictBool = Field(
        default=_DEFAULT.keep_email_subjects,
        description="true keeps a sent email's subject as its interaction's title; false (the default) keeps "
        "only whom you wrote to and when.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    def settings(self) -> OwnerSettings:
        return OwnerSettings(
            time_zone=self.time_zone,
            digest_weekdays=tuple(self.digest_weekdays),
            digest_hour=self.digest_hour,
            digest_limit=self.digest_limit,
            working_hours=self.working_hours,
            follow_up_delay_minutes=self.follow_up_delay_minutes,
            meeting_size_limit=self.meeting_size_limit,
            paused_until=self.paused_until,
            other_addresses=tuple(dict.fromkeys(self.other_addresses)),
            keep_email_subjects=self.keep_email_subjects,
        )


class OwnerOut(BaseModel):
    owner_id: str
    email: str
    name: str
    settings: OwnerSettings
    next_digest_at: datetime | None
    unsubscribed_at: datetime | None

    @classmethod
    def of(cls, owner: Owner) -> OwnerOut:
        return cls(
            owner_id=owner.owner_id,
            email=owner.email,
            name=owner.name,
            settings=owner.settings,
            next_digest_at=owner.next_digest_at,
            unsubscribed_at=owner.unsubscribed_at,
        )


class ContactIn(BodyIn):
    name: PersonName
    emails: list[EmailAddress] = Field(default=[], max_length=_MOST_EMAILS)
    linkedin_url: LinkedInUrl | None = None
    company: Label | None = None
    title: Label | None = None
    circle: Circle = Circle.CORE
    cadence_days: CadenceDays | None = None
    goal: GoalName | None = None
    tags: list[Tag] = Field(default=[], max_length=_MOST_TAGS)
    notes: Note | None = None
    last_interaction_at: Instant | None = None

    def command(self) -> NewContact:
        return NewContact(
            name=self.name,
            emails=tuple(self.emails),
            linkedin_url=self.linkedin_url,
            company=self.company,
            title=self.title,
            circle=self.circle,
            cadence_days=self.cadence_days,
            goal=self.goal,
            tags=tuple(self.tags),
            notes=self.notes,
            last_interaction_at=self.last_interaction_at,
        )


class ContactsIn(BodyIn):
    contacts: list[ContactIn] = Field(
        min_length=1,
        max_length=BULK_ADD_LIMIT,
        description="Added together: first due days are spread over each circle's cadence.",
    )

    def commands(self) -> list[NewContact]:
        return [contact.command() for contact in self.contacts]


class ContactPatch(BodyIn):
    name: PersonName | None = None
    emails: list[EmailAddress] | None = Field(default=None, max_length=_MOST_EMAILS)
    linkedin_url: LinkedInUrl | None = None
    company: Label | None = None
    title: Label | None = None
    circle: Circle | None = None
    cadence_days: CadenceDays | None = None
    goal: GoalName | None = None
    tags: list[Tag] | None = Field(default=None, max_length=_MOST_TAGS)
    notes: Note | None = None
    snoozed_until: Instant | None = None

    def changes(self) -> ContactChanges:
        """The fields the body gives; a null name, circle or list is refused (ValidationError, a 422) here."""
        return ContactChanges.model_validate(self.model_dump(exclude_unset=True))


class ContactOut(BaseModel):
    contact_id: str
    name: str
    emails: list[str]
    linkedin_url: str | None = None
    company: str | None
    title: str | None
    circle: Circle
    cadence_days: int | None
    goal: str | None
    tags: list[str]
    notes: str | None
    added_at: datetime
    first_due_on: date | None = Field(
        default=None, description="Added in bulk: the local day its first nudge was spread to, until an interaction."
    )
    last_interaction_at: datetime | None
    last_interaction_title: str | None
    snoozed_until: datetime | None
    planned_meeting_at: datetime | None
    version: int

    @classmethod
    def of(cls, contact: Contact) -> ContactOut:
        return cls.model_validate(
            {
                **contact.model_dump(exclude={"owner_id"}),
                "emails": list(contact.emails),
                "tags": list(contact.tags),
            }
        )


class ContactsOut(BaseModel):
    contacts: list[ContactOut]

    @classmethod
    def of(cls, contacts: list[Contact]) -> ContactsOut:
        return cls(contacts=[ContactOut.of(contact) for contact in contacts])


class ContactPage(BaseModel):
    contacts: list[ContactOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)

    @classmethod
    def of(cls, page: Page[Contact]) -> ContactPage:
        return cls(contacts=[ContactOut.of(contact) for contact in page.items], next_cursor=page.next_cursor)


class ContactActionIn(BodyIn):
    action: Literal["done", "snooze", "see_less_often"] = Field(
        description="done: you were in touch today; snooze: no nudge for 14 days; "
        "see_less_often: one circle further out. What the digest's buttons do."
    )


class GoalIn(BodyIn):
    name: GoalName
    active: StrictBool = True


class GoalsIn(BodyIn):
    goals: list[GoalIn] = Field(
        max_length=MAX_GOALS,
        description="Replaces the owner's goals. A contact whose goal is an active one ranks higher in digests.",
    )

    @field_validator("goals")
    @classmethod
    def _named_once(cls, goals: list[GoalIn]) -> list[GoalIn]:
        seen: set[str] = set()
        for goal in goals:
            if goal_key(goal.name) in seen:
                raise ValueError(f"the goal {goal.name!r} is named twice (goals compare whatever their case)")
            seen.add(goal_key(goal.name))
        return goals

    def domain(self) -> list[Goal]:
        return [Goal(name=goal.name, active=goal.active) for goal in self.goals]


class GoalOut(BaseModel):
    name: str
    active: bool


class GoalsOut(BaseModel):
    goals: list[GoalOut]

    @classmethod
    def of(cls, goals: tuple[Goal, ...]) -> GoalsOut:
        return cls(goals=[GoalOut(name=goal.name, active=goal.active) for goal in goals])
