"""Request and response bodies of the HTTP API's calendars, interactions, mail, imports and export.

The owner's profile, contacts and goals are in kith.api_contacts. Each maps to and from the domain explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, ValidationInfo, field_validator

from kith.api_contacts import NEXT_CURSOR, BodyIn, ContactOut, GoalOut, GoalsOut, OwnerOut
from kith.domain.connections import CalendarConnection, ConnectionState, Provider, connection_state_at
from kith.domain.models import Attendee, FollowUp, Instant, Interaction, InteractionKind, Owner, SentEmail
from kith.domain.paging import Page
from kith.domain.records import ConnectionSummary
from kith.domain.text import Title
from kith.usecases.export import OwnerExport
from kith.usecases.imports import ImportPlan, RowOutcome

_MAIL = (
    "Google and Outlook: true also counts the emails you send (who and when, read from the message's headers; "
    "never its body). The consent then asks for the mail permission too."
)


class ConnectionIn(BodyIn):
    provider: Provider
    authorization_code: Annotated[str, Field(min_length=1, max_length=4096)] | None = Field(
        default=None, description="Google and Outlook: the OAuth authorization code the owner's consent returned."
    )
    redirect_uri: Annotated[str, Field(min_length=1, max_length=2048)] | None = Field(
        default=None, description="Google and Outlook: the redirect URI the code was issued for."
    )
    mail: StrictBool = Field(default=False, description=_MAIL)

    @field_validator("mail")
    @classmethod
    def _from_a_mailbox(cls, mail: bool, info: ValidationInfo) -> bool:
        provider = info.data.get("provider")
        if mail and isinstance(provider, Provider) and provider.signs_webhooks:
            raise ValueError(f"{provider.value} has no mailbox: only Google and Outlook read the mail you send")
        return mail


class ConsentIn(BodyIn):
    mail: StrictBool = Field(default=False, description=_MAIL)


class ConnectionCreated(BaseModel):
    connection_id: str
    provider: Provider
    state: ConnectionState
    webhook_url: str | None
    signing_secret: str | None = Field(
        default=None, description="Cal.com and Calendly: shown once; paste it into the provider's webhook settings."
    )
    account_email: str | None = None

    @classmethod
    def of(cls, connection: CalendarConnection) -> ConnectionCreated:
        return cls(
            connection_id=connection.connection_id,
            provider=connection.provider,
            state=connection.state,
            webhook_url=connection.webhook_url,
            signing_secret=connection.signing_secret,
            account_email=connection.account_email,
        )


class ConnectionOut(BaseModel):
    connection_id: str
    provider: Provider
    state: ConnectionState
    created_at: datetime
    account_email: str | None = None
    expires_at: datetime | None = None
    mail: bool = Field(
        default=False, description="The emails you send are counted too: you chose it and the provider granted it."
    )

    @classmethod
    def at(cls, summary: ConnectionSummary, now: datetime) -> ConnectionOut:
        out = cls.model_validate(summary.model_dump())
        return out.model_copy(update={"state": connection_state_at(out.state, out.expires_at, now)})


class ConnectionsOut(BaseModel):
    connections: list[ConnectionOut]
    available_providers: list[Provider] = Field(
        description="The providers this stack can connect: Cal.com and Calendly always, Google and Outlook "
        "where the stack was deployed with their OAuth client."
    )
    bcc_address: str | None = Field(
        default=None,
        description="Your Kith address: BCC or forward an email you sent to it and it counts (null where this stack "
        "receives no mail).",
    )


class ConsentOut(BaseModel):
    authorize_url: str = Field(
        description="The provider's consent page, for the owner's browser: once they allow, the provider sends "
        "them back to GET /oauth/{provider}/callback, which connects the calendar."
    )
    expires_at: datetime = Field(description="Until when the consent can be completed (10 minutes).")


class InteractionOut(BaseModel):
    interaction_id: str
    contact_ids: list[str]
    start: datetime
    end: datetime
    kind: InteractionKind = Field(
        description="meeting (from a calendar), email (mail you sent), or call, message or note (logged by hand)."
    )
    title: str | None
    source: str
    counts_for_cadence: bool

    @classmethod
    def of(cls, interaction: Interaction) -> InteractionOut:
        return cls.model_validate(
            {
                **interaction.model_dump(),
                "contact_ids": list(interaction.contact_ids),
                "kind": interaction.kind.value,
            }
        )


class FollowUpOut(BaseModel):
    interaction_id: str
    due_at: datetime
    status: str
    contact_ids: list[str]
    new_attendees: list[Attendee]
    title: str | None
    meeting_end: datetime
    contact_names: list[str | None] = Field(
        default_factory=list, description="The name of each of contact_ids, in order; null for a contact since deleted."
    )

    @classmethod
    def of(cls, follow_up: FollowUp, names: Mapping[str, str] | None = None) -> FollowUpOut:
        return cls.model_validate(
            {
                **follow_up.model_dump(),
                "status": follow_up.status.value,
                "contact_ids": list(follow_up.contact_ids),
                "new_attendees": list(follow_up.new_attendees),
                "contact_names": [(names or {}).get(contact_id) for contact_id in follow_up.contact_ids],
            }
        )


class SentOut(BaseModel):
    email_key: str
    kind: str
    subject: str
    sent_at: datetime
    message_id: str

    @classmethod
    def of(cls, sent: SentEmail) -> SentOut:
        return cls(
            email_key=sent.email_key,
            kind=sent.kind.value,
            subject=sent.subject,
            sent_at=sent.sent_at,
            message_id=sent.message_id,
        )


# -- pages, goals, interactions logged by hand ------------------------------------------------------


class InteractionPage(BaseModel):
    interactions: list[InteractionOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)

    @classmethod
    def of(cls, page: Page[Interaction]) -> InteractionPage:
        found = [InteractionOut.of(interaction) for interaction in page.items]
        return cls(interactions=found, next_cursor=page.next_cursor)


class FollowUpPage(BaseModel):
    follow_ups: list[FollowUpOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)

    @classmethod
    def of(cls, page: Page[FollowUp], names: Mapping[str, str] | None = None) -> FollowUpPage:
        found = [FollowUpOut.of(follow_up, names) for follow_up in page.items]
        return cls(follow_ups=found, next_cursor=page.next_cursor)


class SentPage(BaseModel):
    sent: list[SentOut]
    next_cursor: str | None = Field(description=NEXT_CURSOR)

    @classmethod
    def of(cls, page: Page[SentEmail]) -> SentPage:
        return cls(sent=[SentOut.of(sent) for sent in page.items], next_cursor=page.next_cursor)


# The kinds Kith records itself, and where each comes from.
_NOT_BY_HAND = {
    InteractionKind.MEETING.value: "a meeting is not logged by hand: meetings come from your calendars",
    InteractionKind.EMAIL.value: "an email is not logged by hand: emails come from the mail you send "
    "(a connected Gmail or Outlook, or a BCC to your Kith address)",
}


class InteractionIn(BodyIn):
    kind: Literal["call", "message", "note"] = Field(
        description="Meetings come from calendars and emails from the mail you send, never by hand."
    )
    contact_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=20)
    at: Instant = Field(description="When it happened; not in the future.")
    title: Title | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _logged_by_hand(cls, value: object) -> object:
        if isinstance(value, str) and value in _NOT_BY_HAND:
            raise ValueError(f"{_NOT_BY_HAND[value]}; log a call, message or note")
        return value

    @property
    def interaction_kind(self) -> InteractionKind:
        return InteractionKind(self.kind)


class ImportRowOut(BaseModel):
    line: int = Field(description="The row's line in the file (a vCard's BEGIN line).")
    outcome: str = Field(description="new, merged, unchanged or skipped")
    name: str | None = None
    contact_id: str | None = None
    reason: str | None = Field(default=None, description="Why a row was skipped or left unchanged.")
    changes: list[str] = Field(default=[], description="The fields a merge fills in or adds to.")
    skipped_addresses: list[str] = Field(
        default=[],
        description="Values in the row's e-mail cells that are not addresses; the person was imported without them.",
    )


class ImportReportOut(BaseModel):
    format: str
    dry_run: bool
    new: int
    merged: int
    unchanged: int
    skipped: int
    readable_rows: int = Field(description="Rows of the whole file that could be read; `rows=` parts count these.")
    rows: list[ImportRowOut]

    @classmethod
    def of(cls, plan: ImportPlan, dry_run: bool) -> ImportReportOut:
        return cls(
            format=plan.format.value,
            dry_run=dry_run,
            new=plan.count(RowOutcome.NEW),
            merged=plan.count(RowOutcome.MERGED),
            unchanged=plan.count(RowOutcome.UNCHANGED),
            skipped=plan.count(RowOutcome.SKIPPED),
            readable_rows=plan.readable_rows,
            rows=[
                ImportRowOut(
                    line=row.line,
                    outcome=row.outcome.value,
                    name=row.name,
                    contact_id=row.contact_id,
                    reason=row.reason,
                    changes=list(row.changes),
                    skipped_addresses=list(row.skipped_addresses),
                )
                for row in plan.rows
            ],
        )


# -- export (PRODUCT.md §9) ------------------------------------------------------------------------


class ExportedOwner(OwnerOut):
    created_at: datetime

    @classmethod
    def of(cls, owner: Owner) -> ExportedOwner:
        return cls.model_validate({**OwnerOut.of(owner).model_dump(), "created_at": owner.created_at})


class ExportedInteraction(InteractionOut):
    external_id: str = Field(
        description="The provider's id for the meeting (a booking uid, an event id); for an email, its Message-ID's "
        "hash (the id itself is never kept)."
    )
    ical_uid: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, interaction: Interaction) -> ExportedInteraction:
        return cls.model_validate(
            {
                **InteractionOut.of(interaction).model_dump(),
                "external_id": interaction.external_id,
                "ical_uid": interaction.ical_uid,
                "recorded_at": interaction.recorded_at,
            }
        )


class ExportedSent(SentOut):
    recipient: str

    @classmethod
    def of(cls, sent: SentEmail) -> ExportedSent:
        return cls.model_validate({**SentOut.of(sent).model_dump(), "recipient": sent.recipient})


class ExportOut(BaseModel):
    """Everything Kith keeps for an owner; never a signing secret, channel token, clientState or refresh token."""

    exported_at: datetime
    owner: ExportedOwner
    goals: list[GoalOut]
    contacts: list[ContactOut]
    interactions: list[ExportedInteraction]
    follow_ups: list[FollowUpOut]
    connections: list[ConnectionOut]
    sent: list[ExportedSent]

    @classmethod
    def of(cls, export: OwnerExport, now: datetime) -> ExportOut:
        return cls(
            exported_at=now,
            owner=ExportedOwner.of(export.owner),
            goals=GoalsOut.of(export.goals).goals,
            contacts=[ContactOut.of(contact) for contact in export.contacts],
            interactions=[ExportedInteraction.of(interaction) for interaction in export.interactions],
            follow_ups=[FollowUpOut.of(follow_up) for follow_up in export.follow_ups],
            connections=[ConnectionOut.at(summary, now) for summary in export.connections],
            sent=[ExportedSent.of(sent) for sent in export.sent],
        )
