"""Reading request bodies: what RFC 8259 JSON is not, or what Kith cannot keep, is refused as unreadable."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kith.events import MAX_NUMBER_DIGITS, read_json


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"digest_hour": ' + "9" * 4301 + "}", "more than 1,000 digits"),
        ('{"digest_hour": ' + "9" * (MAX_NUMBER_DIGITS + 1) + "}", "more than 1,000 digits"),
        ('{"x": 0.' + "1" * 5000 + "}", "more than 1,000 digits"),
        ('{"digest_hour": 1e400}', "too large"),
        ('{"digest_hour": -1E+999}', "too large"),
        ('{"digest_hour": NaN}', "NaN is not a JSON value"),
        ('{"digest_hour": Infinity}', "Infinity is not a JSON value"),
        ("[-Infinity]", "-Infinity is not a JSON value"),
        ('{"name": "Ada", "name": "Eve"}', "'name' appears twice"),
        ('{"a": {"b": 1, "b": 2}}', "'b' appears twice"),
        ('{"a": "\\ud800"}', "lone surrogate"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_json_kith_cannot_read_is_refused_saying_why(text: str, problem: str) -> None:
    # Given a body json.loads would accept (or crash on with ValueError or RecursionError)
    # When read, Then it is a JSONDecodeError naming the problem
    with pytest.raises(json.JSONDecodeError) as refused:
        read_json(text)
    assert problem in str(refused.value)


def test_ordinary_json_reads_as_json_loads_reads_it() -> None:
    text = '{"n": 12345678901234567890, "f": -1.5e-3, "s": "é", "l": [true, false, null], "o": {}}'
    assert read_json(text) == json.loads(text)
    assert read_json(("9" * MAX_NUMBER_DIGITS).encode()) == int("9" * MAX_NUMBER_DIGITS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_text_is_json_or_a_json_decode_error(text: str | bytes) -> None:
    # Given any text or bytes at all, When read, Then nothing but a JSONDecodeError (a ValueError) comes out
    with contextlib.suppress(ValueError):
        read_json(text)
