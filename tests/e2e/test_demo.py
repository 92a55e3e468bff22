"""The README's first command, `make demo`, run as a smoke test so it cannot silently break."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

from kith_local.demo import run_demo


def _text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_the_demo_week_runs_end_to_end_over_all_four_providers_and_leaves_readable_emails(tmp_path: Path) -> None:
    # When the demo runs its week on the embedded AWS, with the fake Google and Microsoft beside it
    summary = run_demo(tmp_path / "outbox", quiet=True)
    # Then every webhook got the answer it should, provider by provider, over the HTTP route:
    statuses = {
        provider: [delivery.status for delivery in summary.webhooks if delivery.provider == provider]
        for provider in ("calcom", "calendly", "google", "outlook")
    }
    # Cal.com: the ping acknowledged, four queued, the forged signature refused
    assert statuses["calcom"] == [200, 202, 202, 202, 202, 401]
    # Calendly: three queued, the stale signature refused
    assert statuses["calendly"] == [202, 202, 202, 401]
    # Google: the channel's sync message acknowledged, a change queued, a forged channel token refused
    assert statuses["google"] == [200, 202, 401]
    # Outlook: Graph's validation handshake echoed, a notification queued, a forged clientState refused
    assert statuses["outlook"] == [200, 202, 401]
    assert [summary.tally(provider) for provider in statuses] == [(5, 1), (3, 1), (2, 1), (2, 1)]
    assert len(summary.webhooks) == 16
    # And Google and Outlook were connected as a person connects them: Kith's consent URL, the provider's page,
    # Allow, the redirect back to Kith's callback, and on to the console's calendars page
    for consent, provider in zip(summary.consents, ("google", "outlook"), strict=True):
        assert consent.provider == provider
        assert [(method, status) for method, _, status in consent.hops] == [
            ("POST", 200),
            ("GET", 200),
            ("POST", 302),
            ("GET", 303),
        ]
        assert consent.hops[-1][1] == f"/oauth/{provider}/callback"
        assert consent.landed_at == f"/console/#/calendars?connected={provider}"
    # And six meetings are recorded; the two cancelled ones are gone
    assert sorted(summary.titles) == [
        "Brunch with Luca",
        "Coffee with Priya",
        "Design review",
        "Mentoring call",
        "Partnership sync",
        "Portfolio review",
    ]
    assert summary.interactions == 6
    # And the owner's mail moved the clocks of those they wrote to, and a spoofed message moved none
    mail = {(seen.source, seen.contact): (seen.logged, seen.clock) for seen in summary.mail}
    assert mail[("bcc", "Omar Haddad")] == (True, "2026-12-01T10:00:00Z")
    assert mail[("bcc", "Anya Petrova")][0] is False
    assert mail[("bcc", "Anya Petrova")][1] != "2026-12-01T10:30:00Z"
    # Twenty contacts at the start, and on Wednesday one whose name tries to break the email
    assert summary.contacts == 21
    # And the coffee came from Cal.com and from Google with the same iCalUID: one interaction, told of by both
    assert summary.shared == {"Coffee with Priya": ["Cal.com", "Google"]}
    assert summary.meetings == {"calcom": 2, "calendly": 1, "google": 3, "outlook": 1}
    # And the sweep renewed the Outlook subscription (4230 minutes) twice; Google's 7-day channel needed nothing
    assert [(renewal.provider, renewal.at) for renewal in summary.renewals] == [
        ("outlook", datetime(2026, 12, 2, 3, 30, tzinfo=UTC)),
        ("outlook", datetime(2026, 12, 4, 14, 0, tzinfo=UTC)),
    ]
    assert summary.renewals[-1].expires_at == datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
    # And the mail that went out is two digests (Monday and Thursday) and six follow-ups, each once
    assert summary.follow_up_states == {"sent": 6, "cancelled": 2}
    subjects = [entry.subject for entry in summary.outbox]
    assert len(subjects) == 8
    assert sorted(subject.split(" after ")[0] for subject in subjects if subject.startswith("Follow up with")) == [
        "Follow up with Jonas Weber",
        "Follow up with Luca Bianchi",
        "Follow up with Mei Lin",
        "Follow up with Priya Natarajan",
        "Follow up with Rafael Costa",
        "Follow up with Sofia Lindqvist",
    ]
    assert sum("to reconnect with" in subject for subject in subjects) == 2
    # And each email is on disk as .eml and .html; the guest at coffee is offered as a new contact
    for entry in summary.outbox:
        assert entry.eml.exists() and entry.html is not None and entry.html.exists()
    coffee = next(entry for entry in summary.outbox if "Priya" in entry.subject and "Follow up" in entry.subject)
    text = _text(coffee.eml)
    assert "Sam Rivera <sam@newco.example>" in text
    assert "Goal: mentorship" in text
    monday, thursday = (entry for entry in summary.outbox if "to reconnect" in entry.subject)
    assert monday.html is not None and thursday.html is not None
    # The first email opened is Monday's digest, of ordinary people; the hostile name comes in Thursday's, escaped
    assert summary.outbox[0] == monday
    assert "Zoe" not in _text(monday.eml) and "Zoe" not in monday.html.read_text()
    assert "Zoe Adams &lt;b&gt;&amp;&lt;/b&gt; Co" in thursday.html.read_text()
    assert "<b>&</b>" not in thursday.html.read_text()
    assert "(a test contact: a name that tries to break the email)" in _text(thursday.eml)
    assert summary.hostile == {thursday.eml.name}
    # Meetings ahead hold nudges back: Priya (coffee) and Mei (Calendly) on Monday, Rafael (Outlook) on Thursday
    assert "Priya" not in _text(monday.eml) and "Mei Lin" not in _text(monday.eml)
    assert "Rafael" in _text(monday.eml) and "Rafael" not in _text(thursday.eml)
    # The owner then acts on the emails over HTTP: a scanner's GET changes nothing, the first POST snoozes,
    # the second changes nothing more, a stranger from a meeting is added, and one-click unsubscribe works
    assert [(click.method, click.status) for click in summary.clicks] == [
        ("GET", 200),
        ("POST", 200),
        ("POST", 200),
        ("POST", 200),
        ("POST", 200),
    ]
    assert [click.said for click in summary.clicks] == [
        "",
        "Amara Nwosu is snoozed for 14 days.",
        "This was done already; nothing more changed.",
        "Sam Rivera is now a contact, in your core circle.",
        "You are unsubscribed: Kith will send you no more email.",
    ]
