"""Messages on the mail queue: what to send, for whom, as of when."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from kith.domain.identities import digest_email_key, follow_up_email_key


class _Job(BaseModel):
    """One email to send for an owner, as of the tick that found it due."""

    model_config = ConfigDict(frozen=True)

    owner_id: str
    as_of: AwareDatetime

    def to_message(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class DigestJob(_Job):
    kind: Literal["digest"] = "digest"
    slot: AwareDatetime

    @property
    def email_key(self) -> str:
        return digest_email_key(self.slot)


class FollowUpJob(_Job):
    kind: Literal["follow_up"] = "follow_up"
    interaction_id: str

    @property
    def email_key(self) -> str:
        return follow_up_email_key(self.interaction_id)


MailJob = Annotated[DigestJob | FollowUpJob, Field(discriminator="kind")]
mail_job_adapter: TypeAdapter[DigestJob | FollowUpJob] = TypeAdapter(MailJob)


def idempotency_key(job: DigestJob | FollowUpJob) -> str:
    """Same owner and same email means same key, whichever tick or delivery produced the job."""
    return f"{job.owner_id}#{job.email_key}"


def parse_job(body: str) -> DigestJob | FollowUpJob:
    return mail_job_adapter.validate_json(body)
