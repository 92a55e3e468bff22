"""SES receiving mail, locally: a message stored in the inbound bucket, then the inbound function invoked.

What SES does for a message to log+<token>@<MailDomain>: its S3 action puts the raw message under
the rule's prefix, named by SES's message id, and its Lambda action invokes the inbound function
with the receipt event (kith_local.events.ses_receipt_event), the verdicts of its checks chosen
here by the caller. `deliver_inbound` does both; `bcc_address` is the owner's address, as the API
gives it; `sent_message` writes a message the way a mail client sends one.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any, Protocol

import boto3
from kith.runtime import Runtime
from kith.usecases import inbound

from kith_local.clock import Clock
from kith_local.events import REGION, SesVerdicts, ses_receipt_event
from kith_local.lambdas import LocalLambdas
from kith_local.stack import LOCAL_PARAMETERS, LocalStack

FUNCTION = "InboundFunction"
BUCKET = "InboundMailBucket"


class RunningKith(Protocol):
    """A local Kith whose functions run in process: the integration tests' Kith, the demo's LocalKith."""

    stack: LocalStack
    lambdas: LocalLambdas
    clock: Clock


def mail_domain(stack: LocalStack) -> str:
    return stack.environment(FUNCTION)["KITH_MAIL_DOMAIN"]


def bcc_address(stack: LocalStack, owner_id: str) -> str:
    """The owner's "BCC Kith" address, given on first ask as the API gives it."""
    runtime = Runtime(environ=stack.environment("ApiFunction"))
    address = inbound.bcc_address(runtime.inbound_store, owner_id, mail_domain(stack))
    if address is None:
        raise LookupError("this stack has no MailDomain: BCC Kith is off")
    return address


def stored_keys(stack: LocalStack) -> list[str]:
    """The keys of the messages the inbound bucket still holds."""
    listed = boto3.client("s3").list_objects_v2(Bucket=stack.references[BUCKET])
    return [str(item["Key"]) for item in listed.get("Contents", [])]


def ses_message_id() -> str:
    """An id as SES gives a received message: lower-case letters and digits."""
    return secrets.token_hex(20)


def _headers(raw: bytes) -> list[tuple[str, str]]:
    """The message's headers as SES lists them: each as written, folded lines joined."""
    parsed = BytesHeaderParser(policy=compat32).parsebytes(raw)
    return [(name, " ".join(str(value).split())) for name, value in parsed.items()]


def _envelope_sender(headers: Sequence[tuple[str, str]]) -> str:
    found = [value for name, value in headers if name.lower() == "from"]
    pairs = getaddresses(found)
    return pairs[0][1] if pairs else ""


def deliver_inbound(
    kith: RunningKith,
    raw: bytes,
    recipient: str,
    spf: str = "PASS",
    dkim: str = "PASS",
    *,
    dmarc: str = "PASS",
    virus: str = "PASS",
    received_at: datetime | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    """SES receiving `raw` for `recipient`: stored in the bucket under the rule's prefix, then the inbound
    function invoked with the receipt event; its answer."""
    stack = kith.stack
    message_id = message_id or ses_message_id()
    environment = stack.environment(FUNCTION)
    boto3.client("s3").put_object(
        Bucket=environment["KITH_INBOUND_BUCKET"], Key=environment["KITH_INBOUND_PREFIX"] + message_id, Body=raw
    )
    headers = _headers(raw)
    event = ses_receipt_event(
        headers,
        message_id=message_id,
        received_at=received_at or kith.clock.now(),
        recipients=[recipient],
        source=_envelope_sender(headers),
        verdicts=SesVerdicts(spf=spf, dkim=dkim, dmarc=dmarc, virus=virus),
        function_arn=f"arn:aws:lambda:{REGION}:{LOCAL_PARAMETERS['AWS::AccountId']}:function:{FUNCTION}",
    )
    result: dict[str, Any] = kith.lambdas.invoke(FUNCTION, event)
    return result


def sent_message(
    sender: str,
    to: Sequence[str],
    subject: str,
    at: datetime,
    *,
    cc: Sequence[str] = (),
    body: str = "See you soon.",
    message_id: str | None = None,
) -> bytes:
    """A message as a mail client sends it (its Bcc left out, as a client leaves it out), as bytes."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    message.set_content(body)
    return message.as_bytes()
