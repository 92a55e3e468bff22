"""When things happen in an owner's own time: digest slots and follow-up times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kith.domain.models import OwnerSettings, WorkingHours


def local_wall_time(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """A local wall-clock hour as a UTC instant.

    An hour skipped by a spring-forward change resolves to the instant of the
    hour after it; an hour repeated in autumn resolves to its first pass. Both
    are what a person means by "8 o'clock that day" (fold=0 gives exactly that).
    """
    return datetime.combine(day, time(hour, 0), tzinfo=zone).astimezone(UTC)


def next_digest_slot(settings: OwnerSettings, after: datetime) -> datetime:
    """The first digest instant strictly after `after`, in UTC."""
    zone = settings.zone
    local_today = after.astimezone(zone).date()
    for offset in range(0, 8):
        day = local_today + timedelta(days=offset)
        if day.weekday() not in settings.digest_weekdays:
            continue
        slot = local_wall_time(day, settings.digest_hour, zone)
        if slot > after:
            return slot
    raise AssertionError("a weekly schedule always has a slot within eight days")


def _within(hours: WorkingHours, local: datetime) -> bool:
    if local.weekday() not in hours.days:
        return False
    start = local.replace(hour=hours.start_hour, minute=0, second=0, microsecond=0)
    end_of_day = hours.end_hour == 24
    if end_of_day:
        return local >= start
    end = local.replace(hour=hours.end_hour, minute=0, second=0, microsecond=0)
    return start <= local < end


def follow_up_due_at(settings: OwnerSettings, meeting_end: datetime) -> datetime:
    """A set delay after the meeting, or the next working morning if that falls outside hours."""
    zone = settings.zone
    hours = settings.working_hours
    candidate = meeting_end + timedelta(minutes=settings.follow_up_delay_minutes)
    local = candidate.astimezone(zone)
    if _within(hours, local):
        return candidate.astimezone(UTC)
    day = local.date()
    if local.hour >= hours.start_hour or local.weekday() not in hours.days:
        day += timedelta(days=1)
    for _ in range(8):
        if day.weekday() in hours.days:
            return local_wall_time(day, hours.start_hour, zone)
        day += timedelta(days=1)
    raise AssertionError("working hours always have a day within a week")
