"""BCC Kith: mail an owner BCCs or forwards to their Kith address moves their contacts' clocks (PRODUCT.md §12).

SES is simulated as kith_local.inbound_mail does it: the message stored in the inbound bucket, then
the inbound function invoked with the receipt event and the verdicts each test chooses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from kith.errors import Retryable
from kith.observability import logger
from kith.runtime import SessionClients
from kith_local import inbound_mail
from kith_local.events import SesVerdicts, ses_receipt_event
from kith_local.inbound_mail import bcc_address, deliver_inbound, sent_message, stored_keys

from tests.integration.support import OWNER, Kith

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inbound"
# The day after the fixtures' messages were written (Monday 5 January 2026).
TUESDAY = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
MONDAY_EVENING = datetime(2026, 1, 5, 16, 42, 8, tzinfo=UTC)


@pytest.fixture
def olive(kith: Kith) -> dict[str, Any]:
    """Olive (owner@example.com, Berlin) with Ann, Ben and Cy, none seen since September; her Kith address."""
    kith.clock.set(TUESDAY)
    kith.create_owner()
    contacts = {
        name: kith.create_contact(
            f"{name.title()} Example", f"{name}@example.com", last_interaction_at="2025-09-01T12:00:00Z"
        )
        for name in ("ann", "ben", "cy")
    }
    return {"contacts": contacts, "address": bcc_address(kith.stack, OWNER)}


def contact(kith: Kith, olive: dict[str, Any], name: str) -> dict[str, Any]:
    status, body = kith.http("GET", f"/v1/contacts/{olive['contacts'][name]['contact_id']}")
    assert status == 200
    return body  # type: ignore[no-any-return]


def emails(kith: Kith) -> list[dict[str, Any]]:
    status, body = kith.http("GET", "/v1/interactions")
    assert status == 200
    return [item for item in body["interactions"] if item["kind"] == "email"]


def refusals(kith: Kith) -> list[str]:
    """The reasons of every InboundRefused metric the function wrote (its embedded metric format)."""
    found = []
    for line in kith.lambdas.metrics_output.getvalue().splitlines():
        if '"InboundRefused"' in line:
            found.append(json.loads(line)["reason"])
    return found


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- logged -------------------------------------------------------------------------------------


def test_a_bcc_moves_each_recipients_clock_and_adds_an_email_interaction(kith: Kith, olive: dict[str, Any]) -> None:
    # Given the address Kith gives Olive, the same each time she asks
    assert olive["address"] == bcc_address(kith.stack, OWNER)
    assert olive["address"].startswith("log+") and olive["address"].endswith("@in.kith.local")
    # When she writes to Ann, Cc Ben, with her Kith address in Bcc, and SES hands the message over
    result = deliver_inbound(kith, fixture("gmail-bcc.eml"), olive["address"])
    # Then Ann's and Ben's clocks moved to when she wrote, each with an email interaction; Cy's did not
    assert result == {"messages": 1, "logged": 1, "refusals": []}
    for name in ("ann", "ben"):
        assert contact(kith, olive, name)["last_interaction_at"] == "2026-01-05T16:42:08Z"
    assert contact(kith, olive, "cy")["last_interaction_at"] == "2025-09-01T12:00:00Z"
    logged = emails(kith)
    assert len(logged) == 2 and {item["source"] for item in logged} == {"bcc"}
    # And the stored message is gone
    assert stored_keys(kith.stack) == []


def test_a_forward_logs_the_original_sender_on_the_original_date(kith: Kith, olive: dict[str, Any]) -> None:
    # When Olive forwards Ann's message (Gmail) and Ben's (Outlook) to her Kith address
    for name in ("gmail-forward.eml", "outlook-forward.eml", "apple-mail-forward.eml"):
        assert deliver_inbound(kith, fixture(name), olive["address"])["logged"] == 1
    # Then each original sender's clock moved to when they wrote (Gmail's and Outlook's in Olive's zone, Berlin)
    assert contact(kith, olive, "ann")["last_interaction_at"] == "2026-01-05T08:14:00Z"
    assert contact(kith, olive, "ben")["last_interaction_at"] == "2026-01-05T08:14:00Z"
    assert contact(kith, olive, "cy")["last_interaction_at"] == "2026-01-05T09:14:00Z"
    assert len(emails(kith)) == 3
    assert stored_keys(kith.stack) == []


def test_the_same_message_twice_is_one_interaction(kith: Kith, olive: dict[str, Any]) -> None:
    # Given Olive's message to Ann, BCC'd to Kith
    raw = sent_message("Olive Owner <owner@example.com>", ["ann@example.com"], "Hi", MONDAY_EVENING,
                       message_id="<once@mail.example.com>")  # fmt: skip
    assert deliver_inbound(kith, raw, olive["address"])["logged"] == 1
    before = kith.state()
    # When the same message (same Message-ID) reaches Kith again, as a new SES delivery
    assert deliver_inbound(kith, raw, olive["address"])["logged"] == 1
    # Then nothing more is recorded: one interaction, the table as it was
    assert len(emails(kith)) == 1
    assert kith.state() == before


# -- refused ------------------------------------------------------------------------------------


def _bcc_from(sender: str) -> bytes:
    return sent_message(sender, ["Ann Example <ann@example.com>"], "Hello", MONDAY_EVENING)


REFUSED = {
    "spf-and-dkim-failing": ({"spf": "FAIL", "dkim": "FAIL"}, "owner", "unauthenticated"),
    "neither-checked": ({"spf": "GRAY", "dkim": "GRAY"}, "owner", "unauthenticated"),
    "virus": ({"virus": "FAIL"}, "owner", "virus"),
    "dmarc-failing": ({"dkim": "FAIL", "dmarc": "FAIL"}, "owner", "dmarc_failed"),
    "someone-elses-from": ({}, "stranger", "not_the_owners"),
    "unknown-address": ({}, "unknown", "unknown_address"),
}


@pytest.mark.parametrize(("verdicts", "who", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_a_message_that_fails_a_check_is_refused_stored_nowhere_and_counted(
    kith: Kith, olive: dict[str, Any], verdicts: dict[str, str], who: str, reason: str
) -> None:
    # Given a message Kith must not log: forged (SPF and DKIM failing), unchecked, infected, from someone
    # else's address, or to an address no owner holds
    sender = "Mallory <mallory@example.net>" if who == "stranger" else "Olive Owner <owner@example.com>"
    recipient = "log+abcdefghijklmnopqrstuvwx@in.kith.local" if who == "unknown" else olive["address"]
    before = kith.state()
    # When SES hands it over
    result = deliver_inbound(kith, _bcc_from(sender), recipient, **verdicts)
    # Then it is refused and counted by its reason, nothing is stored, and the stored message is deleted
    assert result == {"messages": 1, "logged": 0, "refusals": [reason]}
    assert refusals(kith) == [reason]
    assert kith.state() == before
    assert contact(kith, olive, "ann")["last_interaction_at"] == "2025-09-01T12:00:00Z"
    assert stored_keys(kith.stack) == []


def test_mail_from_another_of_the_owners_addresses_counts(kith: Kith, olive: dict[str, Any]) -> None:
    kith.create_owner(other_addresses=["olive@work.example"])
    assert deliver_inbound(kith, _bcc_from("Olive <olive@work.example>"), olive["address"])["logged"] == 1
    assert contact(kith, olive, "ann")["last_interaction_at"] == "2026-01-05T16:42:08Z"


def test_unreadable_mail_and_events_are_refused_not_raised(kith: Kith, olive: dict[str, Any]) -> None:
    # Given bytes that are no message, and an event that is no SES receipt
    result = deliver_inbound(kith, b"\x00\xff not a message", olive["address"])
    odd = kith.lambdas.invoke("InboundFunction", {"Records": [{"eventSource": "aws:ses", "ses": {}}]})
    # Then each is refused by its reason, and nothing is left in the bucket
    assert result["refusals"] == ["unreadable"] and odd["refusals"] == ["unreadable_event"]
    assert stored_keys(kith.stack) == []


def test_a_retry_after_the_message_was_read_finds_it_gone_and_refuses_it_quietly(
    kith: Kith, olive: dict[str, Any]
) -> None:
    # Given a message logged and deleted, whose event Lambda delivers again
    message_id = inbound_mail.ses_message_id()
    assert deliver_inbound(kith, fixture("gmail-bcc.eml"), olive["address"], message_id=message_id)["logged"] == 1
    before = kith.state()
    event = _event_of(kith, olive, message_id)
    # When the function runs again for it, Then it finds nothing to read and changes nothing
    assert kith.lambdas.invoke("InboundFunction", event)["refusals"] == ["missing"]
    assert kith.state() == before


def _event_of(kith: Kith, olive: dict[str, Any], message_id: str) -> dict[str, Any]:
    return ses_receipt_event(
        [("From", "owner@example.com")],
        message_id=message_id,
        received_at=kith.clock.now(),
        recipients=[olive["address"]],
        source="owner@example.com",
        verdicts=SesVerdicts(),
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:InboundFunction",
    )


def test_a_failure_worth_retrying_is_raised_and_keeps_the_message_for_the_retry(
    kith: Kith, olive: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB throttling the write of the email interaction
    store = kith.lambdas.modules["InboundFunction"].runtime.sent_mail_store

    def throttled(*_: Any) -> bool:
        raise Retryable("DynamoDB is throttling (ThrottlingException)")

    monkeypatch.setattr(store, "record_email", throttled)
    message_id = inbound_mail.ses_message_id()
    # When SES hands a message over, Then the function fails (Lambda retries it) and the message stays stored
    with pytest.raises(Retryable):
        deliver_inbound(kith, fixture("gmail-bcc.eml"), olive["address"], message_id=message_id)
    assert stored_keys(kith.stack) == [f"inbound/{message_id}"]
    # And the retry, with DynamoDB back, logs it and deletes it
    monkeypatch.undo()
    assert kith.lambdas.invoke("InboundFunction", _event_of(kith, olive, message_id))["logged"] == 1
    assert stored_keys(kith.stack) == []


# -- what is read, what is logged -----------------------------------------------------------------


class _WatchedS3:
    """The functions' clients, their S3 GetObject calls noted: the Range asked for, the bytes answered."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, int]] = []
        self._clients = SessionClients()

    def __call__(self, service: str) -> Any:
        client = self._clients(service)
        if service == "s3":
            client.meta.events.register("before-parameter-build.s3.GetObject", self._asked)
            client.meta.events.register("after-call.s3.GetObject", self._answered)
        return client

    def _asked(self, params: dict[str, Any], **_: Any) -> None:
        self.reads.append((str(params.get("Range")), -1))

    def _answered(self, parsed: dict[str, Any], **_: Any) -> None:
        asked, _unknown = self.reads[-1]
        self.reads[-1] = (asked, int(parsed["ContentLength"]))


