"""events/env.local.json: each function's environment for `sam local invoke --env-vars`, pointed at moto."""

from __future__ import annotations

import json
from pathlib import Path

from kith_local.stack import LocalStack
from kith_local.template import REPOSITORY

ENV_FILE = REPOSITORY / "events" / "env.local.json"
# The Lambda container reaches a moto server on the host under this name.
DOCKER_HOST_ENDPOINT = "http://host.docker.internal:5000"
# Where `sam local start-api` listens: links in emails lead there.
SAM_LOCAL_API = "http://127.0.0.1:3000"


def sam_env_vars(stack: LocalStack) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for name in stack.functions:
        environment = {
            variable: value.replace("https://sqs.us-east-1.amazonaws.com/", DOCKER_HOST_ENDPOINT + "/")
            for variable, value in stack.environment(name).items()
        }
        if "KITH_PUBLIC_BASE_URL" in environment:
            environment["KITH_PUBLIC_BASE_URL"] = SAM_LOCAL_API
        if "KITH_AUTH_URL" in environment:
            # No user pool and no development sign-in behind `sam local`: the console says sign-in is not configured.
            environment["KITH_AUTH_URL"] = ""
        environment.update(
            {
                "AWS_ENDPOINT_URL": DOCKER_HOST_ENDPOINT,
                "AWS_ACCESS_KEY_ID": "kith-local",
                "AWS_SECRET_ACCESS_KEY": "kith-local",
                "AWS_REGION": "us-east-1",
                "POWERTOOLS_TRACE_DISABLED": "true",
            }
        )
        found[name] = environment
    return found


def write_env_file(stack: LocalStack, path: Path = ENV_FILE) -> Path:
    path.write_text(json.dumps(sam_env_vars(stack), indent=2) + "\n", encoding="utf-8")
    return path
