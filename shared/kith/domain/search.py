"""Which contacts a list asks for: filters and search by name or e-mail (PRODUCT.md §9).

Search matches the start of any word of a name, with case and accents folded ("zoe" finds
"Zoë Ng", "ng" finds her too), or the start of an e-mail address. A query holding an "@" can
only be an address, so it is matched against addresses alone.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from kith.domain.cadence import is_due, is_overdue
from kith.domain.models import Circle, Contact
from kith.domain.text import same_goal

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-cased, accents dropped: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _words(text: str) -> str:
    """Folded words joined by single spaces, each preceded by one, so a word prefix is a substring."""
    return "".join(" " + word for word in _WORD.findall(fold(text)))


class ContactFilter(BaseModel):
    """What a contact list is narrowed to; every filter given must hold."""

    model_config = ConfigDict(frozen=True)

    circle: Circle | None = None
    goal: str | None = None
    due: bool = False
    overdue: bool = False
    q: str | None = None

    @property
    def searchable(self) -> bool:
        """A query needs a letter or digit to search for; punctuation alone finds nothing meaningful."""
        return self.q is None or _WORD.search(self.q) is not None

    @property
    def email_prefix(self) -> str | None:
        """The address prefix to look up, when the query can only be an address."""
        return self.q.strip().lower() if self.q is not None and "@" in self.q else None

    @property
    def needs_clock(self) -> bool:
        return self.due or self.overdue

    def matches(self, contact: Contact, zone: ZoneInfo, now: datetime) -> bool:
        if self.circle is not None and contact.circle is not self.circle:
            return False
        if self.goal is not None and not same_goal(contact.goal, self.goal):
            return False
        if self.due and not is_due(contact, zone, now):
            return False
        if self.overdue and not is_overdue(contact, zone, now):
            return False
        return self.q is None or self.found_by_search(contact)

    def found_by_search(self, contact: Contact) -> bool:
        if self.q is None:
            return True
        address = self.q.strip().lower()
        if any(email.startswith(address) for email in contact.emails):
            return True
        return self.email_prefix is None and _words(self.q) in _words(contact.name)
