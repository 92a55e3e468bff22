"""The demo's owner and the people in their network, shared by `make demo`, `make serve DEMO=1` and the previews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Sunday evening in Berlin
OWNER_ID = "owner-ada"
OWNER_TOKEN = f"dev:{OWNER_ID}"
TICK = timedelta(minutes=30)
DAYS = 5

OWNER = {
    "email": "ada@example.com",
    "name": "Ada Moreau",
    "time_zone": "Europe/Berlin",
    "digest_weekdays": [0, 3],
    "digest_hour": 8,
    "digest_limit": 5,
}


def _ago(days: int) -> str:
    return (START - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


CONTACTS: list[dict[str, Any]] = [
    {
        "name": "Priya Natarajan",
        "emails": ["priya@lumen.example"],
        "company": "Lumen",
        "circle": "inner",
        "goal": "mentorship",
        "last_interaction_at": _ago(30),
    },
    {
        "name": "Jonas Weber",
        "emails": ["jonas@fjord.example"],
        "company": "Fjord Labs",
        "circle": "core",
        "last_interaction_at": _ago(95),
    },
    {
        "name": "Mei Lin",
        "emails": ["mei@orbit.example"],
        "company": "Orbit",
        "circle": "inner",
        "goal": "job search",
        "last_interaction_at": _ago(25),
    },
    {
        "name": "Tomás Ortega",
        "emails": ["tomas@altamar.example"],
        "company": "Altamar",
        "circle": "core",
        "last_interaction_at": _ago(61),
    },
    {
        "name": "Grace Okafor",
        "emails": ["grace@kite.example"],
        "company": "Kite Health",
        "circle": "wider",
        "goal": "industry insight",
        "last_interaction_at": _ago(200),
    },
    {
        "name": "Luca Bianchi",
        "emails": ["luca@ponte.example"],
        "company": "Ponte",
        "circle": "core",
        "last_interaction_at": _ago(58),
    },
    {
        "name": "Sofia Lindqvist",
        "emails": ["sofia@nord.example"],
        "company": "Nord",
        "circle": "inner",
        "last_interaction_at": _ago(19),
    },
    {
        "name": "Omar Haddad",
        "emails": ["omar@sahel.example"],
        "company": "Sahel Capital",
        "circle": "wider",
        "goal": "partnerships",
        "last_interaction_at": _ago(150),
    },
    {
        "name": "Hana Sato",
        "emails": ["hana@kumo.example"],
        "company": "Kumo",
        "circle": "custom",
        "cadence_days": 45,
        "last_interaction_at": _ago(47),
    },
    {
        "name": "Elena Popescu",
        "emails": ["elena@carpat.example"],
        "company": "Carpat",
        "circle": "core",
        "last_interaction_at": _ago(10),
    },
    {
        "name": "Kwame Mensah",
        "emails": ["kwame@volta.example"],
        "company": "Volta",
        "circle": "wider",
        "last_interaction_at": _ago(40),
    },
    {"name": "Ingrid Berg", "emails": ["ingrid@fjell.example"], "company": "Fjell", "circle": "never"},
    {
        "name": "Rafael Costa",
        "emails": ["rafael@mar.example"],
        "company": "Mar Digital",
        "circle": "core",
        "goal": "partnerships",
        "last_interaction_at": _ago(63),
    },
    {
        "name": "Anya Petrova",
        "emails": ["anya@neva.example"],
        "company": "Neva",
        "circle": "inner",
        "last_interaction_at": _ago(5),
    },
    {
        "name": "Daniel Cohen",
        "emails": ["daniel@cedar.example"],
        "company": "Cedar",
        "circle": "custom",
        "cadence_days": 14,
        "last_interaction_at": _ago(12),
    },
    {
        "name": "Fatima Zahra",
        "emails": ["fatima@atlas.example"],
        "company": "Atlas",
        "circle": "core",
        "last_interaction_at": _ago(30),
    },
    {
        "name": "Noah Kim",
        "emails": ["noah@han.example"],
        "company": "Han River",
        "circle": "wider",
        "last_interaction_at": _ago(179),
    },
    {
        "name": "Chloé Martin",
        "emails": ["chloe@loire.example"],
        "company": "Loire",
        "circle": "inner",
        "goal": "mentorship",
        "last_interaction_at": _ago(22),
    },
    {
        "name": "Arjun Mehta",
        "emails": ["arjun@indus.example"],
        "company": "Indus",
        "circle": "core",
        "last_interaction_at": _ago(120),
    },
    {
        "name": "Amara Nwosu",
        "emails": ["amara@baobab.example"],
        "company": "Baobab",
        "circle": "inner",
        "last_interaction_at": _ago(40),
    },
]

# Added midweek, so the first emails show ordinary people and a later digest shows the escaping at work.
HOSTILE_CONTACT: dict[str, Any] = {
    "name": "Zoe Adams <b>&</b> Co",
    "emails": ["zoe@quill.example"],
    "company": "Quill (a test contact: a name that tries to break the email)",
    "circle": "inner",
    "last_interaction_at": _ago(40),
}
HOSTILE_LABEL = "a contact whose name tries to break the email"
HOSTILE_ADDED = START + timedelta(days=2, hours=22)  # Wednesday afternoon in Berlin
