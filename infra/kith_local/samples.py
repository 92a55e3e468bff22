"""What the sample events in events/ expect to find, seeded into a fresh local stack.

The samples speak of one owner (Olivia, owner-5b8e2f1c), her contacts Ana and Ben, her Cal.com
connection, one-click links signed with the stack's action key, and her "BCC Kith" address, to
which SES stored the message events/inbound-ses.eml. Their signatures were made with
the published values below, so `kith-local invoke` verifies them as the deployed stack would
verify a genuine delivery; none of them is a secret anywhere but this local stack.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
from kith.api_contacts import ContactIn
from kith.domain.connections import CalendarConnection, Provider
from kith.domain.models import OwnerSettings
from kith.runtime import Runtime
from kith.usecases.connections import webhook_path
from kith.usecases.contacts import add_contact
from kith.usecases.owners import save_owner

from kith_local.stack import LocalStack
from kith_local.template import REPOSITORY

OWNER_ID = "owner-5b8e2f1c"
CONNECTION_ID = "3f9c2a7b5e1d4c8f9a0b6e2d7c1f4a8b"
SIGNING_SECRET = "kith-sample-events-calcom-secret"
# The token of Olivia's "BCC Kith" address, and the message SES stored for events/inbound-ses.json.
INBOUND_TOKEN = "samplesampleinboundtoken"
INBOUND_MESSAGE_ID = "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g01"
INBOUND_MESSAGE = REPOSITORY / "events" / "inbound-ses.eml"
ACTION_KEYS = {"current": "k1", "k1": "kith-sample-events-action-key-k1-not-a-secret"}
# The Sunday before the samples' Monday (2026-01-05): Olivia's first digest falls due at the sample tick.
SEEDED_AT = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
CONTACTS = [
    {
        "name": "Ana Lima",
        "emails": ["ana.lima@example.com"],
        "circle": "inner",
        "last_interaction_at": "2025-11-20T10:00:00Z",
    },
    {
        "name": "Ben Okafor",
        "emails": ["ben@example.org"],
        "circle": "core",
        "last_interaction_at": "2025-12-01T16:00:00Z",
    },
]


def seed_samples(stack: LocalStack, session: boto3.session.Session) -> None:
    runtime = Runtime(environ=stack.environment("ApiFunction"))
    settings = OwnerSettings(time_zone="Europe/Berlin", digest_weekdays=(0,), digest_hour=8)
    save_owner(runtime.contact_store, OWNER_ID, "olivia@example.com", "Olivia Owner", settings, SEEDED_AT)
    for contact in CONTACTS:
        add_contact(runtime.contact_store, OWNER_ID, ContactIn.model_validate(contact).command(), SEEDED_AT)
    base = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
    connection = CalendarConnection(
        connection_id=CONNECTION_ID,
        owner_id=OWNER_ID,
        provider=Provider.CALCOM,
        created_at=SEEDED_AT,
        signing_secret=SIGNING_SECRET,
        webhook_url=base + webhook_path(Provider.CALCOM, CONNECTION_ID),
    )
    runtime.connection_store.create_connection(connection)
    session.client("secretsmanager").put_secret_value(
        SecretId=stack.references["ActionKeys"], SecretString=json.dumps(ACTION_KEYS)
    )
    if "InboundFunction" in stack.functions:
        runtime.inbound_store.create_inbound_token(OWNER_ID, INBOUND_TOKEN)
        inbound = stack.environment("InboundFunction")
        session.client("s3").put_object(
            Bucket=inbound["KITH_INBOUND_BUCKET"],
            Key=inbound["KITH_INBOUND_PREFIX"] + INBOUND_MESSAGE_ID,
            Body=INBOUND_MESSAGE.read_bytes(),
        )
