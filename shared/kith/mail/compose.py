"""Digest and follow-up emails as MIME messages.

Jinja2 escapes everything in the HTML part; the text part carries the same
words unescaped. Header values are stripped of control characters before they
reach a header, so no name can add a header of its own.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kith.actions.links import ActionLinks
from kith.domain.actions import Action
from kith.domain.models import Contact, Digest, FollowUp, Owner

DIGEST_ACTIONS = (Action.DONE, Action.SNOOZE, Action.LESS_OFTEN)
FOLLOW_UP_ACTIONS = (Action.DONE, Action.LESS_OFTEN)
ACTION_LABELS = {Action.DONE: "Done", Action.SNOOZE: "Snooze 14 days", Action.LESS_OFTEN: "See less often"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Bidi embeddings, overrides and isolates: in a header they could reorder how the rest reads (no <bdi> there).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
SUBJECT_LIMIT = 150


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("kith.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_date"] = _local_date
    return environment


def _local_date(moment: datetime | None, zone_name: str) -> str:
    if moment is None:
        return "never"
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%a} {local.day} {local:%b %Y}"


def header_safe(text: str, limit: int | None = None) -> str:
    """One line, no control or bidi-override characters, and at most `limit` characters (with an ellipsis)."""
    safe = _BIDI.sub("", _CONTROL.sub(" ", text)).strip()
    if limit is not None and len(safe) > limit:
        return safe[: limit - 1].rstrip() + "…"
    return safe


def _contact_links(links: ActionLinks, contacts: list[Contact], actions: tuple[Action, ...]) -> dict[str, Any]:
    return {
        contact.contact_id: [
            (ACTION_LABELS[action], links.for_contact(action, contact.contact_id)) for action in actions
        ]
        for contact in contacts
    }


def _message(
    owner: Owner,
    sender: str,
    subject: str,
    context: dict[str, Any],
    template: str,
    sent_at: datetime,
    links: ActionLinks,
) -> EmailMessage:
    unsubscribe = links.unsubscribe()
    context = {**context, "pause_link": links.pause(), "unsubscribe_link": unsubscribe}
    message = EmailMessage()
    message["Subject"] = header_safe(subject, SUBJECT_LIMIT)
    message["From"] = Address(display_name="Kith", addr_spec=sender)
    message["To"] = Address(display_name=header_safe(owner.name), addr_spec=owner.email)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "kith.local")
    # RFC 8058 one-click unsubscribe: one HTTPS URL, and the POST body mail providers send to it.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    environment = _environment()
    message.set_content(environment.get_template(f"{template}.txt").render(**context))
    message.add_alternative(environment.get_template(f"{template}.html").render(**context), subtype="html")
    return message


def digest_subject(digest: Digest) -> str:
    count = len(digest.entries)
    first = digest.entries[0].contact.name
    if count == 1:
        return f"Time to reconnect with {first}"
    return f"{count} people to reconnect with this week: {first} and {count - 1} more"


def compose_digest(digest: Digest, sender: str, sent_at: datetime, links: ActionLinks) -> EmailMessage:
    context = {
        "owner": digest.owner,
        "entries": digest.entries,
        "zone": digest.owner.settings.time_zone,
        "sent_at": sent_at,
        "actions": _contact_links(links, [entry.contact for entry in digest.entries], DIGEST_ACTIONS),
    }
    return _message(digest.owner, sender, digest_subject(digest), context, "digest", sent_at, links)


def follow_up_subject(follow_up: FollowUp, contacts: list[Contact]) -> str:
    names = ", ".join(contact.name for contact in contacts[:3]) + (" and others" if len(contacts) > 3 else "")
    title = f" after “{follow_up.title}”" if follow_up.title else ""
    return f"Follow up with {names}{title}"


def compose_follow_up(
    owner: Owner,
    follow_up: FollowUp,
    contacts: list[Contact],
    sender: str,
    sent_at: datetime,
    links: ActionLinks,
) -> EmailMessage:
    context = {
        "owner": owner,
        "follow_up": follow_up,
        "contacts": contacts,
        "new_attendees": [
            (attendee, links.add_attendee(follow_up.interaction_id, index))
            for index, attendee in enumerate(follow_up.new_attendees)
        ],
        "zone": owner.settings.time_zone,
        "actions": _contact_links(links, contacts, FOLLOW_UP_ACTIONS),
    }
    return _message(owner, sender, follow_up_subject(follow_up, contacts), context, "follow_up", sent_at, links)
