"""kith-local: the demo, a local API server, and invoking one function with an event file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kith_local.template import REPOSITORY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kith-local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run one owner's week end to end; emails land in outbox/")
    demo.add_argument("--outbox", type=Path, default=REPOSITORY / "outbox")
    demo.add_argument("--days", type=int, default=5)
    invoke = commands.add_parser(
        "invoke",
        help="run one function with an event file (the role of `sam local invoke`)",
        description="Run one function of template.yaml with an event file and print what it returns. "
        "By default the function runs from `make build-local`'s output in a fresh python3.13, as Lambda lays it out; "
        "set POWERTOOLS_LOG_LEVEL=INFO to see its logs.",
    )
    invoke.add_argument("function", metavar="FUNCTION", help="the function's logical id, e.g. WebhookFunction")
    invoke.add_argument("-e", "--event", required=True, metavar="EVENT_FILE", help="event JSON file, - for stdin")
    invoke.add_argument("--build-dir", type=Path, help="sam build output (default: .aws-sam/build-local)")
    invoke.add_argument("--endpoint", help="a running local AWS to use instead of a fresh embedded one")
    invoke.add_argument(
        "--in-process", action="store_true", help="run the handler in this process from the sources, no build needed"
    )
    serve = commands.add_parser(
        "serve", help="the console and HTTP API on 127.0.0.1 over an embedded AWS, queues and tick running"
    )
    serve.add_argument("--port", type=int, default=0, help="port for the API (default: any free one)")
    serve.add_argument("--tick-seconds", type=int, default=300, help="seconds between scheduler ticks")
    serve.add_argument("--outbox", type=Path, default=REPOSITORY / "outbox", help="where sent emails are written")
    serve.add_argument(
        "--demo", action="store_true", help="seed the demo owner and her network first (the sign-in is prefilled so)"
    )
    commands.add_parser("env-file", help="write events/env.local.json for `sam local invoke --env-vars`")
    previewing = commands.add_parser(
        "preview", help="render a sample digest and follow-up, and every console page, to preview/ (.html, .eml, .png)"
    )
    previewing.add_argument(
        "--readme", action="store_true", help="also write the README's console screenshots to docs/screenshots/"
    )
    commands.add_parser("openapi", help="write openapi.json, the HTTP API's OpenAPI 3.1 document, from the code")
    arguments = parser.parse_args(argv)
    if arguments.command == "openapi":
        from kith_local.openapi import write_openapi

        print(write_openapi())
        return 0
    if arguments.command == "preview":
        from kith_local.preview import main as preview

        preview(readme=REPOSITORY / "docs" / "screenshots" if arguments.readme else None)
        return 0
    if arguments.command == "env-file":
        import os

        from moto import mock_aws

        from kith_local.aws import LOCAL_CREDENTIALS
        from kith_local.envfile import write_env_file
        from kith_local.stack import create_stack

        os.environ.update(LOCAL_CREDENTIALS)
        os.environ.pop("AWS_ENDPOINT_URL", None)
        with mock_aws():
            print(write_env_file(create_stack()))
        return 0
    if arguments.command == "serve":
        from datetime import timedelta

        from kith_local.serve import serve_forever

        serve_forever(
            timedelta(seconds=arguments.tick_seconds), port=arguments.port, outbox=arguments.outbox, demo=arguments.demo
        )
        return 0
    if arguments.command == "demo":
        from kith_local.demo import run_demo

        run_demo(arguments.outbox, days=arguments.days)
        return 0
    if arguments.command == "invoke":
        return _invoke(invoke, arguments)
    parser.print_help(sys.stderr)
    return 2


def _invoke(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> int:
    from kith_local import sandbox
    from kith_local.template import functions, load_template

    known = sorted(functions(load_template()))
    if arguments.function not in known:
        parser.error(f"unknown function {arguments.function!r}; template.yaml has {', '.join(known)}")
    event = _read_event(parser, arguments.event)
    build_dir: Path = arguments.build_dir or sandbox.DEFAULT_BUILD_DIR
    if not arguments.in_process and not (build_dir / "template.yaml").is_file():
        if arguments.build_dir is None:
            parser.error(
                "no sam build output in .aws-sam/build-local: run `make build-local` first (or use --in-process)"
            )
        parser.error(f"no sam build output in {build_dir} (no template.yaml there)")
    try:
        if not arguments.in_process:
            # Before a local AWS starts: a build for another processor cannot run here at all.
            sandbox.check_runs_here(sandbox.built_function(arguments.function, build_dir))
        result = _run_invoke(arguments.function, event, build_dir, arguments.endpoint, arguments.in_process)
    except sandbox.SandboxError as failure:
        if isinstance(failure, sandbox.FunctionFailed) and failure.logs:
            print(failure.logs, file=sys.stderr)
        print(failure, file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str))
    return 0


def _read_event(parser: argparse.ArgumentParser, source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        parser.error(f"cannot read the event file: {exc}")
    except json.JSONDecodeError as exc:
        parser.error(f"the event file is not JSON: {exc}")


def _run_invoke(function: str, event: Any, build_dir: Path, endpoint: str | None, in_process: bool) -> Any:
    import contextlib

    import boto3

    from kith_local import aws, sandbox
    from kith_local.samples import seed_samples
    from kith_local.stack import create_stack, open_stack, stack_exists

    if endpoint is not None:
        aws.point_boto3_at(endpoint)
    with aws.local_aws() if endpoint is None else contextlib.nullcontext(endpoint) as url:
        session = boto3.session.Session()
        if stack_exists(session):
            stack = open_stack(session)
        else:
            stack = create_stack(session)
            # A new stack holds what the samples in events/ speak of, so each of them succeeds.
            seed_samples(stack, session)
        if in_process:
            # Powertools' logger binds to stdout when the function module loads: point it at stderr, as below.
            with contextlib.redirect_stdout(sys.stderr):
                from kith_local.lambdas import LocalLambdas

                return LocalLambdas(stack).invoke(function, event)
        invocation = sandbox.Sandbox(stack, url, build_dir).invoke(function, event)
        for output in (invocation.logs, invocation.stderr.rstrip()):
            if output:
                print(output, file=sys.stderr)
        return invocation.result
