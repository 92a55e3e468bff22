"""`kith`, the owner's command line, against the local API server over HTTP."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from kith_cli.main import main
from kith_local.clock import SimulatedClock
from kith_local.harness import LocalKith

TOKEN = "dev:owner-cli"


def _run(kith: LocalKith, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--api", kith.base_url, "--token", TOKEN, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_connections_are_listed_made_and_removed_from_the_command_line(endpoint: str) -> None:
    with LocalKith(SimulatedClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)), stage="cli") as kith:
        owner = {"email": "olive@example.com", "name": "Olive", "time_zone": "Europe/Berlin"}
        assert kith.request("PUT", "/v1/owner", owner, token=TOKEN).status == 200
        # Given no connection yet
        assert _run(kith, "connections") == (0, "no calendar connected\n", "")
        # When Cal.com is connected, the webhook URL and the secret are printed, once
        code, out, _ = _run(kith, "connect", "calcom")
        assert code == 0
        connection_id = out.split(" as ", 1)[1].split(" ", 1)[0]
        assert f"/webhooks/calcom/{connection_id}" in out and "signing secret:" in out
        # Then it is listed as active, without its secret
        code, out, _ = _run(kith, "connections")
        assert code == 0 and connection_id in out and "calcom" in out and "active" in out and "secret" not in out
        # And a calendar that needs OAuth without a code is refused with the API's reason
        code, _, err = _run(kith, "connect", "google")
        assert code == 1 and "authorization_code" in err and "HTTP 422" in err
        # And disconnecting removes it
        assert _run(kith, "disconnect", connection_id)[0] == 0
        assert _run(kith, "connections")[1] == "no calendar connected\n"
        assert _run(kith, "disconnect", connection_id)[0] == 1


def test_a_bad_token_and_an_unreachable_api_are_clear_errors(endpoint: str) -> None:
    with LocalKith(SimulatedClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)), stage="cli2") as kith:
        err = io.StringIO()
        assert main(["--api", kith.base_url, "--token", "nope", "connections"], err=err, out=io.StringIO()) == 1
        assert "Unauthorized (HTTP 401)" in err.getvalue()
    err = io.StringIO()
    assert main(["--api", "http://127.0.0.1:9", "--token", TOKEN, "connections"], err=err, out=io.StringIO()) == 2
    assert "cannot reach" in err.getvalue()
