"""The search terms of contacts written before Kith indexed them: written once, on the owner's first search.

An owner created since then is indexed from the start (its profile says `search_terms`); an older
one is backfilled by its first search that needs the terms: every contact read, its terms written,
then the profile marked. A contact written meanwhile writes its own terms; a term left behind by a
contact renamed or deleted meanwhile is only a candidate the search then leaves out.
"""

from __future__ import annotations

from kith.storage import items, keys
from kith.storage.table import Table


class SearchIndexRecords(Table):
    def contacts_indexed(self, owner_id: str) -> bool:
        """Whether every contact of the owner has its search terms (an owner without a profile has none to index)."""
        profile = self._get(keys.owner_pk(owner_id), keys.PROFILE)
        return profile is None or "search_terms" in profile

    def index_contacts(self, owner_id: str) -> int:
        """Write the search terms of every contact of the owner, then mark the profile; returns how many contacts."""
        pk = keys.owner_pk(owner_id)
        contacts = [items.contact_from_item(item) for item in self._query_prefix(pk, keys.contact_sk(""))]
        self._batch_write(puts=[term for contact in contacts for term in items.term_items(contact)])
        self._update(pk, keys.PROFILE, "SET search_terms = :one", "attribute_exists(pk)", one=1)
        return len(contacts)
