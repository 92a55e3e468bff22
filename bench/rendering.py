"""Part 5: digests and follow-ups composed per second in this process (Jinja2 and the email package, warm).

The owner and network of `make preview` (kith_local.preview): a Berlin owner, five contacts in the digest
with companies, goals, the titles of their last meetings and the awkward names real networks have, and a
follow-up naming two contacts and one new attendee. Each email gets its
own signed one-click links from a kith.actions.links.Linker, as the mailer does (a fixed key ring, no
Secrets Manager). Each timed round composes the same email `iterations` times; the figure is emails per
second, best and median of the rounds.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from kith.actions.links import Linker
from kith.actions.tokens import KeyRing
from kith.mail.compose import compose_digest, compose_follow_up
from kith_local.preview import NOW, sample_digest_of, sample_follow_up_of

SENDER = "kith@mail.example.com"
_NONCES = itertools.count()


def _nonce() -> str:
    """A unique 16-character nonce per link, as long as production's, counted: links signed = nonces drawn."""
    return f"{next(_NONCES):016d}"


LINKER = Linker("https://kith.example.com", lambda: KeyRing({"bench-1": b"b" * 32}, "bench-1"), _nonce)
ROUNDS = 3
WARM_UP = 50


@dataclass
class RenderRate:
    label: str
    iterations: int
    rounds_per_second: list[float]
    message_bytes: int
    links_signed: int

    @property
    def best(self) -> float:
        return max(self.rounds_per_second)

    @property
    def median(self) -> float:
        return statistics.median(self.rounds_per_second)

    def figures(self) -> dict[str, object]:
        return {
            "iterations": self.iterations,
            "rounds": len(self.rounds_per_second),
            "per_second_best": self.best,
            "per_second_median": self.median,
            "per_second_rounds": self.rounds_per_second,
            "message_bytes": self.message_bytes,
            "links_signed": self.links_signed,
        }


def _rate(label: str, iterations: int, work: Callable[[], object], compose: Callable[[], EmailMessage]) -> RenderRate:
    before = next(_NONCES)
    message = compose()
    links = next(_NONCES) - before - 1
    for _ in range(WARM_UP):
        work()
    rates = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(iterations):
            work()
        rates.append(iterations / (time.perf_counter() - started))
    return RenderRate(label, iterations, rates, len(message.as_bytes()), links)


def _serialised(compose: Callable[[], EmailMessage]) -> Callable[[], bytes]:
    return lambda: compose().as_bytes()


def render_rates(iterations: int) -> list[RenderRate]:
    """Digest and follow-up, each composed alone and composed then serialised with as_bytes()."""
    digest = sample_digest_of()
    if len(digest.entries) != 5:
        raise AssertionError(f"the sample digest should name 5 contacts, it names {len(digest.entries)}")
    owner, follow_up, contacts = sample_follow_up_of()

    def digest_message() -> EmailMessage:
        return compose_digest(digest, SENDER, NOW, LINKER.for_email(digest.owner.owner_id, NOW))

    def follow_up_message() -> EmailMessage:
        return compose_follow_up(owner, follow_up, contacts, SENDER, NOW, LINKER.for_email(owner.owner_id, NOW))

    rates: list[RenderRate] = []
    for label, compose in (("digest (5 entries)", digest_message), ("follow-up (2 contacts)", follow_up_message)):
        rates.append(_rate(label, iterations, compose, compose))
        rates.append(_rate(f"{label} + as_bytes()", iterations, _serialised(compose), compose))
    return rates
