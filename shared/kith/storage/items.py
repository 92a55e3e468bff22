"""Mapping between domain models and stored items, explicitly, field by field."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kith.domain.cadence import due_at
from kith.domain.clock import last_interaction
from kith.domain.models import (
    Attendee,
    Circle,
    Contact,
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
    Owner,
    OwnerSettings,
    SentEmail,
)
from kith.domain.search import search_terms
from kith.storage import keys

Item = dict[str, Any]


def _opt_instant(moment: datetime | None) -> str | None:
    return keys.instant(moment) if moment is not None else None


def _opt_parse(text: str | None) -> datetime | None:
    return keys.parse_instant(text) if text else None


def _without_none(item: Item) -> Item:
    return {name: value for name, value in item.items() if value is not None and value != ()}


def owner_to_item(owner: Owner, shards: int, *, search_indexed: bool = True) -> Item:
    """The profile; `search_indexed` says every contact of the owner has its search terms written."""
    item: Item = {
        "pk": keys.owner_pk(owner.owner_id),
        "sk": keys.PROFILE,
        "type": "owner",
        "owner_id": owner.owner_id,
        "email": owner.email,
        "name": owner.name,
        "settings": owner.settings.model_dump(mode="json"),
        "created_at": keys.instant(owner.created_at),
    }
    if owner.next_digest_at is not None:
        item["next_digest_at"] = keys.instant(owner.next_digest_at)
        item["due_pk"] = keys.digest_due_pk(keys.shard_of(owner.owner_id, shards))
        item["due_sk"] = f"{keys.instant(owner.next_digest_at)}#{owner.owner_id}"
    if owner.unsubscribed_at is not None:
        item["unsubscribed_at"] = keys.instant(owner.unsubscribed_at)
    if search_indexed:
        item["search_terms"] = 1
    return item


def owner_from_item(item: Item) -> Owner:
    return Owner(
        owner_id=item["owner_id"],
        email=item["email"],
        name=item["name"],
        settings=OwnerSettings.model_validate(item["settings"]),
        created_at=keys.parse_instant(item["created_at"]),
        next_digest_at=_opt_parse(item.get("next_digest_at")),
        unsubscribed_at=_opt_parse(item.get("unsubscribed_at")),
    )


def contact_due_key(contact: Contact, zone: ZoneInfo) -> str | None:
    due = due_at(contact, zone)
    return f"{keys.instant(due)}#{contact.contact_id}" if due is not None else None


def email_item(pk: str, address: str, contact_id: str) -> Item:
    """The lookup from an owner's e-mail address to the contact holding it (unique per owner)."""
    return {"pk": pk, "sk": keys.email_sk(address), "type": "email", "contact_id": contact_id}


def term_items(contact: Contact) -> list[Item]:
    """The search terms a contact is found under, one item each."""
    pk = keys.owner_pk(contact.owner_id)
    return [
        {"pk": pk, "sk": keys.term_sk(term, contact.contact_id), "type": "term", "contact_id": contact.contact_id}
        for term in search_terms(contact.name, contact.emails)
    ]


def contact_to_item(contact: Contact, zone: ZoneInfo) -> Item:
    item = _without_none(
        {
            "pk": keys.owner_pk(contact.owner_id),
            "sk": keys.contact_sk(contact.contact_id),
            "type": "contact",
            "contact_id": contact.contact_id,
            "owner_id": contact.owner_id,
            "name": contact.name,
            "emails": list(contact.emails) or None,
            "linkedin_url": contact.linkedin_url,
            "company": contact.company,
            "title": contact.title,
            "circle": contact.circle.value,
            "cadence_days": contact.cadence_days,
            "goal": contact.goal,
            "tags": list(contact.tags) or None,
            "notes": contact.notes,
            "added_at": keys.instant(contact.added_at),
            "first_due_on": contact.first_due_on.isoformat() if contact.first_due_on is not None else None,
            "last_interaction_at": _opt_instant(contact.last_interaction_at),
            "last_interaction_title": contact.last_interaction_title,
            "snoozed_until": _opt_instant(contact.snoozed_until),
            "planned_meeting_at": _opt_instant(contact.planned_meeting_at),
            "version": contact.version,
        }
    )
    due_key = contact_due_key(contact, zone)
    if due_key is not None:
        item["due_pk"] = keys.contact_due_pk(contact.owner_id)
        item["due_sk"] = due_key
    return item


def contact_from_item(item: Item) -> Contact:
    return Contact(
        contact_id=item["contact_id"],
        owner_id=item["owner_id"],
        name=item["name"],
        emails=tuple(item.get("emails", ())),
        linkedin_url=item.get("linkedin_url"),
        company=item.get("company"),
        title=item.get("title"),
        circle=Circle(item["circle"]),
        cadence_days=int(item["cadence_days"]) if "cadence_days" in item else None,
        goal=item.get("goal"),
        tags=tuple(item.get("tags", ())),
        notes=item.get("notes"),
        added_at=keys.parse_instant(item["added_at"]),
        first_due_on=date.fromisoformat(item["first_due_on"]) if "first_due_on" in item else None,
        last_interaction_at=_opt_parse(item.get("last_interaction_at")),
        last_interaction_title=item.get("last_interaction_title"),
        snoozed_until=_opt_parse(item.get("snoozed_until")),
        planned_meeting_at=_opt_parse(item.get("planned_meeting_at")),
        version=int(item.get("version", 1)),
    )


