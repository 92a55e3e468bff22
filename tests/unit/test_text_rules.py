"""Names, one-line labels and notes: what they may hold (no control characters; a name needs something visible)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kith.domain.models import normalise_email
from kith.domain.text import check_line, check_name, check_note, goal_key, one_line, same_goal

BLANK = [" ", "\u200b", "", "\u200d\u2060\ufeff", "\u3000", "\u0301"]
CONTROL = [
    "\t\n",
    "Fay\x00Null",
    "Ann\r\nBcc: x",
    "Ben\nX",
    "del\x7f",
    "esc\x1b[31m",
    "c1\x85",
    "line\u2028sep",
    "p\u2029",
]


@pytest.mark.parametrize("blank", BLANK)
def test_a_name_with_nothing_visible_is_refused(blank: str) -> None:
    with pytest.raises(ValueError, match="blank"):
        check_name(blank)


@pytest.mark.parametrize("text", CONTROL)
def test_names_and_labels_refuse_control_characters_and_line_breaks(text: str) -> None:
    with pytest.raises(ValueError, match="control character"):
        check_name(text)
    with pytest.raises(ValueError, match="control character"):
        check_line(text)


@pytest.mark.parametrize(
    "name", ["Ada", "  Ada Lovelace ", "李小龙", "José", "O'Brien", "Dee \u202eexe", "👩🏽‍💻", "X Æ A-12"]
)
def test_real_names_are_kept_without_surrounding_spaces(name: str) -> None:
    assert check_name(name) == name.strip()


def test_notes_keep_line_breaks_and_tabs_but_not_other_control_characters() -> None:
    assert check_note("Met at PyCon.\r\n\tLikes tea.\u2028") == "Met at PyCon.\r\n\tLikes tea.\u2028"
    for text in ("a\x00b", "a\x7fb", "a\x1bb"):
        with pytest.raises(ValueError, match="control character"):
            check_note(text)


def test_a_calendars_text_becomes_one_line_and_blank_becomes_nothing() -> None:
    assert one_line("Ann\r\nBcc:  eve\x00x\u2028y") == "Ann Bcc: eve x y"
    assert one_line(" \u200b\t") is None
    assert one_line(None) is None
    assert one_line("<b>Cy</b> \u202eexe") == "<b>Cy</b> \u202eexe"


@given(st.text())
def test_one_line_never_leaves_a_control_character_and_always_passes_the_line_rule(text: str) -> None:
    kept = one_line(text)
    if kept is not None:
        assert check_name(kept) == kept


def test_goals_compare_whatever_their_case() -> None:
    assert same_goal("Job", "job") and same_goal(" Mentorship", "MENTORSHIP ")
    assert not same_goal("job", "jobs") and not same_goal(None, "job") and not same_goal("job", None)
    assert goal_key("Straße") == goal_key("STRASSE")


@pytest.mark.parametrize(
    "address", ["\x01a@b.co", "\u200b@x.io", "a\u00a0b@x.io", "ann@exam\u200dple.com", "a@b.co\x00"]
)
def test_an_address_holding_an_invisible_or_control_character_is_not_an_address(address: str) -> None:
    with pytest.raises(ValueError, match="not a valid e-mail address"):
        normalise_email(address)


def test_an_international_address_is_one() -> None:
    assert normalise_email(" José@Exämple.com ") == "josé@exämple.com"
