"""The verdict a reader of Kith's published schema gives a JSON body: whether Kith must refuse it.

`refused` when the body is no RFC 8259 JSON (a Raw that stands for nothing, a key written twice), breaks the
route's schema in openapi.json (allowing the coercions pydantic's lax mode makes), or gives a name nothing a
reader can see or a one-line field a control character. A body not refused may still be refused by rules the
schema does not state (an unknown contact, a taken address): the fuzzing then asks only for a 4xx, not a 5xx.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

OPENAPI = json.loads((Path(__file__).parents[2] / "openapi.json").read_text())
UNREADABLE = object()  # what a Raw that no JSON reader may accept stands for


@dataclass(frozen=True)
class Raw:
    """JSON text written as is, and the value a reader would get from it (UNREADABLE: none)."""

    text: bytes
    stands_for: Any = UNREADABLE


@dataclass
class Twice:
    """An object that names one key twice: parsers disagree on which value wins."""

    pairs: list[tuple[str, Any]]


# -- the schema -----------------------------------------------------------------------------------------------


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def request_schema(method: str, path: str) -> dict[str, Any]:
    body = OPENAPI["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]["schema"]
    return resolve(body)


def _alternatives(schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = resolve(schema)
    if "anyOf" in schema:
        return [alternative for option in schema["anyOf"] for alternative in _alternatives(option)]
    return [schema]


def of_type(schema: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    if schema is None:
        return None
    return next((option for option in _alternatives(schema) if option.get("type") == kind), None)


def fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether Kith may accept `value` for `schema`: False only where the published schema refuses it.

    pydantic's lax mode reads an integer from a bool, a whole float or a numeric string, and an instant
    from a number of seconds: those may be accepted although the schema's types say otherwise.
    """
    if isinstance(value, Raw):
        value = value.stands_for
    options = _alternatives(schema)
    return any(_fits_one(value, option) for option in options)


def _fits_one(value: Any, schema: dict[str, Any]) -> bool:
    if "enum" in schema:
        return value in schema["enum"] and not isinstance(value, bool)
    kind = schema.get("type")
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return _integer_fits(value, schema)
    if kind == "string":
        return _string_fits(value, schema)
    if kind == "array":
        return (
            isinstance(value, list)
            and schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value))
            and all(fits(item, schema.get("items", {})) for item in value)
        )
    if kind == "object":
        return _object_fits(value, schema)
    return True


def _integer_fits(value: Any, schema: dict[str, Any]) -> bool:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return False
    if isinstance(value, float) and not value.is_integer():
        return False
    if not isinstance(value, int | float):
        return False
    return schema.get("minimum", value) <= value <= schema.get("maximum", value)


def _string_fits(value: Any, schema: dict[str, Any]) -> bool:
    instant = schema.get("format") == "date-time"
    if instant and isinstance(value, int | float) and not isinstance(value, bool):
        return True
    if not isinstance(value, str):
        return False
    if instant and not _may_be_instant(value):
        return False
    return schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))


def _may_be_instant(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            float(text)
        except ValueError:
            return False
    return True


def _object_fits(value: Any, schema: dict[str, Any]) -> bool:
    if not isinstance(value, dict):
        return False
    properties = schema.get("properties", {})
    if any(name not in value for name in schema.get("required", [])):
        return False
    if schema.get("additionalProperties") is False and any(name not in properties for name in value):
        return False
    return all(fits(value[name], properties[name]) for name in value if name in properties)


# -- what Kith refuses beyond the schema's types -------------------------------------------------------------

# Fields that name something: they need a character a reader can see (kith.domain.text's rule, restated).
NAMES = frozenset({"name", "goal", "tags"})
# One-line fields: no control character or line break.
LINES = NAMES | {"company", "title"}
NOTES = frozenset({"notes"})
_BREAKING = frozenset({"Cc", "Zl", "Zp", "Cs"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _visible(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK_LETTERS for ch in text)


def _breaks_line(text: str, allowed: str = "") -> bool:
    return any(ch not in allowed and unicodedata.category(ch) in _BREAKING for ch in text)


def _strings(node: Any, name: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string value in the body with the name of the field that holds it (a list's items: the list's)."""
    if isinstance(node, Raw):
        node = node.stands_for
    if isinstance(node, str):
        yield name, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, name)


def breaks_text_rules(document: Any) -> bool:
    for name, text in _strings(document):
        if name in NAMES and not _visible(text):
            return True
        if name in LINES and _breaks_line(text):
            return True
        if name in NOTES and _breaks_line(text, "\n\r\t\u2028\u2029"):
            return True
    return False


def unreadable(node: Any) -> bool:
    """Whether the body holds something no RFC 8259 reader may accept (or Kith cannot carry)."""
    if isinstance(node, Twice):
        return True
    if isinstance(node, Raw):
        return node.stands_for is UNREADABLE
    if isinstance(node, dict):
        return any(unreadable(value) for value in node.values())
    if isinstance(node, list):
        return any(unreadable(value) for value in node)
    return False


def refused(document: Any, schema: dict[str, Any] | None) -> bool:
    """`schema` None: the route publishes none (a webhook); only unreadable JSON or no object must be refused."""
    if unreadable(document):
        return True
    if schema is None:
        return not isinstance(document, dict)
    return not fits(document, schema) or breaks_text_rules(document)
