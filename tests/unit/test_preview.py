"""`make preview` renders the mailer's own composition of a sample digest and follow-up to files."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from kith_local.preview import render_previews


def test_the_preview_writes_both_emails_escaped_and_readable(tmp_path: Path) -> None:
    # When the previews are rendered (no screenshots in a unit test)
    rendered = {item.name: item for item in render_previews(tmp_path, screenshots=False)}
    # Then the digest and the follow-up are on disk as .eml and .html
    assert set(rendered) == {"digest", "follow-up"}
    digest_html = rendered["digest"].html.read_text(encoding="utf-8")
    # And awkward names are escaped in HTML, never markup, and the page is sized for a phone
    assert "Zoe &lt;b&gt;Adams&lt;/b&gt; &amp; Co" in digest_html and "<b>Adams</b>" not in digest_html
    assert 'name="viewport"' in digest_html
    # And the follow-up offers the guest who is not a contact yet, escaped
    follow_up = email.message_from_bytes(rendered["follow-up"].eml.read_bytes(), policy=email.policy.default)
    text = follow_up.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Sam <Rivera> <sam@newco.example>" in text
    assert "Sam &lt;Rivera&gt;" in rendered["follow-up"].html.read_text(encoding="utf-8")
    assert rendered["digest"].png is None
