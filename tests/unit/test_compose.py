"""Digest and follow-up emails: both parts, same words, escaped data (PRODUCT.md §4, §5, §8)."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage

from kith.actions.links import ActionLinks
from kith.actions.tokens import KeyRing, verify
from kith.domain.actions import Action
from kith.domain.models import Attendee, Circle, Contact, Digest, DigestEntry, FollowUp
from kith.mail.compose import compose_digest, compose_follow_up

from .builders import contact, owner, utc

SENDER = "kith@mail.example.com"
SENT_AT = utc(2026, 2, 2, 8)
HOSTILE = '<script>alert(1)</script> Tom & Jerry "Q" O\'Neil'
INJECTION = "Mallory\r\nBcc: evil@x.com"
RTL_NAME = "\u200fنور الهدى\u200f"
RING = KeyRing({"k1": b"k" * 32}, "k1")
BASE = "https://kith.example.com"
LINK = re.compile(r"https://kith\.example\.com/a/[A-Za-z0-9_.-]+")


def _links() -> ActionLinks:
    numbers = iter(range(1000))
    return ActionLinks(BASE, RING, "o-1", SENT_AT, nonce=lambda: f"n{next(numbers)}")


def _entry(person: Contact, overdue: bool = False) -> DigestEntry:
    return DigestEntry(contact=person, due_at=utc(2026, 1, 26), overdue=overdue, score=1.0)


def _digest(*people: Contact, owner_name: str = "Olivia Owner") -> Digest:
    return Digest(owner=owner(name=owner_name), slot=SENT_AT, entries=tuple(_entry(person) for person in people))


def _follow_up(title: str | None = "Coffee at Linden", **extra: object) -> FollowUp:
    return FollowUp(
        owner_id="o-1",
        interaction_id="i-1",
        due_at=utc(2026, 1, 6, 12),
        contact_ids=("c-ana",),
        title=title,
        meeting_end=utc(2026, 1, 6, 11),
        **extra,  # type: ignore[arg-type]
    )


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()  # type: ignore[union-attr]


def _reparsed(message: EmailMessage) -> EmailMessage:
    return email.message_from_bytes(bytes(message), policy=policy.default)  # type: ignore[return-value]


def test_digest_is_multipart_alternative_with_both_parts_naming_the_same_people() -> None:
    # Given a digest of two contacts, one with a goal and last meeting title
    ana = contact(name="Ana Lima", goal="mentorship", last_interaction_at=utc(2025, 12, 1, 15))
    ben = contact(contact_id="c-ben", name="Ben Okafor", company="Acme", last_interaction_title="Intro call")
    # When composed
    message = compose_digest(_digest(ana, ben), SENDER, SENT_AT, _links())
    text, html = _parts(message)
    # Then it is multipart/alternative, plain first, and both parts name both people and the goal
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    for words in ("Ana Lima", "Ben Okafor", "mentorship", "Mon 1 Dec 2025"):
        assert words in text
        assert words in html


def test_digest_headers() -> None:
    # Given a digest, When composed, Then From, To, Date and Message-ID are set for the owner
    message = compose_digest(_digest(contact()), SENDER, SENT_AT, _links())
    assert message["To"].addresses[0].addr_spec == "olivia@example.com"
    assert message["From"].addresses[0].addr_spec == SENDER
    assert message["Message-ID"].endswith("@mail.example.com>")
    assert message["Date"].datetime == SENT_AT


def test_digest_subject_for_one_person() -> None:
    # Given a digest naming one person, When composed, Then the subject names that person
    assert compose_digest(_digest(contact()), SENDER, SENT_AT, _links())["Subject"] == "Time to reconnect with Ana Lima"


def test_digest_subject_for_several_people_says_how_many() -> None:
    # Given a digest of three, When composed, Then the subject gives the count and the first name
    people = [contact(contact_id=f"c{i}", name=name) for i, name in enumerate(["Ana", "Ben", "Cy"])]
    message = compose_digest(_digest(*people), SENDER, SENT_AT, _links())
    assert message["Subject"] == "3 people to reconnect with this week: Ana and 2 more"


def test_html_in_names_is_escaped_in_html_and_intact_in_text() -> None:
    # Given a contact and an owner whose names are full of markup
    message = compose_digest(
        _digest(contact(name=HOSTILE, goal="<b>bold</b>"), owner_name="<i>Olivia</i>"), SENDER, SENT_AT, _links()
    )
    text, html = _parts(message)
    # Then the HTML carries no live tag from user data, only its escaped form
    assert "<script>" not in html and "<b>bold" not in html and "<i>Olivia" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tom &amp; Jerry" in html
    assert "&#34;Q&#34;" in html and "O&#39;Neil" in html
    # And the text says exactly what was typed
    assert HOSTILE in text
    assert "<b>bold</b>" in text and "<i>Olivia</i>" in text


def test_crlf_in_a_contact_name_never_makes_a_header() -> None:
    # Given a contact whose name tries to inject a Bcc header through the subject
    message = compose_digest(_digest(contact(name=INJECTION)), SENDER, SENT_AT, _links())
    # When the message is serialised and read back as a mail server would
    parsed = _reparsed(message)
    # Then there is no Bcc, one recipient, and the subject is one line
    assert parsed["Bcc"] is None
    assert [address.addr_spec for address in parsed["To"].addresses] == ["olivia@example.com"]
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])


def test_crlf_in_the_owner_name_never_breaks_the_to_header() -> None:
    # Given an owner whose display name carries CRLF and a Bcc line
    message = compose_digest(_digest(contact(), owner_name=INJECTION), SENDER, SENT_AT, _links())
    # When serialised and read back
    parsed = _reparsed(message)
    # Then To is still exactly the owner's address and there is no Bcc
    assert parsed["Bcc"] is None
    assert [address.addr_spec for address in parsed["To"].addresses] == ["olivia@example.com"]


def test_next_line_character_in_a_name_is_made_header_safe() -> None:
    # Given a name with U+0085 (what a cp1252 ellipsis becomes when read as latin-1)
    message = compose_digest(_digest(contact(name="Zoë\x85Bcc: evil@x.com")), SENDER, SENT_AT, _links())
    # When serialised and read back, Then there is no Bcc and the email exists at all
    assert _reparsed(message)["Bcc"] is None


def test_right_to_left_marks_survive_in_text() -> None:
    # Given a contact whose name is Arabic wrapped in right-to-left marks
    message = compose_digest(_digest(contact(name=RTL_NAME)), SENDER, SENT_AT, _links())
    text, html = _parts(message)
    # Then both parts keep the name with its marks
    assert RTL_NAME in text
    assert RTL_NAME in html


def test_follow_up_names_attendees_title_and_goal_in_both_parts() -> None:
    # Given a follow-up after "Coffee at Linden" with two contacts and one new attendee
    ana = contact(name="Ana Lima", goal="industry insight")
    ben = contact(contact_id="c-ben", name="Ben Okafor", circle=Circle.INNER)
    follow_up = _follow_up(new_attendees=(Attendee(email="cy@example.com", name="Cy Newman"),))
    # When composed
    message = compose_follow_up(owner(), follow_up, [ana, ben], SENDER, SENT_AT, _links())
    text, html = _parts(message)
    # Then both parts say who was there, the title, the goal and who is not yet a contact
    assert message.get_content_type() == "multipart/alternative"
    for words in ("Ana Lima", "Ben Okafor", "Coffee at Linden", "industry insight", "Cy Newman", "cy@example.com"):
        assert words in text
        assert words in html
    assert message["Subject"] == "Follow up with Ana Lima, Ben Okafor after “Coffee at Linden”"


def test_follow_up_subject_without_title_and_with_many_people() -> None:
    # Given an untitled meeting with four contacts, When composed
    people = [contact(contact_id=f"c{i}", name=name) for i, name in enumerate(["Ana", "Ben", "Cy", "Dee"])]
    message = compose_follow_up(owner(), _follow_up(title=None), people, SENDER, SENT_AT, _links())
    # Then the subject names three and says there were others, with no empty quotes
    assert message["Subject"] == "Follow up with Ana, Ben, Cy and others"


def test_follow_up_escapes_a_hostile_title_and_keeps_it_in_text() -> None:
    # Given a meeting title with markup and a name with CRLF, When composed
    follow_up = _follow_up(title="<img src=x onerror=alert(1)> & co")
    message = compose_follow_up(owner(), follow_up, [contact(name=INJECTION)], SENDER, SENT_AT, _links())
    text, html = _parts(message)
    # Then HTML shows it escaped, text shows it as typed, and no header was added
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; &amp; co" in html
    assert "<img src=x onerror=alert(1)> & co" in text
    assert _reparsed(message)["Bcc"] is None


def _claims(text: str) -> list:
    return [verify(url.rsplit("/", 1)[1], RING, SENT_AT) for url in LINK.findall(text)]


def test_each_digest_contact_gets_done_snooze_and_less_often_links_in_both_parts() -> None:
    # Given a digest of two contacts
    ana, ben = contact(name="Ana Lima"), contact(contact_id="c-ben", name="Ben Okafor")
    # When composed
    text, html = _parts(compose_digest(_digest(ana, ben), SENDER, SENT_AT, _links()))
    # Then both parts carry the same signed links: three per contact, then pause and unsubscribe
    assert LINK.findall(text) == LINK.findall(html)
    claims = [(claim.action, claim.contact_id) for claim in _claims(text)]
    assert claims == [
        (Action.DONE, ana.contact_id),
        (Action.SNOOZE, ana.contact_id),
        (Action.LESS_OFTEN, ana.contact_id),
        (Action.DONE, "c-ben"),
        (Action.SNOOZE, "c-ben"),
        (Action.LESS_OFTEN, "c-ben"),
        (Action.PAUSE, None),
        (Action.UNSUBSCRIBE, None),
    ]
    # And every link is for this owner and lasts 30 days
    assert {(claim.owner_id, claim.expires_at) for claim in _claims(text)} == {("o-1", utc(2026, 3, 4, 8))}


def test_every_email_carries_one_click_unsubscribe_headers_naming_its_footer_link() -> None:
    # Given a digest and a follow-up
    for message in (
        compose_digest(_digest(contact()), SENDER, SENT_AT, _links()),
        compose_follow_up(owner(), _follow_up(), [contact()], SENDER, SENT_AT, _links()),
    ):
        reparsed = _reparsed(message)
        # Then List-Unsubscribe is one HTTPS URL in angle brackets, with the RFC 8058 one-click header
        (url,) = re.fullmatch(r"<(https://[^>]+)>", str(reparsed["List-Unsubscribe"])).groups()  # type: ignore[union-attr]
        assert reparsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert verify(url.rsplit("/", 1)[1], RING, SENT_AT).action is Action.UNSUBSCRIBE
        # And the same URL is the footer's unsubscribe link in both parts
        text, html = _parts(message)
        assert url in text and url in html


def test_follow_up_offers_each_new_attendee_with_an_add_link() -> None:
    # Given a follow-up where two attendees are not contacts
    follow_up = _follow_up(new_attendees=(Attendee(email="zoe@x.com", name="Zoë Quinn"), Attendee(email="sam@y.com")))
    # When composed
    text, html = _parts(compose_follow_up(owner(), follow_up, [contact()], SENDER, SENT_AT, _links()))
    # Then each attendee gets an "Add to Kith" link naming the meeting and the attendee's place
    adds = [claim for claim in _claims(text) if claim.action is Action.ADD_ATTENDEE]
    assert [(claim.interaction_id, claim.attendee) for claim in adds] == [("i-1", 0), ("i-1", 1)]
    assert html.count("Add to Kith") == 2 and "Zoë Quinn" in text


def test_a_subject_is_one_short_line_without_bidi_overrides() -> None:
    # Given a follow-up after a meeting with a 10,000-character title and a name with a right-to-left override
    follow_up = _follow_up(title="Roadmap " * 1250)
    person = contact(name="\u202eevil\u202c Ana")
    # When composed
    message = _reparsed(compose_follow_up(owner(), follow_up, [person], SENDER, SENT_AT, _links()))
    subject = str(message["Subject"])
    # Then the subject is cut to 150 characters with an ellipsis, and carries no bidi override
    assert len(subject) == 150 and subject.endswith("…")
    assert subject.startswith("Follow up with evil Ana after")
    assert not any(mark in subject for mark in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    # And the text part still names the person as written
    text, _ = _parts(message)
    assert "\u202eevil\u202c Ana" in text
