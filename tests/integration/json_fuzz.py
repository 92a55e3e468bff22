"""Hypothesis strategies for JSON request bodies, written as raw text so that what json.dumps cannot write is sent too.

A case starts from a valid body for its route and breaks one to three places in it: a leaf (or a new key)
becomes a number of thousands of digits, 1e400, NaN or Infinity, arrays or objects nested up to 100,000 deep, a
string at and past its schema's maxLength (in ASCII and in 4-byte emoji), a blank, invisible or control-character
string, a lone surrogate escape, bytes that are not UTF-8, a value of the wrong type; a key is written twice, left
out, or added. Or the whole body is empty, or no object at all.

Each case carries the verdict tests/integration/json_verdict.py gives it: whether Kith must refuse it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.integration.json_verdict import UNREADABLE, Raw, Twice, of_type, refused

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Slot:
    """A place a mutation can write: a value present in the body, or a key its object may (or may not) have."""

    path: Path_
    schema: dict[str, Any] | None
    present: bool


@dataclass
class Case:
    body: bytes
    refused: bool
    mutations: list[str] = field(default_factory=list)

    def describe(self, limit: int = 160) -> str:
        shown = self.body[:limit].decode("utf-8", "backslashreplace")
        more = f"... ({len(self.body):,} bytes)" if len(self.body) > limit else ""
        return f"{'; '.join(self.mutations)}: {shown}{more}"


# -- writing ------------------------------------------------------------------------------------------------


def write(node: Any, ascii_only: bool) -> bytes:
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, Twice | dict):
        pairs = node.pairs if isinstance(node, Twice) else list(node.items())
        return (
            b"{" + b", ".join(write(key, ascii_only) + b": " + write(value, ascii_only) for key, value in pairs) + b"}"
        )
    if isinstance(node, list):
        return b"[" + b", ".join(write(value, ascii_only) for value in node) + b"]"
    return json.dumps(node, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


# -- where to write -----------------------------------------------------------------------------------------


def slots(node: Any, schema: dict[str, Any] | None, path: Path_ = ()) -> Iterator[Slot]:
    """Every value in the body, and every key an object of it could have (its schema's, or none known)."""
    yield Slot(path, schema, present=True)
    if isinstance(node, dict):
        shape = of_type(schema, "object")
        properties = shape.get("properties", {}) if shape else {}
        for key, value in node.items():
            yield from slots(value, properties.get(key) if shape else None, (*path, key))
        for key, option in properties.items():
            if key not in node:
                yield Slot((*path, key), option, present=False)
    elif isinstance(node, list):
        shape = of_type(schema, "array")
        for index, value in enumerate(node):
            yield from slots(value, shape.get("items") if shape else None, (*path, index))


def put(document: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


def remove(document: Any, path: Path_) -> Any:
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return document


def get(document: Any, path: Path_) -> Any:
    for step in path:
        document = document[step]
    return document


# -- what to write ------------------------------------------------------------------------------------------

HOSTILE_TEXT = (
    "", " ", "   ", "\u200b", "\u200b\u200b", "\t\n", "\r\n", "\u3164", "\u2800", "\ufeff", "\u00a0", "\u2028",
    "\x00", "Kim\x00", "K\x07m", "\x1b[31mKim", "Kim\u2029", "\u202eKim", "Kim\x7f", "Kim\x85", "Kim\nBcc: x@y.z",
)  # fmt: skip
_controls = st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), min_size=1, max_size=4)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT), _controls, st.tuples(st.sampled_from(["Kim", ""]), _controls).map("".join)
)
# Bytes that are not UTF-8 (a stray continuation byte, an overlong NUL, an encoded surrogate), and a raw NUL.
NOT_UTF8 = (b"\xff", b"\x80", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\x1f")
WRONG_TYPES = (None, True, False, "yes", "true", "no", "1", "", 0, 1, -1, 1.5, [], {}, [None], {"value": 1})
EXTRA_KEYS = ("owner_id", "contact_id", "version", "__proto__", "constructor", "admin", "Name", "name ")


@st.composite
def huge_integer(draw: st.DrawFn) -> Raw:
    digits = draw(st.sampled_from([4301, 4302, 5000, 10_000]) | st.integers(4301, 10_000))
    return Raw(draw(st.sampled_from([b"", b"-"])) + b"9" * digits)


@st.composite
def big_integer(draw: st.DrawFn) -> Raw:
    digits = draw(st.integers(20, 4300))
    return Raw(b"1" + b"0" * (digits - 1), 10 ** (digits - 1))


FLOATS = (
    Raw(b"1e400"), Raw(b"-1e400"), Raw(b"1E+99999"), Raw(b"1e-400", 0.0), Raw(b"-0.0", -0.0),
    Raw(b"0." + b"5" * 5000, 0.5), Raw(b"1" + b"0" * 400 + b".0"),
)  # fmt: skip
CONSTANTS = (Raw(b"NaN"), Raw(b"Infinity"), Raw(b"-Infinity"), Raw(b"nan"), Raw(b"undefined"))


@st.composite
def deep(draw: st.DrawFn) -> Raw:
    depth = draw(st.sampled_from([100, 1000, 10_000, 100_000]) | st.integers(100, 100_000))
    arrays = draw(st.booleans())
    text = b"[" * depth + b"]" * depth if arrays else b'{"a": ' * depth + b"1" + b"}" * depth
    # Deeper than any reader's stack: refused; shallower, it reads as nested lists or objects.
    readable = depth < 10_000
    return Raw(text, ([[]] if arrays else {"a": {"a": 1}}) if readable else UNREADABLE)


@st.composite
def lone_surrogate(draw: st.DrawFn) -> Raw:
    code = draw(st.sampled_from([0xD800, 0xDBFF, 0xDC00, 0xDFFF]) | st.integers(0xD800, 0xDFFF))
    return Raw(b'"Kim\\u%04x"' % code)


@st.composite
def not_utf8(draw: st.DrawFn) -> Raw:
    return Raw(b'"K' + draw(st.sampled_from(NOT_UTF8)) + b'm"')


@st.composite
def at_the_limit(draw: st.DrawFn, slot: Slot) -> str:
    """A string as long as the field allows, or one character more; a field without a limit gets very long ones."""
    text = of_type(slot.schema, "string")
    unit = draw(st.sampled_from(["x", "é", "\U0001f600", "\u0915\u094d"]))
    if text is not None and "maxLength" in text:
        length = text["maxLength"] + draw(st.sampled_from([0, 1]))
    elif text is not None and text.get("minLength", 0) > 1:
        length = text["minLength"] - 1
    else:
        length = draw(st.sampled_from([1000, 10_000, 100_000]))
    return (unit * length)[:length]


@st.composite
def at_the_item_limit(draw: st.DrawFn, slot: Slot, current: Any) -> list[Any]:
    """A list as long as the field allows, or one item more (long lists only past their limit: cheap to refuse)."""
    array = of_type(slot.schema, "array") or {}
    limit = array.get("maxItems", 100)
    length = limit + 1 if limit > 50 else limit + draw(st.sampled_from([0, 1]))
    if isinstance(current, list) and current:
        return [copy.deepcopy(current[index % len(current)]) for index in range(length)]
    return [f"item {index}" for index in range(length)]


def _json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False))


