"""Unit tests: pure Python, no AWS and no network.

Every test under this folder is marked `unit` (tests/conftest.py) and runs with sockets disabled,
so a test that reaches for the network fails instead of quietly passing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_socket import disable_socket, enable_socket


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket()
    try:
        yield
    finally:
        enable_socket()
