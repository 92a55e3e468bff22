"""The console as the stack serves it: the template's routes reach the console function, its real files answer
with their kinds and validators, config.json names the local development sign-in, and the API's other routes
keep their proof (the JWT for /v1, none for webhooks, links and the consent callback)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from kith.console import CONTENT_TYPES
from kith_local.apiserver import LocalApi
from kith_local.clock import SimulatedClock
from kith_local.harness import LocalKith
from kith_local.lambdas import LocalLambdas
from kith_local.stack import LOCAL_CONSOLE_CLIENT_ID, LocalStack, create_stack
from kith_local.template import REPOSITORY
from moto import mock_aws

from tests.integration.support import NOW

STATIC = REPOSITORY / "functions" / "console" / "static"
FILES = sorted(
    path.relative_to(STATIC).as_posix()
    for path in STATIC.rglob("*")
    if path.is_file() and path.suffix in CONTENT_TYPES and not path.name.startswith(".")
)
POLICY_START = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"

Answer = tuple[int, dict[str, str], bytes]


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with mock_aws():
        yield create_stack()


@pytest.fixture
def api(stack: LocalStack) -> LocalApi:
    """The local API server's router over the stack's functions (the role API Gateway plays)."""
    stack.overrides["KITH_AUTH_URL"] = "http://127.0.0.1:8765/dev"
    return LocalApi(LocalLambdas(stack), lambda: NOW)


def get(api: LocalApi, path: str, **headers: str) -> Answer:
    path, _, query = path.partition("?")
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    return api.handle("GET", path, query, sent, b"", "127.0.0.1:8765")


def test_the_console_has_its_shell_to_serve() -> None:
    assert "index.html" in FILES, FILES


@pytest.mark.parametrize("path", ["/", "/console"])
def test_the_root_and_the_bare_console_address_lead_to_the_console(api: LocalApi, path: str) -> None:
    status, headers, _ = get(api, path)

    assert status == 302
    assert headers["location"] == "/console/"


def test_the_console_folder_answers_its_index_page(api: LocalApi) -> None:
    status, headers, body = get(api, "/console/")

    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == (STATIC / "index.html").read_bytes()
    assert headers["content-security-policy"].startswith(POLICY_START)


@pytest.mark.parametrize("name", FILES)
def test_every_file_of_the_console_is_served_with_its_kind_and_revalidates(api: LocalApi, name: str) -> None:
    # When the browser loads the file
    status, headers, body = get(api, f"/console/{name}")
    # Then it is the file, of the kind its extension names, to be revalidated on each load
    assert status == 200
    assert body == (STATIC / name).read_bytes()
    assert headers["content-type"] == CONTENT_TYPES[Path(name).suffix]
    assert headers["cache-control"] == "no-cache"
    assert headers["x-content-type-options"] == "nosniff"
    # And a reload with its validator is a 304 with no body
    status, _, body = get(api, f"/console/{name}", if_none_match=headers["etag"])
    assert (status, body) == (304, b"")


def test_scripts_and_styles_go_gzipped_to_a_browser_that_accepts_it(api: LocalApi) -> None:
    for name in ("app.js", "app.css", "index.html"):
        status, headers, body = get(api, f"/console/{name}", accept_encoding="gzip, deflate, br")
        assert status == 200
        assert headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == (STATIC / name).read_bytes()


def test_config_json_names_the_local_development_sign_in(api: LocalApi) -> None:
    status, headers, body = get(api, "/console/config.json")

    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "auth": {
            "authorize_url": "http://127.0.0.1:8765/dev/oauth2/authorize",
            "token_url": "http://127.0.0.1:8765/dev/oauth2/token",
            "logout_url": "http://127.0.0.1:8765/dev/logout",
            "revoke_url": "http://127.0.0.1:8765/dev/oauth2/revoke",
            "client_id": LOCAL_CONSOLE_CLIENT_ID,
            "scopes": "openid email profile",
        }
    }
    assert "connect-src 'self' http://127.0.0.1:8765;" in headers["content-security-policy"]


def test_the_local_stack_points_the_console_at_its_own_development_sign_in() -> None:
    # Given Kith running locally on a port of its own
    with mock_aws(), LocalKith(SimulatedClock(NOW)) as kith:
        # When the browser asks the console how to sign in
        answer = kith.request("GET", "/console/config.json")
    # Then it is this server's /dev sign-in, with the local console client
    assert answer.status == 200
    assert answer.body["auth"]["authorize_url"] == f"{kith.base_url}/dev/oauth2/authorize"
    assert answer.body["auth"]["client_id"] == LOCAL_CONSOLE_CLIENT_ID


@pytest.mark.parametrize(
    "path",
    [
        "/console/../functions/console/app.py",
        "/console/%2e%2e/app.py",
        "/console/%2E%2E%2F%2E%2E%2Ftemplate.yaml",
        "/console/pages%2f..%2f..%2fapp.py",
        "/console/..%5c..%5capp.py",
        "/console//etc/passwd",
        "/console/%252e%252e%252fapp.py",
    ],
)
def test_a_path_that_tries_to_leave_the_console_folder_is_refused_in_words(api: LocalApi, path: str) -> None:
    status, headers, body = get(api, path)

    assert status == 400
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"This address names no file of the console" in body
    assert b"def handler" not in body


def test_a_file_the_console_does_not_have_is_a_404_page_in_words(api: LocalApi) -> None:
    status, headers, body = get(api, "/console/pages/nope.js")

    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"The console has no page or file at this address." in body


def test_the_owners_api_still_needs_a_token_and_the_routes_with_their_own_proof_do_not(api: LocalApi) -> None:
    # The /v1 routes sit behind the JWT authorizer: no token, no function
    assert get(api, "/v1/owner")[0] == 401
    assert get(api, "/v1/owner", authorization="Bearer dev:owner-console")[0] == 404
    # A one-click link, a webhook and the consent callback reach their functions without one
    assert get(api, "/a/not-a-token")[0] == 400
    webhook = api.handle("POST", "/webhooks/calcom/unknown", "", {}, b"{}", "127.0.0.1")
    assert webhook[0] == 404
    assert get(api, "/oauth/google/callback?error=access_denied&state=x")[0] not in {401, 404, 500}
