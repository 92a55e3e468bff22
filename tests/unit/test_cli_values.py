"""What `kith` reads from a person (days, hours, instants, this machine's time zone) and how it prints their data."""

from __future__ import annotations

import argparse
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from kith_cli import calendars, times
from kith_cli.errors import BadValue
from kith_cli.terminal import WIDEST_CELL, Terminal, shown

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 30, 10, 0, 12, 345678, tzinfo=UTC)


def _root(tmp_path: Path, timezone_file: str | None = None, localtime_link: str | None = None) -> Path:
    (tmp_path / "etc").mkdir()
    if timezone_file is not None:
        (tmp_path / "etc/timezone").write_text(timezone_file, encoding="utf-8")
    if localtime_link is not None:
        os.symlink(localtime_link, tmp_path / "etc/localtime")
    return tmp_path


@pytest.mark.parametrize(
    ("tz", "timezone_file", "link", "expected"),
    [
        ("Europe/Paris", "Asia/Tokyo\n", None, "Europe/Paris"),
        (":America/New_York", None, None, "America/New_York"),
        ("CET-1CEST,M3.5.0,M10.5.0/3", "Asia/Tokyo\n", None, "Asia/Tokyo"),
        ("", None, "/usr/share/zoneinfo/Australia/Sydney", "Australia/Sydney"),
        ("", "not/a zone\n", "../usr/share/zoneinfo/posix/Europe/Lisbon", "Europe/Lisbon"),
        ("../../etc/passwd", None, None, "UTC"),
        ("", None, None, "UTC"),
    ],
    ids=["TZ", "TZ with colon", "POSIX TZ rule", "localtime link", "relative link", "path in TZ", "nothing"],
)
def test_the_machines_time_zone_comes_from_tz_then_etc_timezone_then_the_localtime_link(
    tmp_path: Path, tz: str, timezone_file: str | None, link: str | None, expected: str
) -> None:
    root = _root(tmp_path, timezone_file, link)
    assert times.machine_time_zone({"TZ": tz}, root) == expected


@pytest.mark.parametrize(
    ("text", "days"),
    [("mon", [0]), ("mon,thu", [0, 3]), ("Mon - Fri", [0, 1, 2, 3, 4]), ("fri-mon", [0, 4, 5, 6]), ("0,6", [0, 6])],
)
def test_weekdays_read_as_names_ranges_or_numbers(text: str, days: list[int]) -> None:
    assert times.weekdays(text) == days
    assert times.weekdays(times.day_names(days)) == days


@pytest.mark.parametrize("text", ["", "mo", "funday", "7", "mon,,thu"])
def test_a_weekday_that_is_none_is_refused_by_name(text: str) -> None:
    with pytest.raises(BadValue, match="is not a weekday"):
        times.weekdays(text)


def test_working_hours_are_whole_hours_starting_before_they_end() -> None:
    assert times.hours("9-17") == (9, 17) == times.hours("09:00 - 17:00")
    assert times.hours("0-24") == (0, 24)
    for wrong in ("17-9", "9", "9:30-17", "8-25", "x-y"):
        with pytest.raises(BadValue):
            times.hours(wrong)


def test_numbers_are_whole_and_in_range() -> None:
    hour = times.number(0, 23)
    assert hour(" 7 ") == 7
    with pytest.raises(BadValue, match="24 is not between 0 and 23"):
        hour("24")
    with pytest.raises(BadValue, match="is not a whole number"):
        hour("7.5")


def test_instants_read_as_now_a_day_or_a_date_time_in_the_zone_given() -> None:
    assert times.instant("now", TOKYO, NOW) == NOW.replace(microsecond=0)
    assert times.iso(times.instant("yesterday", TOKYO, NOW)) == "2026-11-28T15:00:00Z"
    assert times.iso(times.instant("today", TOKYO, NOW)) == "2026-11-29T15:00:00Z"
    assert times.iso(times.instant("2026-01-02", TOKYO, NOW)) == "2026-01-01T15:00:00Z"
    assert times.iso(times.instant("2026-01-02T09:30", TOKYO, NOW)) == "2026-01-02T00:30:00Z"
    assert times.iso(times.instant("2026-01-02T09:30Z", TOKYO, NOW)) == "2026-01-02T09:30:00Z"
    assert times.iso(times.instant("2026-01-02T09:30+01:00", TOKYO, NOW)) == "2026-01-02T08:30:00Z"
    with pytest.raises(BadValue, match="is not a day or a date-time"):
        times.instant("next tuesday", TOKYO, NOW)


def test_time_zones_are_iana_names_only() -> None:
    assert times.time_zone(" Europe/Berlin ") == "Europe/Berlin"
    for wrong in ("Mars/Olympus", "/etc/passwd", "../zoneinfo/UTC", "x" * 300, ""):
        with pytest.raises(BadValue, match="is not an IANA time zone"):
            times.time_zone(wrong)


def test_printed_names_cannot_drive_the_terminal() -> None:
    # Given a name holding an ANSI escape, a bell, a carriage return and a bidi override
    hostile = "Eve\x1b[2J\x07\rAdmin\u202egnp.exe"
    # Then every control character and the override print as a replacement mark; letters and emoji stay
    assert shown(hostile) == "Eve\ufffd[2J\ufffd\ufffdAdmin\ufffdgnp.exe"
    assert shown("Zoë 👩‍💻 Ng") == "Zoë 👩‍💻 Ng"
    assert shown(None) == ""


def test_tables_align_columns_cut_long_cells_and_mark_empty_ones() -> None:
    out = io.StringIO()
    Terminal(out, io.StringIO(), io.StringIO()).table(["NAME", "GOAL"], [["Ada", None], ["B" * 60, "job"]])
    lines = out.getvalue().splitlines()
    assert lines[0] == "NAME" + " " * (WIDEST_CELL - 4) + "  GOAL"
    assert lines[1].split() == ["Ada", "-"]
    assert lines[2] == "B" * (WIDEST_CELL - 1) + "…  job"


def test_json_mode_prints_only_the_document() -> None:
    out = io.StringIO()
    terminal = Terminal(out, io.StringIO(), io.StringIO(), json=True)
    terminal.say("a line for a person")
    terminal.emit({"goals": []}, lambda: terminal.say("no goals"))
    assert out.getvalue() == '{\n  "goals": []\n}\n'


class _Listing:
    """An API that lists no connection and says which providers its stack connects."""

    def call(self, method: str, path: str) -> dict[str, Any]:
        assert (method, path) == ("GET", "/v1/connections")
        return {"connections": [], "available_providers": ["calcom", "calendly"]}


def test_connections_say_which_providers_this_stack_connects() -> None:
    out = io.StringIO()
    code = calendars.list_connections(_Listing(), argparse.Namespace(), Terminal(out, io.StringIO(), io.StringIO()))  # type: ignore[arg-type]
    assert code == 0 and out.getvalue() == "no calendar connected\nthis stack connects: calcom, calendly\n"
