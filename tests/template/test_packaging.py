"""The build is what Lambda runs: every function, from `sam build`'s output, with each of its sample events.

Each function runs in a fresh python3.13 whose sys.path holds only the standard
library, the function's built folder and the layer (kith_local.sandbox), against
the stack created from template.yaml on an embedded moto server.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from kith_local.aws import local_aws
from kith_local.samples import seed_samples
from kith_local.sandbox import FunctionInitFailed, Sandbox, built_function, lambda_environment, run
from kith_local.stack import LocalStack, create_stack
from kith_local.template import REPOSITORY, functions, load_template

from tests.sample_effects import EFFECTS, SAMPLES, assert_succeeded, function_for

EVENTS = REPOSITORY / "events"


@dataclasses.dataclass
class Deployed:
    stack: LocalStack
    sandbox: Sandbox
    session: boto3.session.Session


@pytest.fixture
def deployed(build_dir: Path, python313: Path) -> Iterator[Deployed]:
    with local_aws() as endpoint:
        session = boto3.session.Session()
        stack = create_stack(session)
        seed_samples(stack, session)
        yield Deployed(stack, Sandbox(stack, endpoint, build_dir, python313), session)


def test_every_function_has_a_sample_event() -> None:
    assert {function_for(sample) for sample in SAMPLES} == set(functions(load_template()))


@pytest.mark.parametrize("sample", SAMPLES, ids=[sample.stem for sample in SAMPLES])
def test_built_function_handles_its_sample_event(sample: Path, deployed: Deployed) -> None:
    # Given the stack seeded with what the samples speak of (the sample owner, her contacts and connection)
    event = json.loads(sample.read_text(encoding="utf-8"))
    # When the built function is invoked with its sample, Then it succeeds and does what the sample stands for
    invocation = deployed.sandbox.invoke(function_for(sample), event)
    assert_succeeded(invocation.result)
    EFFECTS[sample.stem](deployed.stack, invocation.result)


def test_a_function_built_without_its_layer_fails_to_import_with_the_traceback(
    build_dir: Path, python313: Path, deployed: Deployed
) -> None:
    function = dataclasses.replace(built_function("SchedulerFunction", build_dir), layers=())
    environment = lambda_environment(deployed.stack, function, deployed.sandbox.endpoint)

    with pytest.raises(FunctionInitFailed) as failure:
        run(function, {}, environment, python313)

    assert failure.value.error["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'aws_lambda_powertools'" in failure.value.error["errorMessage"]
    assert "Traceback (most recent call last)" in failure.value.stderr
    assert "ModuleNotFoundError" in str(failure.value)
