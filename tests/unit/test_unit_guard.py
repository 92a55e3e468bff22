"""The unit folder's own promise: no network, and every test is marked `unit`."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketBlockedError


@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket")
def test_sockets_are_disabled() -> None:
    # Given any unit test, When it tries to open a socket, Then it is blocked
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_unit_marker_is_applied(request: pytest.FixtureRequest) -> None:
    # Given any test in tests/unit, Then it carries the unit marker (so `-m unit` selects it)
    assert request.node.get_closest_marker("unit") is not None
