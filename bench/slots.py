"""Where a million owners' digests fall in a week, by UTC instant (a simulation for docs/scale.md).

The slots come from Kith's own next_digest_slot with real time zones (zoneinfo, daylight saving
included), for one week in winter and one in summer. Where owners live and what they choose is an
assumption, written below: a mix weighted towards North America, Europe and India, and 80% of owners
keeping the default (Mondays at 08:00). EventBridge ticks every 5 minutes at a fixed phase; slots fall
on the hour, the half or the quarter hour, so every owner of one slot instant is found by one tick.

    .venv/bin/python bench/slots.py [--owners N]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kith.domain.models import OwnerSettings
from kith.domain.schedule import next_digest_slot

# Assumed shares of owners by time zone (percent; not data: a mix for a professional-network product).
ZONES: dict[str, float] = {
    "America/New_York": 14,
    "America/Chicago": 7,
    "America/Denver": 2,
    "America/Los_Angeles": 8,
    "America/Toronto": 2.5,
    "America/Vancouver": 1,
    "America/Mexico_City": 3,
    "America/Bogota": 1.5,
    "America/Lima": 0.8,
    "America/Sao_Paulo": 7,
    "America/Argentina/Buenos_Aires": 1.5,
    "America/Santiago": 0.7,
    "Europe/London": 6,
    "Europe/Paris": 4,
    "Europe/Berlin": 3.5,
    "Europe/Madrid": 2,
    "Europe/Rome": 2,
    "Europe/Amsterdam": 1.5,
    "Europe/Warsaw": 1,
    "Europe/Stockholm": 0.7,
    "Europe/Istanbul": 1.5,
    "Europe/Moscow": 0.5,
    "Africa/Lagos": 2,
    "Africa/Cairo": 1,
    "Africa/Johannesburg": 1,
    "Africa/Nairobi": 0.5,
    "Asia/Dubai": 1,
    "Asia/Karachi": 1,
    "Asia/Kolkata": 12,
    "Asia/Kathmandu": 0.2,
    "Asia/Dhaka": 0.8,
    "Asia/Jakarta": 2,
    "Asia/Ho_Chi_Minh": 0.5,
    "Asia/Singapore": 1,
    "Asia/Shanghai": 2.5,
    "Asia/Manila": 1.5,
    "Asia/Seoul": 0.5,
    "Asia/Tokyo": 1,
    "Australia/Perth": 0.3,
    "Australia/Sydney": 1.5,
    "Pacific/Auckland": 0.3,
}
DEFAULT_SHARE = 0.8  # keep Mondays at 08:00
# The others choose one weekday (Monday to Friday) and an hour from these, evenly.
OTHER_HOURS = (7, 8, 9, 10, 12, 17)
WEEKS = {
    "winter (from Sat 28 Nov 2026)": datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
    "summer (from Sat 27 Jun 2026)": datetime(2026, 6, 27, 12, 0, tzinfo=UTC),
}


def slot_counts(owners: int, after: datetime) -> dict[datetime, float]:
    """Owners per UTC slot instant in the week after `after`."""
    total = sum(ZONES.values())
    counts: defaultdict[datetime, float] = defaultdict(float)
    for zone, weight in ZONES.items():
        in_zone = owners * weight / total
        default = OwnerSettings(time_zone=zone)
        counts[next_digest_slot(default, after)] += in_zone * DEFAULT_SHARE
        others = [(day, hour) for day in range(5) for hour in OTHER_HOURS]
        for day, hour in others:
            settings = OwnerSettings(time_zone=zone, digest_weekdays=(day,), digest_hour=hour)
            counts[next_digest_slot(settings, after)] += in_zone * (1 - DEFAULT_SHARE) / len(others)
    return dict(counts)


def busiest(counts: dict[datetime, float], top: int = 5) -> list[tuple[datetime, float]]:
    return sorted(counts.items(), key=lambda slot: -slot[1])[:top]


def summary(owners: int) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for label, after in WEEKS.items():
        counts = slot_counts(owners, after)
        ((peak_instant, peak),) = busiest(counts, 1)
        found[label] = {
            "slots": len(counts),
            "peak_instant": peak_instant,
            "peak_owners": round(peak),
            "peak_share": peak / owners,
            "top": busiest(counts),
            "busiest_hour": round(max(_per_hour(counts).values())),
        }
    return found


def _per_hour(counts: dict[datetime, float]) -> dict[datetime, float]:
    hours: defaultdict[datetime, float] = defaultdict(float)
    for moment, n in counts.items():
        hours[moment.replace(minute=0)] += n
    return hours


def tick_backlog(
    due: int,
    shards: int = 4,
    move_seconds: float = 0.0057,
    batch_seconds: float = 0.015,
    budget_seconds: float = 120.0,
) -> tuple[int, int]:
    """Ticks until `due` owners of one slot are all moved on, and the digest jobs queued meanwhile.

    The sweep as it is: shard after shard, all of a shard's due owners queued (ten a SendMessageBatch),
    then their slots moved one conditional UpdateItem at a time; a tick cut off at its Timeout leaves the
    rest for the next tick, which queues them again. Defaults: 5 ms a DynamoDB round trip plus 0.7 ms of
    the tick's own work per owner (part 10's compute at 10,000 owners, on a 512 MB share of a vCPU),
    15 ms a SendMessageBatch.
    """
    remaining = [due // shards + (1 if shard < due % shards else 0) for shard in range(shards)]
    ticks = sent = 0
    while any(remaining):
        ticks += 1
        spent = 0.0
        for shard in range(shards):
            if not remaining[shard]:
                continue
            batches = -(-remaining[shard] // 10)
            fit = min(batches, int((budget_seconds - spent) / batch_seconds))
            sent += min(remaining[shard], fit * 10)
            spent += fit * batch_seconds
            if fit < batches:
                break
            moved = min(remaining[shard], int((budget_seconds - spent) / move_seconds))
            remaining[shard] -= moved
            spent += moved * move_seconds
            if remaining[shard]:
                break
    return ticks, sent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=1_000_000)
    arguments = parser.parse_args(argv)
    owners = arguments.owners
    print(f"{owners:,} owners, {len(ZONES)} time zones, {DEFAULT_SHARE:.0%} on the default Monday 08:00")
    for label, figures in summary(owners).items():
        print(f"\n{label}: {figures['slots']} slot instants in the week")
        for moment, n in figures["top"]:  # type: ignore[attr-defined]
            print(f"  {moment:%a %d %b %H:%M} UTC  {n:>9,.0f} owners  {n / owners:6.1%}")
        print(f"  busiest UTC hour: {figures['busiest_hour']:,} owners")
        ticks, sent = tick_backlog(int(figures["peak_owners"]))  # type: ignore[call-overload]
        print(
            f"  the sweep as it is (4 shards, 120 s a tick): the peak slot takes {ticks} ticks "
            f"({ticks * 5} min) and queues {sent:,} digest jobs for {figures['peak_owners']:,} owners"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
