"""The README's first command, `make demo`, run as a smoke test so it cannot silently break."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from kith_local.demo import run_demo


def test_the_demo_week_runs_end_to_end_and_leaves_readable_emails(tmp_path: Path) -> None:
    # When the demo runs its week on the embedded AWS
    summary = run_demo(tmp_path / "outbox", quiet=True)
    # Then every webhook got the answer it should: the ping acknowledged, four queued, the forged one refused
    assert [status for _, status in summary.webhooks] == [200, 202, 202, 202, 202, 401]
    # And the two meetings that took place are recorded (the cancelled one is gone), with their follow-ups
    assert summary.interactions == 2
    assert summary.contacts == 20
    # And the mail that went out is two digests (Monday and Thursday) and two follow-ups, each once
    subjects = [entry.subject for entry in summary.outbox]
    assert len(subjects) == 4
    assert sum(subject.startswith("Follow up with") for subject in subjects) == 2
    assert sum("to reconnect with" in subject for subject in subjects) == 2
    assert not any("Tomás" in subject for subject in subjects)
    # And each email is on disk as .eml and .html; the guest at coffee is offered as a new contact
    for entry in summary.outbox:
        assert entry.eml.exists() and entry.html is not None and entry.html.exists()
    coffee = next(entry for entry in summary.outbox if "Priya" in entry.subject and "Follow up" in entry.subject)
    message = email.message_from_bytes(coffee.eml.read_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Sam Rivera <sam@newco.example>" in text
    assert "Goal: mentorship" in text
    digest_html = next(entry.html for entry in summary.outbox if "to reconnect" in entry.subject)
    assert digest_html is not None
    html = digest_html.read_text()
    assert "Zoe Adams &lt;b&gt;&amp;&lt;/b&gt; Co" in html
    # Priya's coffee was planned for Monday morning: Monday's digest holds her back
    monday = next(entry for entry in summary.outbox if "to reconnect" in entry.subject)
    assert "Priya" not in monday.html.read_text()  # type: ignore[union-attr]
