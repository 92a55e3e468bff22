"""The demo's last scene: the owner acts on their emails with one click, over the local API's HTTP."""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from kith_local.harness import LocalKith

_LINE = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z0-9 ]*): (?P<url>https?://\S+/a/\S+)$", re.MULTILINE)
ONE_CLICK = b"List-Unsubscribe=One-Click"


@dataclass
class Click:
    what: str
    method: str
    status: int
    said: str


def _parsed(sent: list[Any]) -> list[EmailMessage]:
    return [email.message_from_string(message.raw_data, policy=email.policy.default) for message in sent]


def _link(message: EmailMessage, label: str) -> str | None:
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content() if part is not None else ""
    return next((match["url"] for match in _LINE.finditer(text) if match["label"].strip() == label), None)


def _said(page: Any) -> str:
    """The sentence a result page shows."""
    found = re.search(r"<p style=\"font-size:16px;\">(.*?)</p>", str(page), re.DOTALL)
    return html.unescape(found.group(1).strip()) if found else ""


FORM = "application/x-www-form-urlencoded"


def click_through(kith: LocalKith, sent: list[Any]) -> list[Click]:
    """Snooze the first person of the first digest, add a stranger from a follow-up, then unsubscribe."""
    messages = _parsed(sent)
    clicks: list[Click] = []

    def click(what: str, method: str, url: str, form: bytes = b"") -> None:
        path = url.split("://", 1)[1].partition("/")[2]
        result = kith.request(method, "/" + path, raw=form, headers={"content-type": FORM})
        clicks.append(Click(what, method, result.status, _said(result.body)))

    digest = next((m for m in messages if "reconnect" in str(m["Subject"])), None)
    snooze = _link(digest, "Snooze 14 days") if digest is not None else None
    if snooze:
        click("snooze (a mail scanner's fetch)", "GET", snooze)
        click("snooze", "POST", snooze)
        click("snooze, clicked again", "POST", snooze)
    add = next((url for m in messages if (url := _link(m, "Add to Kith"))), None)
    if add:
        click("add an attendee as a contact", "POST", add, b"circle=core")
    last = messages[-1] if messages else None
    if last is not None and last["List-Unsubscribe"]:
        unsubscribe = str(last["List-Unsubscribe"]).strip("<>")
        click("one-click unsubscribe (RFC 8058)", "POST", unsubscribe, ONE_CLICK)
    return clicks
