"""The stores hand out and take domain values: a connection as listed, a contact's links, a spent link;
and every store reads DynamoDB's failures through the one mapping (storage/failures.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from kith.domain.actions import Action, ActionClaim
from kith.domain.connections import CalendarConnection, Provider
from kith.domain.models import Interaction, OwnerSettings
from kith.domain.records import ConnectionSummary, ContactLink, SpentLink
from kith.errors import AlreadyDone, Conflict, Retryable, StaleContact
from kith.storage import stores
from kith_local.stack import create_table
from kith_local.template import load_template
from moto import mock_aws

from tests.unit.builders import contact, utc

TABLE = "kith-storage-values"
SETTINGS = OwnerSettings()
T0 = utc(2026, 11, 2, 9)


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-central-1")
        create_table(dynamodb, load_template(), TABLE)
        yield dynamodb


def _store(kind: type, client: Any) -> Any:
    return kind(client, TABLE, 4)


def _meeting(interaction_id: str, contact_ids: tuple[str, ...]) -> Interaction:
    return Interaction(
        interaction_id=interaction_id,
        owner_id="o-1",
        contact_ids=contact_ids,
        start=T0,
        end=T0 + timedelta(hours=1),
        title="Coffee",
        source="calcom",
        external_id=f"ext-{interaction_id}",
        recorded_at=T0,
    )


def test_a_connection_is_listed_as_its_summary_without_a_secret(client: Any) -> None:
    connections = _store(stores.DynamoConnectionStore, client)
    connection = CalendarConnection(
        connection_id="k-1",
        owner_id="o-1",
        provider=Provider.CALCOM,
        created_at=T0,
        signing_secret="s3cret",
        account_email="olivia@example.com",
    )
    connections.create_connection(connection)
    (summary,) = connections.connection_summaries("o-1")
    assert summary == ConnectionSummary(
        connection_id="k-1",
        provider=Provider.CALCOM,
        state=connection.state,
        created_at=T0,
        account_email="olivia@example.com",
    )
    assert _store(stores.DynamoErasureStore, client).connection_summaries("o-1") == [summary]
    assert "s3cret" not in summary.model_dump_json()
    with pytest.raises(Conflict, match="already exists"):
        connections.create_connection(connection)


def test_a_contacts_links_name_its_interactions_and_go_with_it(client: Any) -> None:
    contacts = _store(stores.DynamoContactStore, client)
    meetings = _store(stores.DynamoMeetingStore, client)
    erasure = _store(stores.DynamoErasureStore, client)
    ana = contact(last_interaction_at=utc(2026, 10, 1))
    contacts.create_contact(ana, SETTINGS)
    for interaction_id in ("i-1", "i-2"):
        meetings.link_interaction(_meeting(interaction_id, ("c-ana",)), ["c-ana"])
    links = erasure.linked_interactions("o-1", "c-ana")
    assert links.interaction_ids == ["i-1", "i-2"]
    assert ContactLink(None, utc(2026, 10, 1)) in links.links
    erasure.delete_contact_links(links)
    assert erasure.linked_interactions("o-1", "c-ana").links == ()


def test_a_link_is_spent_once_and_says_so_before_anything_else(client: Any) -> None:
    _store(stores.DynamoContactStore, client).create_contact(contact(), SETTINGS)
    actions = _store(stores.DynamoActionStore, client)
    claim = ActionClaim(
        owner_id="o-1", action=Action.DONE, contact_id="c-ana", expires_at=T0 + timedelta(days=7), nonce="n-1"
    )
    before = actions.get_contact("o-1", "c-ana")
    after = before.model_copy(update={"last_interaction_at": T0, "version": before.version + 1})
    assert not actions.link_spent(claim)
    actions.change_contact_once(before, after, SETTINGS, SpentLink(claim, T0))
    assert actions.link_spent(claim)
    # The same link again, with the contact moved on meanwhile too: it was used, whatever else changed.
    with pytest.raises(AlreadyDone):
        actions.change_contact_once(before, after, SETTINGS, SpentLink(claim, T0))
    other = claim.model_copy(update={"nonce": "n-2"})
    with pytest.raises(StaleContact):
        actions.change_contact_once(before, after, SETTINGS, SpentLink(other, T0))
    assert not actions.link_spent(other)


def test_a_throttled_transaction_is_retryable_in_every_store(client: Any) -> None:
    def throttled(**_: Any) -> Any:
        error = {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}
        reasons = [{"Code": "None"}, {"Code": "ThrottlingError"}]
        raise ClientError({"Error": error, "CancellationReasons": reasons}, "TransactWriteItems")

    connections = _store(stores.DynamoConnectionStore, client)
    connection = CalendarConnection(connection_id="k-1", owner_id="o-1", provider=Provider.CALCOM, created_at=T0)
    connections.create_connection(connection)
    client.transact_write_items = throttled
    with pytest.raises(Retryable):
        connections.save_connection(connection)
    with pytest.raises(Retryable):
        _store(stores.DynamoContactStore, client).create_contact(contact(contact_id="c-bo"), SETTINGS)
    with pytest.raises(Retryable):
        _store(stores.DynamoErasureStore, client).delete_contact(contact())
