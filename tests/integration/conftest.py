"""Integration level: moto in process, the stack created from template.yaml, handlers invoked with events."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from kith_local.clock import SimulatedClock
from kith_local.stack import create_stack
from moto import mock_aws

from tests.integration.support import NOW, Kith


@pytest.fixture
def kith() -> Iterator[Kith]:
    assert "AWS_ENDPOINT_URL" not in os.environ
    with mock_aws():
        yield Kith(create_stack(), SimulatedClock(NOW))