@st.composite
def replacement(draw: st.DrawFn, slot: Slot, current: Any) -> tuple[str, Any]:
    """One mutation of the value at `slot`: its name, and what to write there."""
    choices = ["huge integer", "big integer", "float", "constant", "deep", "hostile text", "lone surrogate"]
    choices += ["not utf-8", "at the limit", "wrong type", "wrong type", "scalar"]
    if isinstance(current, list) or of_type(slot.schema, "array"):
        choices.append("item limit")
    kind = draw(st.sampled_from(choices))
    return kind, copy.deepcopy(draw(_MUTATIONS[kind](slot, current)))


_MUTATIONS: dict[str, Callable[[Slot, Any], st.SearchStrategy[Any]]] = {
    "huge integer": lambda slot, current: huge_integer(),
    "big integer": lambda slot, current: big_integer(),
    "float": lambda slot, current: st.sampled_from(FLOATS),
    "constant": lambda slot, current: st.sampled_from(CONSTANTS),
    "deep": lambda slot, current: deep(),
    "hostile text": lambda slot, current: hostile_text,
    "lone surrogate": lambda slot, current: lone_surrogate(),
    "not utf-8": lambda slot, current: not_utf8(),
    "at the limit": lambda slot, current: at_the_limit(slot),
    "item limit": at_the_item_limit,
    "wrong type": lambda slot, current: st.sampled_from(WRONG_TYPES) | st.just([current]) | st.just({"value": current}),
    "scalar": lambda slot, current: _json_scalars(),
}


