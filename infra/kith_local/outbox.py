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


class Outbox:
    """A folder of the emails SES accepted, numbered in the order they were sent."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: list[OutboxEntry] = []

    def empty(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in [*self.folder.glob("*.eml"), *self.folder.glob("*.html")]:
            stale.unlink()
        self.entries = []

    def catch_up(self, messages: list[Any]) -> list[OutboxEntry]:
        """Write the messages not written yet: SES's sent messages only grow, in sending order."""
        written = [
            self._write(index, sent) for index, sent in enumerate(messages, start=1) if index > len(self.entries)
        ]
        self.entries.extend(written)
        return written

    def _write(self, index: int, sent: Any) -> OutboxEntry:
        raw = sent.raw_data if isinstance(sent.raw_data, bytes) else str(sent.raw_data).encode()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        subject = " ".join(str(parsed.get("subject", "")).split())  # unfolded, as a mail client shows it
        stem = f"{index:02d}-{_slug(subject)}"
        self.folder.mkdir(parents=True, exist_ok=True)
        eml = self.folder / f"{stem}.eml"
        eml.write_bytes(raw)
        html_part = parsed.get_body(preferencelist=("html",))
        html_path = None
        if html_part is not None:
            html_path = self.folder / f"{stem}.html"
            html_path.write_text(html_part.get_content(), encoding="utf-8")
        return OutboxEntry(subject, eml, html_path)


def write_outbox(messages: list[Any], folder: Path) -> list[OutboxEntry]:
    """The folder emptied, then every message written to it."""
    outbox = Outbox(folder)
    outbox.empty()
    return outbox.catch_up(messages)
