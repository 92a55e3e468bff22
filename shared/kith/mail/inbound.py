"""Mail an owner BCCs or forwards to their Kith address, as SES hands it over, read as metadata only.

SES stores each message (an S3 action) and then tells Kith of it (a Lambda action): the record
names the stored message, the addresses at Kith's mail domain it was for, and SES's verdicts. The
message is read from its first HEAD_BYTES only (headers, then the first text part, come before
any attachment) and never kept: who it was from and to, when, its Message-ID and, for a forward,
whom the forwarded message was from.

- A BCC (or a copy to the Kith address) logs the To, Cc and Bcc recipients of the owner's message.
- A forward, sent to nobody but Kith, logs the original sender on the original date; the owner is
  the forward's sender. A message that quotes a forward but went to someone else is that owner's
  message to them, and is read as a BCC.

Nothing here raises on what a message holds: a header that cannot be read is read as absent.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

from kith.domain.mail import MAX_RECIPIENTS_READ, MailSource, SentMessage, address, is_auto_submitted
from kith.domain.models import EARLIEST_INSTANT, LATEST_INSTANT
from kith.mail import forwards

# The part of a stored message read: headers and the first text part, not the attachments after them.
HEAD_BYTES = 256 * 1024
# How much of the first text part is searched for a forwarded block.
MAX_TEXT_CHARS = 64 * 1024
ADDRESS_PREFIX = "log+"
# 15 random bytes: 24 characters of lower-case base32, which no mailbox's folding of case can change.
TOKEN_BYTES = 15
_TOKEN = re.compile(r"[a-z2-7]{24}")
# SES's message ids are letters, digits and dashes; anything else names no object SES stored.
_SES_MESSAGE_ID = re.compile(r"[A-Za-z0-9-]{1,200}")
# What the standard library's email package raises on input it cannot read.
_UNREADABLE = (ValueError, LookupError, TypeError, AttributeError, email_errors.MessageError)
_PASS, _FAIL = "PASS", "FAIL"


# -- the address ------------------------------------------------------------------------------


def new_token() -> str:
    return base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode("ascii").lower()


def address_for(token: str, mail_domain: str) -> str:
    return f"{ADDRESS_PREFIX}{token}@{mail_domain}"


def token_of(recipient: str, mail_domain: str) -> str | None:
    """The token of an address log+<token>@<mail domain>, in any case; None for any other address."""
    local, _, domain = recipient.strip().lower().rpartition("@")
    token = local.removeprefix(ADDRESS_PREFIX)
    if domain != mail_domain.lower() or token == local or not _TOKEN.fullmatch(token):
        return None
    return token


def is_kith_address(text: str, mail_domain: str) -> bool:
    return text.strip().lower().endswith("@" + mail_domain.lower())


# -- what SES says of a message ---------------------------------------------------------------


@dataclass(frozen=True)
class Verdicts:
    spf: str
    dkim: str
    dmarc: str
    virus: str

    def refusal(self) -> str | None:
        """Why SES's checks refuse the message, or None: SPF or DKIM must pass, no virus, no failed DMARC."""
        if self.virus == _FAIL:
            return "virus"
        if _PASS not in (self.spf, self.dkim):
            return "unauthenticated"
        if self.dmarc == _FAIL:
            return "dmarc_failed"
        return None


@dataclass(frozen=True)
class Arrival:
    """One message SES received for Kith's domain and stored under its message id."""

    message_id: str
    received_at: datetime
    recipients: tuple[str, ...]
    verdicts: Verdicts


def arrivals(event: Mapping[str, Any]) -> tuple[list[Arrival], int]:
    """The receipt records of a Lambda action's event, and how many records could not be read."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        return [], 1
    found = [arrival for record in records if (arrival := _arrival(record)) is not None]
    return found, len(records) - len(found)


def _arrival(record: Any) -> Arrival | None:
    try:
        ses = record["ses"]
        mail, receipt = ses["mail"], ses["receipt"]
        message_id = str(mail["messageId"])
        received_at = datetime.fromisoformat(str(receipt.get("timestamp") or mail["timestamp"]).replace("Z", "+00:00"))
        recipients = tuple(str(recipient) for recipient in receipt["recipients"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if record.get("eventSource") != "aws:ses" or not _SES_MESSAGE_ID.fullmatch(message_id):
        return None
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    verdicts = Verdicts(
        spf=_status(receipt, "spfVerdict"),
        dkim=_status(receipt, "dkimVerdict"),
        dmarc=_status(receipt, "dmarcVerdict"),
        virus=_status(receipt, "virusVerdict"),
    )
    return Arrival(message_id, received_at.astimezone(UTC), recipients, verdicts)


def _status(receipt: Mapping[str, Any], verdict: str) -> str:
    found = receipt.get(verdict)
    return str(found.get("status", "")).upper() if isinstance(found, Mapping) else ""


# -- what the message says --------------------------------------------------------------------


@dataclass(frozen=True)
class ReadMessage:
    """A message's metadata, as read from its start; `forwarded` is the block its first text part quotes."""

    sender: str | None
    recipients: tuple[str, ...]
    sent_at: datetime | None
    message_id: str | None
    subject: str | None
    auto_submitted: bool
    list_unsubscribe: bool
    forwarded: forwards.Forwarded | None


