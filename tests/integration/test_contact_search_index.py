"""Search reads only the contacts it may find: each contact's search terms, kept as it changes (PRODUCT.md §9).

A search reads the terms starting with the query's first word, then those contacts, and matches
them in full; a network stored before the terms existed is indexed by its first search.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from kith.domain.models import Circle, Contact
from kith.storage import items, keys
from kith.storage.table import to_wire

from tests.integration.support import NOW, OWNER, Kith
from tests.integration.test_export_erasure import download


@pytest.fixture
def owner(kith: Kith) -> dict[str, Any]:
    return kith.create_owner()


def _add(kith: Kith, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    status, answer = kith.http("POST", "/v1/contacts/batch", {"contacts": rows})
    assert status == 201, answer
    created: list[dict[str, Any]] = answer["contacts"]
    return created


def _pages(kith: Kith, path: str) -> Iterator[list[dict[str, Any]]]:
    cursor: str | None = None
    while True:
        status, page = kith.http("GET", path + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200, page
        yield page["contacts"]
        cursor = page["next_cursor"]
        if cursor is None:
            return


def _names(kith: Kith, query: str) -> list[str]:
    status, page = kith.http("GET", f"/v1/contacts?{query}")
    assert status == 200, page
    assert page["next_cursor"] is None
    return sorted(contact["name"] for contact in page["contacts"])


def _terms(kith: Kith, contact_id: str | None = None) -> list[str]:
    """The search terms stored, of one contact or of all."""
    found = [
        item["sk"]["S"].removeprefix("TERM#")
        for item in kith.items()
        if item["sk"]["S"].startswith("TERM#") and contact_id in (None, item["contact_id"]["S"])
    ]
    return sorted(term.rpartition("#")[0] for term in found)


def _edit(kith: Kith, contact: dict[str, Any], changes: dict[str, Any]) -> None:
    status, answer = kith.http("PATCH", f"/v1/contacts/{contact['contact_id']}", changes)
    assert status == 200, answer


class _Reads:
    """Every DynamoDB request the API function makes from now on: (operation, items it returned, sort-key prefix)."""

    def __init__(self, kith: Kith) -> None:
        self.requests: list[tuple[str, int, str]] = []
        self._prefix = ""
        client = kith.lambdas.modules["ApiFunction"].runtime.dynamodb
        client.meta.events.register("provide-client-params.dynamodb.Query", self._asked)
        client.meta.events.register("after-call.dynamodb", self._answered)

    def _asked(self, params: dict[str, Any], **_: Any) -> None:
        self._prefix = params["ExpressionAttributeValues"].get(":prefix", {}).get("S", "")

    def _answered(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name == "Query":
            self.requests.append(("Query", int(parsed.get("Count", 0)), self._prefix))
        elif model.name == "BatchGetItem":
            self.requests.append(
                ("BatchGetItem", sum(len(found) for found in parsed.get("Responses", {}).values()), "")
            )
        else:
            self.requests.append((model.name, 1 if parsed.get("Item") else 0, ""))

    def items_read(self) -> int:
        return sum(count for _, count, _ in self.requests)

    def queries(self) -> list[tuple[int, str]]:
        return [(count, prefix) for operation, count, prefix in self.requests if operation == "Query"]


def _write_raw(kith: Kith, contacts: list[Contact], *, with_terms: bool) -> None:
    """Contacts written straight to the table as the API stores them, with or without their search terms."""
    zone = ZoneInfo("Europe/Berlin")
    written: list[dict[str, Any]] = []
    for contact in contacts:
        written.append(items.contact_to_item(contact, zone))
        written += [items.email_item(keys.owner_pk(OWNER), address, contact.contact_id) for address in contact.emails]
        written += items.term_items(contact) if with_terms else []
    for start in range(0, len(written), 25):
        pending: Any = {
            kith.stack.table_name: [{"PutRequest": {"Item": to_wire(item)}} for item in written[start : start + 25]]
        }
        while pending:
            pending = kith.dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems")


def _network(size: int, named: dict[int, str] | None = None) -> list[Contact]:
    names = named or {}
    return [
        Contact(
            contact_id=f"c{index:05d}",
            owner_id=OWNER,
            name=names.get(index, f"Person{index} Surname{index % 97}"),
            emails=(f"p{index}@example.com",),
            added_at=NOW - timedelta(days=400),
            last_interaction_at=NOW - timedelta(days=index % 120),
        )
        for index in range(size)
    ]


# -- the terms follow the contact -----------------------------------------------------------------


def test_a_renamed_contact_is_found_by_its_new_name_and_not_its_old(kith: Kith, owner: dict) -> None:
    # Given Ann Able
    (ann,) = _add(kith, [{"name": "Ann Able", "emails": ["ann@example.com"]}])
    # When renamed Zoë Ng
    _edit(kith, ann, {"name": "Zoë Ng"})
    # Then she is found by her new name's words, no longer by "able", and her terms are the new ones
    assert _names(kith, "q=zoe") == ["Zoë Ng"]
    assert _names(kith, "q=ng") == ["Zoë Ng"]
    assert _names(kith, "q=able") == []
    assert _names(kith, "q=ann") == ["Zoë Ng"]  # still by her address
    assert _terms(kith, ann["contact_id"]) == ["ann", "ng", "zoe"]


def test_a_changed_address_is_found_by_its_new_start_and_not_its_old(kith: Kith, owner: dict) -> None:
    # Given Ann with ann.able@example.com
    (ann,) = _add(kith, [{"name": "Ann Able", "emails": ["xan.able@example.com"]}])
    assert _names(kith, "q=xan") == ["Ann Able"]
    # When her address becomes quill@example.com
    _edit(kith, ann, {"emails": ["quill@example.com"]})
    # Then "quil" finds her, "xan" does not
    assert _names(kith, "q=quil") == ["Ann Able"]
    assert _names(kith, "q=xan") == []
    assert _terms(kith, ann["contact_id"]) == ["able", "ann", "quill"]


def test_a_deleted_contact_leaves_no_term(kith: Kith, owner: dict) -> None:
    # Given two contacts
    ann, _ = _add(kith, [{"name": "Ann Able", "emails": ["ann@example.com"]}, {"name": "Bob Bell"}])
    # When Ann is deleted
    status, _ = kith.http("DELETE", f"/v1/contacts/{ann['contact_id']}")
    assert status == 204
    # Then none of her terms is left, Bob's are, and she is not found
    assert _terms(kith) == ["bell", "bob"]
    assert _names(kith, "q=ann") == []


def test_a_contact_with_two_matching_words_is_found_once(kith: Kith, owner: dict) -> None:
    # Given Ann Annable (two words starting "ann") with ann@annable.example, and Anna Lee
    _add(kith, [{"name": "Ann Annable", "emails": ["annie@annable.example"]}, {"name": "Anna Lee"}])
    # When searched for "ann", a page of one at a time
    pages = list(_pages(kith, "/v1/contacts?q=ann&limit=1"))
    # Then each is listed once, on a page of its own
    assert sorted(contact["name"] for page in pages for contact in page) == ["Ann Annable", "Anna Lee"]
    assert [len(page) for page in pages] == [1, 1]


def test_a_search_with_many_matches_is_walked_in_pages_none_missing_none_twice(kith: Kith, owner: dict) -> None:
    # Given 120 people named Kim something and 30 others
    _add(kith, [{"name": f"Kim Number{index}", "emails": [f"k{index}@example.com"]} for index in range(120)])
    _add(kith, [{"name": f"Lee Other{index}"} for index in range(30)])
    # When "kim" is walked 50 at a time
    pages = list(_pages(kith, "/v1/contacts?q=kim&limit=50"))
    # Then pages of 50, 50 and 20 hold every Kim once
    assert [len(page) for page in pages] == [50, 50, 20]
    names = [contact["name"] for page in pages for contact in page]
    assert sorted(names) == sorted(f"Kim Number{index}" for index in range(120))


def test_search_combines_with_circle_and_due_filters(kith: Kith, owner: dict) -> None:
    # Given Anns in different circles, due and not, and a due Bob
    _add(
        kith,
        [
            {"name": "Ann Due", "last_interaction_at": "2026-08-01T10:00:00Z"},
            {"name": "Ann Recent", "last_interaction_at": "2026-11-25T10:00:00Z"},
            {"name": "Ann Inner", "circle": "inner", "last_interaction_at": "2026-08-01T10:00:00Z"},
            {"name": "Bob Due", "last_interaction_at": "2026-08-01T10:00:00Z"},
        ],
    )
    # When searched with filters, Then every filter holds for what is found
    assert _names(kith, "q=ann&due=true") == ["Ann Due", "Ann Inner"]
    assert _names(kith, "q=ann&circle=core") == ["Ann Due", "Ann Recent"]
    assert _names(kith, "q=ann&circle=core&overdue=true") == ["Ann Due"]
    assert _names(kith, "q=bob&due=true&circle=inner") == []


def test_a_query_starting_with_punctuation_still_finds_by_name(kith: Kith, owner: dict) -> None:
    # Given Ann Able
    _add(kith, [{"name": "Ann Able"}, {"name": "Bob Bell"}])
    # When searched for "(ann", Then she is found as "ann" would find her
    assert _names(kith, "q=%28ann") == ["Ann Able"]


# -- networks stored before the terms ---------------------------------------------------------------


def test_the_first_search_indexes_contacts_stored_without_terms(kith: Kith, owner: dict) -> None:
    # Given an owner whose profile predates the index, and contacts stored without search terms
    kith.dynamodb.update_item(
        TableName=kith.stack.table_name,
        Key={"pk": {"S": keys.owner_pk(OWNER)}, "sk": {"S": keys.PROFILE}},
        UpdateExpression="REMOVE search_terms",
    )
    _write_raw(kith, _network(30, {3: "Ann Able", 7: "Bob Annable"}), with_terms=False)
    assert _terms(kith) == []
    reads = _Reads(kith)
    # When the owner searches
    found = _names(kith, "q=ann")
    # Then the contacts are found, every contact now has its terms, and the profile says so
    assert found == ["Ann Able", "Bob Annable"]
    assert "ann" in _terms(kith, "c00003") and "annable" in _terms(kith, "c00007")
    assert {item["contact_id"]["S"] for item in kith.items() if item["sk"]["S"].startswith("TERM#")} == {
        f"c{index:05d}" for index in range(30)
    }
    profile = kith.dynamodb.get_item(
        TableName=kith.stack.table_name, Key={"pk": {"S": keys.owner_pk(OWNER)}, "sk": {"S": keys.PROFILE}}
    )["Item"]
    assert profile["search_terms"] == {"N": "1"}
    # And the next search reads the terms only, not the whole network again
    assert any(prefix == "CONTACT#" for _, prefix in reads.queries())
    reads.requests.clear()
    assert _names(kith, "q=bob") == ["Bob Annable"]
    assert [prefix for _, prefix in reads.queries()] == ["TERM#bob"]


def test_a_profile_saved_again_keeps_an_unindexed_network_unindexed_until_searched(kith: Kith, owner: dict) -> None:
    # Given an owner whose profile predates the index, with a contact stored without terms
    kith.dynamodb.update_item(
        TableName=kith.stack.table_name,
        Key={"pk": {"S": keys.owner_pk(OWNER)}, "sk": {"S": keys.PROFILE}},
        UpdateExpression="REMOVE search_terms",
    )
    _write_raw(kith, _network(1, {0: "Ann Able"}), with_terms=False)
    # When the profile is saved again, then the owner searches
    kith.create_owner(digest_limit=5)
    # Then the contact is still found: saving the profile did not claim the network was indexed
    assert _names(kith, "q=able") == ["Ann Able"]


# -- what a search reads --------------------------------------------------------------------------


def test_a_search_on_2000_contacts_reads_a_handful_of_items(kith: Kith, owner: dict) -> None:
    # Given 2,000 contacts, three of them called Quinn, stored with their terms
    _write_raw(kith, _network(2000, {10: "Quinn Ash", 900: "Ada Quinnell", 1999: "Quinn Birch"}), with_terms=True)
    reads = _Reads(kith)
    # When "quinn" is searched
    found = _names(kith, "q=quinn")
    # Then the three are found, reading their terms and themselves (and the profile), not the network
    assert found == ["Ada Quinnell", "Quinn Ash", "Quinn Birch"]
    assert reads.queries() == [(3, "TERM#quinn")]
    assert reads.items_read() <= 10
    # And a multi-word search with a circle filter reads as little
    reads.requests.clear()
    assert _names(kith, f"q=quinn%20bi&circle={Circle.CORE.value}") == ["Quinn Birch"]
    assert reads.items_read() <= 10


def test_terms_stay_out_of_the_export_and_go_with_the_account(kith: Kith, owner: dict) -> None:
    # Given a searchable contact
    _add(kith, [{"name": "Ann Able", "emails": ["ann@example.com"]}])
    assert _terms(kith) == ["able", "ann"]
    # When the owner exports, Then the export holds the contact and none of Kith's search terms
    status, _, raw = download(kith, "/v1/export")
    assert status == 200
    assert b"Ann Able" in raw and b"TERM#" not in raw and b'"term"' not in raw
    # When the account is deleted, Then no term is left
    assert kith.http("DELETE", "/v1/owner")[0] == 204
    assert _terms(kith) == []
