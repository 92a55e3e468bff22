"""`kith setup`: the owner's profile and settings (PUT /v1/owner), asked for in a terminal or given as flags."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from kith_cli import times
from kith_cli.api import Api
from kith_cli.errors import ApiError, BadValue, UsageError
from kith_cli.terminal import Terminal, shown

NOT_FOUND = 404


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    setup = commands.add_parser(
        "setup",
        parents=[common],
        help="create or change your profile and settings (asks in a terminal)",
        description="Create or change your profile and settings. In a terminal, each value not given as a flag is "
        "asked for, the current one (or the default) in brackets; elsewhere flags and current values are used.",
    )
    setup.add_argument("--email", type=_email, help="your e-mail address: digests and follow-ups go there")
    setup.add_argument("--name", type=_name, help="your name")
    setup.add_argument("--time-zone", type=times.time_zone, help="IANA time zone (default: this machine's)")
    setup.add_argument("--digest-days", type=times.weekdays, help="digest weekdays: mon,thu or mon-fri (default mon)")
    setup.add_argument("--digest-hour", type=times.number(0, 23), help="local hour of the digest, 0 to 23 (default 8)")
    setup.add_argument("--digest-size", type=times.number(1, 50), help="at most this many people a digest (default 5)")
    setup.add_argument(
        "--follow-up-delay", type=times.number(0, 10080), help="minutes after a meeting for its follow-up (default 60)"
    )
    setup.add_argument("--working-days", type=times.weekdays, help="days follow-ups may land on (default mon-fri)")
    setup.add_argument("--working-hours", type=times.hours, help="hours follow-ups may land in, like 9-17 (default)")
    setup.add_argument(
        "--meeting-size-limit", type=times.number(2, 500), help="larger meetings move no clock (default 8)"
    )
    pause = setup.add_mutually_exclusive_group()
    pause.add_argument("--pause-until", metavar="WHEN", help="no nudges until this day (your time zone) or instant")
    pause.add_argument("--resume", action="store_true", help="end a pause now")
    mail = setup.add_mutually_exclusive_group()
    mail.add_argument("--subscribe", dest="subscribed", action="store_const", const=True, help="start emails again")
    mail.add_argument("--unsubscribe", dest="subscribed", action="store_const", const=False, help="stop every email")
    setup.add_argument("--no-input", action="store_true", help="never ask, even in a terminal")
    setup.set_defaults(run=run)


def _email(text: str) -> str:
    value = text.strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(char.isspace() for char in value):
        raise BadValue(f"{text!r} is not an e-mail address")
    return value


def _name(text: str) -> str:
    if not text.strip():
        raise BadValue("a name is needed")
    return text.strip()


@dataclass(frozen=True)
class Question:
    flag: str
    text: str
    read: Callable[[str], Any]
    current: Callable[[dict[str, Any]], str | None]
    keep: Callable[[dict[str, Any], Any], None]


def _set(key: str) -> Callable[[dict[str, Any], Any], None]:
    return lambda body, value: body.__setitem__(key, value)


def _hours(body: dict[str, Any]) -> dict[str, Any]:
    hours: dict[str, Any] = body.setdefault("working_hours", {"days": [0, 1, 2, 3, 4], "start_hour": 9, "end_hour": 17})
    return hours


def _keep_hours(body: dict[str, Any], span: tuple[int, int]) -> None:
    _hours(body).update(start_hour=span[0], end_hour=span[1])


QUESTIONS = (
    Question("email", "E-mail address", _email, lambda body: body.get("email"), _set("email")),
    Question("name", "Your name", _name, lambda body: body.get("name"), _set("name")),
    Question("time_zone", "Time zone", times.time_zone, lambda body: body["time_zone"], _set("time_zone")),
    Question(
        "digest_days",
        "Digest days",
        times.weekdays,
        lambda body: times.day_names(body.get("digest_weekdays", [0])),
        _set("digest_weekdays"),
    ),
    Question(
        "digest_hour",
        "Digest hour (0-23)",
        times.number(0, 23),
        lambda b: str(b.get("digest_hour", 8)),
        _set("digest_hour"),
    ),
    Question(
        "digest_size",
        "People per digest (1-50)",
        times.number(1, 50),
        lambda body: str(body.get("digest_limit", 5)),
        _set("digest_limit"),
    ),
    Question(
        "follow_up_delay",
        "Minutes from a meeting's end to its follow-up",
        times.number(0, 10080),
        lambda body: str(body.get("follow_up_delay_minutes", 60)),
        _set("follow_up_delay_minutes"),
    ),
    Question(
        "working_days",
        "Working days",
        times.weekdays,
        lambda body: times.day_names(_hours(body)["days"]),
        lambda body, days: _hours(body).update(days=days),
    ),
    Question(
        "working_hours",
        "Working hours",
        times.hours,
        lambda body: f"{_hours(body)['start_hour']}-{_hours(body)['end_hour']}",
        _keep_hours,
    ),
)


def run(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    current = _current(api)
    body: dict[str, Any] = (
        {"email": current["email"], "name": current["name"], **current["settings"]}
        if current is not None
        else {"time_zone": times.machine_time_zone()}
    )
    asking = terminal.interactive and not arguments.no_input
    for question in QUESTIONS:
        given = getattr(arguments, question.flag)
        if given is not None:
            question.keep(body, given)
        elif asking:
            question.keep(body, terminal.ask(question.text, question.read, question.current(body)))
    if arguments.meeting_size_limit is not None:
        body["meeting_size_limit"] = arguments.meeting_size_limit
    if arguments.resume:
        body["paused_until"] = None
    elif arguments.pause_until:
        body["paused_until"] = times.iso(times.instant(arguments.pause_until, ZoneInfo(body["time_zone"])))
    if arguments.subscribed is not None:
        body["subscribed"] = arguments.subscribed
    missing = [flag for flag in ("email", "name") if not body.get(flag)]
    if missing:
        flags = " and ".join(f"--{flag}" for flag in missing)
        raise UsageError(f"a new profile needs {flags} (or run `kith setup` in a terminal to be asked)")
    saved = api.call("PUT", "/v1/owner", body)
    terminal.emit(saved, lambda: describe(saved, terminal))
    return 0


def _current(api: Api) -> dict[str, Any] | None:
    try:
        owner: dict[str, Any] = api.call("GET", "/v1/owner")
    except ApiError as refused:
        if refused.status == NOT_FOUND:
            return None
        raise
    return owner


def describe(owner: dict[str, Any], terminal: Terminal) -> None:
    settings = owner["settings"]
    zone = settings["time_zone"]
    hours = settings["working_hours"]
    terminal.say(f"saved {shown(owner['name'])} <{shown(owner['email'])}>")
    terminal.say(f"  time zone   {zone}")
    terminal.say(
        f"  digest      {times.day_names(settings['digest_weekdays'])} at {settings['digest_hour']:02d}:00, "
        f"at most {settings['digest_limit']} people; next {times.local(owner['next_digest_at'], zone, True)}"
    )
    terminal.say(
        f"  follow-ups  {settings['follow_up_delay_minutes']} minutes after a meeting, on "
        f"{times.day_names(hours['days'])} {hours['start_hour']:02d}:00-{hours['end_hour']:02d}:00"
    )
    terminal.say(f"  meetings    of up to {settings['meeting_size_limit']} people count")
    if settings.get("paused_until"):
        terminal.say(f"  paused      until {times.local(settings['paused_until'], zone, True)}")
    if owner.get("unsubscribed_at"):
        terminal.say("  emails      stopped (unsubscribed): `kith setup --subscribe` starts them again")
