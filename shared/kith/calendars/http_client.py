"""The one HTTP client for calendar providers: Google Calendar, Microsoft Graph and their OAuth token endpoints.

It retries what a provider documents as temporary (429, 5xx, Google's 403 rate limits, timeouts,
refused connections) with exponential backoff and full jitter, honours `Retry-After` (seconds or an
HTTP date), and turns every other answer into one typed error from `kith.calendars.errors`.
A request that may have reached the provider is repeated after a timeout only when repeating it is
harmless (GET, PUT, DELETE..., or `idempotent=True`): a second Graph subscription or a consumed
authorization code is worse than a retry later. Logs and messages carry the method, host, status and
timings, never a path (calendar ids are e-mail addresses), a header value or a body.
"""

from __future__ import annotations

import json as jsonlib
import random as randomlib
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util import Timeout, parse_url

from kith.calendars.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderGone,
    ProviderMalformedResponse,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
)
from kith.events import read_json
from kith.observability import logger

USER_AGENT = "kith-calendars/1"
_REPEATABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Google answers some throttling with 403 and these reasons, and documents backing off and retrying them.
_RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")

Params = Mapping[str, str | int | bool | list[str]]


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    headers: Mapping[str, str]  # case-insensitive
    body: bytes

    def json(self) -> Any:
        try:
            return read_json(self.body)
        except (UnicodeDecodeError, ValueError):
            raise ProviderMalformedResponse(
                f"a {self.status} answer whose body is not JSON", status=self.status
            ) from None


def provider_reason(body: bytes) -> str | None:
    """The provider's error code from an error body: OAuth `error`, Google `errors[0].reason`, Graph `error.code`."""
    try:
        document = jsonlib.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    error = document.get("error") if isinstance(document, dict) else None
    candidates: list[object] = []
    if isinstance(error, str):
        candidates.append(error)
    elif isinstance(error, dict):
        details = error.get("errors")
        if isinstance(details, list) and details and isinstance(details[0], dict):
            candidates.append(details[0].get("reason"))
        candidates += [error.get("code"), error.get("status")]
    return next((c for c in candidates if isinstance(c, str) and _CODE.fullmatch(c)), None)


def retry_after_seconds(value: str | None, date_header: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds to wait; an HTTP date is measured against the answer's own `Date` when it has one."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(date_header) if date_header else None
    return max(0.0, (when - (reference or now)).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ProviderHttp:
    """One connection pool per instance; create it once per cold start and pass it to the provider adapters."""

    def __init__(
        self,
        timeout: Timeout | None = None,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = randomlib.random,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.timeout = timeout or Timeout(connect=3, read=10)
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.requests_made = 0
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._wall_clock = wall_clock
        self._count_lock = threading.Lock()
        self._pool = urllib3.PoolManager(timeout=self.timeout, retries=False, maxsize=4)

    def close(self) -> None:
        self._pool.clear()

    def __enter__(self) -> ProviderHttp:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def backoff(self, attempt: int) -> float:
        """Full jitter: anywhere between 0 and the capped exponential delay for this attempt."""
        return self._random() * min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Params | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> ProviderResponse:
        method = method.upper()
        target = url if not params else url + ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        body, content_type = _encoded(json, form)
        sent_headers = urllib3.HTTPHeaderDict({"Accept": "application/json", "User-Agent": USER_AGENT})
        if content_type:
            sent_headers["Content-Type"] = content_type
        for name, value in (headers or {}).items():
            sent_headers[name] = value
        repeatable = idempotent if idempotent is not None else method in _REPEATABLE_METHODS
        call = f"{method} {parse_url(url).host or '?'}"

        attempt, last_status = 0, None
        while True:
            attempt += 1
            with self._count_lock:
                self.requests_made += 1
            started = self._clock()
            try:
                raw = self._pool.request(method, target, body=body, headers=sent_headers, redirect=False, retries=False)
            except HTTPError as exc:
                self._give_up_unless_repeatable(exc, call, attempt, last_status, repeatable)
                self._wait(call, attempt, None, self.backoff(attempt))
                continue
            response = ProviderResponse(raw.status, raw.headers, raw.data)
            logger.debug(
                "provider answered",
                extra={"call": call, "status": raw.status, "attempt": attempt, "ms": _ms(self._clock() - started)},
            )
            if response.status < 400:
                return response
            wait = self._wait_before_retry(call, attempt, response)
            last_status = response.status
            self._wait(call, attempt, response.status, wait)

    def _give_up_unless_repeatable(
        self, exc: HTTPError, call: str, attempt: int, last_status: int | None, repeatable: bool
    ) -> None:
        problem = "timed out" if isinstance(exc, Urllib3Timeout) else "failed to connect or was cut off"
        maybe_received = not isinstance(exc, ConnectTimeoutError)
        if attempt >= self.max_attempts or (maybe_received and not repeatable):
            raise ProviderUnavailable(
                f"{call} {problem} ({type(exc).__name__}) after {attempt} attempt(s)",
                attempts=attempt,
                last_status=last_status,
            ) from None

    def _wait_before_retry(self, call: str, attempt: int, response: ProviderResponse) -> float:
        """Seconds to wait before asking again, or the refusal when the answer is final."""
        reason = provider_reason(response.body)
        if not _temporary(response.status, reason):
            raise _refusal(call, response.status, reason)
        wait = retry_after_seconds(
            response.headers.get("Retry-After"), response.headers.get("Date"), self._wall_clock()
        )
        if wait is not None and wait > self.max_retry_after:
            raise ProviderUnavailable(
                f"{call} answered {response.status} and asks to wait {wait:g}s, "
                f"longer than the {self.max_retry_after:g}s this client waits",
                attempts=attempt,
                last_status=response.status,
                retry_after=wait,
                reason=reason,
            )
        if attempt >= self.max_attempts:
            raise ProviderUnavailable(
                f"{call} answered {response.status} to all {attempt} attempt(s)",
                attempts=attempt,
                last_status=response.status,
                retry_after=wait,
                reason=reason,
            )
        return wait if wait is not None else self.backoff(attempt)

    def _wait(self, call: str, attempt: int, status: int | None, seconds: float) -> None:
        logger.info(
            "provider call retried", extra={"call": call, "status": status, "attempt": attempt, "wait": seconds}
        )
        self._sleep(seconds)


def _encoded(json: Any, form: Mapping[str, str] | None) -> tuple[bytes | None, str | None]:
    if json is not None and form is not None:
        raise ValueError("send either json or form, not both")
    if json is not None:
        return jsonlib.dumps(json).encode(), "application/json"
    if form is not None:
        return urlencode(form).encode(), "application/x-www-form-urlencoded"
    return None, None


def _temporary(status: int, reason: str | None) -> bool:
    return status == 429 or status >= 500 or (status == 403 and reason in _RATE_LIMIT_REASONS)


def _refusal(call: str, status: int, reason: str | None) -> ProviderError:
    message = f"{call} answered {status}" + (f" ({reason})" if reason else "")
    if status in (401, 403) or reason in ("invalid_grant", "invalid_client"):
        return ProviderAuthError(message, status=status, reason=reason)
    if status == 404:
        return ProviderNotFound(message, status=status, reason=reason)
    if status == 410:
        return ProviderGone(message, status=status, reason=reason)
    return ProviderRejected(message, status=status, reason=reason)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