def read_message(head: bytes) -> ReadMessage:
    """The metadata of a message from its first bytes (cut anywhere); what cannot be read is absent."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(head)
    except _UNREADABLE:
        return ReadMessage(None, (), None, None, None, False, False, None)
    headers = _raw_headers(message)
    subject = _text(headers, "subject")
    return ReadMessage(
        sender=_sender(headers),
        recipients=_recipients(headers),
        sent_at=_date(headers),
        message_id=_first(headers, "message-id"),
        subject=subject,
        auto_submitted=is_auto_submitted(_first(headers, "auto-submitted")),
        list_unsubscribe="list-unsubscribe" in headers,
        forwarded=forwards.forwarded_block(_first_text(message), subject_says=forwards.says_forward(subject)),
    )


def _raw_headers(message: EmailMessage) -> dict[str, list[str]]:
    """Each header's values as written (unparsed: an address is ASCII, or UTF-8 kept as it came)."""
    found: dict[str, list[str]] = {}
    try:
        for name, value in message.raw_items():
            found.setdefault(str(name).strip().lower(), []).append(str(value))
    except _UNREADABLE:
        pass
    return found


def _first(headers: Mapping[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return " ".join(values[0].split()) or None if values else None


def _text(headers: Mapping[str, list[str]], name: str) -> str | None:
    """A header's words, RFC 2047 encoded words decoded; None when they cannot be."""
    raw = _first(headers, name)
    if raw is None:
        return None
    try:
        return _valid_text(str(policy.default.header_factory(name, raw))) or None
    except _UNREADABLE:
        return None


def _valid_text(text: str) -> str:
    """Text that encodes as UTF-8: bytes that were not UTF-8 (kept as surrogates) become U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _addresses(headers: Mapping[str, list[str]], *names: str) -> list[str]:
    values = [value for name in names for value in headers.get(name, [])]
    try:
        return [found for _, found in getaddresses(values) if found]
    except _UNREADABLE:
        return []


def _sender(headers: Mapping[str, list[str]]) -> str | None:
    found = _addresses(headers, "from")
    return address(found[0]) if len(found) == 1 else None


def _recipients(headers: Mapping[str, list[str]]) -> tuple[str, ...]:
    # One more than is ever read, so that a message to too many is known as such.
    return tuple(_addresses(headers, "to", "cc", "bcc")[: MAX_RECIPIENTS_READ + 1])


def _date(headers: Mapping[str, list[str]]) -> datetime | None:
    raw = _first(headers, "date")
    if raw is None:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except _UNREADABLE:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _first_text(message: EmailMessage) -> str:
    """The first text part as plain text (an HTML part's text), as far as it was read."""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            return ""
        content = body.get_content()
        html = body.get_content_subtype() == "html"
    except _UNREADABLE:
        return ""
    if not isinstance(content, str):
        return ""
    content = content[:MAX_TEXT_CHARS]
    return _html_text(content) if html else content


class _HtmlText(HTMLParser):
    """An HTML part's text, a line per block, enough to find the forwarded block's lines in it."""

    _BREAKS = frozenset({"br", "p", "div", "tr", "li", "hr", "h1", "h2", "h3", "h4", "blockquote", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Sequence[tuple[str, str | None]]) -> None:
        if tag in {"style", "script", "head"}:
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script", "head"}:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(" ".join(data.splitlines()))


def _html_text(html: str) -> str:
    reader = _HtmlText()
    try:
        reader.feed(html)
        reader.close()
    except _UNREADABLE:
        pass
    return "".join(reader.parts)


# -- as a sent message ------------------------------------------------------------------------


def _plausible(moment: datetime | None, received_at: datetime) -> datetime | None:
    """A date a message can have been sent on: in the years Kith keeps, and not after SES received it."""
    if moment is None:
        return None
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not EARLIEST_INSTANT <= moment < LATEST_INSTANT:
        return None
    return min(moment, received_at)


def sent_message(read: ReadMessage, *, received_at: datetime, zone: ZoneInfo, mail_domain: str) -> SentMessage:
    """The message as Kith judges sent mail: a forward names its original sender, a BCC its recipients.

    A forwarded date without a zone is read in the owner's `zone`; without a readable date the
    forward's own counts, and without that the time SES received it. A date after SES received the
    message is when it was received; one outside the years Kith keeps is no date.
    """
    others = tuple(found for found in read.recipients if not is_kith_address(found, mail_domain))
    sent_at = _plausible(read.sent_at, received_at) or received_at
    if read.forwarded is not None and not others:
        original = _plausible(forwards.forwarded_date(read.forwarded.date, zone), received_at)
        return SentMessage(
            source=MailSource.BCC,
            message_id=read.message_id,
            sent_at=original or sent_at,
            sender=read.sender,
            recipients=(read.forwarded.sender,) if read.forwarded.sender else (),
            from_sent_folder=False,
            subject=_valid_text(read.forwarded.subject)
            if read.forwarded.subject
            else forwards.without_prefix(read.subject),
            auto_submitted=read.auto_submitted,
            list_unsubscribe=read.list_unsubscribe,
        )
    return SentMessage(
        source=MailSource.BCC,
        message_id=read.message_id,
        sent_at=sent_at,
        sender=read.sender,
        recipients=others,
        from_sent_folder=False,
        subject=read.subject,
        auto_submitted=read.auto_submitted,
        list_unsubscribe=read.list_unsubscribe,
    )
