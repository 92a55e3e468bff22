"""A message BCC'd to Kith, read from its first bytes: who from, to whom, when; bad input read as absent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from kith.domain import mail
from kith.domain.mail import MailSource, Skipped
from kith.mail import inbound
from kith.mail.inbound import HEAD_BYTES, Verdicts, arrivals, read_message, sent_message, token_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inbound"
EVENTS = Path(__file__).resolve().parents[2] / "events"
BERLIN = ZoneInfo("Europe/Berlin")
RECEIVED = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
DOMAIN = "in.kith.local"
OWN = frozenset({"owner@example.com"})


def _sent(raw: bytes) -> mail.SentMessage:
    return sent_message(read_message(raw), received_at=RECEIVED, zone=BERLIN, mail_domain=DOMAIN)


def _message(**headers: str) -> bytes:
    lines = [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\nHello\r\n").encode()


# -- a BCC ------------------------------------------------------------------------------------


def test_a_bcc_logs_the_to_and_cc_recipients_of_the_owners_message() -> None:
    # Given the owner's Gmail message to Ann, Cc Ben, with Kith in Bcc (which the delivered copy does not show)
    message = _sent((FIXTURES / "gmail-bcc.eml").read_bytes())
    # Then it is the owner's message to Ann and Ben, sent when its Date says
    assert message.source is MailSource.BCC and message.from_sent_folder is False
    assert message.sender == "owner@example.com"
    assert message.recipients == ("ann@example.com", "Ben@Example.com")
    assert message.sent_at == datetime(2026, 1, 5, 16, 42, 8, tzinfo=UTC)
    assert message.message_id == "<CAF7k2LqB7nX0c9d8e7f6g5h4i3j2k1l0mNoPqRsTuVwXy@mail.gmail.com>"
    assert message.subject == "Thanks for today"
    # And the rules count it for both, in Kith's form
    assert mail.judge(message, OWN, size_limit=8) == mail.Counted(("ann@example.com", "ben@example.com"))


def test_the_kith_address_itself_is_no_recipient() -> None:
    raw = _message(From="owner@example.com", To="ann@example.com", Cc="LOG+abcdefghijklmnopqrstuvwx@IN.kith.local")
    assert _sent(raw).recipients == ("ann@example.com",)


def test_bulk_and_automated_messages_are_marked_so_the_rules_skip_them() -> None:
    newsletter = _sent(_message(From="owner@example.com", To="ann@example.com", List_Unsubscribe="<https://x/u>"))
    automated = _sent(_message(From="owner@example.com", To="ann@example.com", Auto_Submitted="auto-replied"))
    assert mail.judge(newsletter, OWN, 8) is Skipped.MAILING_LIST
    assert mail.judge(automated, OWN, 8) is Skipped.AUTOMATED


# -- bad input --------------------------------------------------------------------------------


def test_without_a_message_id_or_a_date_it_is_known_by_its_recipients_and_received_time() -> None:
    message = _sent(_message(From="owner@example.com", To="ann@example.com"))
    assert message.message_id is None
    assert message.sent_at == RECEIVED
    # One source never counts it twice: its key is its source, time and recipients
    assert mail.message_key(message) == mail.message_key(
        _sent(_message(From="owner@example.com", To="ann@example.com"))
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without headers",
        b"From: <<<@@@>>>\r\nTo: ,,,;;;\r\nDate: 99 Foo 20262 25:61\r\nMessage-ID: \r\n\r\n",
        b"From: =?utf-8?q?Ann=ZZ?= <owner@example.com>\r\nSubject: =?bogus-charset?b?!!!?=\r\n\r\n",
        b"From owner@example.com\r\nnot a header line\r\n\tcontinuation\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=\r\nFrom: owner@example.com\r\n\r\n--\r\n--\r\n",
        b"From: owner@example.com\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\n\xff\xfe",
        b"From: owner@example.com\r\nContent-Transfer-Encoding: base64\r\nContent-Type: text/html\r\n\r\n!!!==",
        b"From: a@example.com, b@example.com\r\nTo: ann@example.com\r\n\r\n",
    ],
    ids=["empty", "binary", "garbled", "bad-encoded-words", "no-headers", "no-boundary", "bad-charset",
         "bad-base64", "two-froms"],
)  # fmt: skip
def test_malformed_messages_are_read_as_far_as_they_go_and_never_raise(raw: bytes) -> None:
    read = read_message(raw)
    message = sent_message(read, received_at=RECEIVED, zone=BERLIN, mail_domain=DOMAIN)
    assert isinstance(message.recipients, tuple)
    assert read.sender in {None, "owner@example.com"}
    if raw.startswith(b"From: a@example.com, b@"):
        # A message from two people is nobody's to log
        assert read.sender is None


def test_invalid_utf8_in_names_and_subject_keeps_the_addresses_and_stores_only_valid_text() -> None:
    # Given raw Latin-1 bytes where UTF-8 belongs, in the From's name, a recipient's name and the subject
    raw = (
        b"From: Ol\xefve \xff Owner <owner@example.com>\r\n"
        b"To: J\xf6rg M\xfcller <jorg@example.com>, \xe9\xe9 <ann@example.com>\r\n"
        b"Subject: Gr\xfc\xdfe aus K\xf6ln\r\n"
        b"Date: Mon, 5 Jan 2026 17:42:08 +0100\r\n\r\nHallo\r\n"
    )
    read = read_message(raw)
    # Then the addresses are read, and the subject is text that encodes (the bad bytes replaced)
    assert read.sender == "owner@example.com"
    assert read.recipients == ("jorg@example.com", "ann@example.com")
    assert read.subject is not None and "\ufffd" in read.subject
    read.subject.encode("utf-8")


def test_an_address_with_bytes_that_are_not_utf8_is_no_address() -> None:
    read = read_message(b"From: owner@example.com\r\nTo: j\xf6rg@example.com, ann@example.com\r\n\r\n")
    message = sent_message(read, received_at=RECEIVED, zone=BERLIN, mail_domain=DOMAIN)
    assert mail.recipients(message, OWN) == ("ann@example.com",)


def test_five_hundred_recipients_are_all_read_and_the_message_moves_no_clock() -> None:
    to = ", ".join(f"Person {number} <person{number}@example.com>" for number in range(300))
    cc = ", ".join(f"person{number}@example.org" for number in range(200))
    message = _sent(_message(From="owner@example.com", To=to, Cc=cc, Message_ID="<big@example.com>"))
    assert len(message.recipients) == 500
    assert mail.judge(message, OWN, size_limit=25) is Skipped.TOO_MANY_RECIPIENTS


def test_a_huge_message_is_read_from_its_first_bytes_only() -> None:
    # Given a 40 MB message: headers, a text part, then a 40 MB attachment
    message = EmailMessage()
    message["From"] = "Olive Owner <owner@example.com>"
    message["To"] = "Ann Example <ann@example.com>"
    message["Subject"] = "The slides"
    message["Date"] = "Mon, 5 Jan 2026 17:42:08 +0100"
    message["Message-ID"] = "<slides@example.com>"
    message.set_content("The slides are attached.")
    message.add_attachment(b"\x00" * (30 * 1024 * 1024), maintype="application", subtype="pdf", filename="deck.pdf")
    raw = message.as_bytes()
    assert len(raw) > 40_000_000
    # When only the first 256 KB are read (as the ranged GET reads them)
    read = read_message(raw[:HEAD_BYTES])
    # Then the metadata is all there, cut attachment and all
    assert (read.sender, read.recipients, read.message_id) == (
        "owner@example.com",
        ("ann@example.com",),
        "<slides@example.com>",
    )
    assert read.sent_at == datetime(2026, 1, 5, 17, 42, 8, tzinfo=timezone(timedelta(hours=1)))


# -- the address and SES's record -------------------------------------------------------------


def test_a_token_is_lower_case_base32_and_read_back_from_the_address_in_any_case() -> None:
    token = inbound.new_token()
    assert len(token) == 24 and token == token.lower() and token != inbound.new_token()
    address = inbound.address_for(token, DOMAIN)
    assert address == f"log+{token}@{DOMAIN}"
    assert token_of(address.upper(), DOMAIN) == token
    assert token_of(address, "other.example") is None
    assert token_of(f"{token}@{DOMAIN}", DOMAIN) is None
    assert token_of(f"log+{token[:-1]}@{DOMAIN}", DOMAIN) is None
    assert token_of(f"log+{token}1@{DOMAIN}", DOMAIN) is None


def _receipt_event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "inbound-ses.json").read_text(encoding="utf-8"))
    return event


def test_the_receipt_record_names_the_stored_message_its_recipients_and_verdicts() -> None:
    found, unreadable = arrivals(_receipt_event())
    assert unreadable == 0
    (arrival,) = found
    assert arrival.message_id == "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g01"
    assert arrival.recipients == ("log+samplesampleinboundtoken@in.kith.local",)
    assert arrival.received_at == datetime(2026, 1, 5, 17, 42, 9, 312000, tzinfo=UTC)
    assert arrival.verdicts == Verdicts(spf="PASS", dkim="PASS", dmarc="PASS", virus="PASS")


@pytest.mark.parametrize(
    ("verdicts", "refusal"),
    [
        (Verdicts("PASS", "FAIL", "GRAY", "PASS"), None),
        (Verdicts("FAIL", "PASS", "GRAY", "PASS"), None),
        (Verdicts("FAIL", "FAIL", "GRAY", "PASS"), "unauthenticated"),
        (Verdicts("GRAY", "PROCESSING_FAILED", "", "PASS"), "unauthenticated"),
        (Verdicts("PASS", "PASS", "PASS", "FAIL"), "virus"),
        (Verdicts("PASS", "FAIL", "FAIL", "PASS"), "dmarc_failed"),
    ],
)
def test_spf_or_dkim_must_pass_with_no_virus_and_no_failed_dmarc(verdicts: Verdicts, refusal: str | None) -> None:
    assert verdicts.refusal() == refusal


def test_records_that_are_not_ses_receipts_are_counted_unreadable() -> None:
    good = _receipt_event()["Records"][0]
    forged_key = json.loads(json.dumps(good))
    forged_key["ses"]["mail"]["messageId"] = "../other/object"
    not_ses = {**good, "eventSource": "aws:sqs"}
    found, unreadable = arrivals({"Records": [good, forged_key, not_ses, {"ses": None}, "text"]})
    assert (len(found), unreadable) == (1, 4)
    assert arrivals({"nothing": True}) == ([], 1)


@pytest.mark.parametrize(
    "date",
    ["Wed, 1 Jan 1000 00:30:00 +0100", "Fri, 31 Dec 9999 23:30:00 -0100", "Thu, 1 Jan 1970 00:00:00 +0000"],
)
def test_a_date_outside_what_kith_keeps_or_after_arrival_is_when_ses_received_it(date: str) -> None:
    message = _sent(_message(From="owner@example.com", To="ann@example.com", Date=date))
    expected = datetime(1970, 1, 1, tzinfo=UTC) if date.endswith("1970 00:00:00 +0000") else RECEIVED
    assert message.sent_at == expected


def test_a_forwarded_date_out_of_range_falls_back_on_the_forwards_own() -> None:
    raw = (FIXTURES / "gmail-forward.eml").read_bytes().replace(b"Jan 5, 2026 at", b"Jan 5, 0001 at")
    assert _sent(raw).sent_at == datetime(2026, 1, 6, 7, 30, 12, tzinfo=UTC)
    future = (FIXTURES / "gmail-forward.eml").read_bytes().replace(b"Jan 5, 2026 at", b"Jan 5, 2126 at")
    assert _sent(future).sent_at == RECEIVED
