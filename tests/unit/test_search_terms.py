"""The terms a contact is indexed under for search, and the prefix a query reads them by (PRODUCT.md §9)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from kith.domain.search import (
    MAX_NAME_TERMS,
    MAX_TERMS,
    TERM_LENGTH,
    ContactFilter,
    fold,
    search_prefix,
    search_terms,
)
from kith.storage.steps import change_contact_steps, create_contact_steps

from .builders import contact, utc

NOW = utc(2026, 6, 1, 8)
UTC = ZoneInfo("UTC")


def test_a_contact_is_indexed_under_its_folded_name_words_and_the_leading_word_of_each_address() -> None:
    # Given a name with accents, a repeated word and an address whose leading word is also a name word
    terms = search_terms("Zoë ÉMILE Ng-Zoë", ("zoe.ng@example.com", "hello+kith@example.org"))
    # Then each distinct word is a term once, folded, in order, then the addresses' leading words
    assert terms == ("zoe", "emile", "ng", "hello")


def test_an_address_starting_with_punctuation_gives_no_term() -> None:
    # Given an address with no leading word
    # Then only the name's words are terms
    assert search_terms("Ann", ("-ann@example.com",)) == ("ann",)


def test_terms_are_capped_in_number_and_length() -> None:
    # Given a name of 30 distinct words, one of them very long, and 20 addresses
    words = [f"w{index}" for index in range(29)] + ["x" * 150]
    emails = tuple(f"mail{index}@example.com" for index in range(20))
    # When indexed
    terms = search_terms(" ".join(reversed(words)), emails)
    # Then at most 12 name words and 28 terms in all, none longer than 100 characters
    assert len(terms) == MAX_TERMS
    assert terms[:MAX_NAME_TERMS] == tuple(word[:TERM_LENGTH] for word in reversed(words))[:MAX_NAME_TERMS]
    assert terms[0] == "x" * TERM_LENGTH
    assert all(len(term) <= TERM_LENGTH for term in terms)


def test_the_largest_change_of_a_contact_fits_one_transaction() -> None:
    # Given a contact with a 12-word name and 20 addresses, changed to another such name and 20 other addresses
    before = contact(
        name=" ".join(f"old{index}" for index in range(12)),
        emails=tuple(f"before{index}@example.com" for index in range(20)),
        last_interaction_at=NOW,
    )
    after = before.model_copy(
        update={
            "name": " ".join(f"new{index}" for index in range(12)),
            "emails": tuple(f"after{index}@example.com" for index in range(20)),
            "version": 2,
        }
    )
    # When its writes are built, Then each holds at most DynamoDB's 100 actions per transaction
    assert len(create_contact_steps("t", before, UTC)) <= 100
    assert len(change_contact_steps("t", before, after, UTC)) <= 100


@pytest.mark.parametrize(
    ("query", "prefix"),
    [
        ("ann", "ann"),
        ("  Ann Able", "ann"),
        ("ZOË", "zoe"),
        ("a.able", "a"),
        ("ann@example", None),
        ("-ann", None),
        ("x" * 150, "x" * TERM_LENGTH),
    ],
)
def test_a_query_reads_the_terms_starting_with_its_first_folded_word(query: str, prefix: str | None) -> None:
    # When a query is looked up, Then its first folded word is the prefix; an address or punctuation has none
    assert search_prefix(query) == prefix
    assert ContactFilter(q=query).term_prefix == prefix


@pytest.mark.parametrize(
    ("name", "emails", "query"),
    [
        ("Ann Able", (), "ann"),
        ("Bob Ann Abbot", (), "ann ab"),
        ("Zoë Ng", (), "ng"),
        ("Joann Smith", ("js.smith@example.com",), "js.sm"),
        ("Strasse", ("straße@example.com",), "STRASSE"),
        ("Émile Zola", ("ez@example.com",), "émi"),
    ],
)
def test_every_contact_a_query_finds_is_indexed_under_its_prefix(
    name: str, emails: tuple[str, ...], query: str
) -> None:
    # Given a contact a query finds
    found = contact(name=name, emails=emails)
    assert ContactFilter(q=query).matches(found, UTC, NOW)
    # Then one of its terms starts with the query's prefix, so reading those terms reaches it
    prefix = search_prefix(query)
    assert prefix is not None
    assert any(term.startswith(prefix) for term in search_terms(found.name, found.emails))
    assert prefix == fold(prefix)
