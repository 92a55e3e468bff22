"""Hostile strings, from where they can enter Kith to the emails it sends.

They enter as an owner's and contacts' names, companies, titles and goals (the API), and as meeting
titles and attendee names (a Cal.com webhook). A digest and a follow-up then go out, and each sent
message is parsed from its raw bytes: the HTML part holds every string escaped and no markup of its own,
the text part holds it as written, and no string adds or breaks a header.

What is refused instead: a name or field longer than the API allows (a 422 naming the field, never a
silent cut), a name, company, title, goal or tag holding a control character or a line break, or a name
with nothing visible in it (a 422 naming the field), invalid UTF-8 and lone surrogates (a 400). A calendar
cannot be refused for its text: control characters in a meeting's title or an attendee's name become spaces.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

import pytest
from kith_local.provider_payloads import calcom_body
from markupsafe import escape

from tests.integration.support import Kith

SUNDAY_NOON = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Monday 09:05 in Berlin: the digest (08:00) and the follow-ups (moved to the working morning, 09:00) are due.
MONDAY_MORNING = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)

# Markup, bidi controls and emoji: kept as written everywhere, escaped in HTML.
HOSTILE = {
    "html": "<b>Cy</b> & \"Co\" 'quoted'",
    "script": "<script>alert('kith')</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "bidi": "Dee \u202eexe.txt\u202c \u2067isolated\u2069 \u200fmark",
    "emoji": "Eve 👩🏽‍💻🎉 🇺🇦",
}
# Control characters and line breaks: refused from the API, made spaces when a calendar sends them.
CONTROL = {
    "crlf": "Ann\r\nBcc: eve@evil.example",
    "lf-header": "Ben\nX-Kith-Injected: yes",
    "nul": "Fay\x00Null",
    "separators": "Gus\u2028line\u2029para\x7fdel\ttab",
}
# Nothing a reader can see: no name at all.
BLANK = {"space": " ", "zero-width": "\u200b", "tab-newline": "\t\n", "empty": ""}
LONG_TITLE = "Quarterly " + "review " * 1428  # 10,006 characters: webhook text has no limit in Kith
LONG_NAME = "N" * 10_000
OWNER_NAME = "Olive <script>x</script> \u202eevil"
# Every header a Kith email carries, and no other.
HEADERS = {
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
}
# Every element and attribute the templates write: a hostile string adds none.
TEMPLATE_TAGS = {"html", "head", "meta", "title", "body", "div", "p", "span", "strong", "a", "ul", "li", "bdi"}
TEMPLATE_ATTRIBUTES = {"lang", "charset", "name", "content", "style", "href"}


def as_sent(text: str) -> str:
    """MIME text has one line ending: a CRLF inside a string arrives as LF."""
    return text.replace("\r\n", "\n")


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def markup_in(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


def sent_messages(kith: Kith) -> list[tuple[str, EmailMessage]]:
    """Each sent email as raw text and parsed."""
    messages = []
    for sent in kith.sent():
        raw = sent.raw_data if isinstance(sent.raw_data, str) else sent.raw_data.decode()
        messages.append((raw, email.message_from_string(raw, policy=email.policy.default)))
    return messages


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def assert_headers_are_kiths_own(raw: str, message: EmailMessage) -> None:
    # Only Kith's headers, each once; Subject and the owner's display name on one logical line, without NUL
    assert sorted(message.keys()) == sorted(HEADERS)
    head = raw.split("\n\n", 1)[0]
    names = [line.split(":", 1)[0] for line in head.split("\n") if line and not line[0].isspace()]
    assert sorted(names) == sorted(HEADERS)
    for value in (str(message["Subject"]), message["To"].addresses[0].display_name):
        assert not re.search(r"[\r\n\x00]", value), repr(value)
    assert message["To"].addresses[0].addr_spec == "owner@example.com"
    # And RFC 8058's header as receivers read it: the URL itself, not encoded words
    (unsubscribe,) = re.findall(r"^List-Unsubscribe: (.*)$", head, re.MULTILINE)
    assert re.fullmatch(r"<https://\S+>", unsubscribe), unsubscribe


def assert_html_escapes(html: str, strings: list[str]) -> None:
    # No element or attribute the templates do not write, no script; each string present only escaped
    markup = markup_in(html)
    assert markup.tags <= TEMPLATE_TAGS, markup.tags - TEMPLATE_TAGS
    assert markup.attributes <= TEMPLATE_ATTRIBUTES, markup.attributes - TEMPLATE_ATTRIBUTES
    assert "<script" not in html.lower()
    for text in strings:
        assert str(escape(as_sent(text))) in html, text[:60]
        if "<" in text:
            assert as_sent(text) not in html, text[:60]


def assert_text_carries(text_part: str, strings: list[str]) -> None:
    for text in strings:
        assert as_sent(text) in text_part, text[:60]


def one_line(text: str) -> str:
    """What Kith keeps of a calendar's text: each control character or line break a space, spaces folded."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text).split())


