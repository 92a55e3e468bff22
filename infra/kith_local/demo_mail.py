"""The demo week's mail: messages the owner sends that move their contacts' clocks, and one that must not.

A message BCC'd to the owner's Kith address (SES receiving it, locally), a spoofed one that fails SPF
and DKIM, one sent from Gmail (pushed through Pub/Sub with an OIDC token) and one from Outlook (a
Graph notification on Sent Items). Each is shown with what it did to the contact it was to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from kith_local.demo_calendars import Scene, at
from kith_local.inbound_mail import bcc_address, deliver_inbound, sent_message

Say = Callable[[str], None]

MAIL_SOURCES = {"gmail": "Gmail", "outlook": "Outlook", "bcc": "BCC Kith"}

OMAR = ("Omar Haddad", "omar@sahel.example")
HANA = ("Hana Sato", "hana@kumo.example")
ELENA = ("Elena Popescu", "elena@carpat.example")
ANYA = ("Anya Petrova", "anya@neva.example")


@dataclass(frozen=True)
class MailSeen:
    """One message of the week, as the demo reports it."""

    source: str
    label: str
    logged: bool
    contact: str | None = None
    clock: str | None = None


@dataclass
class MailWeek:
    """The owner's mail in the demo week: which messages Kith saw, and what each did."""

    kith: Any
    owner_id: str
    owner: tuple[str, str]
    token: str
    say: Say
    seen: list[MailSeen] = field(default_factory=list)
    hooks: dict[str, Callable[[], None]] = field(default_factory=dict)

    def scenes(self) -> list[Scene]:
        scenes = [
            Scene(at(1, 10), "BCC Kith: a note to Omar, Kith in Bcc", self.bcc),
            Scene(at(1, 10, 5), "BCC Kith: a spoofed message in Ada's name", self.spoofed),
        ]
        return scenes + [Scene(when, title, play) for when, title, play in self.provider_scenes()]

    def provider_scenes(self) -> list[tuple[datetime, str, Callable[[], None]]]:
        """Gmail's and Outlook's sent mail, when the providers' fakes can send it."""
        return []

    def bcc(self) -> None:
        address = bcc_address(self.kith.stack, self.owner_id)
        self.say(f"      the owner's Kith address: {address}")
        raw = sent_message(self._from(), [_written(OMAR)], "Notes from Lisbon", self.kith.clock.now())
        answer = deliver_inbound(self.kith, raw, address)
        self._report("bcc", "a note to Omar, Kith in Bcc", answer, OMAR)

    def spoofed(self) -> None:
        address = bcc_address(self.kith.stack, self.owner_id)
        raw = sent_message(self._from(), [_written(ANYA)], "Invoice", self.kith.clock.now())
        answer = deliver_inbound(self.kith, raw, address, spf="FAIL", dkim="FAIL", dmarc="FAIL")
        self._report("bcc", "a message in Ada's name failing SPF and DKIM", answer, ANYA)

    def _from(self) -> str:
        return _written(self.owner)

    def _report(self, source: str, label: str, answer: dict[str, Any], person: tuple[str, str]) -> None:
        logged = bool(answer.get("logged"))
        clock = self.clock_of(person)
        self.seen.append(MailSeen(source, label, logged, person[0], clock))
        outcome = f"logged; {person[0]}'s last interaction now {clock}" if logged else "refused, nothing stored"
        self.say(f"      {label}: {outcome}")

    def clock_of(self, person: tuple[str, str]) -> str | None:
        """The contact's last interaction as the API shows it: found by name, told apart by address."""
        query = urlencode({"q": person[0].split()[0]})
        listed = self.kith.request("GET", f"/v1/contacts?{query}", token=self.token).body
        for contact in listed.get("contacts", []):
            if person[1] in contact.get("emails", []):
                return str(contact.get("last_interaction_at"))
        return None


def _written(person: tuple[str, str]) -> str:
    return f"{person[0]} <{person[1]}>"
