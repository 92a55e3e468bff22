"""`kith goals`: the owner's goals, listed or replaced (GET and PUT /v1/goals)."""

from __future__ import annotations

import argparse
from typing import Any

from kith_cli.api import Api
from kith_cli.errors import UsageError
from kith_cli.terminal import Terminal


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    goals = commands.add_parser("goals", parents=[common], help="list or set your goals")
    goals.set_defaults(run=list_goals)
    actions = goals.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", parents=[common], help="your goals (the default)").set_defaults(run=list_goals)
    set_goals = actions.add_parser(
        "set", parents=[common], help="replace your goals: active ones by name, others with --inactive"
    )
    set_goals.add_argument("names", nargs="*", metavar="NAME", help="an active goal")
    set_goals.add_argument("--inactive", action="append", default=[], metavar="NAME", help="a goal set aside")
    set_goals.add_argument("--none", action="store_true", help="declare no goals at all")
    set_goals.set_defaults(run=put_goals)


def list_goals(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    _shown(api.call("GET", "/v1/goals"), terminal)
    return 0


def put_goals(api: Api, arguments: argparse.Namespace, terminal: Terminal) -> int:
    goals = [{"name": name, "active": True} for name in arguments.names]
    goals += [{"name": name, "active": False} for name in arguments.inactive]
    if bool(goals) == arguments.none:
        raise UsageError("name the goals to set, or --none to declare none (not both)")
    _shown(api.call("PUT", "/v1/goals", {"goals": goals}), terminal)
    return 0


def _shown(document: dict[str, Any], terminal: Terminal) -> None:
    def human() -> None:
        if not document["goals"]:
            terminal.say("no goals: a contact's goal, whatever it is, lifts it in digests")
            return
        terminal.table(
            ["GOAL", "STATE"],
            [[goal["name"], "active" if goal["active"] else "set aside"] for goal in document["goals"]],
        )

    terminal.emit(document, human)