@pytest.fixture
def owner(kith: Kith) -> dict[str, Any]:
    kith.clock.set(SUNDAY_NOON)
    return kith.create_owner(
        name=OWNER_NAME, digest_weekdays=[0], digest_hour=8, digest_limit=50, meeting_size_limit=50
    )


def test_hostile_names_companies_titles_and_goals_reach_the_digest_escaped_in_html_and_intact_in_text(
    kith: Kith, owner: dict[str, Any]
) -> None:
    # Given a due contact for each hostile string, carrying it as name, company, title, goal and notes
    for key, text in HOSTILE.items():
        created = kith.create_contact(
            text,
            f"{key}@example.com",
            company=text,
            title=text,
            goal=text,
            notes=text,
            circle="inner",
            last_interaction_at="2026-09-01T12:00:00Z",
        )
        # Then the API keeps each one exactly as given
        assert [created[field] for field in ("name", "company", "title", "goal", "notes")] == [text] * 5
    # And a due contact whose last meeting (from Cal.com, in September) had a hostile, 10,000-character title
    kith.create_contact("Hal", "hal@example.com", circle="inner")
    connection = kith.connect()
    title = " ".join(HOSTILE.values()) + " " + LONG_TITLE
    september = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    booking = calcom_body(
        "BOOKING_CREATED", "bk-sept", september, [("Hal", "hal@example.com")], title=title, created_at=SUNDAY_NOON
    )
    assert kith.webhook(connection, booking)[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # When the digest goes out on Monday morning
    assert kith.tick(MONDAY_MORNING)["digests_queued"] == 1
    assert kith.send_mail() == {"batchItemFailures": []}
    messages = sent_messages(kith)
    # Then no string added a header to any email sent (the digest, and Hal's follow-up), Subject and To are clean
    for raw, message in messages:
        assert_headers_are_kiths_own(raw, message)
    ((_, digest),) = [(raw, message) for raw, message in messages if "reconnect" in str(message["Subject"])]
    text_part, html_part = parts(digest)
    # And the HTML holds every name, company, title, goal and the meeting title escaped, and no markup of its own
    assert_html_escapes(html_part, [*HOSTILE.values(), OWNER_NAME, one_line(title)])
    # And the text part holds names, companies, goals and the meeting title as written (the title whole)
    assert_text_carries(text_part, [*HOSTILE.values(), OWNER_NAME, one_line(title)])


def test_hostile_meeting_titles_and_attendee_names_reach_the_follow_up_escaped_in_html_and_intact_in_text(
    kith: Kith, owner: dict[str, Any]
) -> None:
    # Given a contact, and a Cal.com booking that ended this morning with a hostile, 10,000-character title,
    # the contact, and one stranger for each hostile attendee name (and one with a 10,000-character name)
    kith.create_contact("Kim", "kim@example.com")
    connection = kith.connect()
    title = " ".join([*CONTROL.values(), *HOSTILE.values()]) + " " + LONG_TITLE
    hostile = {**CONTROL, **HOSTILE}
    strangers = [(text, f"s-{key}@example.org") for key, text in hostile.items()] + [(LONG_NAME, "long@example.org")]
    attendees = [("Kim", "kim@example.com"), *strangers]
    booking = calcom_body("BOOKING_CREATED", "bk-hostile", SUNDAY_NOON - timedelta(hours=3), attendees, title=title)
    assert kith.webhook(connection, booking)[0] == 202
    assert kith.process_meetings() == {"batchItemFailures": []}
    # When the follow-up goes out on Monday's working morning
    assert kith.tick(MONDAY_MORNING)["follow_ups_queued"] == 1
    assert kith.send_mail() == {"batchItemFailures": []}
    ((raw, follow_up),) = sent_messages(kith)
    text_part, html_part = parts(follow_up)
    # Then no string added a header; the Subject is one line of at most 150 characters, control characters as spaces
    assert_headers_are_kiths_own(raw, follow_up)
    subject = str(follow_up["Subject"])
    assert subject.startswith(
        "Follow up with Kim after “Ann Bcc: eve@evil.example Ben X-Kith-Injected: yes Fay Null Gus line para del tab"
    )
    assert len(subject) == 150 and subject.endswith("…")
    # And the HTML holds the title and every stranger's name escaped, and no markup of its own
    names = [one_line(name) for name, _ in strangers]
    assert_html_escapes(html_part, [OWNER_NAME, one_line(title), *names])
    # And the text part holds the title and every name, control characters made spaces, the long ones whole
    assert_text_carries(text_part, [OWNER_NAME, one_line(title), *names])
    assert not re.search(r"[\x00\x7f\u2028\u2029]", text_part)


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 200), ("company", 200), ("title", 200), ("goal", 100), ("notes", 5000)],
)
def test_a_field_longer_than_the_api_allows_is_refused_not_cut(
    kith: Kith, owner: dict[str, Any], field: str, limit: int
) -> None:
    # Given a contact whose field is at its limit, in emoji (one character, four bytes, each)
    at_limit = "👩" * limit
    body = {"name": "Lee", field: at_limit}
    # When it is added, Then it is kept whole
    status, created = kith.http("POST", "/v1/contacts", body)
    assert status == 201 and created[field] == at_limit
    # When the same field is 10,000 characters long
    status, answer = kith.http("POST", "/v1/contacts", {**body, "name": "Mo", field: "x" * 10_000})
    # Then it is refused naming the field, and nothing was added, cut or otherwise
    assert status == 422 and answer["error"].startswith(f"{field}:"), answer
    assert [c["contact_id"] for c in kith.http("GET", "/v1/contacts")[1]["contacts"]] == [created["contact_id"]]


