"""What a name, a one-line label and a note may hold.

Names and labels end up in an email's subject, its text part and its HTML: a control
character there (NUL, a line break, an escape) breaks the text part or a mail client, and a
name of nothing but spaces or invisible characters names nobody.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

# Letters, marks on them, numbers, punctuation and symbols: what a reader can see.
_VISIBLE = frozenset("LNPS")
# Letters by category that show nothing: Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Line and paragraph separators end a line as surely as a newline does.
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp", "Cs"})
_NOTE_BREAKS = frozenset("\n\r\t\u2028\u2029")


def _first_forbidden(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    return next(
        (ch for ch in value if ch not in allowed and unicodedata.category(ch) in _LINE_BREAKING),
        None,
    )


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def check_line(value: str) -> str:
    """One line of text: no control characters or line breaks; spaces around it are dropped."""
    forbidden = _first_forbidden(value)
    if forbidden is not None:
        raise ValueError(f"holds a control character or line break ({_describe(forbidden)})")
    return value.strip()


class BlankText(ValueError):
    """Text with nothing a reader can see: spaces, zero-width characters, fillers."""


def is_visible(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in _VISIBLE and ch not in _BLANK_LETTERS for ch in text)


def check_name(value: str) -> str:
    """A person's name, a goal, a tag or a title: one line with at least one visible character."""
    line = check_line(value)
    if not is_visible(line):
        raise BlankText("is blank: it needs a visible character")
    return line


def check_note(value: str) -> str:
    """Free text over several lines: line breaks and tabs, but no other control characters."""
    forbidden = _first_forbidden(value, _NOTE_BREAKS)
    if forbidden is not None:
        raise ValueError(f"holds a control character ({_describe(forbidden)})")
    return value


def one_line(value: str | None) -> str | None:
    """Text a provider sent (a meeting's title, an attendee's name) made one line: it cannot be refused."""
    if value is None:
        return None
    cleaned = " ".join("".join(" " if unicodedata.category(ch) in _LINE_BREAKING else ch for ch in value).split())
    return cleaned if is_visible(cleaned) else None


def goal_key(name: str) -> str:
    """Goals are one goal whatever their case: "Job" and "job" compare equal."""
    return name.strip().casefold()


def same_goal(one: str | None, other: str | None) -> bool:
    return one is not None and other is not None and goal_key(one) == goal_key(other)


PersonName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(check_name)]
Label = Annotated[str, Field(max_length=200), AfterValidator(check_line)]
GoalName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(check_name)]
Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(check_name)]
Tag = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(check_name)]
Note = Annotated[str, Field(max_length=5000), AfterValidator(check_note)]
