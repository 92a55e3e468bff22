"""Every AWS call a function makes while it runs, as the IAM action and resource the call needs.

Off unless asked for: `runtime_for` hands out a plain Runtime and `invoking` sets one context
variable. `CALLS.start()` turns recording on in this process (the least-privilege check's pytest
plugin does so before the integration and end-to-end tests run); KITH_RECORD_AWS_CALLS=<directory>
turns it on in any process and writes calls-<pid>.jsonl there when the process exits.

A call is recorded once, when its answer arrives (after botocore's own retries), as the
(action, resource) pairs IAM evaluates for it: a TransactWriteItems is a PutItem, UpdateItem,
DeleteItem or ConditionCheckItem on each table it writes, a SendMessageBatch is sqs:SendMessage, an
S3 GetObject s3:GetObject on the object's ARN (a HeadObject too; a listing s3:ListBucket on the bucket's).
Calls made through a function's clients while that function is not running (a test reading the
table through them) are counted apart: the function did not make them.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from kith.runtime import ClientFactory, Runtime, SessionClients

from kith_local.stack import LOCAL_PARAMETERS

ENVIRONMENT_VARIABLE = "KITH_RECORD_AWS_CALLS"
ACCOUNT = LOCAL_PARAMETERS["AWS::AccountId"]
_PARAMS = "kith_call_params"
_running: ContextVar[str | None] = ContextVar("kith_running_function", default=None)


@dataclass(frozen=True, order=True)
class Call:
    function: str
    stage: str
    operation: str
    action: str
    # The ARN IAM evaluates; "" where the call does not tell.
    resource: str


class CallLog:
    def __init__(self) -> None:
        self.active = False
        self.made: Counter[Call] = Counter()
        self.outside: Counter[Call] = Counter()
        self._lock = threading.Lock()

    def start(self) -> None:
        self.active = True

    def add(self, calls: Iterable[Call], *, while_running: bool) -> None:
        with self._lock:
            (self.made if while_running else self.outside).update(calls)

    def write(self, path: Path) -> None:
        with self._lock:
            rows = [
                {**asdict(call), "count": count, "while_running": while_running}
                for counter, while_running in ((self.made, True), (self.outside, False))
                for call, count in sorted(counter.items())
            ]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


CALLS = CallLog()


def read(directory: Path) -> tuple[Counter[Call], Counter[Call]]:
    """The calls every process wrote under `directory`: (made while running, made outside)."""
    made: Counter[Call] = Counter()
    outside: Counter[Call] = Counter()
    for path in sorted(directory.glob("calls-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            count, while_running = row.pop("count"), row.pop("while_running")
            (made if while_running else outside)[Call(**row)] += count
    return made, outside


@contextmanager
def invoking(function: str) -> Iterator[None]:
    """`function`'s handler runs: calls through its clients are its own."""
    token = _running.set(function)
    try:
        yield
    finally:
        _running.reset(token)


def runtime_for(function: str, environ: Mapping[str, str]) -> Runtime:
    """The Runtime a function is handed: one whose clients are recorded when recording is on."""
    directory = os.environ.get(ENVIRONMENT_VARIABLE)
    if directory and not CALLS.active:
        CALLS.start()
        atexit.register(CALLS.write, Path(directory) / f"calls-{os.getpid()}.jsonl")
    if not CALLS.active:
        return Runtime(environ=environ)
    return Runtime(environ, RecordingClients(function, environ.get("KITH_STAGE", ""), CALLS))


