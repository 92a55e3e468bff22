"""`make serve`: Kith's console and HTTP API on 127.0.0.1 over an embedded AWS, with the queues and the tick running.

The role `sam local start-api` plays with Docker: the same handlers, routes
from template.yaml, a development token in place of the JWT authorizer, and
the development sign-in in place of Cognito's managed login (the console and
`kith login` sign in through it), and a fake Google and Microsoft on 127.0.0.1 whose consent
pages stand in for the providers' (Connect Google Calendar or Outlook works as deployed).
With --demo, the demo owner and her network are seeded first (demo_seed), so the console opens on a full Today. A
background loop delivers queued messages to their consumers every second and
fires the scheduler at the schedule's rate, on the wall clock. Every email SES
accepts is written to outbox/ as .eml and .html, as the demo does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from kith_local.aws import local_aws, sent_emails
from kith_local.clock import WallClock
from kith_local.demo_calendars import Webhooks
from kith_local.demo_seed import Seeded, seed_demo
from kith_local.dev_sign_in import PREFILLED_SUBJECT
from kith_local.fake_providers import FakeProviders
from kith_local.harness import LocalKith
from kith_local.outbox import Outbox, OutboxEntry
from kith_local.provider_settings import google_overrides, microsoft_overrides


class Serving:
    """One round of what runs beside the API: queues delivered, the tick when it is due, new mail to the outbox."""

    def __init__(self, kith: LocalKith, outbox: Outbox, tick_every: timedelta, say: Callable[[str], None]) -> None:
        self.kith = kith
        self.outbox = outbox
        self.tick_every = tick_every
        self.say = say
        self.next_tick = kith.clock.now()
        outbox.empty()

    def banner(self, endpoint: str, seeded: Seeded | None = None, providers: str | None = None) -> list[str]:
        base = self.kith.base_url
        demo = f"{seeded.owner_id}: {seeded.contacts} contacts, {seeded.meetings} meetings" if seeded else ""
        return [
            f"Console       {base}/   (open it in a browser and sign in)",
            f"Sign-in       development, no password, prefilled as {PREFILLED_SUBJECT}: the console's Sign in,"
            f" or `kith login --api {base}`",
            *([f"Demo          seeded {demo}   (sign in as {PREFILLED_SUBJECT} to see them)"] if seeded else []),
            f"Kith API      {base}   (Authorization: Bearer dev:<your-subject>)",
            f"Webhooks      {base}/webhooks/<provider>/<connection_id>   (POST /v1/connections)",
            *(
                [
                    f"Calendars     fake Google and Microsoft at {providers}"
                    "   (their consent pages stand in for the real ones)"
                ]
                if providers
                else []
            ),
            f"Emails        {self.outbox.folder}/   (.eml and .html; emptied now, one file pair per email sent)",
            f"Embedded AWS  {endpoint}   (table {self.kith.stack.table_name})",
            f"Tick          every {int(self.tick_every.total_seconds())} s; Ctrl-C stops",
        ]

    def step(self) -> list[OutboxEntry]:
        self.kith.process_meetings()
        self.kith.send_mail()
        now = self.kith.clock.now()
        if now >= self.next_tick:
            result = self.kith.tick(now)
            if result["digests_queued"] or result["follow_ups_queued"]:
                self.say(f"{now:%H:%M:%S} tick: {result}")
            self.next_tick = now + self.tick_every
        written = self.outbox.catch_up(sent_emails())
        for entry in written:
            self.say(f"{now:%H:%M:%S} email sent: {entry.eml}" + (f" and {entry.html.name}" if entry.html else ""))
        return written


def serve_forever(tick_every: timedelta, port: int, outbox: Path, demo: bool = False) -> None:
    def say(line: str) -> None:
        print(line, flush=True)

    clock = WallClock()
    with local_aws() as endpoint, FakeProviders(clock) as fake, LocalKith(clock, port=port) as kith:
        # Google and Outlook connect through the fake's consent pages; Graph checks a subscription's URL by calling it.
        kith.use_settings(google_overrides(fake) | microsoft_overrides(fake))
        fake.notify = Webhooks(kith.base_url, lambda *_: None).notify
        seeded = seed_demo(kith) if demo else None
        serving = Serving(kith, Outbox(outbox), tick_every, say)
        for line in serving.banner(endpoint, seeded, fake.base_url):
            say(line)
        try:
            while True:
                serving.step()
                time.sleep(1)
        except KeyboardInterrupt:
            say("stopped")
