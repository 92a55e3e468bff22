"""Signed one-click links in Kith's emails, and the small pages they open."""
