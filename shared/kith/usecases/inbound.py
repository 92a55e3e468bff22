"""BCC Kith: each owner's own address, and the mail that reaches it logged as the owner's sent mail.

An owner's address is log+<token>@<mail domain>, the token unguessable and given once, on first
ask. A message to it is accepted only when SES found SPF or DKIM passing (no virus, no failed
DMARC) and its From is one of the owner's own addresses; it is then read from its first bytes and
recorded as any sent mail is (kith.usecases.sent_mail). The stored message is deleted once read,
whether it was logged or refused; only a failure worth retrying (storage busy) leaves it for the
retry. Bad input is refused and counted, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kith.domain import mail
from kith.errors import NotFound, Retryable
from kith.mail import inbound as inbound_mail
from kith.mail.inbound import Arrival, ReadMessage
from kith.ports import InboundMailbox, InboundStore, SentMailStore
from kith.usecases.sent_mail import MailOutcome, own_addresses, record_sent_mail

_ATTEMPTS = 3
# The message was deleted already (this is a retry of one that was read): there is nothing left to delete.
MISSING = "missing"


def bcc_address(store: InboundStore, owner_id: str, mail_domain: str | None) -> str | None:
    """The owner's "BCC Kith" address, made on first ask; None when this stack receives no mail."""
    if not mail_domain:
        return None
    for _ in range(_ATTEMPTS):
        token = store.inbound_token(owner_id)
        if token is None and store.create_inbound_token(owner_id, candidate := inbound_mail.new_token()):
            token = candidate
        if token is not None:
            return inbound_mail.address_for(token, mail_domain)
    # Only tokens drawn again and again by other owners get here: 120 random bits make that never.
    raise Retryable("no address could be given to the owner; try again")


@dataclass
class Received:
    """What one message did: why it was refused (per owner it was for), what it recorded."""

    refused: list[str] = field(default_factory=list)
    owners: int = 0
    mail: MailOutcome = field(default_factory=MailOutcome)

    def refuse(self, reason: str) -> Received:
        self.refused.append(reason)
        return self

    def add(self, outcome: MailOutcome) -> None:
        self.owners += 1
        self.mail.counted += outcome.counted
        self.mail.interactions += outcome.interactions
        self.mail.clocks_moved += outcome.clocks_moved
        for reason, count in outcome.skipped.items():
            self.mail.skipped[reason] = self.mail.skipped.get(reason, 0) + count


def receive_inbound(
    inbound: InboundStore, sent_mail: SentMailStore, mailbox: InboundMailbox, arrival: Arrival, mail_domain: str
) -> Received:
    """Log one message that reached Kith's domain, or refuse it; its stored copy is deleted either way."""
    received = _receive(inbound, sent_mail, mailbox, arrival, mail_domain)
    if MISSING not in received.refused:
        mailbox.delete(arrival.message_id)
    return received


def _receive(
    inbound: InboundStore, sent_mail: SentMailStore, mailbox: InboundMailbox, arrival: Arrival, mail_domain: str
) -> Received:
    received = Received()
    refusal = arrival.verdicts.refusal()
    if refusal is not None:
        return received.refuse(refusal)
    owners = _owners(inbound, arrival, mail_domain)
    if not owners:
        return received.refuse("unknown_address")
    head = mailbox.head(arrival.message_id, inbound_mail.HEAD_BYTES)
    if head is None:
        return received.refuse(MISSING)
    read = inbound_mail.read_message(head)
    if read.sender is None:
        return received.refuse("unreadable")
    for owner_id in owners:
        _log_for(sent_mail, owner_id, read, arrival, mail_domain, received)
    return received


def _owners(inbound: InboundStore, arrival: Arrival, mail_domain: str) -> list[str]:
    """The owners whose addresses the message was for, each once."""
    tokens = dict.fromkeys(
        token for recipient in arrival.recipients if (token := inbound_mail.token_of(recipient, mail_domain))
    )
    return list(dict.fromkeys(owner for token in tokens if (owner := inbound.inbound_owner(token)) is not None))


def _log_for(
    store: SentMailStore, owner_id: str, read: ReadMessage, arrival: Arrival, mail_domain: str, received: Received
) -> None:
    try:
        owner = store.get_owner(owner_id)
    except NotFound:
        received.refuse("no_owner")
        return
    own = own_addresses(store, owner)
    message = inbound_mail.sent_message(
        read, received_at=arrival.received_at, zone=owner.settings.zone, mail_domain=mail_domain
    )
    if not mail.owner_sent(message, own):
        received.refuse("not_the_owners")
        return
    received.add(record_sent_mail(store, owner_id, [message], arrival.received_at, owner=owner, own=own))
