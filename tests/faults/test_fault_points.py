"""Every AWS call of every flow fails in turn, and nothing is lost or doubled ("Proof under stress", item 1).

A flow run without faults names its fault points: the AWS calls it makes, in order. Then, for each
point and each kind of fault, the same flow runs from the same start with that call failing, and
the platform replays it until it goes through (a webhook re-sent, a message redelivered, the next
tick, a second click). The end state must be the fault-free one: the same items in the table
(interactions, links, follow-ups and their statuses, contacts' clocks, sent history, once-per-email
records), the same emails, and nothing left on a queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from tests.faults.flows import FLOWS, Flow, Lost, Scenario, World, run
from tests.faults.injector import Call, Fault

# An answer lost after SES accepted an email: SES v2 takes no idempotency token, so the retry sends
# it again (botocore's own retries would too). Kith is at-least-once here; the test holds it to
# exactly one extra copy of that one email, and to nothing else differing.
AMBIGUOUS = {(Fault.READ_TIMEOUT, Call("sesv2", "SendEmail"))}


@dataclass
class Tally:
    tried: Counter[str] = field(default_factory=Counter)
    survived: Counter[str] = field(default_factory=Counter)
    ambiguous: Counter[str] = field(default_factory=Counter)


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counts = Tally()
    yield counts
    tried, survived, ambiguous = (sum(c.values()) for c in (counts.tried, counts.survived, counts.ambiguous))
    print(f"\nfault points, all flows: {tried} tried, {survived} survived, {ambiguous} doubled by design (SES)")


@pytest.mark.parametrize("flow", FLOWS, ids=[flow.name.replace(" ", "-") for flow in FLOWS])
def test_each_aws_call_of_a_flow_may_fail_and_nothing_is_lost_or_doubled(
    world: World, flow: Flow, tally: Tally
) -> None:
    # Given the flow without faults: the AWS calls it makes are its fault points
    reference = run(world, flow)
    assert reference.calls, f"{flow.name} made no AWS call"
    # And run again it makes the same calls and ends the same way
    assert run(world, flow) == reference
    # When each call in turn fails with each kind of fault, and the platform replays the flow until it goes through
    problems: list[str] = []
    by_fault: Counter[Fault] = Counter()
    for index, call in enumerate(reference.calls, start=1):
        for fault in Fault:
            tally.tried[flow.name] += 1
            problem = _verdict(world, flow, reference, index, call, fault)
            if problem == "ambiguous":
                tally.ambiguous[flow.name] += 1
            elif problem:
                problems.append(f"call {index} ({call}), {fault.value}: {problem}")
            else:
                tally.survived[flow.name] += 1
                by_fault[fault] += 1
    kinds = ", ".join(f"{fault.value} {by_fault[fault]}/{len(reference.calls)}" for fault in Fault)
    sites = ", ".join(f"{site} x{count}" for site, count in Counter(map(str, reference.calls)).items())
    print(
        f"\n{flow.name}: {len(reference.calls)} calls x {len(Fault)} faults = {tally.tried[flow.name]} tried,"
        f" {tally.survived[flow.name]} survived ({kinds}), {tally.ambiguous[flow.name]} doubled by design"
        f"\n  fault points: {sites}"
    )
    # Then every run ended as the fault-free one did
    assert not problems, "\n".join(problems)


def test_the_comparison_notices_what_a_fault_loses_when_nothing_is_replayed(world: World) -> None:
    # Given the meetings queue consumed the platform's way, and once only (no redelivery)
    processing = next(flow for flow in FLOWS if flow.name == "processing")
    once = replace(processing, name="processing, no redelivery", run=_one_delivery("MeetingQueue"))
    reference = run(world, processing)
    assert run(world, once) == reference
    # When the write of the coffee's interaction is throttled and SQS never redelivers
    faulted = run(world, once, reference.calls.index(Call("dynamodb", "PutItem")) + 1, Fault.THROTTLE)
    # Then the comparison sees the meeting, its links and its follow-up missing
    missing = reference.outcome.items.keys() - faulted.outcome.items.keys()
    assert {sk.split("#")[0] for _, sk in missing} == {"INTERACTION", "LINK", "ALIAS", "FOLLOWUP"}


def _one_delivery(queue: str) -> Callable[[World], None]:
    def deliver(world: World) -> None:
        world.kith.deliver(queue, world.kith.take(queue))

    return deliver


def _verdict(world: World, flow: Flow, reference: Scenario, index: int, call: Call, fault: Fault) -> str | None:
    """None when the faulted run ended as the reference did; otherwise what differs."""
    try:
        faulted = run(world, flow, index, fault)
    except Lost as lost:
        return f"lost: {lost}"
    assert world.injector.fired == call, f"the fault struck {world.injector.fired}, not {call}"
    if faulted.outcome == reference.outcome:
        return None
    if (fault, call) in AMBIGUOUS and _one_extra_copy(reference, faulted):
        return "ambiguous"
    return _differences(reference, faulted)


def _one_extra_copy(reference: Scenario, faulted: Scenario) -> bool:
    """The same end state, but for one email sent twice."""
    extra = faulted.outcome.emails - reference.outcome.emails
    return sum(extra.values()) == 1 and replace(faulted.outcome, emails=reference.outcome.emails) == reference.outcome


def _differences(reference: Scenario, faulted: Scenario) -> str:
    expected, found = reference.outcome, faulted.outcome
    lines = []
    for key in sorted(expected.items.keys() | found.items.keys()):
        before, after = expected.items.get(key), found.items.get(key)
        if before != after:
            lines.append(f"  {key}: {_changed(before, after)}")
    if expected.emails != found.emails:
        lines.append(f"  emails: expected {dict(expected.emails)}, found {dict(found.emails)}")
    if expected.queued != found.queued:
        lines.append(f"  queued: expected {expected.queued}, found {found.queued}")
    return "\n" + "\n".join(lines)


def _changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if before is None or after is None:
        return "missing" if after is None else "unexpected"
    return ", ".join(
        f"{name}: {before.get(name)!r} -> {after.get(name)!r}"
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    )
