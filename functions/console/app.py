"""The web console: its static files and the sign-in settings the browser reads (/console/config.json).

No Powertools and no AWS client: a cold start reads the files once and loads only the standard library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kith.console import ConsoleRuntime, request_of

runtime = ConsoleRuntime(Path(__file__).with_name("static"))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return runtime.console.answer(request_of(event))
