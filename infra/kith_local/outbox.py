"""Writing what SES accepted to outbox/ as .eml and .html files a person can open."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any


@dataclass
class OutboxEntry:
    subject: str
    eml: Path
    html: Path | None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "email"


def write_outbox(messages: list[Any], folder: Path) -> list[OutboxEntry]:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in [*folder.glob("*.eml"), *folder.glob("*.html")]:
        stale.unlink()
    written: list[OutboxEntry] = []
    for index, sent in enumerate(messages, start=1):
        raw = sent.raw_data if isinstance(sent.raw_data, bytes) else str(sent.raw_data).encode()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        subject = " ".join(str(parsed.get("subject", "")).split())  # unfolded, as a mail client shows it
        stem = f"{index:02d}-{_slug(subject)}"
        eml = folder / f"{stem}.eml"
        eml.write_bytes(raw)
        html_part = parsed.get_body(preferencelist=("html",))
        html_path = None
        if html_part is not None:
            html_path = folder / f"{stem}.html"
            html_path.write_text(html_part.get_content(), encoding="utf-8")
        written.append(OutboxEntry(subject, eml, html_path))
    return written
