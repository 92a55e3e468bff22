"""A burst of digest jobs on the mail queue against SES's sending rate (a model, for docs/scale.md).

Nothing here talks to AWS: it plays out, second by second of simulated time, what template.yaml and the
mailer configure, under stated assumptions about timings:

- the event source mapping runs at most MaximumConcurrency (5) mailers, each taking batches of 10 and
  working through them one message at a time (BatchProcessor);
- a message costs `prepare` seconds of DynamoDB and composing, then SES SendEmail (`send` seconds);
- SES refuses what exceeds its maximum send rate (a bucket refilled at `rate` per second, holding one
  second's worth: SES allows short bursts); botocore's standard retry mode retries a refusal up to 3
  times, after random(0, 1) x 2^(n-1) seconds, while its retry quota lasts (500, 5 per retry, 1 back
  per success);
- a message still refused is handed back (partial batch failure) and reappears when its visibility
  timeout (360 s) has run from its receive; on its 6th receive SQS moves it to the dead-letter queue
  (maxReceiveCount 5).

    .venv/bin/python bench/mail_burst.py [--rate 14] [--concurrency 5]
"""

from __future__ import annotations

import argparse
import heapq
import random
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

VISIBILITY = 360.0
MAX_RECEIVES = 5
BATCH = 10
PREPARE = 0.05  # seconds: ~7 DynamoDB requests and composing (assumed)
SEND = 0.06  # seconds: SendEmail's round trip (assumed)
REFUSED = 0.02  # seconds for SES to answer a refusal (assumed)
RETRIES = 3
QUOTA = 500
RETRY_COST = 5
POLL = 1.0  # an idle mailer looks again after a second


@dataclass
class Burst:
    jobs: int
    rate: float
    concurrency: int
    sent: int = 0
    dead_letters: int = 0
    refusals: int = 0
    seconds: float = 0.0


class _Ses:
    """SES's maximum send rate: a bucket refilled at `rate` a second, holding a second's worth."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.at = 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


# What a mailer asks for next, at a moment: a batch from the queue, or SES to take one email.
Ask = tuple[float, str]


def _mailer(rng: random.Random) -> Generator[Ask, Any, None]:
    """One mailer, asking for batches and sends in its own time; the simulation answers each ask in time order."""
    quota = QUOTA
    now = 0.0
    while True:
        received, batch = yield (now, "receive")
        now = received
        if batch is None:
            return
        if not batch:
            now += POLL
            continue
        failed: list[int] = []
        for message in batch:
            now += PREPARE
            for attempt in range(RETRIES + 1):
                if (yield (now, "send")):
                    now += SEND
                    quota = min(QUOTA, quota + (RETRY_COST if attempt else 1))
                    break
                now += REFUSED
                if attempt == RETRIES or quota < RETRY_COST:
                    failed.append(message)
                    break
                quota -= RETRY_COST
                now += rng.random() * 2**attempt
        yield (now, "hand back " + ",".join(map(str, failed)) + f"@{received}")


class _Platform:
    """The mail queue and SES as the mailers meet them: each ask answered at its moment."""

    def __init__(self, burst: Burst) -> None:
        self.burst = burst
        self.ses = _Ses(burst.rate)
        self.receives = [0] * burst.jobs
        self.queue = [(0.0, message) for message in range(burst.jobs)]  # (visible from, message), soonest first
        self.settled = 0

    def answer(self, now: float, what: str) -> Any:
        if what == "receive":
            return self._receive(now)
        if what == "send":
            return self._send(now)
        self._hand_back(what)
        return None

    def _receive(self, now: float) -> tuple[float, list[int] | None]:
        """Up to a batch of the messages visible now; None once every message is settled."""
        batch: list[int] = []
        while self.queue and self.queue[0][0] <= now and len(batch) < BATCH:
            _, message = heapq.heappop(self.queue)
            self.receives[message] += 1
            if self.receives[message] > MAX_RECEIVES:
                self.burst.dead_letters += 1
                self.settled += 1
            else:
                batch.append(message)
        if not batch and self.queue:
            now = max(now, self.queue[0][0] - POLL)
        return now, None if self.settled == self.burst.jobs else batch

    def _send(self, now: float) -> bool:
        taken = self.ses.take(now)
        if taken:
            self.burst.sent += 1
            self.settled += 1
            self.burst.seconds = now
        else:
            self.burst.refusals += 1
        return taken

    def _hand_back(self, what: str) -> None:
        """Failed messages reappear when their visibility timeout has run from their receive."""
        handed, received_at = what.removeprefix("hand back ").split("@")
        for number in filter(None, handed.split(",")):
            heapq.heappush(self.queue, (float(received_at) + VISIBILITY, int(number)))


def simulate(jobs: int, rate: float = 14.0, concurrency: int = 5, seed: int = 1) -> Burst:
    rng = random.Random(seed)
    burst = Burst(jobs, rate, concurrency)
    platform = _Platform(burst)
    mailers = [_mailer(rng) for _ in range(concurrency)]
    asks: list[tuple[float, int, str]] = []
    for index, mailer in enumerate(mailers):
        at, what = next(mailer)
        heapq.heappush(asks, (at, index, what))
    while asks:
        now, index, what = heapq.heappop(asks)
        try:
            at, what = mailers[index].send(platform.answer(now, what))
        except StopIteration:
            continue
        heapq.heappush(asks, (at, index, what))
    return burst


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=14.0, help="SES maximum send rate (default 14/s)")
    parser.add_argument("--concurrency", type=int, default=5, help="mailers at once (MaximumConcurrency)")
    parser.add_argument("--jobs", type=int, nargs="*", default=[1_000, 10_000, 50_000, 150_000])
    arguments = parser.parse_args(argv)
    print(
        f"SES {arguments.rate:g}/s, {arguments.concurrency} mailers, batches of {BATCH}, visibility {VISIBILITY:.0f} s"
    )
    for jobs in arguments.jobs:
        burst = simulate(jobs, arguments.rate, arguments.concurrency)
        print(
            f"  {jobs:>8,} digests: {burst.sent:>8,} sent, {burst.dead_letters:>7,} to dead letters "
            f"({burst.dead_letters / jobs:5.1%}), {burst.refusals:>9,} refusals, "
            f"last send at {burst.seconds / 60:6.1f} min"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