def interaction_to_item(interaction: Interaction) -> Item:
    return _without_none(
        {
            "pk": keys.owner_pk(interaction.owner_id),
            "sk": keys.interaction_sk(interaction.interaction_id),
            "type": "interaction",
            "interaction_id": interaction.interaction_id,
            "owner_id": interaction.owner_id,
            "contact_ids": list(interaction.contact_ids),
            "start": keys.instant(interaction.start),
            "end": keys.instant(interaction.end),
            "kind": interaction.kind.value,
            "title": interaction.title,
            "source": interaction.source,
            "external_id": interaction.external_id,
            "ical_uid": interaction.ical_uid,
            "counts_for_cadence": interaction.counts_for_cadence,
            "recorded_at": keys.instant(interaction.recorded_at),
        }
    )


def interaction_from_item(item: Item) -> Interaction:
    return Interaction(
        interaction_id=item["interaction_id"],
        owner_id=item["owner_id"],
        contact_ids=tuple(item.get("contact_ids", ())),
        start=keys.parse_instant(item["start"]),
        end=keys.parse_instant(item["end"]),
        kind=InteractionKind(item["kind"]),
        title=item.get("title"),
        source=item["source"],
        external_id=item["external_id"],
        ical_uid=item.get("ical_uid"),
        counts_for_cadence=bool(item.get("counts_for_cadence", True)),
        recorded_at=keys.parse_instant(item["recorded_at"]),
    )


CANCELLED_MEETING_MEMORY = timedelta(days=30)


def tombstone_item(owner_id: str, interaction_id: str, now: datetime) -> Item:
    """Where a cancelled meeting's interaction was; expires (TTL) once no provider would still resend it."""
    return {
        "pk": keys.owner_pk(owner_id),
        "sk": keys.interaction_sk(interaction_id),
        "type": "cancelled_interaction",
        "interaction_id": interaction_id,
        "cancelled_at": keys.instant(now),
        "expires_at": int((now + CANCELLED_MEETING_MEMORY).timestamp()),
    }


def alias_to_item(interaction: Interaction, source: str, external_id: str) -> Item:
    return {
        "pk": keys.owner_pk(interaction.owner_id),
        "sk": keys.alias_sk(source, external_id),
        "type": "alias",
        "interaction_id": interaction.interaction_id,
    }


STATED = "stated"


def stated_link_item(contact: Contact) -> Item | None:
    """A link for the last interaction an owner stated when adding a contact, as if it were a meeting."""
    stated = last_interaction(contact)
    if stated is None:
        return None
    return _link_item(contact.owner_id, contact.contact_id, STATED, stated.at, stated.title, counts=True)


def link_to_item(interaction: Interaction, contact_id: str) -> Item:
    return _link_item(
        interaction.owner_id,
        contact_id,
        interaction.interaction_id,
        interaction.end,
        interaction.title,
        counts=interaction.counts_for_cadence,
    )


def _link_item(
    owner_id: str, contact_id: str, interaction_id: str, end: datetime, title: str | None, *, counts: bool
) -> Item:
    """One interaction on a contact's timeline, sorted by its end (what the clock is given back from)."""
    return _without_none(
        {
            "pk": keys.owner_pk(owner_id),
            "sk": keys.link_sk(contact_id, end, interaction_id),
            "type": "link",
            "contact_id": contact_id,
            "interaction_id": interaction_id,
            "end": keys.instant(end),
            "title": title,
            "counts_for_cadence": counts,
        }
    )


def follow_up_to_item(follow_up: FollowUp, shards: int) -> Item:
    item = _without_none(
        {
            "pk": keys.owner_pk(follow_up.owner_id),
            "sk": keys.follow_up_sk(follow_up.interaction_id),
            "type": "follow_up",
            "owner_id": follow_up.owner_id,
            "interaction_id": follow_up.interaction_id,
            "due_at": keys.instant(follow_up.due_at),
            "status": follow_up.status.value,
            "contact_ids": list(follow_up.contact_ids),
            "new_attendees": [attendee.model_dump(exclude_none=True) for attendee in follow_up.new_attendees] or None,
            "title": follow_up.title,
            "meeting_end": keys.instant(follow_up.meeting_end),
        }
    )
    if follow_up.status is FollowUpStatus.PENDING:
        item["due_pk"] = keys.follow_up_due_pk(keys.shard_of(follow_up.owner_id, shards))
        item["due_sk"] = follow_up_due_key(follow_up.owner_id, follow_up.interaction_id, follow_up.due_at)
    return item


def follow_up_due_key(owner_id: str, interaction_id: str, moment: datetime) -> str:
    return f"{keys.instant(moment)}#{owner_id}#{interaction_id}"


def follow_up_from_item(item: Item) -> FollowUp:
    return FollowUp(
        owner_id=item["owner_id"],
        interaction_id=item["interaction_id"],
        due_at=keys.parse_instant(item["due_at"]),
        status=FollowUpStatus(item["status"]),
        contact_ids=tuple(item.get("contact_ids", ())),
        new_attendees=tuple(Attendee.model_validate(raw) for raw in item.get("new_attendees", ())),
        title=item.get("title"),
        meeting_end=keys.parse_instant(item["meeting_end"]),
    )


def sent_from_item(item: Item) -> SentEmail:
    return SentEmail.model_validate({**item, "sent_at": keys.parse_instant(item["sent_at"])})
