"""Running Kith's functions in this process, the way Lambda would: by handler, with events.

Each function module is loaded from its CodeUri under its own name and handed
a Runtime built from the environment the template gives that function. Queues
are drained into their consumer with SQS-shaped events, and partial batch
failures are returned to the queue exactly as the event source mapping does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
import threading
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any, TextIO

from kith.runtime import ClientFactory, Runtime

from kith_local.calls import invoking, runtime_for
from kith_local.events import scheduled_event, sqs_event
from kith_local.stack import LocalStack


class _ThreadStdout(io.TextIOBase):
    """sys.stdout that a thread can point elsewhere for a while, without touching other threads."""

    def __init__(self, default: TextIO) -> None:
        self.default = default
        self.local = threading.local()

    def _target(self) -> TextIO:
        return getattr(self.local, "target", None) or self.default

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()


class RecentOutput(io.TextIOBase):
    """What functions print, its latest writes only: a server that runs for days keeps a bounded amount."""

    def __init__(self, writes: int = 2000) -> None:
        self._writes: deque[str] = deque(maxlen=writes)

    def write(self, text: str) -> int:
        self._writes.append(text)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self._writes)


_ROUTER_LOCK = threading.Lock()


@contextlib.contextmanager
def _stdout_of_this_thread(target: TextIO | io.TextIOBase) -> Iterator[None]:
    """What Lambda sends to CloudWatch (metrics) goes to `target`, for this thread only."""
    with _ROUTER_LOCK:
        if not isinstance(sys.stdout, _ThreadStdout):
            sys.stdout = _ThreadStdout(sys.stdout)
        router = sys.stdout
    previous = getattr(router.local, "target", None)
    router.local.target = target
    try:
        yield
    finally:
        router.local.target = previous


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def context_for(function_name: str) -> LambdaContext:
    return LambdaContext(
        function_name=function_name,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}",
    )


def load_function_module(stack: LocalStack, name: str) -> ModuleType:
    spec = stack.functions[name]
    module_name = f"kith_function_{name.lower()}"
    loader_spec = importlib.util.spec_from_file_location(module_name, spec.module_file)
    if loader_spec is None or loader_spec.loader is None:
        raise ImportError(f"cannot load {spec.module_file}")
    module = importlib.util.module_from_spec(loader_spec)
    loader_spec.loader.exec_module(module)
    return module


class LocalLambdas:
    """Every function of the stack, loaded once, invoked in process."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.modules: dict[str, ModuleType] = {}
        self.invocations: dict[str, int] = {}
        self._locks: dict[str, threading.Lock] = {}
        # Each invocation that counts something prints a metrics record (~300 characters): the latest are kept.
        self.metrics_output = RecentOutput()
        for name in stack.functions:
            module = load_function_module(stack, name)
            environment = stack.environment(name)
            own: Any = getattr(module, "runtime", None)
            # A function whose runtime is of its own kind (the console's: no AWS client) keeps it, with these settings.
            runtime = own.with_environ(environment) if hasattr(own, "with_environ") else runtime_for(name, environment)
            setattr(module, "runtime", runtime)  # noqa: B010 - set per function
            self.modules[name] = module

    def cold_start(self, clients: Callable[[str], ClientFactory]) -> None:
        """Every function starts cold: a new Runtime (no cached clients, keys or settings) built with `clients(name)`.

        The one way tests hand functions AWS clients they watch or fail; a runtime of its own kind (the
        console's) is built again as at load.
        """
        for name, module in self.modules.items():
            environment = self.stack.environment(name)
            own: Any = module.runtime
            runtime = (
                own.with_environ(environment) if hasattr(own, "with_environ") else Runtime(environment, clients(name))
            )
            setattr(module, "runtime", runtime)  # noqa: B010 - set per function

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        handler: Callable[[dict[str, Any], Any], Any] = getattr(
            self.modules[name], self.stack.functions[name].handler_name
        )
        self.invocations[name] = self.invocations.get(name, 0) + 1
        # One invocation at a time per function, as in one Lambda execution environment: Powertools keeps the
        # current event, logger and metrics state in the module, which concurrent requests would share.
        # Per function, not global: a fake provider may call the webhook function while another one runs.
        lock = self._locks.setdefault(name, threading.Lock())
        # Metrics go where Lambda sends stdout (CloudWatch); locally that is a buffer, not the terminal.
        with lock, _stdout_of_this_thread(self.metrics_output), warnings.catch_warnings(), invoking(name):
            warnings.simplefilter("ignore", UserWarning)
            return handler(event, context_for(name))

    def consumer_of(self, queue_logical_id: str) -> str:
        for name, spec in self.stack.functions.items():
            if queue_logical_id in spec.queues:
                return name
        raise KeyError(f"no function consumes {queue_logical_id}")

    def tick(self, now: datetime) -> Any:
        """What the EventBridge schedule does: invoke the scheduler with the instant it fired for."""
        name = next(name for name, spec in self.stack.functions.items() if spec.schedules)
        return self.invoke(name, scheduled_event(now))

    def drain(self, sqs: Any, queue_logical_id: str, max_rounds: int = 50) -> DrainResult:
        """Deliver a queue's messages to its consumer until the queue is empty (or rounds run out)."""
        url = self.stack.queue_url(queue_logical_id)
        arn = self.stack.references[f"{queue_logical_id}.Arn"]
        function = self.consumer_of(queue_logical_id)
        result = DrainResult()
        for _ in range(max_rounds):
            received = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=30
            ).get("Messages", [])
            if not received:
                break
            response = self.invoke(function, sqs_event(received, arn)) or {}
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
            for message in received:
                if message["MessageId"] in failed:
                    sqs.change_message_visibility(
                        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
                    result.failed += 1
                else:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    result.delivered += 1
        return result


@dataclass
class DrainResult:
    delivered: int = 0
    failed: int = 0


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)
