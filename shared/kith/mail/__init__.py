"""Kith's emails: composing those it sends (HTML and plain text from the same data, user data escaped), and
reading the mail owners BCC or forward to it (metadata only)."""