def test_a_name_longer_than_the_api_allows_is_refused_for_the_owner_and_in_a_patch(
    kith: Kith, owner: dict[str, Any]
) -> None:
    # Given a contact, When the owner's or the contact's name is set to 10,000 characters
    contact = kith.create_contact("Kim", "kim@example.com")
    renamed = kith.http("PUT", "/v1/owner", {"email": "owner@example.com", "name": LONG_NAME})
    patched = kith.http("PATCH", f"/v1/contacts/{contact['contact_id']}", {"name": LONG_NAME})
    # Then both are refused naming the name, and both names stay as they were
    for status, answer in (renamed, patched):
        assert status == 422 and answer["error"].startswith("name:"), answer
    assert kith.http("GET", "/v1/owner")[1]["name"] == OWNER_NAME
    assert kith.http("GET", f"/v1/contacts/{contact['contact_id']}")[1]["name"] == "Kim"


@pytest.mark.parametrize("field", ["name", "company", "goal", "notes"])
def test_a_lone_surrogate_in_a_contact_field_is_a_400(kith: Kith, owner: dict[str, Any], field: str) -> None:
    # Given a contact body whose field holds half a UTF-16 surrogate pair (valid JSON text, no character)
    fields = {"name": "Lee", field: "Lee \\ud83d"}
    body = "{" + ", ".join(f'"{key}": "{value}"' for key, value in fields.items()) + "}"
    # When it is POSTed, Then it is refused as unreadable JSON, and nothing is added
    status, answer = kith.http("POST", "/v1/contacts", raw=body.encode())
    assert status == 400 and answer["error"].startswith("body is not valid JSON: a string holds a lone surrogate")
    assert kith.http("GET", "/v1/contacts")[1]["contacts"] == []


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda body: body.replace(b"Coffee", b"Caf\xe9"),  # Latin-1, not UTF-8
        lambda body: body.replace(b"Coffee", b"Caf\xed\xa0\x80"),  # a surrogate encoded as if it were UTF-8
        lambda body: body.replace(b"Coffee", b"Caf\\udc80"),  # a lone surrogate escape
        lambda body: body.replace(b'"Kim"', b'"K\\ud800im"'),
    ],
    ids=["latin-1-title", "encoded-surrogate-title", "surrogate-escape-title", "surrogate-escape-name"],
)
def test_a_webhook_title_or_name_that_is_not_unicode_is_a_400_and_nothing_is_queued(
    kith: Kith, owner: dict[str, Any], corrupt: Any
) -> None:
    # Given a Cal.com booking whose title or attendee name is not Unicode text, correctly signed
    connection = kith.connect()
    body = corrupt(calcom_body("BOOKING_CREATED", "bk-bytes", SUNDAY_NOON, [("Kim", "kim@example.com")]))
    # When it arrives, Then it is refused at once as unreadable JSON, and nothing is queued
    status, answer = kith.webhook(connection, body)
    assert status == 400 and answer["error"].startswith("body is not valid JSON"), answer
    assert kith.receive("MeetingQueue") == []


