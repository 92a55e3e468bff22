"""GET /v1/export answers in one Lambda response, which carries at most 6 MB: what 5,000 contacts weigh.

Measured on realistic contacts (names with accents, one or two addresses, most with a LinkedIn
profile, company and title, some tags and a goal, notes on six in ten, a few of them long), as
the handler writes the document (compact JSON) inside the response Lambda returns for API Gateway.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
from datetime import UTC, date, datetime, timedelta

from kith.api_models import ExportOut
from kith.domain.models import (
    Attendee,
    Circle,
    Contact,
    EmailKind,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Owner,
    SentEmail,
)
from kith.usecases.export import OwnerExport

LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Émilie", "Farah", "Giulia", "Hiroshi", "Inês", "Jonas", "Kateřina", "Søren"]
LAST = ["Lima", "Okafor", "Müller", "Dubois", "Nakamura", "García", "Kowalski", "O'Brien", "Van der Berg", "Ng"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Health", "Hooli", "Pied Piper", "Vandelay Industries"]
TITLES = ["VP Engineering", "Product Manager", "Founder & CEO", "Senior Software Engineer", "Head of Partnerships"]
TAGS = ["investor", "climbing", "berlin", "conference-2025", "alumni", "hiring", "ml", "mentor", "board"]
GOALS = ["mentorship", "job search", "partnerships", "industry insight"]
PROSE = (
    "met at the conference talked about hiring plans and their new product launch wants an intro to our "
    "team lead follow up in spring about the partnership two kids dog named Pixel prefers email over calls"
)
WORDS = PROSE.split()


def _notes(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.4:
        return None
    words = rng.randint(8, 60) if roll < 0.95 else rng.randint(150, 400)
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _contacts(count: int, rng: random.Random) -> list[Contact]:
    contacts = []
    for number in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = f"{first}.{number}".encode("ascii", "ignore").decode().lower()
        domains = rng.sample(["example.com", "mail.example.org", "corp.example.net"], rng.choice([1, 1, 1, 2]))
        circle = rng.choice([Circle.INNER, Circle.CORE, Circle.CORE, Circle.WIDER, Circle.WIDER, Circle.CUSTOM])
        contacts.append(
            Contact(
                contact_id=f"{rng.getrandbits(128):032x}",
                owner_id="owner-1",
                name=f"{first} {last}",
                emails=tuple(f"{handle}@{domain}" for domain in domains),
                linkedin_url=f"https://www.linkedin.com/in/{handle.replace('.', '-')}" if rng.random() < 0.7 else None,
                company=rng.choice(COMPANIES) if rng.random() < 0.8 else None,
                title=rng.choice(TITLES) if rng.random() < 0.7 else None,
                circle=circle,
                cadence_days=rng.randint(10, 400) if circle is Circle.CUSTOM else None,
                goal=rng.choice(GOALS) if rng.random() < 0.2 else None,
                tags=tuple(rng.sample(TAGS, rng.choice([0, 0, 1, 2, 3]))),
                notes=_notes(rng),
                added_at=NOW - timedelta(days=400),
                first_due_on=date(2026, 12, rng.randint(1, 28)) if rng.random() < 0.5 else None,
                last_interaction_at=NOW - timedelta(days=rng.randint(1, 700)) if rng.random() < 0.7 else None,
                last_interaction_title="Coffee" if rng.random() < 0.5 else None,
                version=rng.randint(1, 9),
            )
        )
    return contacts


def _meetings(count: int, contacts: list[Contact], rng: random.Random) -> tuple[list[Interaction], list[FollowUp]]:
    interactions, follow_ups = [], []
    for _ in range(count):
        met = tuple(rng.choice(contacts).contact_id for _ in range(rng.choice([1, 1, 2, 3])))
        start = NOW - timedelta(days=rng.randint(0, 700))
        interaction_id = f"{rng.getrandbits(104):026x}"
        title = "Coffee about the roadmap"
        interactions.append(
            Interaction(
                interaction_id=interaction_id,
                owner_id="owner-1",
                contact_ids=met,
                start=start,
                end=start + timedelta(minutes=30),
                title=title,
                source="google",
                external_id=f"{rng.getrandbits(80):020x}",
                ical_uid=f"{rng.getrandbits(128):032x}@google.com",
                recorded_at=start,
            )
        )
        strangers = (Attendee(email="guest@example.com", name="A Guest"),) if rng.random() < 0.2 else ()
        follow_ups.append(
            FollowUp(
                owner_id="owner-1",
                interaction_id=interaction_id,
                due_at=start + timedelta(hours=1),
                status=FollowUpStatus.SENT,
                contact_ids=met,
                new_attendees=strangers,
                title=title,
                meeting_end=start + timedelta(minutes=30),
            )
        )
    return interactions, follow_ups


def _export(contacts: int, meetings: int) -> OwnerExport:
    rng = random.Random(5000)
    people = _contacts(contacts, rng)
    interactions, follow_ups = _meetings(meetings, people, rng)
    sent = [
        SentEmail(
            owner_id="owner-1",
            email_key=f"digest#{week}",
            kind=EmailKind.DIGEST,
            recipient="owner@example.com",
            subject="5 people to reconnect with this week",
            sent_at=NOW - timedelta(weeks=week),
            message_id=f"{rng.getrandbits(128):032x}",
        )
        for week in range(104)
    ]
    owner = Owner(owner_id="owner-1", email="owner@example.com", name="Olive Owner", created_at=NOW)
    return OwnerExport(
        owner=owner,
        goals=(),
        contacts=sorted(people, key=lambda contact: contact.name),
        interactions=interactions,
        follow_ups=follow_ups,
        connections=[],
        sent=sent,
    )


def _lambda_response(body: str | bytes) -> int:
    """Bytes of the response the function returns (python3.12+ runtimes write it as UTF-8, unescaped)."""
    encoded = isinstance(body, bytes)
    response = {
        "statusCode": 200,
        "body": base64.b64encode(body).decode() if isinstance(body, bytes) else body,
        "isBase64Encoded": encoded,
        "headers": {"Content-Type": "application/json", **({"Content-Encoding": "gzip"} if encoded else {})},
    }
    return len(json.dumps(response, ensure_ascii=False).encode())


def test_the_export_of_5000_realistic_contacts_fits_in_one_lambda_response() -> None:
    # Given an owner with 5,000 contacts and two years of weekly digests
    body = ExportOut.of(_export(5000, 0), NOW).model_dump_json()
    # When it is written as GET /v1/export writes it
    size = _lambda_response(body)
    # Then the response is about 3.6 MB: inside Lambda's 6 MB, with room to spare
    assert 3_000_000 < size < 4_500_000 < LAMBDA_RESPONSE_LIMIT
    assert json.loads(body)["contacts"][0]["name"]


def test_with_5000_meetings_as_well_the_gzipped_export_fits() -> None:
    # Given the same owner with 5,000 meetings recorded (each an interaction and a follow-up): about
    # 7.4 MB as plain JSON, over the limit (2,000 meetings are about 5.2 MB)
    body = ExportOut.of(_export(5000, 5000), NOW).model_dump_json()
    # When the client accepts gzip, as the route offers, Then the response is about 1.7 MB
    assert _lambda_response(gzip.compress(body.encode())) < LAMBDA_RESPONSE_LIMIT / 3
