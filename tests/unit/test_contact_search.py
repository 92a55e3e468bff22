"""Which contacts a list filter or search finds (PRODUCT.md §9), and the cursors pages hand out."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from kith.domain.models import Circle
from kith.domain.search import ContactFilter, fold
from kith.errors import InvalidCursor
from kith.storage.paging import decode_cursor, encode_cursor

from .builders import contact, utc

NOW = utc(2026, 6, 1, 8)
UTC = ZoneInfo("UTC")


def test_folding_drops_case_and_accents() -> None:
    # Given names written with accents and capitals, When folded, Then they compare as plain lower-case letters
    assert fold("Zoë ÉMILE Ångström") == "zoe emile angstrom"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ana", True),
        ("LIM", True),
        ("lima", True),
        ("ana li", True),
        ("na", False),
        ("lima ana", False),
        ("ana@", True),
        ("ana@example", True),
        ("ana@other", False),
        ("example", False),
    ],
)
def test_search_matches_the_start_of_a_name_word_or_of_an_address(query: str, found: bool) -> None:
    # Given Ana Lima, ana@example.com
    ana = contact(name="Ana Lima", emails=("ana@example.com",))
    # When searched, Then a query starting a word of the name (in order) or the address finds her
    assert ContactFilter(q=query).matches(ana, UTC, NOW) is found


def test_a_query_with_an_at_sign_is_an_address_and_never_a_name() -> None:
    # Given a contact whose name words read like an address split apart
    named = contact(name="Ann Example", emails=("someone@else.org",))
    # When searched for "ann@example", Then the name does not match: only addresses are searched
    search = ContactFilter(q="ann@example")
    assert search.email_prefix == "ann@example"
    assert search.matches(named, UTC, NOW) is False


def test_filters_combine_with_and() -> None:
    # Given an inner contact with a goal, 30 days after the last interaction (21-day cadence, overdue after 32)
    inner = contact(circle=Circle.INNER, goal="mentorship", last_interaction_at=NOW - timedelta(days=30))
    # When filtered, Then every filter given must hold
    assert ContactFilter(circle=Circle.INNER, goal="mentorship", due=True, q="ana").matches(inner, UTC, NOW)
    assert ContactFilter(circle=Circle.INNER, goal="Mentorship").matches(inner, UTC, NOW), "goals ignore case"
    assert not ContactFilter(circle=Circle.INNER, goal="mentor").matches(inner, UTC, NOW)
    assert not ContactFilter(due=True, overdue=True).matches(inner, UTC, NOW)
    assert not ContactFilter(circle=Circle.CORE, due=True).matches(inner, UTC, NOW)


def test_punctuation_alone_is_not_searchable() -> None:
    assert ContactFilter(q="ana").searchable and not ContactFilter(q=" -- ").searchable


def test_a_cursor_opens_only_the_list_that_gave_it_out() -> None:
    # Given a cursor a contacts page gave out
    cursor = encode_cursor("contacts", {"sk": "CONTACT#c-9"})
    # When read back by that list, Then it resumes after the same key
    assert decode_cursor(cursor, "contacts", {"sk": "CONTACT#"}) == {"sk": "CONTACT#c-9"}
    # When read by another list, or with a key outside the list's range, Then it is refused
    with pytest.raises(InvalidCursor, match=r"^cursor:"):
        decode_cursor(cursor, "interactions", {"sk": "CONTACT#"})
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor("contacts", {"sk": "PROFILE"}), "contacts", {"sk": "CONTACT#"})
    with pytest.raises(InvalidCursor):
        decode_cursor(
            encode_cursor("contacts", {"sk": "CONTACT#a", "pk": "OWNER#other"}), "contacts", {"sk": "CONTACT#"}
        )


@pytest.mark.parametrize("garbled", ["", "%%%", "e30", "bm90IGpzb24", "W10", "x" * 3000])
def test_a_garbled_cursor_is_refused(garbled: str) -> None:
    # Given nothing, punctuation, "{}", "not json", "[]" or an overlong string, When read, Then it is refused
    with pytest.raises(InvalidCursor):
        decode_cursor(garbled, "contacts", {"sk": "CONTACT#"})
