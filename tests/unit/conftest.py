"""Unit tests: pure Python, no AWS and no network.

Every test under this folder is marked `unit` and runs with sockets disabled,
so a test that reaches for the network fails instead of quietly passing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_socket import disable_socket, enable_socket

UNIT_DIR = Path(__file__).parent.resolve()


def _inside_unit_folder(item: pytest.Item) -> bool:
    return UNIT_DIR in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _inside_unit_folder(item):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket()
    try:
        yield
    finally:
        enable_socket()
