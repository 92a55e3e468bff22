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
        code, out, err = _run(kith, "connections")
        assert (code, err) == (0, "") and out.startswith("no calendar connected\n")
        # When Cal.com is connected, the webhook URL and the secret are printed, once
        code, out, _ = _run(kith, "connect", "calcom")
        assert code == 0
        connection_id = out.split(" as ", 1)[1].split(" ", 1)[0]
        assert f"/webhooks/calcom/{connection_id}" in out and "signing secret:" in out
        # Then it is listed as active, without its secret
        code, out, _ = _run(kith, "connections")
        assert code == 0 and connection_id in out and "calcom" in out and "active" in out and "secret" not in out
        # And a calendar this stack cannot connect is refused with the API's reason
        code, _, err = _run(kith, "connect", "google")
        assert code == 1 and "google" in err and "(HTTP 4" in err
        # And disconnecting removes it
        assert _run(kith, "disconnect", connection_id)[0] == 0
        assert _run(kith, "connections")[1].startswith("no calendar connected\n")
        assert _run(kith, "disconnect", connection_id)[0] == 1


def test_a_bad_token_and_an_unreachable_api_are_clear_errors(endpoint: str) -> None:
    with LocalKith(SimulatedClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)), stage="cli2") as kith:
        err = io.StringIO()
        assert main(["--api", kith.base_url, "--token", "nope", "connections"], err=err, out=io.StringIO()) == 1
        assert "Unauthorized (HTTP 401)" in err.getvalue()
    err = io.StringIO()
    assert main(["--api", "http://127.0.0.1:9", "--token", TOKEN, "connections"], err=err, out=io.StringIO()) == 3
    assert "cannot reach" in err.getvalue()


def test_import_reports_a_dry_run_then_imports_in_parts_with_a_progress_bar(endpoint: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import kith_cli.imports as cli

    header = "name,emails,linkedin_url,company,title,circle,cadence_days,goal,tags,notes,"
    header += "last_interaction_at,last_interaction_title,contact_id,snoozed_until\n"
    rows = "".join(f"Person {i},person{i}@example.com,,,,core,,,,,,,\n" for i in range(7))
    bad = ",,,,,core,,,,,,,\n"  # no name and no e-mail
    path = tmp_path / "contacts.csv"
    path.write_text(header + rows + bad, encoding="utf-8")
    with LocalKith(SimulatedClock(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)), stage="cli3") as kith:
        owner = {"email": "olive@example.com", "name": "Olive", "time_zone": "Europe/Berlin"}
        assert kith.request("PUT", "/v1/owner", owner, token=TOKEN).status == 200
        # Given a dry run, Then the report counts the rows, names the bad one, and nothing is imported
        code, out, _ = _run(kith, "import", str(path), "--dry-run")
        assert code == 0 and "kith file: 7 would be new, 0 merged, 0 unchanged, 1 skipped" in out
        assert "line 9: skipped" in out
        assert kith.request("GET", "/v1/contacts", token=TOKEN).body["contacts"] == []
        # When imported for real, in parts of 3 rows, Then the bar reaches the end and every readable row is in
        cli.PART = 3
        try:
            code, out, err = _run(kith, "import", str(path), "--yes")
        finally:
            cli.PART = 500
        assert code == 0 and "imported: 7 new, 0 merged, 0 unchanged, 1 skipped" in out
        assert err.count("rows") == 3 and err.rstrip().endswith("7/7 rows")
        assert len(kith.request("GET", "/v1/contacts", token=TOKEN).body["contacts"]) == 7
        # And a second import changes nothing
        code, out, _ = _run(kith, "import", str(path), "--yes")
        assert "imported: 0 new, 0 merged, 7 unchanged, 1 skipped" in out
