"""Email as keeping in touch, as the rules read (PRODUCT.md §12): whose mail counts, for whom, once, on which day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from kith.domain import identities
from kith.domain.mail import (
    Counted,
    MailSource,
    SentMessage,
    Skipped,
    address,
    email_interaction_id,
    is_auto_submitted,
    judge,
    local_day,
    message_key,
    own_addresses,
    owner_sent,
    recipients,
)

from .builders import utc

OWN = own_addresses(["olivia@example.com", "olivia@work.example"])
SENT = utc(2026, 3, 10, 9, 30)
LIMIT = 8


def _message(*to: str, **fields: object) -> SentMessage:
    values: dict[str, object] = {
        "source": MailSource.BCC,
        "message_id": "<m-1@mail.example>",
        "sent_at": SENT,
        "sender": "olivia@example.com",
        "recipients": to or ("ana@example.com",),
    }
    values.update(fields)
    return SentMessage(**values)  # type: ignore[arg-type]


# -- only mail the owner sent counts ----------------------------------------------------------------


def test_given_a_message_from_the_sent_folder_when_judged_then_it_is_the_owners_whoever_it_says_it_is_from() -> None:
    message = _message(source=MailSource.GMAIL, sender="someone.else@example.org", from_sent_folder=True)
    assert owner_sent(message, OWN)
    assert judge(message, OWN, LIMIT) == Counted(("ana@example.com",))


@pytest.mark.parametrize(
    "sender", ["olivia@example.com", "Olivia@Example.COM", "  olivia@work.example ", "Olivia <OLIVIA@work.example>"]
)
def test_given_a_bcc_from_one_of_the_owners_addresses_in_any_case_when_judged_then_it_counts(sender: str) -> None:
    assert owner_sent(_message(sender=sender), OWN)
    assert isinstance(judge(_message(sender=sender), OWN, LIMIT), Counted)


@pytest.mark.parametrize("sender", ["mallory@example.org", None, "", "not an address"])
def test_given_a_bcc_from_any_other_sender_when_judged_then_it_is_not_the_owners(sender: str | None) -> None:
    assert judge(_message(sender=sender), OWN, LIMIT) is Skipped.NOT_THE_OWNERS


def test_given_the_owners_addresses_as_typed_when_judged_then_their_case_does_not_matter() -> None:
    # Given own addresses not yet in Kith's form, When a message from one is judged, Then it is still the owner's
    message = _message("ana@example.com", "OLIVIA@example.com", sender="olivia@example.com")
    assert judge(message, {"Olivia@Example.com"}, LIMIT) == Counted(("ana@example.com",))


# -- recipients -------------------------------------------------------------------------------------


def test_recipients_are_matched_whatever_their_case_each_once_in_the_order_written() -> None:
    message = _message("Ana@Example.com", "bo@example.com", "ANA@example.COM", " bo@example.com ")
    assert recipients(message, OWN) == ("ana@example.com", "bo@example.com")


def test_the_owners_own_addresses_are_not_recipients() -> None:
    message = _message("ana@example.com", "Olivia@Example.com", "olivia@work.example")
    assert recipients(message, OWN) == ("ana@example.com",)


def test_what_is_not_an_address_is_dropped_and_a_named_address_is_its_address() -> None:
    message = _message("undisclosed-recipients:;", "", "ana at example", "Bo Berg <BO@example.com>", "cy@example.com")
    assert recipients(message, OWN) == ("bo@example.com", "cy@example.com")


def test_given_a_message_only_to_the_owner_when_judged_then_it_reaches_no_one() -> None:
    assert judge(_message("olivia@example.com", "not an address"), OWN, LIMIT) is Skipped.NO_RECIPIENT


def test_given_as_many_recipients_as_the_size_limit_when_judged_then_it_counts_for_each() -> None:
    to = tuple(f"person{n}@example.com" for n in range(LIMIT))
    assert judge(_message(*to), OWN, LIMIT) == Counted(to)


def test_given_more_recipients_than_the_size_limit_when_judged_then_it_moves_no_clock() -> None:
    to = tuple(f"person{n}@example.com" for n in range(LIMIT + 1))
    assert judge(_message(*to), OWN, LIMIT) is Skipped.TOO_MANY_RECIPIENTS


def test_given_the_owner_and_repeats_among_the_recipients_when_judged_then_only_people_count_toward_the_limit() -> None:
    to = tuple(f"person{n}@example.com" for n in range(LIMIT))
    message = _message(*to, "olivia@example.com", *(name.upper() for name in to))
    assert judge(message, OWN, LIMIT) == Counted(to)


def test_given_a_huge_recipient_list_when_judged_then_it_is_not_read_and_moves_no_clock() -> None:
    to = tuple(f"person{n}@example.com" for n in range(5000))
    assert judge(_message(*to), OWN, 10_000) is Skipped.TOO_MANY_RECIPIENTS


# -- bulk and automated mail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["auto-replied", "auto-generated", "Auto-Notified", "auto-generated; owner-email=x@example.com", "yes"]
)
def test_any_auto_submitted_value_but_no_marks_a_message_no_person_sent(value: str) -> None:
    assert is_auto_submitted(value)


@pytest.mark.parametrize("value", [None, "no", "No", " NO ", "no; reason=person", "no (a person wrote this)", ""])
def test_auto_submitted_no_or_absent_is_a_person_writing(value: str | None) -> None:
    assert not is_auto_submitted(value)


def test_given_an_auto_submitted_message_when_judged_then_it_moves_no_clock() -> None:
    assert judge(_message(auto_submitted=True, from_sent_folder=True), OWN, LIMIT) is Skipped.AUTOMATED


def test_given_a_message_with_list_unsubscribe_when_judged_then_it_is_a_mailing_and_moves_no_clock() -> None:
    assert judge(_message(list_unsubscribe=True, from_sent_folder=True), OWN, LIMIT) is Skipped.MAILING_LIST


# -- one message, one key, wherever it was seen ----------------------------------------------------


@pytest.mark.parametrize(
    "written", ["<m-1@mail.example>", "m-1@mail.example", "  <m-1@mail.example>\r\n", "< m-1@mail.example >"]
)
def test_the_same_message_id_with_or_without_brackets_or_whitespace_is_the_same_message(written: str) -> None:
    gmail = _message(source=MailSource.GMAIL, message_id="<m-1@mail.example>", sent_at=SENT)
    bcc = _message(source=MailSource.BCC, message_id=written, sent_at=SENT + timedelta(minutes=3))
    assert message_key(bcc) == message_key(gmail)


def test_a_different_message_id_is_a_different_message() -> None:
    assert message_key(_message(message_id="<m-2@mail.example>")) != message_key(_message())


def test_the_key_is_a_hash_and_never_the_message_id_itself() -> None:
    key = message_key(_message())
    assert "m-1" not in key and "mail.example" not in key
    assert len(key) == 32 and int(key, 16) >= 0


@pytest.mark.parametrize("missing", [None, "", "   ", "<>", "<" + "x" * 1000 + ">"])
def test_without_a_usable_message_id_the_source_time_and_recipients_name_the_message(missing: str | None) -> None:
    # Given a message without a usable id, When read twice by one source, Then it is one message
    message = _message("Ana@Example.com", "bo@example.com", message_id=missing, source=MailSource.GMAIL)
    again = _message("bo@example.com", "ana@example.com", message_id=missing, source=MailSource.GMAIL)
    assert message_key(again) == message_key(message)
    # And another time, other recipients or another source name another message
    assert message_key(_message("ana@example.com", message_id=missing, source=MailSource.GMAIL)) != message_key(message)
    later = _message(
        "ana@example.com",
        "bo@example.com",
        message_id=missing,
        source=MailSource.GMAIL,
        sent_at=SENT + timedelta(seconds=1),
    )
    assert message_key(later) != message_key(message)
    assert message_key(_message("ana@example.com", "bo@example.com", message_id=missing)) != message_key(message)


def test_without_a_message_id_the_same_moment_in_another_offset_is_the_same_message() -> None:
    paris = SENT.astimezone(ZoneInfo("Europe/Paris"))
    assert message_key(_message(message_id=None, sent_at=paris)) == message_key(_message(message_id=None))


# -- the owner's local day -------------------------------------------------------------------------


def test_the_local_day_is_the_owners_on_either_side_of_their_midnight() -> None:
    zone = ZoneInfo("America/New_York")
    # 04:59 UTC is 23:59 the day before in New York (EST, UTC-5); 05:00 UTC is its midnight
    assert local_day(utc(2026, 1, 6, 4, 59), zone) == date(2026, 1, 5)
    assert local_day(utc(2026, 1, 6, 5, 0), zone) == date(2026, 1, 6)


def test_the_local_day_east_of_utc_runs_ahead_of_the_utc_day() -> None:
    zone = ZoneInfo("Asia/Tokyo")
    assert local_day(utc(2026, 1, 5, 14, 59), zone) == date(2026, 1, 5)
    assert local_day(utc(2026, 1, 5, 15, 0), zone) == date(2026, 1, 6)


def test_a_sent_time_without_an_offset_is_read_as_utc() -> None:
    message = _message(sent_at=datetime(2026, 1, 6, 4, 59))
    assert message.sent_at == utc(2026, 1, 6, 4, 59)
    assert local_day(message.sent_at, ZoneInfo("America/New_York")) == date(2026, 1, 5)


# -- one interaction per contact per local day -----------------------------------------------------

DAY = date(2026, 3, 10)


def test_the_same_contact_on_the_same_day_is_the_same_interaction() -> None:
    assert email_interaction_id("c-ana", DAY) == email_interaction_id("c-ana", date(2026, 3, 10))


def test_another_day_or_another_contact_is_another_interaction() -> None:
    ids = {
        email_interaction_id("c-ana", DAY),
        email_interaction_id("c-ana", DAY + timedelta(days=1)),
        email_interaction_id("c-bo", DAY),
    }
    assert len(ids) == 3


def test_an_email_interactions_id_is_fixed_for_good() -> None:
    # Stored in items and links: the same contact and day must keep naming the same interaction
    assert email_interaction_id("c-ana", DAY) == "09065a4a9d46a5d92cab9be4a9"


@pytest.mark.parametrize(
    ("source", "external_id", "ical_uid"),
    [
        ("email", "c-ana:2026-03-10", None),
        ("email", "c-ana#2026-03-10", None),
        ("google", "c-ana:2026-03-10", None),
        ("google", "evt-1", "email#c-ana#2026-03-10"),
        ("outlook", "email#c-ana#2026-03-10", None),
    ],
)
def test_an_email_interaction_never_has_a_meetings_id(source: str, external_id: str, ical_uid: str | None) -> None:
    assert email_interaction_id("c-ana", DAY) != identities.interaction_id(source, external_id, ical_uid)


def test_address_is_kiths_form_or_none() -> None:
    assert address(" Ana@Example.COM ") == "ana@example.com"
    assert address("Ana <ana@example.com>") == "ana@example.com"
    assert address("Ana <not an address>") is None
    assert address(None) is None
