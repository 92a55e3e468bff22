"""Composing Kith's emails: HTML and plain text from the same data, user data escaped."""
