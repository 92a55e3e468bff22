"""The embedded local AWS: moto's server on 127.0.0.1, and the environment that points boto3 at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "kith-local",
    "AWS_SECRET_ACCESS_KEY": "kith-local",
    "AWS_SESSION_TOKEN": "kith-local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
    "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
}


def point_boto3_at(endpoint: str) -> None:
    """Every boto3 client made after this talks to the local endpoint, with throwaway credentials."""
    os.environ.update(LOCAL_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = endpoint


@contextmanager
def local_aws() -> Iterator[str]:
    """Start moto's server on a free port of 127.0.0.1 and yield its URL."""
    import logging

    from moto.server import ThreadedMotoServer

    from kith_local.moto_instances import track_weakly

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # moto would otherwise keep every copy of an item its DynamoDB makes, for as long as the server runs.
    track_weakly()

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    previous = {name: os.environ.get(name) for name in (*LOCAL_CREDENTIALS, "AWS_ENDPOINT_URL")}
    point_boto3_at(endpoint)
    try:
        yield endpoint
    finally:
        _reset(endpoint)
        server.stop()
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _reset(endpoint: str) -> None:
    """moto's backends live in this process: empty them so the next local AWS starts clean."""
    import urllib.request

    request = urllib.request.Request(endpoint + "/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


def sent_emails() -> list[Any]:
    """Messages SES accepted, read from the embedded server (it runs in this process)."""
    from moto.backends import get_backend

    messages: list[Any] = []
    for account in get_backend("ses").values():
        for region_backend in account.values():
            messages.extend(region_backend.sent_messages)
    return messages
