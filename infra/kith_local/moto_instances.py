"""moto's record of every model instance it makes, kept without keeping the instances alive.

moto appends each instance of its models to a list on the model's class (`instances_tracked`,
read by the dashboard at /moto-api/) and never lets go of it. Its DynamoDB copies items as it
works: a TransactWriteItems copies each table it writes (once per action), a Query or Scan
copies every item it reads, an UpdateItem the item it updates. Every copy stayed in that list
for the life of the process: seeding 10,000 contacts and browsing them grew `make serve` to
16 GB. Here the list holds weak references: the dashboard and moto's own resets still see every
instance in use, and a copy is gone once its request is answered.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import Any


class LiveInstances:
    """The instances of one model still in use, in the order they were made."""

    def __init__(self, instances: Iterable[object] = ()) -> None:
        self._refs: dict[int, weakref.ref[object]] = {}
        for instance in instances:
            self.append(instance)

    def append(self, instance: object) -> None:
        key = id(instance)

        def forget(ref: weakref.ref[object]) -> None:
            if self._refs.get(key) is ref:
                del self._refs[key]

        # Every model can be referred to weakly: BaseModel, which they all extend, has no __slots__.
        self._refs[key] = weakref.ref(instance, forget)

    def __iter__(self) -> Iterator[object]:
        return iter([instance for ref in list(self._refs.values()) if (instance := ref()) is not None])

    def __len__(self) -> int:
        return len(self._refs)


_LIVE: dict[type, LiveInstances] = {}
_LOCK = threading.Lock()


def _instances_of(model: type) -> LiveInstances:
    live = _LIVE.get(model)
    if live is None:
        with _LOCK:
            live = _LIVE.get(model)
            if live is None:
                # A model made before: what moto's list holds moves over, and the list lets go of it.
                held: Any = model.__dict__.get("instances_tracked")
                live = _LIVE[model] = LiveInstances(held or ())
                if isinstance(held, list):
                    held.clear()
    return live


def _start_afresh(model: type, instances: Iterable[object]) -> None:
    # moto assigns a new list when a model class is made and on every reset.
    _LIVE[model] = LiveInstances(instances)


def track_weakly() -> None:
    """From now on, in this process, moto's models list their instances without holding them; resets included."""
    from moto.core.base_backend import InstanceTrackerMeta

    if isinstance(InstanceTrackerMeta.__dict__.get("instances_tracked"), property):
        return
    # A property of the metaclass comes before the attribute of each model class, for reads and assignments.
    InstanceTrackerMeta.instances_tracked = property(_instances_of, _start_afresh)  # type: ignore[attr-defined]
