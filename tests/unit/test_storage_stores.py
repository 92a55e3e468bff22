"""Each DynamoDB store is its port, exactly: every method the port lists, and no other public one."""

from __future__ import annotations

import inspect

import pytest
from kith import ports
from kith.storage import stores

PAIRS = [
    (stores.DynamoContactStore, ports.ContactStore),
    (stores.DynamoMeetingStore, ports.MeetingStore),
    (stores.DynamoMailStore, ports.MailStore),
    (stores.DynamoConnectionStore, ports.ConnectionStore),
    (stores.DynamoActionStore, ports.ActionStore),
    (stores.DynamoImportStore, ports.ImportStore),
    (stores.DynamoErasureStore, ports.ErasureStore),
    (stores.DynamoSentMailStore, ports.SentMailStore),
    (stores.DynamoInboundStore, ports.InboundStore),
]


def _public(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls, callable) if not name.startswith("_")}


@pytest.mark.parametrize(("store", "port"), PAIRS, ids=[port.__name__ for _, port in PAIRS])
def test_a_store_has_exactly_the_methods_its_port_lists(store: type, port: type) -> None:
    assert isinstance(store(client=None, table_name="kith", due_shards=4), port)
    assert _public(store) == _public(port)


@pytest.mark.parametrize(("store", "port"), PAIRS, ids=[port.__name__ for _, port in PAIRS])
def test_a_store_takes_the_arguments_its_port_gives(store: type, port: type) -> None:
    """Beyond what mypy checks (the Runtime's stores are typed as the ports): the same names, kinds and defaults."""
    for name in _public(port):
        wanted = inspect.signature(getattr(port, name))
        given = inspect.signature(getattr(store, name))
        extra = list(given.parameters)[len(wanted.parameters) :]
        assert list(given.parameters)[: len(wanted.parameters)] == list(wanted.parameters), name
        assert all(given.parameters[more].default is not inspect.Parameter.empty for more in extra), name
        for parameter in wanted.parameters.values():
            assert given.parameters[parameter.name].kind == parameter.kind, (name, parameter.name)
            assert given.parameters[parameter.name].default == parameter.default, (name, parameter.name)