def test_every_hostile_string_round_trips_through_the_api_export(kith: Kith, owner: dict[str, Any]) -> None:
    # Given a contact per hostile string
    for key, text in HOSTILE.items():
        kith.create_contact(text, f"{key}@example.com", company=text, notes=text + "\n" + CONTROL["separators"][:-8])
    # When everything is exported, Then each comes back exactly as given
    status, exported = kith.http("GET", "/v1/export")
    assert status == 200
    document = exported if isinstance(exported, dict) else json.loads(exported)
    held = {(c["name"], c["company"], c["notes"]) for c in document["contacts"]}
    assert held == {(text, text, text + "\n" + CONTROL["separators"][:-8]) for text in HOSTILE.values()}


@pytest.mark.parametrize("text", CONTROL.values(), ids=CONTROL.keys())
@pytest.mark.parametrize("field", ["name", "company", "title", "goal"])
def test_a_control_character_or_line_break_in_a_one_line_field_is_a_422(
    kith: Kith, owner: dict[str, Any], field: str, text: str
) -> None:
    # Given a contact body whose one-line field holds a control character or a line break (NUL, CR, LF, DEL...)
    body = {"name": "Lee", field: text}
    # When it is added, Then it is refused naming the field, and nothing is added
    status, answer = kith.http("POST", "/v1/contacts", body)
    assert status == 422 and answer["error"].startswith(f"{field}:") and "control character" in answer["error"]
    assert kith.http("GET", "/v1/contacts")[1]["contacts"] == []


def test_notes_keep_their_lines_but_not_other_control_characters(kith: Kith, owner: dict[str, Any]) -> None:
    # Given notes over several lines, with a tab, When added, Then they are kept as written
    status, created = kith.http("POST", "/v1/contacts", {"name": "Lee", "notes": "Met at PyCon.\r\n\tLikes tea."})
    assert status == 201 and created["notes"] == "Met at PyCon.\r\n\tLikes tea."
    # And notes holding NUL are refused naming the field
    status, answer = kith.http("POST", "/v1/contacts", {"name": "Mo", "notes": "Fay\x00Null"})
    assert status == 422 and answer["error"].startswith("notes:")


@pytest.mark.parametrize("blank", BLANK.values(), ids=BLANK.keys())
def test_a_name_with_nothing_visible_is_refused_for_a_contact_an_owner_and_in_a_patch(
    kith: Kith, owner: dict[str, Any], blank: str
) -> None:
    # Given a contact, When a contact is added, the owner renamed, or the contact renamed to a blank name
    contact = kith.create_contact("Kim", "kim@example.com")
    added = kith.http("POST", "/v1/contacts", {"name": blank})
    renamed = kith.http("PUT", "/v1/owner", {"email": "owner@example.com", "name": blank})
    patched = kith.http("PATCH", f"/v1/contacts/{contact['contact_id']}", {"name": blank})
    # Then each is refused naming the name, and nothing changed
    for status, answer in (added, renamed, patched):
        assert status == 422 and answer["error"].startswith("name:"), answer
    assert kith.http("GET", "/v1/owner")[1]["name"] == OWNER_NAME
    assert [c["name"] for c in kith.http("GET", "/v1/contacts")[1]["contacts"]] == ["Kim"]


def test_an_owner_name_with_a_line_break_is_refused_and_never_reaches_a_header(
    kith: Kith, owner: dict[str, Any]
) -> None:
    # Given an owner, When the name is changed to one that tries to add a header
    status, answer = kith.http("PUT", "/v1/owner", {"email": "owner@example.com", "name": CONTROL["crlf"]})
    # Then it is refused naming the field, and the name stays
    assert status == 422 and answer["error"].startswith("name:")
    assert kith.http("GET", "/v1/owner")[1]["name"] == OWNER_NAME


def test_names_are_kept_without_the_spaces_around_them(kith: Kith, owner: dict[str, Any]) -> None:
    # Given a name typed with spaces around it, When added, Then it is kept without them
    status, created = kith.http("POST", "/v1/contacts", {"name": "  Ada Lovelace "})
    assert status == 201 and created["name"] == "Ada Lovelace"
