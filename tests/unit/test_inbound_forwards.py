"""A forward to Kith logs the original sender on the original date, as Gmail, Outlook and Apple Mail write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from kith.domain.mail import MailSource, SentMessage
from kith.mail import forwards
from kith.mail.inbound import read_message, sent_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inbound"
BERLIN = ZoneInfo("Europe/Berlin")
RECEIVED = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
DOMAIN = "in.kith.local"


def _sent(name: str, zone: ZoneInfo = BERLIN) -> SentMessage:
    return sent_message(
        read_message((FIXTURES / name).read_bytes()), received_at=RECEIVED, zone=zone, mail_domain=DOMAIN
    )


@pytest.mark.parametrize(
    ("fixture", "original", "sent_at", "subject"),
    [
        # Gmail writes the date without a zone, in the zone it ran in: the owner's (Berlin, UTC+1 in January)
        ("gmail-forward.eml", "ann@example.com", datetime(2026, 1, 5, 8, 14, tzinfo=UTC), "Lunch next week?"),
        # Outlook's Sent: line has no zone either
        ("outlook-forward.eml", "ben@example.com", datetime(2026, 1, 5, 8, 14, tzinfo=UTC), "Quarterly numbers"),
        # Apple Mail names the zone (GMT)
        ("apple-mail-forward.eml", "cy@example.com", datetime(2026, 1, 5, 9, 14, tzinfo=UTC), "Climbing on Saturday"),
    ],
)
def test_a_forward_names_the_original_sender_and_date(
    fixture: str, original: str, sent_at: datetime, subject: str
) -> None:
    # Given a message the owner forwarded to their Kith address from a major client
    # When it is read as sent mail
    message = _sent(fixture)
    # Then the owner sent it, to the original sender, on the original's date, with the original's subject
    assert message.source is MailSource.BCC and message.from_sent_folder is False
    assert message.sender == "owner@example.com"
    assert message.recipients == (original,)
    assert message.sent_at == sent_at
    assert message.subject == subject
    assert message.message_id is not None and message.message_id.startswith("<")


def test_a_zoneless_forwarded_date_is_read_in_the_owners_zone() -> None:
    # Given the same Gmail forward read for an owner in New York
    message = _sent("gmail-forward.eml", ZoneInfo("America/New_York"))
    # Then 9:14 AM is New York's 9:14 (UTC-5 in January)
    assert message.sent_at == datetime(2026, 1, 5, 14, 14, tzinfo=UTC)


def test_an_html_only_outlook_forward_is_read_from_its_html() -> None:
    # Given Outlook's forward with its plain part taken out (HTML only, as some Outlook set-ups send)
    raw = (FIXTURES / "outlook-forward.eml").read_bytes()
    boundary = b"--_000_AM9PR07MB7123A1B2C3D4E5F60718293A4B5CAM9PR07MB7123eurp_"
    head, _plain, html, tail = raw.split(boundary)
    read = read_message(boundary.join([head, html, tail]))
    # Then the forwarded block is found in the HTML's text
    assert read.forwarded == forwards.Forwarded(
        "ben@example.com", "Monday, January 5, 2026 9:14 AM", "Quarterly numbers"
    )


def test_a_forward_with_an_unreadable_date_counts_on_the_forwards_own_date() -> None:
    raw = (
        (FIXTURES / "gmail-forward.eml")
        .read_bytes()
        .replace(b"Date: Mon, Jan 5, 2026 at 9:14=E2=80=AFAM", b"Date: soon")
    )
    message = sent_message(read_message(raw), received_at=RECEIVED, zone=BERLIN, mail_domain=DOMAIN)
    assert message.recipients == ("ann@example.com",)
    assert message.sent_at == datetime(2026, 1, 6, 8, 30, 12, tzinfo=timezone(timedelta(hours=1)))


def test_a_forward_sent_to_someone_else_is_the_owners_message_to_them() -> None:
    # Given the owner forwarded Ann's message on to Dee, with Kith in Bcc (so Kith is not in To or Cc)
    raw = (
        (FIXTURES / "gmail-forward.eml")
        .read_bytes()
        .replace(b"To: log+abcdefghijklmnopqrstuvwx@in.kith.local", b"To: Dee Custom <dee@example.com>")
    )
    message = sent_message(read_message(raw), received_at=RECEIVED, zone=BERLIN, mail_domain=DOMAIN)
    # Then it logs the owner writing to Dee, when the owner wrote
    assert message.recipients == ("dee@example.com",)
    assert message.sent_at == datetime(2026, 1, 6, 7, 30, 12, tzinfo=UTC)


def test_the_older_outlook_block_with_mailto_and_original_message_marker() -> None:
    text = (
        "FYI\n\n-----Original Message-----\nFrom: Ben Builder [mailto:Ben@Example.com]\n"
        "Sent: Monday, January 5, 2026 9:14 PM\nTo: Olive Owner\nSubject: Numbers\n\nBody"
    )
    found = forwards.forwarded_block(text)
    assert found == forwards.Forwarded("ben@example.com", "Monday, January 5, 2026 9:14 PM", "Numbers")
    assert forwards.forwarded_date(found.date, BERLIN) == datetime(2026, 1, 5, 20, 14, tzinfo=UTC)


def test_quoted_and_bold_fields_are_read_and_a_block_without_an_address_names_nobody() -> None:
    quoted = "> Begin forwarded message:\n>\n> *From:* *Cy Wider* <cy@example.com>\n> *Date:* 5 January 2026 at 09:14"
    assert forwards.forwarded_block(quoted) == forwards.Forwarded("cy@example.com", "5 January 2026 at 09:14", None)
    nameless = "---------- Forwarded message ---------\nFrom: Cy Wider\nDate: Mon, Jan 5, 2026 at 9:14 AM\n"
    assert forwards.forwarded_block(nameless) == forwards.Forwarded(None, "Mon, Jan 5, 2026 at 9:14 AM", None)


def test_a_block_without_a_marker_counts_only_when_the_subject_says_forward() -> None:
    text = "see below\n\nFrom: Ann Example <ann@example.com>\nDate: Mon, Jan 5, 2026 at 9:14 AM\n"
    assert forwards.forwarded_block(text) is None
    assert forwards.forwarded_block(text, subject_says=True) == forwards.Forwarded(
        "ann@example.com", "Mon, Jan 5, 2026 at 9:14 AM", None
    )


def test_german_and_french_gmail_blocks_are_read() -> None:
    german = (
        "---------- Weitergeleitete Nachricht ---------\nVon: Ann <ann@example.com>\nDate: Mo., 5. Jan. 2026 um 09:14"
    )
    french = "---------- Message transféré ---------\nDe : Ann <ann@example.com>\nDate: lun. 5 janv. 2026 à 09:14"
    for text in (german, french):
        found = forwards.forwarded_block(text)
        assert found is not None and found.sender == "ann@example.com"
        assert forwards.forwarded_date(found.date, BERLIN) == datetime(2026, 1, 5, 8, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Mon, Jan 5, 2026 at 9:14\u202fAM", datetime(2026, 1, 5, 8, 14, tzinfo=UTC)),
        ("Monday, January 5, 2026 12:05 AM", datetime(2026, 1, 4, 23, 5, tzinfo=UTC)),
        ("Monday, 5 January 2026 21:14", datetime(2026, 1, 5, 20, 14, tzinfo=UTC)),
        ("5 January 2026 at 09:14:00 GMT+1", datetime(2026, 1, 5, 8, 14, tzinfo=UTC)),
        ("January 5, 2026 at 9:14:00 PM PST", datetime(2026, 1, 6, 5, 14, tzinfo=UTC)),
        ("Mon, 05 Jan 2026 09:14:00 -0500", datetime(2026, 1, 5, 14, 14, tzinfo=UTC)),
        ("mar. 6 janv. 2026 à 09:14", datetime(2026, 1, 6, 8, 14, tzinfo=UTC)),
    ],
)
def test_forwarded_dates_as_clients_write_them(written: str, expected: datetime) -> None:
    assert forwards.forwarded_date(written, BERLIN) == expected


@pytest.mark.parametrize("written", ["", "soon", "Monday, January 2026", "31 February 2026 at 09:14", "9:14 AM"])
def test_a_date_that_cannot_be_read_is_none(written: str) -> None:
    assert forwards.forwarded_date(written, BERLIN) is None


@pytest.mark.parametrize(
    ("subject", "says"),
    [("Fwd: Lunch", True), ("FW: Numbers", True), ("WG: Termin", True), ("TR: Réunion", True),
     ("[Fwd: Old]", True), ("Fwd:Re: x", True), ("Forward planning", False), ("Re: Lunch", False), (None, False)],
)  # fmt: skip
def test_forward_subjects(subject: str | None, says: bool) -> None:
    assert forwards.says_forward(subject) is says
