"""Composing and sending one digest or follow-up (PRODUCT.md §4, §5, §8)."""

from __future__ import annotations

from email.message import EmailMessage

from kith.actions.links import Linker
from kith.adapters.ses import MailRejected, SesMailer
from kith.domain.models import Digest, EmailKind, FollowUpStatus, Owner, SentEmail
from kith.errors import NotFound
from kith.mail.compose import compose_digest, compose_follow_up
from kith.observability import logger
from kith.ports import MailStore
from kith.usecases.clocks import settle_meeting
from kith.usecases.delivery import Delivery, NotSent
from kith.usecases.due import digest_entries
from kith.usecases.jobs import DigestJob, FollowUpJob


class Deferred(Exception):
    """The email waits (the owner paused nudges): nothing is sent, nothing remembered as sent.

    Raised rather than returned, so the once-per-email record is not kept and the
    follow-up can still go out when the sweep finds it due again.
    """


def deliver(store: MailStore, mailer: SesMailer, linker: Linker, job: DigestJob | FollowUpJob) -> Delivery:
    """Send the email a job stands for, or say why none is due. The result is what idempotency keeps.

    An email SES refuses for good is a failed delivery, kept as such: retrying would not send it.
    """
    try:
        sent = store.get_sent(job.owner_id, job.email_key)
        if sent is not None:
            return _already_sent(store, job, sent)
        if isinstance(job, DigestJob):
            return _deliver_digest(store, mailer, linker, job)
        return _deliver_follow_up(store, mailer, linker, job)
    except NotFound as gone:
        return Delivery.not_sent(NotSent.GONE, str(gone))


def _deliver_digest(store: MailStore, mailer: SesMailer, linker: Linker, job: DigestJob) -> Delivery:
    owner = store.get_owner(job.owner_id)
    entries = digest_entries(store, owner, job.as_of)
    if not entries:
        return Delivery.not_sent(NotSent.NOTHING_DUE)
    if owner.settings.paused_at(job.as_of):
        return Delivery.not_sent(NotSent.PAUSED)
    stopped = _stopped(store, owner)
    if stopped is not None:
        return Delivery.not_sent(stopped)
    digest = Digest(owner=owner, slot=job.slot, entries=entries)
    links = linker.for_email(owner.owner_id, job.as_of)
    message = compose_digest(digest, mailer.sender, job.as_of, links)
    return _send(store, mailer, owner, job, EmailKind.DIGEST, message)


def _deliver_follow_up(store: MailStore, mailer: SesMailer, linker: Linker, job: FollowUpJob) -> Delivery:
    owner = store.get_owner(job.owner_id)
    follow_up = store.get_follow_up(job.owner_id, job.interaction_id)
    interaction = store.get_interaction(job.owner_id, job.interaction_id)
    if follow_up is None or interaction is None or follow_up.status is not FollowUpStatus.PENDING:
        return Delivery.not_sent(NotSent.NO_LONGER_PENDING)
    if owner.settings.paused_until is not None and owner.settings.paused_at(job.as_of):
        store.defer_follow_up(owner.owner_id, follow_up.interaction_id, owner.settings.paused_until)
        raise Deferred(f"follow-up waits until {owner.settings.paused_until.isoformat()}")
    contacts = store.contacts_by_ids(owner.owner_id, follow_up.contact_ids)
    settle_meeting(store, owner, interaction, job.as_of, contacts)
    if not contacts:
        store.close_follow_up(owner.owner_id, follow_up.interaction_id, FollowUpStatus.SKIPPED)
        return Delivery.not_sent(NotSent.NO_CONTACT_LEFT)
    stopped = _stopped(store, owner)
    if stopped is not None:
        # Closed, so the sweep does not queue it again and again.
        store.close_follow_up(owner.owner_id, follow_up.interaction_id, FollowUpStatus.SKIPPED)
        return Delivery.not_sent(stopped)
    contacts.sort(key=lambda contact: follow_up.contact_ids.index(contact.contact_id))
    links = linker.for_email(owner.owner_id, job.as_of)
    message = compose_follow_up(owner, follow_up, contacts, mailer.sender, job.as_of, links)
    result = _send(store, mailer, owner, job, EmailKind.FOLLOW_UP, message)
    closed = FollowUpStatus.SENT if result.sent else FollowUpStatus.SKIPPED
    store.close_follow_up(owner.owner_id, follow_up.interaction_id, closed)
    return result


def _already_sent(store: MailStore, job: DigestJob | FollowUpJob, sent: SentEmail) -> Delivery:
    """A run sent this email, then failed and gave its claim up: its work is finished, nothing is sent again."""
    if isinstance(job, FollowUpJob):
        store.close_follow_up(job.owner_id, job.interaction_id)
    return Delivery.of_message(sent.message_id)


def _stopped(store: MailStore, owner: Owner) -> NotSent | None:
    """Whether the owner said stop (unsubscribed), or their address bounced for good or complained."""
    if owner.unsubscribed_at is not None:
        return NotSent.UNSUBSCRIBED
    if store.get_suppression(owner.email) is not None:
        return NotSent.SUPPRESSED
    return None


def _send(
    store: MailStore,
    mailer: SesMailer,
    owner: Owner,
    job: DigestJob | FollowUpJob,
    kind: EmailKind,
    message: EmailMessage,
) -> Delivery:
    """Send to the owner and keep it in the sent history, which later runs check before sending."""
    try:
        message_id = mailer.send(message, owner.email)
    except MailRejected as rejected:
        logger.warning("SES refused the email", extra={"kind": kind.value, "email_key": job.email_key})
        return Delivery.not_sent(NotSent.REJECTED, str(rejected))
    sent = SentEmail(
        owner_id=owner.owner_id,
        email_key=job.email_key,
        kind=kind,
        recipient=owner.email,
        subject=str(message["Subject"]),
        sent_at=job.as_of,
        message_id=message_id,
    )
    try:
        store.record_sent(sent)
    except Exception:
        # Whatever failed (throttling, a timeout after the write), the email is out: failing the run now would
        # give its claim up and send it again. The line rides in the result the claim keeps, and is written
        # once the claim is kept (keep_in_history).
        logger.warning("sent history not written yet", extra={"kind": kind.value, "email_key": job.email_key})
        return Delivery.of_message(message_id, unrecorded=sent)
    return Delivery.of_message(message_id)


def keep_in_history(store: MailStore, delivery: Delivery) -> None:
    """Write the sent-history line the run that sent an email could not write. Safe to repeat."""
    if delivery.unrecorded is not None:
        store.record_sent(delivery.unrecorded)
