"""Email as keeping in touch: which sent messages move which contacts' clocks (one set of rules for every source).

Gmail, Outlook and a message BCC'd or forwarded to Kith each become a `SentMessage`; from then on
the same rules hold whatever the source:

- only mail the owner sent counts: a sent-mail folder says so (Gmail's SENT label, Outlook's Sent
  Items), anything else (a BCC, a forward) must come from one of the owner's own addresses;
- recipients are matched to contacts by address, in any case; the owner's own addresses are not
  recipients;
- a message to more recipients than the meeting size limit, an auto-submitted one, or one carrying
  List-Unsubscribe (a newsletter, a mailing) moves no clock;
- one message is one message wherever it was seen: it is known by its Message-ID's hash, and the
  local day it was first seen on names it for good;
- several messages to one contact on one local day are one interaction for that contact: its id
  names the contact and the day, never a meeting's, so an email never cancels or moves a meeting.

Nothing here reads or writes; recipients who are not contacts are never kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from kith.domain.identities import instant
from kith.domain.models import normalise_email

# The most recipients one message is read for: far above any meeting size limit, and a bound on the work.
MAX_RECIPIENTS_READ = 1000
# An email's Message-ID, as RFC 5322 bounds a header line; anything longer is no id and is not trusted.
MAX_MESSAGE_ID_LENGTH = 998
# An address as a header writes it with a name: `Ana Lima <ana@example.com>`.
_NAMED_ADDRESS = re.compile(r"^[^<>]*<([^<>]*)>\s*$")
# RFC 5322 comments, `(...)`, which an Auto-Submitted value may carry.
_COMMENT = re.compile(r"\([^()]*\)")


class MailSource(StrEnum):
    GMAIL = "gmail"
    OUTLOOK = "outlook"
    # A message the owner BCC'd or forwarded to their Kith address.
    BCC = "bcc"


@dataclass(frozen=True)
class SentMessage:
    """A message as a source read it: metadata only, never a body.

    `recipients` are the addresses it was to (To, Cc and Bcc), as written; for a forward, the
    original sender. `sent_at` is when it was sent (for a forward, when the original was); a time
    without an offset (a Date header's -0000, "no zone known") is read as UTC.
    """

    source: MailSource
    message_id: str | None
    sent_at: datetime
    sender: str | None
    recipients: tuple[str, ...]
    # Read from the owner's sent-mail folder: the provider vouches that the owner sent it.
    from_sent_folder: bool = False
    subject: str | None = None
    auto_submitted: bool = False
    list_unsubscribe: bool = False

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None:
            object.__setattr__(self, "sent_at", self.sent_at.replace(tzinfo=UTC))


class Skipped(StrEnum):
    """Why a message moves no clock."""

    NOT_THE_OWNERS = "not_the_owners"
    TOO_MANY_RECIPIENTS = "too_many_recipients"
    AUTOMATED = "automated"
    MAILING_LIST = "mailing_list"
    NO_RECIPIENT = "no_recipient"


@dataclass(frozen=True)
class Counted:
    """A message that counts, and the recipients' addresses (normalised, the owner's own left out)."""

    addresses: tuple[str, ...]


def address(text: str | None) -> str | None:
    """An address in Kith's form (lower case, trimmed), or None for text that is none.

    A header's `Name <address>` is its address.
    """
    if not text:
        return None
    named = _NAMED_ADDRESS.match(text)
    try:
        return normalise_email(named.group(1) if named else text)
    except ValueError:
        return None


def own_addresses(addresses: Iterable[str | None]) -> frozenset[str]:
    return frozenset(found for text in addresses if (found := address(text)) is not None)


def owner_sent(message: SentMessage, own: Collection[str]) -> bool:
    """Only mail the owner sent counts: from their sent folder, or from one of their own addresses."""
    return message.from_sent_folder or address(message.sender) in own_addresses(own)


def recipients(message: SentMessage, own: Collection[str]) -> tuple[str, ...]:
    """Each recipient once, in the order written, in Kith's form; the owner's own and non-addresses left out."""
    own = own_addresses(own)
    found: dict[str, None] = {}
    for text in message.recipients[:MAX_RECIPIENTS_READ]:
        normal = address(text)
        if normal is not None and normal not in own:
            found[normal] = None
    return tuple(found)


def judge(message: SentMessage, own: Collection[str], size_limit: int) -> Counted | Skipped:
    """Whether a message moves clocks, and whose addresses it moves them for."""
    own = own_addresses(own)
    if not owner_sent(message, own):
        return Skipped.NOT_THE_OWNERS
    if message.auto_submitted:
        return Skipped.AUTOMATED
    if message.list_unsubscribe:
        return Skipped.MAILING_LIST
    if len(message.recipients) > MAX_RECIPIENTS_READ:
        return Skipped.TOO_MANY_RECIPIENTS
    to = recipients(message, own)
    if len(to) > size_limit:
        return Skipped.TOO_MANY_RECIPIENTS
    if not to:
        return Skipped.NO_RECIPIENT
    return Counted(to)


def is_auto_submitted(value: str | None) -> bool:
    """RFC 3834: any Auto-Submitted value but "no" marks a message no person sent.

    The value is its first word: parameters after `;` and `(comments)` do not change it.
    """
    if value is None:
        return False
    keyword = _COMMENT.sub(" ", value).split(";")[0].strip().lower()
    return keyword not in {"", "no"}


def message_key(message: SentMessage) -> str:
    """The message's name wherever it is seen: its Message-ID's hash (the id itself is never stored).

    Without a usable Message-ID, the source, the time (to the second, in UTC) and the recipients (in
    Kith's form) name it: two sources then may see it twice, but one source never counts it twice.
    """
    message_id = (message.message_id or "").strip().strip("<>").strip()
    if message_id and len(message_id) <= MAX_MESSAGE_ID_LENGTH:
        basis = f"message-id:{message_id}"
    else:
        to = sorted({found for text in message.recipients if (found := address(text)) is not None})
        basis = f"{message.source.value}:{instant(message.sent_at)}:{','.join(to)}"
    return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:32]


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The owner's local day a message was sent on, which names its interaction."""
    return moment.astimezone(zone).date()


def email_interaction_id(contact_id: str, day: date) -> str:
    """One interaction per contact per local day, however many messages and sources: never a meeting's id.

    A meeting's id hashes `ical:<uid>` or `<source>:<id>`; this basis, `email#<contact>#<day>`, is neither
    (no source is named with a `#`), so not even a meeting from a source called "email" can share it.
    """
    return hashlib.sha256(f"email#{contact_id}#{day.isoformat()}".encode()).hexdigest()[:26]