def test_a_40_mb_message_is_read_by_its_first_256_kb_only(kith: Kith, olive: dict[str, Any]) -> None:
    # Given Olive's message to Ann with a 40 MB attachment after its text
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "owner@example.com", "ann@example.com", "The deck"
    message["Date"], message["Message-ID"] = "Mon, 5 Jan 2026 17:42:08 +0100", "<deck@example.com>"
    message.set_content("The deck, as promised.")
    message.add_attachment(b"\x01" * (30 * 1024 * 1024), maintype="application", subtype="pdf", filename="deck.pdf")
    raw = message.as_bytes()
    assert len(raw) >= 40 * 1024 * 1024
    watched = _WatchedS3()
    kith.lambdas.cold_start(lambda _function: watched)
    # When SES hands it over
    assert deliver_inbound(kith, raw, olive["address"])["logged"] == 1
    # Then the function asked S3 for the first 256 KB and got exactly that, and logged the message
    assert watched.reads == [("bytes=0-262143", 256 * 1024)]
    assert contact(kith, olive, "ann")["last_interaction_at"] == "2026-01-05T16:42:08Z"
    assert stored_keys(kith.stack) == []


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(str(record.__dict__))


@pytest.fixture
def logs() -> Iterator[_Records]:
    records, underlying = _Records(), logging.getLogger(logger.name)
    level = underlying.level
    underlying.addHandler(records)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        underlying.removeHandler(records)
        logger.setLevel(level)


