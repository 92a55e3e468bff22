"""What the consent callback answers the owner's browser: on to the console when connected, else a page in words.

The code and the state sit in the callback's URL: both answers keep it out of caches, referrers and frames.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from kith.domain.connections import Provider
from kith.errors import KithError
from kith.http import status_for

CONSENT_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
}


def connected(provider: Provider) -> Response[str]:
    location = f"/console/#/calendars?connected={provider.value}"
    return Response(status_code=303, body="", headers={**CONSENT_HEADERS, "Location": location})


def refused(error: KithError) -> Response[str]:
    from kith.actions.pages import consent_refused

    status = status_for(error)
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=consent_refused(status, str(error)),
        headers=dict(CONSENT_HEADERS),
    )
