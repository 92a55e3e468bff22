"""Messages on the mail queue: what to send, for whom, as of when."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from kith.storage import keys


class DigestJob(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["digest"] = "digest"
    owner_id: str
    slot: AwareDatetime
    as_of: AwareDatetime

    @property
    def email_key(self) -> str:
        return f"digest#{keys.instant(self.slot)}"

    def to_message(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class FollowUpJob(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["follow_up"] = "follow_up"
    owner_id: str
    interaction_id: str
    as_of: AwareDatetime

    @property
    def email_key(self) -> str:
        return f"follow_up#{self.interaction_id}"

    def to_message(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


MailJob = Annotated[DigestJob | FollowUpJob, Field(discriminator="kind")]
mail_job_adapter: TypeAdapter[DigestJob | FollowUpJob] = TypeAdapter(MailJob)


def idempotency_key(job: DigestJob | FollowUpJob) -> str:
    """Same owner and same email means same key, whichever tick or delivery produced the job."""
    return f"{job.owner_id}#{job.email_key}"


def parse_job(body: str) -> DigestJob | FollowUpJob:
    return mail_job_adapter.validate_json(body)
