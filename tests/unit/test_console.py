"""The console's files and sign-in settings as the console function answers them (kith.console)."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from kith.console import Console, ConsoleRuntime, Request, SignIn, file_name, read_files, request_of

AUTH = "https://kith-dev-123456789012.auth.us-east-1.amazoncognito.com"
SIGN_IN = SignIn(AUTH, "console-client-1")
SCRIPT = b"export function boot() {\n" + b"  document.title = 'Kith';\n" * 40 + b"}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_bytes(b"<!doctype html><title>Kith</title>" + b"<p>Today</p>" * 40)
    (tmp_path / "app.js").write_bytes(SCRIPT)
    (tmp_path / "app.css").write_bytes(b"body { margin: 0 }\n" * 30)
    (tmp_path / "favicon.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "today.js").write_bytes(b"export async function render() {}\n")
    (tmp_path / ".secret.js").write_bytes(b"hidden")
    (tmp_path / "notes.md").write_bytes(b"not a kind the console serves")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.json").write_bytes(b"{}")
    return tmp_path


@pytest.fixture
def console(folder: Path) -> Console:
    return Console(read_files(folder), SIGN_IN)


def get(console: Console, path: str, https: bool = True, **headers: str) -> dict[str, Any]:
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if https:
        sent["x-forwarded-proto"] = "https"
    return console.answer(Request("GET", path, sent))


def body_of(answer: dict[str, Any]) -> bytes:
    body = answer["body"]
    return base64.b64decode(body) if answer["isBase64Encoded"] else body.encode()


@pytest.mark.parametrize("path", ["/", "/console"])
def test_the_root_and_the_bare_console_address_lead_to_the_console_folder(path: str) -> None:
    # Given any console, When / or /console is asked for (its page names its files relative to /console/)
    answer = get(Console({}, SIGN_IN), path)
    # Then it is a 302 to /console/
    assert answer["statusCode"] == 302
    assert answer["headers"]["Location"] == "/console/"


@pytest.mark.parametrize("path", ["/console/", "/console/index.html"])
def test_the_console_and_its_folder_answer_index_html(console: Console, folder: Path, path: str) -> None:
    answer = get(console, path)

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert answer["isBase64Encoded"] is True
    assert body_of(answer) == (folder / "index.html").read_bytes()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("pages/today.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
        ("logo.png", "image/png"),
        ("favicon.ico", "image/x-icon"),
    ],
)
def test_each_file_is_served_with_the_content_type_its_extension_names(
    console: Console, folder: Path, name: str, content_type: str
) -> None:
    answer = get(console, f"/console/{name}")

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == content_type
    assert answer["headers"]["Cache-Control"] == "no-cache"
    assert body_of(answer) == (folder / name).read_bytes()


@pytest.mark.parametrize("name", ["missing.js", ".secret.js", "notes.md", ".git/config.json", "pages", "pages/"])
def test_a_file_the_console_does_not_serve_is_a_404_page_in_words(console: Console, name: str) -> None:
    answer = get(console, f"/console/{name}")

    assert answer["statusCode"] in {404, 400}
    assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>" in answer["body"] and "/console/" in answer["body"]
    assert answer["headers"]["Cache-Control"] == "no-store"


def test_an_unknown_file_is_404_and_does_not_repeat_the_name(console: Console) -> None:
    answer = get(console, "/console/<script>alert(1)</script>.js")

    assert answer["statusCode"] == 404
    assert "The console has no page or file at this address." in answer["body"]
    assert "<script>" not in answer["body"]


@pytest.mark.parametrize(
    "path",
    [
        "/console/../app.py",
        "/console/pages/../../app.py",
        "/console/./app.js",
        "/console/%2e%2e/app.py",
        "/console/%2E%2E%2Fapp.py",
        "/console/pages%2ftoday.js",
        "/console/..%5capp.py",
        "/console/pages\\today.js",
        "/console//etc/passwd",
        "/console/%2fetc/passwd",
        "/console/%252e%252e/app.py",
        "/console/app.js%00.png",
        "/console/app%0a.js",
        "/console/%ff.js",
    ],
)
def test_a_name_that_tries_to_leave_the_folder_is_refused_in_words(console: Console, path: str) -> None:
    answer = get(console, path)

    assert answer["statusCode"] == 400
    assert "This address names no file of the console" in answer["body"]
    assert answer["isBase64Encoded"] is False


def test_a_plain_name_may_be_percent_encoded(console: Console) -> None:
    assert get(console, "/console/app%2Ejs")["statusCode"] == 200
    assert file_name("/console/pages/today.js") == "pages/today.js"


def test_every_answer_carries_the_security_headers(console: Console) -> None:
    # Given answers of every kind: a file, the config, a redirect, a refusal, a missing file, a revalidation
    etag = get(console, "/console/app.js")["headers"]["ETag"]
    answers = [
        get(console, "/console/app.js"),
        get(console, "/console/config.json"),
        get(console, "/"),
        get(console, "/console/../x"),
        get(console, "/console/missing.js"),
        get(console, "/console/app.js", if_none_match=etag),
        console.answer(Request("POST", "/console/", {"x-forwarded-proto": "https"})),
    ]
    # Then each has the strict policy naming the sign-in origin, and the rest
    for answer in answers:
        headers = answer["headers"]
        assert headers["Content-Security-Policy"] == (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {AUTH}; form-action 'self' {AUTH}; base-uri 'none'; frame-ancestors 'none'"
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Strict-Transport-Security"] == "max-age=31536000"


def test_strict_transport_security_is_sent_over_https_only(console: Console) -> None:
    assert "Strict-Transport-Security" not in get(console, "/console/", https=False)["headers"]
    assert "Strict-Transport-Security" in get(console, "/console/", https=True)["headers"]


def test_a_file_is_revalidated_by_its_etag(console: Console) -> None:
    # Given the ETag a first load answered
    first = get(console, "/console/app.js")
    etag = first["headers"]["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    # When the browser revalidates with it (alone, weak, or among others)
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        answer = get(console, "/console/app.js", if_none_match=sent)
        # Then it is a 304 with no body, the same validator and the same caching rule
        assert answer["statusCode"] == 304
        assert answer["body"] == ""
        assert answer["headers"]["ETag"] == etag
        assert answer["headers"]["Cache-Control"] == "no-cache"
    # And another file's, or a stale, validator gets the file
    assert get(console, "/console/app.js", if_none_match='"stale"')["statusCode"] == 200
    assert get(console, "/console/app.css", if_none_match=etag)["statusCode"] == 200


def test_a_changed_file_gets_another_etag(folder: Path) -> None:
    before = get(Console(read_files(folder), SIGN_IN), "/console/app.js")["headers"]["ETag"]
    (folder / "app.js").write_bytes(SCRIPT + b"// changed\n")

    after = get(Console(read_files(folder), SIGN_IN), "/console/app.js")["headers"]["ETag"]

    assert before != after


def test_a_client_that_accepts_gzip_gets_the_file_gzipped_with_its_own_etag(console: Console) -> None:
    plain = get(console, "/console/app.js")
    zipped = get(console, "/console/app.js", accept_encoding="br, gzip;q=0.8")

    assert zipped["headers"]["Content-Encoding"] == "gzip"
    assert zipped["headers"]["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body_of(zipped)) == SCRIPT
    assert len(body_of(zipped)) < len(SCRIPT)
    assert "Content-Encoding" not in plain["headers"]
    assert plain["headers"]["Vary"] == "Accept-Encoding"
    assert zipped["headers"]["ETag"] != plain["headers"]["ETag"]
    # Either validator revalidates the file
    assert (
        get(console, "/console/app.js", if_none_match=plain["headers"]["ETag"], accept_encoding="gzip")["statusCode"]
        == 304
    )


def test_the_gzip_form_is_made_once(folder: Path) -> None:
    files = read_files(folder)
    console = Console(files, SIGN_IN)

    first = body_of(get(console, "/console/app.js", accept_encoding="gzip"))
    second = body_of(get(console, "/console/app.js", accept_encoding="gzip"))

    assert first == second
    assert "gzipped" in vars(files["app.js"])


@pytest.mark.parametrize("accept", ["", "identity", "gzip;q=0", "br", "*;q=0", "gzip;q=nonsense"])
def test_a_client_that_does_not_accept_gzip_gets_the_file_as_it_is(console: Console, accept: str) -> None:
    answer = get(console, "/console/app.js", accept_encoding=accept)

    assert "Content-Encoding" not in answer["headers"]
    assert body_of(answer) == SCRIPT


def test_a_png_and_a_tiny_file_are_not_gzipped(console: Console) -> None:
    for name in ("logo.png", "favicon.svg"):
        answer = get(console, f"/console/{name}", accept_encoding="gzip")
        assert "Content-Encoding" not in answer["headers"]
        assert "Vary" not in answer["headers"]


def test_config_json_names_the_oauth_endpoints_of_the_sign_in() -> None:
    console = Console({}, SignIn.from_environ({"KITH_AUTH_URL": AUTH + "/", "KITH_CONSOLE_CLIENT_ID": "abc123"}))

    answer = get(console, "/console/config.json")

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/json"
    assert answer["headers"]["Cache-Control"] == "no-cache"
    assert json.loads(answer["body"]) == {
        "auth": {
            "authorize_url": f"{AUTH}/oauth2/authorize",
            "token_url": f"{AUTH}/oauth2/token",
            "logout_url": f"{AUTH}/logout",
            "revoke_url": f"{AUTH}/oauth2/revoke",
            "client_id": "abc123",
            "scopes": "openid email profile",
        }
    }


def test_the_local_development_sign_in_is_a_url_like_any_other() -> None:
    sign_in = SignIn.from_environ({"KITH_AUTH_URL": "http://127.0.0.1:8765/dev", "KITH_CONSOLE_CLIENT_ID": "kith"})

    assert sign_in.origin == "http://127.0.0.1:8765"
    assert sign_in.config()["auth"]["token_url"] == "http://127.0.0.1:8765/dev/oauth2/token"


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"KITH_AUTH_URL": "", "KITH_CONSOLE_CLIENT_ID": ""},
        {"KITH_AUTH_URL": AUTH, "KITH_CONSOLE_CLIENT_ID": " "},
        {"KITH_AUTH_URL": "", "KITH_CONSOLE_CLIENT_ID": "abc"},
        {"KITH_AUTH_URL": "javascript:alert(1)", "KITH_CONSOLE_CLIENT_ID": "abc"},
    ],
)
def test_a_stack_without_sign_in_says_so_in_config_json_and_the_policy_names_no_other_origin(
    environ: dict[str, str],
) -> None:
    console = Console({}, SignIn.from_environ(environ))

    answer = get(console, "/console/config.json")

    assert json.loads(answer["body"]) == {"auth": None}
    policy = answer["headers"]["Content-Security-Policy"]
    assert "connect-src 'self';" in policy and "form-action 'self';" in policy


def test_only_get_is_answered(console: Console) -> None:
    answer = console.answer(Request("DELETE", "/console/app.js", {}))

    assert answer["statusCode"] == 405
    assert answer["headers"]["Allow"] == "GET"
    assert "read with GET" in answer["body"]


def test_a_path_outside_the_console_is_a_404(console: Console) -> None:
    assert get(console, "/consoleapp.js")["statusCode"] == 404
    assert get(console, "/v1/owner")["statusCode"] == 404


def test_request_of_reads_the_http_api_event() -> None:
    event = {
        "rawPath": "/console/app.js",
        "headers": {"Accept-Encoding": "gzip", "x-forwarded-proto": "https"},
        "requestContext": {"http": {"method": "get", "path": "/console/app.js"}},
    }

    request = request_of(event)

    assert (request.method, request.raw_path, request.https, request.accepts_gzip()) == (
        "GET",
        "/console/app.js",
        True,
        True,
    )
    assert request_of({}).raw_path == "/"


def test_the_runtime_reads_files_and_settings_on_first_use_only(folder: Path) -> None:
    # Given a runtime made before its settings are known, then handed them
    runtime = ConsoleRuntime(folder).with_environ({"KITH_AUTH_URL": AUTH, "KITH_CONSOLE_CLIENT_ID": "c"})
    # When it serves, Then the files and settings are those of its folder and environment
    assert runtime.console.sign_in == SignIn(AUTH, "c")
    assert set(runtime.console.files) == {
        "index.html",
        "app.js",
        "app.css",
        "favicon.svg",
        "logo.png",
        "favicon.ico",
        "pages/today.js",
    }
    assert runtime.console is runtime.console


def test_a_missing_folder_serves_nothing_rather_than_failing(tmp_path: Path) -> None:
    console = Console(read_files(tmp_path / "absent"), SIGN_IN)

    assert get(console, "/console/")["statusCode"] == 404
