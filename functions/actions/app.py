"""One-click links from Kith's emails: GET shows a confirmation page, POST acts, once.

No login, no cookie, no redirect: the signed link is the proof (RFC 8058 for unsubscribe).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from kith.actions import pages
from kith.errors import KithError, PayloadTooLarge
from kith.events import raw_body, request_time
from kith.http import status_for
from kith.observability import logger, metrics, tracer
from kith.runtime import Runtime
from kith.usecases.actions import follow_link, open_link

FORM_LIMIT = 4096
# Tokens sit in the URL: keep it out of caches, referrers and search engines.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}

app = APIGatewayHttpResolver(enable_validation=True)
runtime = Runtime()


def _page(status: int, html: str) -> Response[str]:
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=html, headers=dict(_HEADERS))


def _form() -> dict[str, str]:
    body = raw_body(app.current_event)
    if len(body) > FORM_LIMIT:
        raise PayloadTooLarge(f"a form of at most {FORM_LIMIT} bytes is expected")
    fields = urllib.parse.parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: value for name, value in fields}


@app.get("/a/<token>")
def confirm(token: str) -> Response[str]:
    view = open_link(runtime.action_store, runtime.action_keys(), token, request_time(app.current_event))
    return _page(200, pages.confirmation(view))


@app.post("/a/<token>")
def act(token: str) -> Response[str]:
    outcome = follow_link(runtime.action_store, runtime.action_keys(), token, _form(), request_time(app.current_event))
    action = outcome.view.claim.action.value
    metrics.add_metric(name="LinkFollowed" if outcome.changed else "LinkRepeated", unit=MetricUnit.Count, value=1)
    logger.info("link followed", extra={"action": action, "changed": outcome.changed})
    return _page(200, pages.result(outcome))


@app.exception_handler(KithError)
def refuse(error: KithError) -> Response[str]:
    status = status_for(error)
    logger.info("link refused", extra={"status": status, "reason": type(error).__name__})
    return _page(status, pages.problem(status, str(error)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
