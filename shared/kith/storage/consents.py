"""Calendar consents under way: written when the consent URL is given out, spent once when the provider answers.

pk                 sk                what
OWNER#<owner>      CONSENT#<nonce>   provider, redirect URI, PKCE verifier; expires (TTL) with the state

Kept in the owner's partition: erasing the account takes a consent under way with it, and a state
naming another owner finds nothing to spend.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kith.calendars.consent_state import PendingConsent
from kith.errors import ConditionFailed, Conflict
from kith.storage import keys
from kith.storage.failures import dynamodb_failures
from kith.storage.items import Item
from kith.storage.table import Table, from_wire, key_of


def _consent_item(consent: PendingConsent) -> Item:
    return {
        "pk": keys.owner_pk(consent.owner_id),
        "sk": keys.consent_sk(consent.nonce),
        "type": "consent",
        "owner_id": consent.owner_id,
        "provider": consent.provider.value,
        "redirect_uri": consent.redirect_uri,
        "code_verifier": consent.code_verifier,
        "expires_at": int(consent.expires_at.timestamp()),
        "mail": consent.mail,
    }


def _from_item(nonce: str, item: Item) -> PendingConsent:
    return PendingConsent(
        nonce=nonce,
        owner_id=item["owner_id"],
        provider=item["provider"],
        redirect_uri=item["redirect_uri"],
        code_verifier=item["code_verifier"],
        expires_at=datetime.fromtimestamp(int(item["expires_at"]), UTC),
        mail=bool(item.get("mail", False)),
    )


class ConsentRecords(Table):
    def begin_consent(self, consent: PendingConsent) -> None:
        if not self._put_new(_consent_item(consent)):
            raise Conflict("a consent with that nonce is under way already")

    def spend_consent(self, owner_id: str, nonce: str) -> PendingConsent | None:
        """The owner's pending consent, deleted in the same request; None if it was spent already (or never existed)."""
        try:
            with dynamodb_failures():
                answer = self._client.delete_item(
                    TableName=self._table,
                    Key=key_of(keys.owner_pk(owner_id), keys.consent_sk(nonce)),
                    ConditionExpression="attribute_exists(pk)",
                    ReturnValues="ALL_OLD",
                )
        except ConditionFailed:
            return None
        return _from_item(nonce, from_wire(answer["Attributes"]))
