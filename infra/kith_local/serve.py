"""`make serve`: Kith's HTTP API on 127.0.0.1 over an embedded AWS, with the queues and the tick running.

The role `sam local start-api` plays with Docker: the same handlers, routes
from template.yaml, a development token in place of the JWT authorizer. A
background loop delivers queued messages to their consumers every second and
fires the scheduler at the schedule's rate, on the wall clock.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from kith_local.aws import local_aws
from kith_local.clock import WallClock
from kith_local.harness import LocalKith


def serve_forever(tick_every: timedelta = timedelta(minutes=5), port: int = 0) -> None:
    with local_aws() as endpoint, LocalKith(WallClock(), port=port) as kith:
        print(f"Kith API      {kith.base_url}   (Authorization: Bearer dev:<your-subject>)")
        print(f"Embedded AWS  {endpoint}   (table {kith.stack.table_name})")
        print(f"Tick          every {int(tick_every.total_seconds())} s; Ctrl-C stops")
        next_tick = datetime.now(UTC)
        try:
            while True:
                kith.process_meetings()
                kith.send_mail()
                if datetime.now(UTC) >= next_tick:
                    result = kith.tick()
                    if result["digests_queued"] or result["follow_ups_queued"]:
                        print(f"{datetime.now(UTC):%H:%M:%S} tick: {result}")
                    next_tick += tick_every
                time.sleep(1)
        except KeyboardInterrupt:
            print("stopped")