class RecordingClients:
    """A ClientFactory whose clients add each call they make to `log`, as the IAM requests it needs."""

    def __init__(self, function: str, stage: str, log: CallLog, clients: ClientFactory | None = None) -> None:
        self._function = function
        self._stage = stage
        self._log = log
        self._clients: ClientFactory = clients or SessionClients()

    def __call__(self, service: str) -> Any:
        client = self._clients(service)
        region = client.meta.region_name

        def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context[_PARAMS] = dict(params)

        def record(model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            prefix = model.service_model.signing_name or model.service_model.endpoint_prefix
            needed = iam_requests(prefix, model.name, context.pop(_PARAMS, {}), parsed, region)
            self._log.add(
                (Call(self._function, self._stage, model.name, action, resource) for action, resource in needed),
                while_running=_running.get() == self._function,
            )

        client.meta.events.register("before-parameter-build", remember)
        client.meta.events.register("after-call", record)
        return client


def iam_requests(
    prefix: str, operation: str, params: Mapping[str, Any], answer: Mapping[str, Any], region: str
) -> list[tuple[str, str]]:
    """The (IAM action, resource ARN) pairs one API call is authorized against, each once."""
    needed: list[tuple[str, str]]
    if prefix == "dynamodb":
        needed = _dynamodb(operation, params, region)
    elif prefix == "sqs":
        needed = [(f"sqs:{_SQS_BATCHES.get(operation, operation)}", _queue_arn(params, region))]
    elif prefix == "ses":
        needed = [(f"ses:{operation}", resource) for resource in _ses_resources(params, region)]
    elif prefix == "secretsmanager":
        needed = [(f"secretsmanager:{operation}", _secret_arn(params, answer, region))]
    elif prefix == "kms":
        needed = [(f"kms:{operation}", _key_arn(params, answer, region))]
    elif prefix == "s3":
        needed = [(f"s3:{_S3_ACTIONS.get(operation, operation)}", _s3_arn(operation, params))]
    else:
        needed = [(f"{prefix}:{operation}", "")]
    return list(dict.fromkeys(needed))


_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_S3_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket", "ListObjects": "ListBucket"}
_S3_BUCKET_OPERATIONS = {"ListObjectsV2", "ListObjects", "HeadBucket", "CreateBucket", "DeleteBucket"}
_SQS_BATCHES = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def _dynamodb(operation: str, params: Mapping[str, Any], region: str) -> list[tuple[str, str]]:
    def table(name: str) -> str:
        return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}"

    if operation in {"TransactWriteItems", "TransactGetItems"}:
        return [
            (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", table(body["TableName"]))
            for item in params.get("TransactItems", [])
            for kind, body in item.items()
        ]
    if operation in {"BatchGetItem", "BatchWriteItem"}:
        return [(f"dynamodb:{operation}", table(name)) for name in params.get("RequestItems", {})]
    name = params.get("TableName")
    if not name:
        return [(f"dynamodb:{operation}", "")]
    index = f"/index/{params['IndexName']}" if params.get("IndexName") else ""
    return [(f"dynamodb:{operation}", table(name) + index)]


def _s3_arn(operation: str, params: Mapping[str, Any]) -> str:
    """The object's ARN (arn:aws:s3:::bucket/key), or the bucket's for a call on the bucket itself."""
    bucket = params.get("Bucket")
    if not bucket:
        return ""
    if operation in _S3_BUCKET_OPERATIONS or not params.get("Key"):
        return f"arn:aws:s3:::{bucket}"
    return f"arn:aws:s3:::{bucket}/{params['Key']}"


def _queue_arn(params: Mapping[str, Any], region: str) -> str:
    if params.get("QueueUrl"):
        account, name = urlsplit(params["QueueUrl"]).path.strip("/").split("/")[-2:]
        return f"arn:aws:sqs:{region}:{account}:{name}"
    if params.get("QueueName"):
        return f"arn:aws:sqs:{region}:{ACCOUNT}:{params['QueueName']}"
    return ""


def _ses_resources(params: Mapping[str, Any], region: str) -> list[str]:
    """The identity the message is sent as, and the configuration set it goes through.

    The identity is the sender's address: the local stack verifies the address, not its domain.
    """
    resources = []
    identity = params.get("FromEmailAddressIdentityArn") or params.get("SourceArn")
    address = parseaddr(params.get("FromEmailAddress") or params.get("Source") or "")[1]
    if identity:
        resources.append(identity)
    elif address:
        resources.append(f"arn:aws:ses:{region}:{ACCOUNT}:identity/{address}")
    if params.get("ConfigurationSetName"):
        resources.append(f"arn:aws:ses:{region}:{ACCOUNT}:configuration-set/{params['ConfigurationSetName']}")
    return resources or [""]


def _secret_arn(params: Mapping[str, Any], answer: Mapping[str, Any], region: str) -> str:
    """The secret's ARN as Secrets Manager answered it; asked by name and refused, the name with its unknown suffix."""
    if answer.get("ARN"):
        return str(answer["ARN"])
    secret = str(params.get("SecretId", ""))
    if not secret or secret.startswith("arn:"):
        return secret
    return f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{secret}-??????"


class _KeyNames:
    """A key's alias: KMS resolves an alias to its key, and a Decrypt names its key only in the answer."""

    def __init__(self) -> None:
        self._aliases: dict[str, str] = {}

    def name(self, key: str, region: str) -> str:
        if key.startswith("alias/"):
            return key
        if ":alias/" in key:
            return key.split(":", 5)[5]
        if key not in self._aliases:
            # A separate, unrecorded client: resolving the alias is KMS's work, not the function's call.
            kms = boto3.session.Session().client("kms", region_name=region)
            try:
                aliases = kms.list_aliases(KeyId=key.rsplit("/", 1)[-1]).get("Aliases", [])
            except (BotoCoreError, ClientError):
                aliases = []
            self._aliases[key] = aliases[0]["AliasName"] if aliases else key.rsplit("/", 1)[-1]
        return self._aliases[key]

    def learn(self, alias: str, key_arn: str) -> None:
        self._aliases[key_arn] = alias


_KEY_NAMES = _KeyNames()


def _key_arn(params: Mapping[str, Any], answer: Mapping[str, Any], region: str) -> str:
    """The key, named as the local stack names it: by its alias (see stack.py), the key id without one."""
    requested, answered = str(params.get("KeyId", "")), str(answer.get("KeyId", ""))
    if requested.startswith("alias/") and answered:
        _KEY_NAMES.learn(requested, answered)
    key = requested or answered
    if not key:
        return ""
    return f"arn:aws:kms:{region}:{ACCOUNT}:key/{_KEY_NAMES.name(key, region)}"
