"""Kith: keep a professional network warm with well-timed nudges."""
