"""Which contacts a list asks for: filters and search by name or e-mail (PRODUCT.md §9).

Search matches the start of any word of a name, with case and accents folded ("zoe" finds
"Zoë Ng", "ng" finds her too), or the start of an e-mail address. A query holding an "@" can
only be an address, so it is matched against addresses alone.

Search reads only candidates: each contact is indexed under its search terms (`search_terms`), and
a query reads the terms starting with its first word (`search_prefix`), then matches in full.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from kith.domain.cadence import is_due, is_overdue
from kith.domain.models import Circle, Contact
from kith.domain.text import same_goal

_WORD = re.compile(r"\w+")
# A contact's terms: the first 12 distinct words of its name, then the leading word of each address,
# 28 in all. A change of name and of all 20 addresses then fits one transaction: 1 + 20 + 20 + 28 + 28 <= 100.
MAX_NAME_TERMS = 12
MAX_TERMS = 28
# Characters kept of a term (and of the word a query looks up): a sort key stays far under its 1,024 bytes.
TERM_LENGTH = 100


def fold(text: str) -> str:
    """Lower-cased, accents dropped: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _words(text: str) -> str:
    """Folded words joined by single spaces, each preceded by one, so a word prefix is a substring."""
    return "".join(" " + word for word in _WORD.findall(fold(text)))


def search_terms(name: str, emails: Sequence[str]) -> tuple[str, ...]:
    """The terms a contact is found under: any word a query can start matching at, folded and capped.

    An address is matched from its start, so its leading word (folded) is the term that leads to it;
    an address starting with punctuation has none (a query starting so reads every contact).
    """
    words = list(dict.fromkeys(word[:TERM_LENGTH] for word in _WORD.findall(fold(name))))[:MAX_NAME_TERMS]
    leading = (_WORD.match(fold(address)) for address in emails)
    terms = dict.fromkeys([*words, *(found.group()[:TERM_LENGTH] for found in leading if found)])
    return tuple(terms)[:MAX_TERMS]


def search_prefix(q: str) -> str | None:
    """The term prefix every contact a query finds is indexed under: its first word, folded.

    None when the query can only be an address (the e-mail lookups serve it) or starts with
    punctuation, which an address may start with but no term does.
    """
    if "@" in q:
        return None
    first = _WORD.match(fold(q.strip()))
    return first.group()[:TERM_LENGTH] if first else None


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
    def term_prefix(self) -> str | None:
        """The search-term prefix to read candidates under, when the query has one."""
        return search_prefix(self.q) if self.q is not None else None

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
