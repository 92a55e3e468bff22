"""Fault injection, at the integration level: the stack in moto in process, handlers invoked with events.

tests/conftest.py marks tests by the folder of their level; this folder is not one of them, so its
tests get the integration mark here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from kith_local.clock import SimulatedClock
from kith_local.stack import create_stack
from moto import mock_aws

from tests.faults.flows import World, build_world
from tests.faults.injector import Injector, cold_start
from tests.integration.support import NOW, Kith

HERE = Path(__file__).parent.resolve()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One stack for the module, walked once fault-free; each scenario restores the snapshot it starts from."""
    assert "AWS_ENDPOINT_URL" not in os.environ
    yield from build_world()


@pytest.fixture
def injector() -> Injector:
    return Injector()


@pytest.fixture
def kith(injector: Injector) -> Iterator[Kith]:
    """A fresh stack whose functions' clients report to `injector`."""
    assert "AWS_ENDPOINT_URL" not in os.environ
    with mock_aws():
        kith = Kith(create_stack(), SimulatedClock(NOW))
        cold_start(kith.lambdas, injector, boto3.session.Session())
        yield kith