TOP_LEVEL = (b"", b" ", b"null", b"true", b"0", b"-1", b'"text"', b"[]", b"[{}]", b"{", b"}", b"{}{}", b'""')


@st.composite
def bodies(draw: st.DrawFn, seeds: Sequence[Any], schema: dict[str, Any] | None) -> Case:
    """A case for a route whose valid bodies look like `seeds`; `schema` None: the route publishes none (webhooks)."""
    if draw(st.integers(0, 24)) == 0:
        return Case(draw(st.sampled_from(TOP_LEVEL)), refused=True, mutations=["not an object"])
    document = copy.deepcopy(draw(st.sampled_from(list(seeds))))
    if draw(st.integers(0, 24)) == 0:
        return Case(write([document], draw(st.booleans())), refused=True, mutations=["wrapped in an array"])
    mutations: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        document = _mutate_once(draw, document, schema, mutations)
    if draw(st.integers(0, 9)) == 0:
        document = _twice(draw, document, mutations)
    return Case(write(document, draw(st.booleans())), refused(document, schema), mutations)


def _mutate_once(draw: st.DrawFn, document: Any, schema: dict[str, Any] | None, mutations: list[str]) -> Any:
    places = [slot for slot in slots(document, schema) if slot.path and _writable(document, slot.path)]
    if not places:
        return document
    slot = draw(st.sampled_from(places))
    where = ".".join(str(step) for step in slot.path)
    action = draw(st.sampled_from(["replace", "replace", "replace", "remove", "add"]))
    if action == "remove" and slot.present:
        mutations.append(f"{where} left out")
        return remove(document, slot.path)
    if action == "add" and isinstance(get(document, slot.path[:-1]), dict):
        key = draw(st.sampled_from(EXTRA_KEYS) | st.text(max_size=8))
        kind, value = draw(replacement(Slot((*slot.path[:-1], key), None, False), None))
        mutations.append(f"unknown key {key!r} ({kind}) beside {where}")
        parent = get(document, slot.path[:-1])
        if key not in parent:
            parent[key] = value
        return document
    current = get(document, slot.path) if slot.present else None
    kind, value = draw(replacement(slot, current))
    mutations.append(f"{where}: {kind}")
    return put(document, slot.path, value)


def _writable(document: Any, path: Path_) -> bool:
    """A path still leads through lists and objects (an earlier mutation may have replaced what it passed)."""
    node = document
    for step in path[:-1]:
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        ):
            node = node[step]
        else:
            return False
    return isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node))


def _twice(draw: st.DrawFn, document: Any, mutations: list[str]) -> Any:
    objects = [slot.path for slot in slots(document, None) if isinstance(get(document, slot.path), dict)]
    objects = [path for path in objects if get(document, path)]
    if not objects:
        return document
    path = draw(st.sampled_from(objects))
    node = get(document, path)
    key = draw(st.sampled_from(sorted(node)))
    other = draw(st.sampled_from([None, "Eve", 0, True, [], {}]))
    mutations.append(f"{'.'.join(str(step) for step in (*path, key))} written twice")
    pairs = [*node.items(), (key, other)]
    return put(document, path, Twice(pairs)) if path else Twice(pairs)
