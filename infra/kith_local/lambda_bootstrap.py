"""Run one Lambda handler the way the python runtime does, in a fresh interpreter.

Standard library only: kith_local.sandbox starts it by path as

    python3.13 -S -P lambda_bootstrap.py HANDLER FUNCTION_NAME MEMORY_MB TIMEOUT_S TASK_ROOT [LAYER_DIR ...]

with the event JSON on stdin. sys.path becomes the task root, then the layer
folders, then the standard library, and nothing else. Whatever the function
prints comes first on stdout; the last line is the JSON result, or Lambda's
error document when the handler cannot be imported or raises.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any

INIT_ERROR = 3
FUNCTION_ERROR = 4


class LambdaContext:
    def __init__(self, function_name: str, memory_mb: int, timeout_s: int) -> None:
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _fail(exit_code: int, error_type: str, message: str) -> int:
    stack = traceback.format_exc()
    sys.stderr.write(stack)
    sys.stdout.flush()
    document = {"errorMessage": message, "errorType": error_type, "stackTrace": stack.splitlines()}
    print("\n" + json.dumps(document), flush=True)
    return exit_code


def main(argv: list[str]) -> int:
    handler_name, function_name, memory_mb, timeout_s, task_root, *layers = argv
    here = os.path.dirname(os.path.abspath(__file__))
    standard_library = [entry for entry in sys.path if entry != here and "site-packages" not in entry]
    sys.path[:] = [task_root, *layers, *standard_library]
    os.chdir(task_root)

    module_name, _, attribute = handler_name.rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:
        return _fail(INIT_ERROR, "Runtime.ImportModuleError", f"Unable to import module {module_name!r}: {exc}")
    handler = getattr(module, attribute, None)
    if not callable(handler):
        return _fail(INIT_ERROR, "Runtime.HandlerNotFound", f"Handler {attribute!r} missing on module {module_name!r}")

    event: Any = json.loads(sys.stdin.read() or "{}")
    context = LambdaContext(function_name, int(memory_mb), int(timeout_s))
    try:
        result = handler(event, context)
    except Exception as exc:
        return _fail(FUNCTION_ERROR, type(exc).__name__, str(exc))
    try:
        document = json.dumps(result)
    except (TypeError, ValueError) as exc:
        return _fail(FUNCTION_ERROR, "Runtime.MarshalError", f"Unable to marshal response: {exc}")
    sys.stdout.flush()
    print("\n" + document, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
