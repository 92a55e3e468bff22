"""Small builders for domain objects, with defaults a test overrides by name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kith.domain.models import Circle, Contact, Owner, OwnerSettings

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday


def contact(**overrides: Any) -> Contact:
    fields: dict[str, Any] = {
        "contact_id": "c-ana",
        "owner_id": "o-1",
        "name": "Ana Lima",
        "emails": ("ana@example.com",),
        "circle": Circle.CORE,
        "added_at": T0,
    }
    fields.update(overrides)
    return Contact(**fields)


def owner(**overrides: Any) -> Owner:
    fields: dict[str, Any] = {
        "owner_id": "o-1",
        "email": "olivia@example.com",
        "name": "Olivia Owner",
        "settings": OwnerSettings(),
        "created_at": T0,
    }
    fields.update(overrides)
    return Owner(**fields)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
