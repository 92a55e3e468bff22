"""Days, hours, instants and time zones as a person types them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kith_cli.errors import BadValue

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = tuple(name[:3] for name in _DAY_NAMES)


def machine_time_zone(environ: Mapping[str, str] = os.environ, root: Path = Path("/")) -> str:
    """This machine's IANA time zone: TZ, /etc/timezone, the /etc/localtime link, else UTC."""
    candidates = [environ.get("TZ", "").removeprefix(":")]
    with contextlib.suppress(OSError):
        candidates.append((root / "etc/timezone").read_text(encoding="utf-8").strip())
    with contextlib.suppress(OSError):
        candidates.append(os.readlink(root / "etc/localtime"))
    for candidate in candidates:
        name = candidate.rsplit("zoneinfo/", 1)[-1].strip("/").removeprefix("posix/").removeprefix("right/")
        if name and is_time_zone(name):
            return name
    return "UTC"


def is_time_zone(name: str) -> bool:
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def time_zone(text: str) -> str:
    name = text.strip()
    if not is_time_zone(name):
        raise BadValue(f"{text!r} is not an IANA time zone (like Europe/Berlin or America/New_York)")
    return name


def weekdays(text: str) -> list[int]:
    """`mon,thu`, `mon-fri`, `0,3` (0 is Monday): the days, sorted, each once."""
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        start, end = _weekday(first), _weekday(last) if last else _weekday(first)
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return sorted(days)


def _weekday(text: str) -> int:
    if text.isdigit() and int(text) < 7:
        return int(text)
    if len(text) >= 3:
        for index, name in enumerate(_DAY_NAMES):
            if name.startswith(text):
                return index
    raise BadValue(f"{text or 'nothing'!r} is not a weekday: mon, tue, wed, thu, fri, sat, sun (or 0 to 6)")


def day_names(days: list[int]) -> str:
    return ",".join(WEEKDAYS[day] for day in days)


def number(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    def read(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise BadValue(f"{text!r} is not {what}") from None
        if not low <= value <= high:
            raise BadValue(f"{value} is not between {low} and {high}")
        return value

    return read


def hours(text: str) -> tuple[int, int]:
    """`9-17`, `09:00-17:30` rounds to whole hours it starts and ends in: (9, 17)."""
    start, separator, end = text.replace(" ", "").partition("-")
    if not separator:
        raise BadValue(f"{text!r} is not a span of hours like 9-17")
    first, last = _hour(start, 0, 23), _hour(end, 1, 24)
    if first >= last:
        raise BadValue(f"{text!r}: working hours must start before they end")
    return first, last


def _hour(text: str, low: int, high: int) -> int:
    hour, _, minutes = text.partition(":")
    if not hour.isdigit() or (minutes and minutes.strip("0")):
        raise BadValue(f"{text!r} is not a whole hour (like 9 or 09:00)")
    value = int(hour)
    if not low <= value <= high:
        raise BadValue(f"{text!r} is not an hour from {low} to {high}")
    return value


def instant(text: str, zone: tzinfo, now: datetime | None = None) -> datetime:
    """`now`, `today`, `yesterday`, a day (its start) or an ISO date-time; without an offset, in `zone`."""
    moment = now or datetime.now(UTC)
    word = text.strip().lower()
    if word == "now":
        # Whole seconds: the API's clock counts milliseconds, and an instant after it is refused as future.
        return moment.replace(microsecond=0)
    local_today = moment.astimezone(zone).date()
    if word in {"today", "yesterday"}:
        return _start_of(local_today - timedelta(days=1 if word == "yesterday" else 0), zone)
    try:
        if len(word) == 10:
            return _start_of(date.fromisoformat(word), zone)
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadValue(f"{text!r} is not a day or a date-time (2026-11-30, 2026-11-30T14:00, now, yesterday)") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local(text: str | None, zone_name: str, with_time: bool = False) -> str:
    """An instant the API sent, as a local day (and time) in the owner's zone; '-' for none."""
    if not text:
        return "-"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(ZoneInfo(zone_name))
    return moment.strftime("%a %d %b %Y %H:%M" if with_time else "%Y-%m-%d")
