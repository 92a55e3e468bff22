"""Schemathesis against openapi.json over the real wire: every operation, valid and invalid input, no 5xx ever.

The local API server routes HTTP to the same handlers Lambda runs, on moto's server; Google and
Microsoft are the fake providers, so no request leaves 127.0.0.1. Cases are generated from the
committed openapi.json (positive: what the schema allows; negative: what it forbids), sent with the
development token of an owner who exists (negative cases also leave it out or garble it, so some
answers are 401s), and each response is checked: not a server error, and, where the document
describes the answer, a body and content type that conform to it. Writes run before reads, so what
was stored must also read back; deletions run last.

Bounded: MAX_EXAMPLES cases per operation and mode, under two minutes on two cores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from kith_local.clock import SimulatedClock
from kith_local.fake_providers import FakeProviders
from kith_local.harness import LocalKith
from kith_local.openapi import OPENAPI_FILE
from kith_local.provider_settings import google_overrides, microsoft_overrides
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
OWNER = "owner-fuzz"
AUTHORIZATION = {"Authorization": f"Bearer dev:{OWNER}"}
MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)
    without_cases: list[str] = field(default_factory=list)

    def record(self, label: str, status: int) -> None:
        self.cases[label] += 1
        self.statuses.setdefault(label, Counter())[status] += 1


def _seed(kith: LocalKith) -> dict[str, str]:
    """An owner with a contact, a logged call and a Cal.com connection: real ids for the path parameters."""
    owner = {"email": "fuzz@example.com", "name": "Fuzz Owner", "time_zone": "Europe/Berlin"}
    assert kith.request("PUT", "/v1/owner", owner, token=f"dev:{OWNER}").status == 200
    contact = kith.request(
        "POST", "/v1/contacts", {"name": "Kim", "emails": ["kim@example.com"]}, token=f"dev:{OWNER}"
    ).body
    call = {"kind": "call", "contact_ids": [contact["contact_id"]], "at": "2026-11-20T10:00:00Z"}
    interaction = kith.request("POST", "/v1/interactions", call, token=f"dev:{OWNER}").body
    connection = kith.request("POST", "/v1/connections", {"provider": "calcom"}, token=f"dev:{OWNER}").body
    return {
        "contact_id": contact["contact_id"],
        "interaction_id": interaction["interaction_id"],
        "connection_id": connection["connection_id"],
        "provider": "calcom",
    }


def _valid_contact(contact: Any) -> Any:
    return {**contact, "emails": [], "linkedin_url": None} if isinstance(contact, dict) else contact


def _repairs(known: dict[str, str]) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """What a valid body needs that the schema cannot say: an IANA zone, an address, a contact that exists."""
    return {
        "PUT /v1/owner": lambda body: {**body, "time_zone": "Europe/Berlin", "email": "fuzz@example.com"},
        "POST /v1/interactions": lambda body: {
            **body,
            "contact_ids": [known["contact_id"]],
            "at": "2026-11-29T18:00:00Z",
        },
        "POST /v1/contacts": _valid_contact,
        "PATCH /v1/contacts/{contact_id}": lambda body: {**body, "emails": ["kim@example.com"], "linkedin_url": None},
        "POST /v1/contacts/batch": lambda body: (
            {**body, "contacts": [_valid_contact(c) for c in body["contacts"]]}
            if isinstance(body.get("contacts"), list)
            else body
        ),
    }


def _repaired(fill: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Any], Any]:
    def repaired(case: Any) -> Any:
        if isinstance(case.body, dict):
            case.body = fill(case.body)
        return case

    return repaired


def _order(label: str) -> tuple[int, str]:
    """Writes first, then reads (what was written must read back), deletions last, the owner's erasure very last."""
    method = label.split()[0]
    return ({"GET": 1, "DELETE": 2}.get(method, 0) + (label == "DELETE /v1/owner"), label)


def _fuzz(operation: Any, mode: GenerationMode, known: dict[str, str], kith: LocalKith, tally: Tally) -> None:
    names = {parameter["name"] for parameter in operation.definition.raw.get("parameters", [])}
    fixed = {name: value for name, value in known.items() if name in names}
    cases = operation.as_strategy(generation_mode=mode)
    if fixed:
        # Half the cases aim at what exists (a real contact, a real connection), half at whatever was generated.
        cases = st.one_of(cases, operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    fill = _repairs(known).get(operation.label)
    if fill is not None and mode is GenerationMode.POSITIVE:
        cases = st.one_of(cases, cases.map(_repaired(fill)))
    session = requests.Session()

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        try:
            response = case.call(base_url=kith.base_url, session=session, headers=AUTHORIZATION, timeout=30)
        except requests.ConnectionError as dropped:
            # The handler raised: API Gateway would answer 500, the local server drops the connection.
            tally.record(operation.label, 599)
            notes = "".join(getattr(dropped, "__notes__", []))
            tally.server_errors.append(f"{operation.label} [{mode.value}] -> no answer: {dropped}{notes}")
            return
        tally.record(operation.label, response.status_code)
        checks = CHECKS
        try:
            case.validate_response(response, checks=checks, headers=AUTHORIZATION)
        except FailureGroup as failures:
            found = f"{operation.label} [{mode.value}] -> {response.status_code}: {failures}"
            if response.status_code >= 500:
                tally.server_errors.append(found)
            else:
                tally.nonconforming.append(found)

    try:
        run()
    except Unsatisfiable:
        # Nothing the schema forbids can be sent here (no body, no constrained parameter): no negative cases.
        tally.without_cases.append(f"{operation.label} [{mode.value}]")
    finally:
        session.close()


def test_no_operation_answers_with_a_server_error(endpoint: str) -> None:
    clock = SimulatedClock(START)
    with FakeProviders(clock) as fake, LocalKith(clock, stage="fuzz") as kith:
        # Given the local API with an owner who has a contact, an interaction and a connection,
        # and Google and Microsoft faked on 127.0.0.1
        kith.use_settings(google_overrides(fake) | microsoft_overrides(fake))
        known = _seed(kith)
        schema = schemathesis.openapi.from_path(OPENAPI_FILE)
        results = list(schema.get_all_operations())
        operations = sorted((r.ok() for r in results if isinstance(r, Ok)), key=lambda op: _order(op.label))
        assert operations and len(operations) == len(results), (
            "every operation in openapi.json is one schemathesis reads"
        )
        tally = Tally()
        # When every operation gets generated cases, valid and invalid, with the owner's development token
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, known, kith, tally)
        # Then every operation was exercised, and none answered with a 5xx
        print(f"\nschemathesis {schemathesis.__version__}: {sum(tally.cases.values())} cases (599: connection dropped)")
        for label in sorted(tally.cases, key=_order):
            statuses = ", ".join(f"{status}x{count}" for status, count in sorted(tally.statuses[label].items()))
            print(f"  {label:<45} {tally.cases[label]:>4} cases  {statuses}")
        print(f"no case could be generated for: {', '.join(tally.without_cases) or 'none'}")
        print(f"5xx: {len(tally.server_errors)}; other nonconforming answers: {len(tally.nonconforming)}")
        assert {operation.label for operation in operations} == set(tally.cases)
        assert tally.server_errors == [], "\n\n".join(tally.server_errors)
        assert tally.nonconforming == [], "\n\n".join(tally.nonconforming)
