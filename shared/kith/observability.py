"""Logger, metrics and tracer shared by every function, and the rule for personal data in logs."""

from __future__ import annotations

import hashlib

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics(namespace="Kith")
tracer = Tracer()


def pseudonym(value: str) -> str:
    """A stable, non-reversible stand-in for an e-mail address or a name in logs."""
    return "h:" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:12]
