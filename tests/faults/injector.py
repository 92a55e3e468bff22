"""Making one AWS call of a flow fail, through botocore's own event hooks.

Every client a function creates comes from its Runtime's client factory; `cold_start` gives each
function a factory that hands each new client to an `Injector`, which registers two handlers on
that client's events:

- `before-call` counts the call and, at the chosen one, raises before the request leaves: a
  throttling error, a server error or a connect timeout. AWS did nothing.
- `after-call` runs once AWS has answered: at the chosen call it raises a read timeout. AWS did
  what was asked; only the answer was lost.

Both handlers sit outside botocore's retry loop, so the error reaches Kith's code as it would once
botocore's own retries are spent.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from kith.runtime import SessionClients
from kith_local.lambdas import LocalLambdas


class Fault(enum.Enum):
    THROTTLE = "throttle"
    SERVER_ERROR = "server error"
    CONNECT_TIMEOUT = "connect timeout"
    READ_TIMEOUT = "read timeout"  # the request was carried out; its answer never came back

    @property
    def after_the_call(self) -> bool:
        return self is Fault.READ_TIMEOUT


# (error code, HTTP status) each service answers with when it throttles, and when it fails.
_THROTTLING: Mapping[str, tuple[str, int]] = {
    "dynamodb": ("ProvisionedThroughputExceededException", 400),
    "sesv2": ("TooManyRequestsException", 429),
}
_SERVER_ERRORS: Mapping[str, tuple[str, int]] = {
    "dynamodb": ("InternalServerError", 500),
    "sqs": ("ServiceUnavailable", 503),
    "secretsmanager": ("InternalServiceError", 500),
    "kms": ("KMSInternalException", 500),
}
_DEFAULT = {Fault.THROTTLE: ("ThrottlingException", 400), Fault.SERVER_ERROR: ("InternalFailure", 500)}


@dataclass(frozen=True)
class Call:
    service: str
    operation: str

    def __str__(self) -> str:
        return f"{self.service}.{self.operation}"


# Which call fails, given the calls made so far (the last one is the call being made).
Target = Callable[[Sequence[Call]], bool]


def nth_call(n: int) -> Target:
    return lambda calls: len(calls) == n


def after(earlier: Call, call: Call, nth: int = 1) -> Target:
    """The `nth` `call` made after an `earlier` one (the first table write after the send, say)."""

    def target(calls: Sequence[Call]) -> bool:
        if calls[-1] != call or earlier not in calls:
            return False
        since = calls[calls.index(earlier) + 1 :]
        return since.count(call) == nth

    return target


@dataclass
class Injector:
    """Counts the AWS calls of one flow run and fails the targeted one, once."""

    calls: list[Call] = field(default_factory=list)
    target: Target | None = None
    fault: Fault = Fault.THROTTLE
    fired: Call | None = None
    counting: bool = False

    def start(self, target: Target | None = None, fault: Fault = Fault.THROTTLE) -> None:
        self.calls, self.target, self.fault, self.fired, self.counting = [], target, fault, None, True

    def stop(self) -> list[Call]:
        self.counting = False
        return list(self.calls)

    def attach(self, client: Any) -> Any:
        aimed = False  # the call under way is the target (read timeouts strike once it is answered)

        def before(model: Any, **_: Any) -> None:
            nonlocal aimed
            if not self.counting:
                return
            self.calls.append(Call(model.service_model.service_name, model.name))
            aimed = self.fired is None and self.target is not None and self.target(self.calls)
            if aimed and not self.fault.after_the_call:
                self.fired = self.calls[-1]
                raise self._error(client, self.calls[-1])

        def answered(**_: Any) -> None:
            nonlocal aimed
            if aimed and self.counting and self.fired is None and self.fault.after_the_call:
                aimed, self.fired = False, self.calls[-1]
                raise ReadTimeoutError(endpoint_url=client.meta.endpoint_url)

        client.meta.events.register("before-call", before)
        client.meta.events.register("after-call", answered)
        return client

    def _error(self, client: Any, call: Call) -> Exception:
        if self.fault is Fault.CONNECT_TIMEOUT:
            return ConnectTimeoutError(endpoint_url=client.meta.endpoint_url)
        table = _THROTTLING if self.fault is Fault.THROTTLE else _SERVER_ERRORS
        code, status = table.get(call.service, _DEFAULT[self.fault])
        response = {
            "Error": {"Code": code, "Message": f"injected {self.fault.value}"},
            "ResponseMetadata": {"HTTPStatusCode": status, "MaxAttemptsReached": True, "RetryAttempts": 3},
        }
        # The service's modelled exception class when it declares one, as botocore raises it.
        error_class: type[Exception] = client.exceptions.from_code(code)
        return error_class(response, call.operation)


def cold_start(lambdas: LocalLambdas, injector: Injector, session: boto3.session.Session) -> None:
    """Every function starts cold, with clients that report to `injector`.

    The boto3 Session is shared, so a cold start does not parse the service models again; each
    client still has its own event handlers.
    """
    clients = SessionClients(session)
    lambdas.cold_start(lambda _function: lambda service: injector.attach(clients(service)))