def test_the_logs_carry_no_address_name_or_token(kith: Kith, olive: dict[str, Any], logs: _Records) -> None:
    # When a BCC, a forward and a refused message reach Kith
    deliver_inbound(kith, fixture("gmail-bcc.eml"), olive["address"])
    deliver_inbound(kith, fixture("gmail-forward.eml"), olive["address"])
    deliver_inbound(kith, _bcc_from("Mallory <mallory@example.net>"), olive["address"], spf="FAIL", dkim="FAIL")
    # Then the function logged what it did, with no address, name or the token of Olive's address
    text = "\n".join(logs.lines)
    assert "inbound message read" in text and "inbound message refused" in text
    token = olive["address"].removeprefix("log+").split("@")[0]
    for secret in ("example.com", "example.net", "Olive", "Ann", "Mallory", token, "Lunch"):
        assert secret not in text, secret


# -- erasure ----------------------------------------------------------------------------------------


def test_deleting_the_account_deletes_the_address_both_ways(kith: Kith, olive: dict[str, Any]) -> None:
    # Given Olive's address
    token = olive["address"].removeprefix("log+").split("@")[0]
    assert any(item["pk"]["S"] == f"INBOUND#{token}" for item in kith.items())
    # When she deletes her account
    assert kith.http("DELETE", "/v1/owner")[0] == 204
    # Then neither side of her address is left, and mail to it finds no one
    assert [item for item in kith.items() if "INBOUND" in item["pk"]["S"] + item["sk"]["S"]] == []
    assert deliver_inbound(kith, _bcc_from("owner@example.com"), olive["address"])["refusals"] == ["unknown_address"]


def test_a_new_owner_gets_an_address_of_their_own(kith: Kith, olive: dict[str, Any]) -> None:
    other = bcc_address(kith.stack, "owner-2")
    assert other != olive["address"] and other.endswith("@in.kith.local")
    # Mail from Olive to the other owner's address is not hers to log there
    assert deliver_inbound(kith, _bcc_from("owner@example.com"), other)["refusals"] == ["no_owner"]
