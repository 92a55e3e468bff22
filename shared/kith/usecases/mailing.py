"""Composing and sending one digest or follow-up (PRODUCT.md §4, §5, §8)."""

from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from kith.actions.links import Linker
from kith.adapters.ses import SesMailer
from kith.domain.models import Digest, EmailKind, FollowUpStatus, Owner, SentEmail
from kith.errors import NotFound, Retryable
from kith.mail.compose import compose_digest, compose_follow_up
from kith.observability import logger
from kith.storage.repository import Repository
from kith.usecases.due import digest_entries
from kith.usecases.jobs import DigestJob, FollowUpJob
from kith.usecases.meetings import settle_meeting

SUPPRESSED: dict[str, Any] = {"sent": False, "reason": "suppressed"}
UNSUBSCRIBED: dict[str, Any] = {"sent": False, "reason": "unsubscribed"}


class Deferred(Exception):
    """The email waits (the owner paused nudges): nothing is sent, nothing remembered as sent.

    Raised rather than returned, so the once-per-email record is not kept and the
    follow-up can still go out when the sweep finds it due again.
    """


def deliver(repo: Repository, mailer: SesMailer, linker: Linker, job: DigestJob | FollowUpJob) -> dict[str, Any]:
    """Send the email a job stands for, or say why none is due. The result is what idempotency stores."""
    try:
        sent = repo.get_sent(job.owner_id, job.email_key)
        if sent is not None:
            return _already_sent(repo, job, sent)
        if isinstance(job, DigestJob):
            return _deliver_digest(repo, mailer, linker, job)
        return _deliver_follow_up(repo, mailer, linker, job)
    except NotFound as gone:
        return {"sent": False, "reason": f"gone: {gone}"}


def _deliver_digest(repo: Repository, mailer: SesMailer, linker: Linker, job: DigestJob) -> dict[str, Any]:
    owner = repo.get_owner(job.owner_id)
    entries = digest_entries(repo, owner, job.as_of)
    if not entries:
        return {"sent": False, "reason": "nothing due"}
    if owner.settings.paused_at(job.as_of):
        return {"sent": False, "reason": "paused"}
    if owner.unsubscribed_at is not None:
        return dict(UNSUBSCRIBED)
    if _suppressed(repo, owner):
        return dict(SUPPRESSED)
    digest = Digest(owner=owner, slot=job.slot, entries=entries)
    links = linker.for_email(owner.owner_id, job.as_of)
    message = compose_digest(digest, mailer.sender, job.as_of, links)
    return _send(repo, mailer, owner, job, EmailKind.DIGEST, message)


def _deliver_follow_up(repo: Repository, mailer: SesMailer, linker: Linker, job: FollowUpJob) -> dict[str, Any]:
    owner = repo.get_owner(job.owner_id)
    follow_up = repo.get_follow_up(job.owner_id, job.interaction_id)
    interaction = repo.get_interaction(job.owner_id, job.interaction_id)
    if follow_up is None or interaction is None or follow_up.status is not FollowUpStatus.PENDING:
        return {"sent": False, "reason": "follow-up no longer pending"}
    if owner.settings.paused_until is not None and owner.settings.paused_at(job.as_of):
        repo.defer_follow_up(owner.owner_id, follow_up.interaction_id, owner.settings.paused_until)
        raise Deferred(f"follow-up waits until {owner.settings.paused_until.isoformat()}")
    contacts = repo.contacts_by_ids(owner.owner_id, follow_up.contact_ids)
    settle_meeting(repo, owner, interaction, job.as_of, contacts)
    if not contacts:
        repo.close_follow_up(owner.owner_id, follow_up.interaction_id, FollowUpStatus.SKIPPED)
        return {"sent": False, "reason": "no contact left"}
    stopped = UNSUBSCRIBED if owner.unsubscribed_at is not None else SUPPRESSED if _suppressed(repo, owner) else None
    if stopped is not None:
        # Closed, so the sweep does not queue it again and again.
        repo.close_follow_up(owner.owner_id, follow_up.interaction_id, FollowUpStatus.SKIPPED)
        return dict(stopped)
    contacts.sort(key=lambda contact: follow_up.contact_ids.index(contact.contact_id))
    links = linker.for_email(owner.owner_id, job.as_of)
    message = compose_follow_up(owner, follow_up, contacts, mailer.sender, job.as_of, links)
    result = _send(repo, mailer, owner, job, EmailKind.FOLLOW_UP, message)
    repo.close_follow_up(owner.owner_id, follow_up.interaction_id)
    return result


def _already_sent(repo: Repository, job: DigestJob | FollowUpJob, sent: SentEmail) -> dict[str, Any]:
    """A run sent this email, then failed and gave its claim up: its work is finished, nothing is sent again."""
    if isinstance(job, FollowUpJob):
        repo.close_follow_up(job.owner_id, job.interaction_id)
    return {"sent": True, "message_id": sent.message_id}


def _suppressed(repo: Repository, owner: Owner) -> bool:
    """The owner's address bounced for good or complained: nothing more is sent to it."""
    return repo.get_suppression(owner.email) is not None


def _send(
    repo: Repository,
    mailer: SesMailer,
    owner: Owner,
    job: DigestJob | FollowUpJob,
    kind: EmailKind,
    message: EmailMessage,
) -> dict[str, Any]:
    """Send to the owner and keep it in the sent history, which later runs check before sending."""
    message_id = mailer.send(message, owner.email)
    sent = SentEmail(
        owner_id=owner.owner_id,
        email_key=job.email_key,
        kind=kind,
        recipient=owner.email,
        subject=str(message["Subject"]),
        sent_at=job.as_of,
        message_id=message_id,
    )
    result: dict[str, Any] = {"sent": True, "message_id": message_id}
    try:
        repo.record_sent(sent)
    except (Retryable, ClientError, BotoCoreError):
        # The email is out: failing the run now would give its claim up and send it again. The line
        # rides in the result the claim keeps, and is written once the claim is kept (keep_in_history).
        logger.warning("sent history not written yet", extra={"kind": kind.value, "email_key": job.email_key})
        result["unrecorded"] = sent.model_dump(mode="json")
    return result


def keep_in_history(repo: Repository, result: Mapping[str, Any]) -> None:
    """Write the sent-history line the run that sent an email could not write. Safe to repeat."""
    if "unrecorded" in result:
        repo.record_sent(SentEmail.model_validate(result["unrecorded"]))
