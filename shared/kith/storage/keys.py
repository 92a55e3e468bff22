"""Key layout of the single table.

    pk                     sk                               what
    OWNER#<owner>          PROFILE                          owner and settings; in DueIndex while a digest is scheduled;
                                                            search_terms = 1 once its contacts' terms are written
    OWNER#<owner>          GOALS                            the owner's goals, apart so a profile write keeps them
    OWNER#<owner>          CONTACT#<contact>                contact; in DueIndex under CDUE#<owner> while nudgeable
    OWNER#<owner>          EMAIL#<address>                  e-mail -> contact lookup, unique per owner
    OWNER#<owner>          TERM#<term>#<contact>            search term -> contact (domain/search.py search_terms)
    OWNER#<owner>          INTERACTION#<interaction>        a meeting, call, message or note
    OWNER#<owner>          LINK#<contact>#<end>#<inter.>    contact <-> interaction, newest last
    OWNER#<owner>          ALIAS#<source>#<provider id>     a provider's id for a meeting -> its interaction
    OWNER#<owner>          FOLLOWUP#<interaction>           follow-up; in DueIndex under FOLLOWUP#<shard> while pending
    OWNER#<owner>          CONNECTION#<connection>          a calendar connection, as the owner lists it
    OWNER#<owner>          SENT#<email key>                 sent history, one item per email
    OWNER#<owner>          USED#<nonce>                     a spent one-click link (TTL: the link's expiry)
    OWNER#<owner>          CONSENT#<nonce>                  a calendar consent under way (TTL: its 10 minutes)
    OWNER#<owner>          MESSAGE#<message key>            a sent message seen: the day it counts on (TTL)
    OWNER#<owner>          INBOUND                          the token of the owner's "BCC Kith" address
    INBOUND#<token>        OWNER                            inbound mail lookup: whose address the token is
    CONNECTION#<conn.>     CONNECTION                       webhook lookup: owner, provider, secret
    SUPPRESSION#<address>  SUPPRESSION                      never mail this (lower-cased) address: reason, since

DueIndex (sparse: only items carrying due_pk are in it):

    due_pk                 due_sk
    DIGEST#<shard>         <utc instant>#<owner>            an owner's next digest
    FOLLOWUP#<shard>       <utc instant>#<owner>#<inter.>   a pending follow-up
    CDUE#<owner>           <utc instant>#<contact>          when a contact falls due
    RENEW#<shard>          <utc instant>#<connection>       when a calendar channel or subscription is renewed
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from kith.domain import identities

DUE_INDEX = "DueIndex"
_INSTANT = identities.INSTANT_FORMAT
# Sorts after any "<instant>#..." suffix, so "due_sk <= upto(now)" includes instant == now.
_AFTER_SUFFIX = "#\uffff"


def instant(moment: datetime) -> str:
    return identities.instant(moment)


def parse_instant(text: str) -> datetime:
    return datetime.strptime(text, _INSTANT).replace(tzinfo=UTC)


def upto(moment: datetime) -> str:
    return instant(moment) + _AFTER_SUFFIX


def shard_of(owner_id: str, shards: int) -> int:
    digest = hashlib.sha256(owner_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % shards


def owner_pk(owner_id: str) -> str:
    return f"OWNER#{owner_id}"


PROFILE = "PROFILE"
GOALS = "GOALS"


def contact_sk(contact_id: str) -> str:
    return f"CONTACT#{contact_id}"


def email_sk(address: str) -> str:
    return f"EMAIL#{address}"


def term_sk(term: str, contact_id: str) -> str:
    return f"TERM#{term}#{contact_id}"


def term_prefix(prefix: str) -> str:
    """Where the terms starting with `prefix` begin: all of them for the empty prefix."""
    return f"TERM#{prefix}"


def interaction_sk(interaction_id: str) -> str:
    return f"INTERACTION#{interaction_id}"


def alias_sk(source: str, external_id: str) -> str:
    return f"ALIAS#{source}#{external_id}"


ALIAS_PREFIX = "ALIAS#"


def link_prefix(contact_id: str) -> str:
    return f"LINK#{contact_id}#"


def link_sk(contact_id: str, end: datetime, interaction_id: str) -> str:
    return f"{link_prefix(contact_id)}{instant(end)}#{interaction_id}"


def message_sk(message_key: str) -> str:
    """A sent message Kith has seen, by its Message-ID's hash: the local day it counts on."""
    return f"MESSAGE#{message_key}"


def inbound_pk(token: str) -> str:
    """An owner's "BCC Kith" address, by its token: whose mail it logs."""
    return f"INBOUND#{token}"


INBOUND_SK = "OWNER"
INBOUND = "INBOUND"


def used_link_sk(nonce: str) -> str:
    return f"USED#{nonce}"


def follow_up_sk(interaction_id: str) -> str:
    return f"FOLLOWUP#{interaction_id}"


def owner_connection_sk(connection_id: str) -> str:
    return f"CONNECTION#{connection_id}"


def connection_pk(connection_id: str) -> str:
    return f"CONNECTION#{connection_id}"


CONNECTION = "CONNECTION"


def consent_sk(nonce: str) -> str:
    return f"CONSENT#{nonce}"


def suppression_pk(address: str) -> str:
    return f"SUPPRESSION#{address.strip().lower()}"


SUPPRESSION = "SUPPRESSION"


def sent_sk(email_key: str) -> str:
    return f"SENT#{email_key}"


def digest_due_pk(shard: int) -> str:
    return f"DIGEST#{shard}"


def follow_up_due_pk(shard: int) -> str:
    return f"FOLLOWUP#{shard}"


def renewal_due_pk(shard: int) -> str:
    return f"RENEW#{shard}"


def contact_due_pk(owner_id: str) -> str:
    return f"CDUE#{owner_id}"
