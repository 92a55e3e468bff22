"""`make preview`: a sample digest and follow-up, and every page of the web console, as files to look at.

The same composition the mailer uses, on made-up data that includes the awkward
names real networks have (markup, right-to-left marks, long names). Each email is
written as .eml and .html under preview/, and as a phone-sized .png when a
headless Chromium is installed.

Where Chromium is installed, the console is served by the local stack with the
demo network seeded (demo_seed) and Google and Outlook connected through the fake
providers' consent pages; each page is written to preview/console/ as
<page>-390.png and <page>-1280.png, the whole page. `--readme` also writes the
README's screenshots to docs/screenshots/, each cropped to the window (and made
smaller with pngquant where it is installed).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from kith.actions.links import ActionLinks
from kith.actions.tokens import KeyRing
from kith.domain.digest import rank_due_contacts
from kith.domain.models import Attendee, Circle, Contact, Digest, FollowUp, Owner, OwnerSettings
from kith.mail.compose import compose_digest, compose_follow_up

from kith_local.browser import chromium_path
from kith_local.template import REPOSITORY

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
SENDER = "kith@kith.local"
# Links in a preview are real signed links, under a key that exists only here.
PREVIEW_KEYS = KeyRing({"preview": b"preview-only-key-that-signs-nothing-real"}, "preview")


def _links() -> ActionLinks:
    return ActionLinks("https://kith.example.com", PREVIEW_KEYS, "preview", NOW)


@dataclass
class Rendered:
    name: str
    eml: Path
    html: Path
    png: Path | None


def _owner() -> Owner:
    settings = OwnerSettings(time_zone="Europe/Berlin", digest_weekdays=(0, 3), digest_limit=5)
    return Owner(owner_id="preview", email="ada@example.com", name="Ada Moreau", settings=settings, created_at=NOW)


def _contact(index: int, name: str, circle: Circle, days_ago: int, **fields: object) -> Contact:
    return Contact.model_validate(
        {
            "contact_id": f"c{index}",
            "owner_id": "preview",
            "name": name,
            "emails": [f"contact{index}@example.com"],
            "circle": circle,
            "added_at": NOW - timedelta(days=400),
            "last_interaction_at": NOW - timedelta(days=days_ago),
            **fields,
        }
    )


def sample_contacts() -> list[Contact]:
    return [
        _contact(
            1, "Priya Natarajan", Circle.INNER, 40, company="Lumen", goal="mentorship", last_interaction_title="Coffee"
        ),
        _contact(2, "Jonas Weber", Circle.CORE, 95, company="Fjord Labs", title="CTO"),
        _contact(3, "Zoe <b>Adams</b> & Co", Circle.INNER, 30, company="Quill"),
        _contact(4, "\u202eDavid \u05d3\u05d5\u05d3", Circle.WIDER, 260, goal="industry insight"),
        _contact(
            5,
            "Maximiliane " + "Alexandrowna-" * 4 + "Schmidt",
            Circle.CORE,
            70,
            company="A very long company name GmbH",
        ),
        _contact(6, "Mei Lin", Circle.INNER, 23, goal="job search"),
    ]


def sample_digest_of() -> Digest:
    """The sample owner's digest, before it is composed."""
    owner = _owner()
    return Digest(owner=owner, slot=NOW, entries=rank_due_contacts(sample_contacts(), owner.settings, NOW))


def sample_follow_up_of() -> tuple[Owner, FollowUp, list[Contact]]:
    """The sample follow-up, its owner and the contacts it names, before it is composed."""
    contacts = sample_contacts()[:2]
    follow_up = FollowUp(
        owner_id="preview",
        interaction_id="i1",
        due_at=NOW,
        contact_ids=tuple(contact.contact_id for contact in contacts),
        new_attendees=(Attendee(email="sam@newco.example", name="Sam <Rivera>"),),
        title="Roadmap & budget",
        meeting_end=NOW - timedelta(hours=1),
    )
    return _owner(), follow_up, contacts


def sample_digest() -> EmailMessage:
    return compose_digest(sample_digest_of(), SENDER, NOW, _links())


def sample_follow_up() -> EmailMessage:
    owner, follow_up, contacts = sample_follow_up_of()
    return compose_follow_up(owner, follow_up, contacts, SENDER, NOW, _links())


def _screenshot(chromium: str, html: Path, png: Path) -> bool:
    """A phone-sized screenshot with headless Chromium; False when it could not be taken."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=390,1400",
        f"--screenshot={png}",
        html.as_uri(),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return png.exists()


def render_previews(folder: Path, screenshots: bool = True) -> list[Rendered]:
    folder.mkdir(parents=True, exist_ok=True)
    chromium = chromium_path() if screenshots else None
    rendered: list[Rendered] = []
    for name, message in (("digest", sample_digest()), ("follow-up", sample_follow_up())):
        eml, html = folder / f"{name}.eml", folder / f"{name}.html"
        eml.write_bytes(message.as_bytes())
        body = message.get_body(preferencelist=("html",))
        assert body is not None
        html.write_text(body.get_content(), encoding="utf-8")
        png = folder / f"{name}.png"
        rendered.append(Rendered(name, eml, html, png if chromium and _screenshot(chromium, html, png) else None))
    return rendered


def main(folder: Path = REPOSITORY / "preview", readme: Path | None = None) -> None:
    from kith_local.preview_console import render_console

    for item in render_previews(folder):
        shot = f", {item.png.name}" if item.png else " (no Chromium installed: no screenshot)"
        print(f"{item.name}: {item.html}{shot}")
    shots = render_console(folder / "console", readme)
    if isinstance(shots, str):
        print(f"console: no screenshots ({shots})")
        return
    pages = sorted({shot.page for shot in shots})
    widths = " and ".join(f"{width} px" for width in sorted({shot.width for shot in shots}))
    print(f"console: {len(shots)} screenshots in {folder / 'console'}/ ({', '.join(pages)}; {widths} wide)")
    if readme is not None:
        print(f"README screenshots: {readme}/")
