"""Recorded AWS calls held against each function's role: what was refused, what was granted and never used."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kith_local.calls import Call

from tests.privilege.roles import Grant, Role, deciding, grants, local_references

# Recorded per stage (kith-local, kith-cli, ...); shown once, with the stage as a placeholder.
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9?]{6}$")


@dataclass
class Review:
    # (function, action) -> calls, the resources they named, the policies that allowed them
    used: dict[tuple[str, str], tuple[int, set[str], set[str]]] = field(default_factory=dict)
    refused: Counter[Call] = field(default_factory=Counter)
    # function -> grants of its own policies (not the platform's) that no call needed
    unused: dict[str, list[Grant]] = field(default_factory=dict)
    # function -> the AWS managed policies SAM attached (used by Lambda, not by the code)
    platform: dict[str, list[str]] = field(default_factory=dict)
    # (function, action) -> calls made through the function's clients while it was not running
    outside: Counter[tuple[str, str]] = field(default_factory=Counter)


def review(
    template: dict[str, Any], function_roles: dict[str, Role], made: Counter[Call], outside: Counter[Call]
) -> Review:
    result = Review()
    by_stage: dict[str, dict[str, list[Grant]]] = {}
    exercised: set[tuple[str, tuple[int, int, int, int]]] = set()
    used: dict[tuple[str, str], tuple[int, set[str], set[str]]] = {}
    for call, count in sorted(made.items()):
        if call.stage not in by_stage:
            references = local_references(template, call.stage)
            by_stage[call.stage] = {name: grants(role, references) for name, role in function_roles.items()}
        allowed, allowing = deciding(by_stage[call.stage].get(call.function, []), call.action, call.resource)
        if not allowed:
            result.refused[call] += count
            continue
        exercised.update((grant.function, grant.position) for grant in allowing)
        calls, resources, policies = used.get((call.function, call.action), (0, set(), set()))
        resources.add(generic(call.resource, call.stage))
        policies.update(grant.policy for grant in allowing)
        used[(call.function, call.action)] = (calls + count, resources, policies)
    result.used = dict(sorted(used.items()))
    local = {name: grants(role, local_references(template, "local")) for name, role in function_roles.items()}
    for name, role in sorted(function_roles.items()):
        result.unused[name] = [
            grant
            for grant in local[name]
            if grant.allow and not grant.platform and (name, grant.position) not in exercised
        ]
        result.platform[name] = [label for label, platform, _ in role.policies if platform]
    result.outside = Counter()
    for call, count in outside.items():
        result.outside[(call.function, call.action)] += count
    return result


def generic(resource: str, stage: str) -> str:
    """An ARN's own part, the stage written as {stage} (table/kith-{stage}/index/DueIndex); an object by its prefix."""
    if not resource:
        return "(not told by the call)"
    short = resource.split(":", 5)[5] if resource.startswith("arn:") and resource.count(":") >= 5 else resource
    short = short.replace(f"kith-{stage}", "kith-{stage}").replace(f"kith/{stage}/", "kith/{stage}/")
    if resource.startswith("arn:aws:s3:::") and "/" in short:
        # One object per message: shown once, by its prefix.
        short = short.rsplit("/", 1)[0] + "/*"
    return _SECRET_SUFFIX.sub("-??????", short) if short.startswith("secret:") else short


def render(result: Review, source: str) -> str:
    lines = [f"AWS calls each function made ({source}), checked against its role in template.yaml:", ""]
    header = ("function", "action", "calls", "resources", "allowed by")
    rows = [
        (function, action, str(calls), ", ".join(sorted(resources)), ", ".join(sorted(policies)))
        for (function, action), (calls, resources, policies) in result.used.items()
    ]
    lines += _table(header, rows)
    if result.refused:
        lines += ["", "REFUSED: calls the role does not allow"]
        lines += [
            f"  {call.function} {call.action} on {call.resource or '(not told by the call)'}"
            f" [{call.operation}, stage {call.stage}] x{count}"
            for call, count in sorted(result.refused.items())
        ]
    lines += ["", "Granted and never used (listed, not failed):"]
    for function, unused in result.unused.items():
        lines.append(f"  {function}:" + ("" if unused else " none"))
        for (policy, resource), actions in _grouped(unused).items():
            lines.append(f"    {policy} on {generic(resource, 'local')}: {_actions(actions)}")
    lines += ["", "Platform permissions SAM attached (Lambda's own: logs, X-Ray, the SQS event source's polling):"]
    lines += [f"  {function}: {', '.join(labels)}" for function, labels in result.platform.items()]
    if result.outside:
        lines += ["", "Calls through a function's clients while it was not running (tests reading state; not checked):"]
        lines += [f"  {function} {action} x{count}" for (function, action), count in sorted(result.outside.items())]
    return "\n".join(lines)


def _grouped(unused: list[Grant]) -> dict[tuple[str, str], list[str]]:
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for grant in unused:
        grouped[(grant.policy, grant.resource)].append(grant.action)
    return grouped


def _actions(actions: list[str]) -> str:
    """dynamodb:Scan, dynamodb:Query -> dynamodb: Scan, Query (one service's actions, its prefix once)."""
    prefixes = {action.partition(":")[0] for action in actions}
    if len(prefixes) != 1:
        return ", ".join(actions)
    return f"{prefixes.pop()}: " + ", ".join(action.partition(":")[2] for action in actions)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    rule = tuple("-" * width for width in widths)
    return [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, rule, *rows]
    ]
