"""Transaction steps for writing contacts, shared by every write that creates or changes one.

A contact and its e-mail lookups always go in one transaction, the lookups conditional, so an
address stays unique per owner whoever writes it: the API, a one-click link, an import. Its
search terms go in the same transaction (unconditionally, last), so a search finds it as it is.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from kith.domain.models import Contact
from kith.storage import items, keys
from kith.storage.items import Item
from kith.storage.table import expression_values, key_of, to_wire

Step = dict[str, Any]


def put_once(table: str, item: Item) -> Step:
    """A transaction step that fails if the item is there already."""
    return {"Put": {"TableName": table, "Item": to_wire(item), "ConditionExpression": "attribute_not_exists(pk)"}}


def replace_contact(table: str, before: Contact, after: Contact, zone: ZoneInfo) -> Step:
    """A transaction step that writes the contact as it now is, if nobody changed it since `before` was read."""
    return {
        "Put": {
            "TableName": table,
            "Item": to_wire(items.contact_to_item(after, zone)),
            "ConditionExpression": "version = :seen",
            "ExpressionAttributeValues": expression_values(seen=before.version),
        }
    }


def create_contact_steps(table: str, contact: Contact, zone: ZoneInfo) -> list[Step]:
    """The contact (new), a claim on each of its addresses, and the last interaction its owner stated.

    The contact comes first and its claims follow in the order of its addresses, so a
    cancellation reason names what clashed.
    """
    pk = keys.owner_pk(contact.owner_id)
    steps = [put_once(table, items.contact_to_item(contact, zone))]
    steps += [put_once(table, items.email_item(pk, address, contact.contact_id)) for address in contact.emails]
    stated = items.stated_link_item(contact)
    if stated is not None:
        # The last interaction the owner told us of: what a cancelled meeting gives the clock back to.
        steps.append({"Put": {"TableName": table, "Item": to_wire(stated)}})
    return steps + term_steps(table, None, contact)


def term_steps(table: str, before: Contact | None, after: Contact | None) -> list[Step]:
    """The search terms `after` gains over `before` written, and those it drops deleted."""
    old = {item["sk"]: item for item in (items.term_items(before) if before is not None else [])}
    new = {item["sk"]: item for item in (items.term_items(after) if after is not None else [])}
    steps: list[Step] = [
        {"Put": {"TableName": table, "Item": to_wire(item)}} for sk, item in new.items() if sk not in old
    ]
    steps += [
        {"Delete": {"TableName": table, "Key": key_of(item["pk"], sk)}} for sk, item in old.items() if sk not in new
    ]
    return steps


def change_contact_steps(table: str, before: Contact, after: Contact, zone: ZoneInfo) -> list[Step]:
    """The contact as it now is (if still at the version read), claims on added addresses, removed ones freed.

    The contact comes first, then the added addresses' claims, then the removed ones, in order;
    then the search terms the change adds and drops.
    """
    pk = keys.owner_pk(after.owner_id)
    steps = [replace_contact(table, before, after, zone)]
    steps += [
        put_once(table, items.email_item(pk, address, after.contact_id))
        for address in after.emails
        if address not in before.emails
    ]
    steps += [
        {"Delete": {"TableName": table, "Key": key_of(pk, keys.email_sk(address))}}
        for address in before.emails
        if address not in after.emails
    ]
    return steps + term_steps(table, before, after)


def undo_change_steps(table: str, before: Contact, after: Contact, zone: ZoneInfo) -> list[Step]:
    """Steps that take a change written by `change_contact_steps` back: `before` again, claims freed, terms back."""
    claims = [
        put_once(table, items.email_item(keys.owner_pk(after.owner_id), address, after.contact_id))
        for address in after.emails
        if address not in before.emails
    ]
    return [replace_contact(table, after, before, zone), *undo_puts(table, claims), *term_steps(table, after, before)]


def undo_puts(table: str, steps: list[Step]) -> list[Step]:
    """Steps that delete what the Put steps wrote."""
    return [
        {"Delete": {"TableName": table, "Key": {"pk": step["Put"]["Item"]["pk"], "sk": step["Put"]["Item"]["sk"]}}}
        for step in steps
        if "Put" in step
    ]
