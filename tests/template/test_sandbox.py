"""The sandbox runs a handler as Lambda does: a fresh interpreter that sees only the function and its layers."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from kith_local.sandbox import BuiltFunction, FunctionFailed, FunctionInitFailed, run

HANDLER = """
import os
import sys

import helper


def handler(event, context):
    print("a log line")
    return {
        "path": sys.path,
        "environ": sorted(os.environ),
        "modules": sorted(name for name in sys.modules if name == "site" or name.startswith("kith")),
        "event": event,
        "helper": helper.NAME,
        "context": [context.function_name, context.memory_limit_in_mb, context.invoked_function_arn],
        "remaining": context.get_remaining_time_in_millis(),
        "request_id": len(context.aws_request_id),
    }


def fails(event, context):
    raise ValueError("no such contact")
"""
ENVIRONMENT = {"KITH_TABLE_NAME": "kith-local", "PYTHONNOUSERSITE": "1"}


@pytest.fixture
def function(tmp_path: Path) -> BuiltFunction:
    task_root, layer = tmp_path / "Function", tmp_path / "Layer" / "python"
    task_root.mkdir()
    layer.mkdir(parents=True)
    (task_root / "app.py").write_text(HANDLER, encoding="utf-8")
    (layer / "helper.py").write_text('NAME = "from the layer"\n', encoding="utf-8")
    return BuiltFunction("Probe", "app.handler", "python3.13", task_root, (layer,), 256, 30)


def test_the_handler_sees_only_its_folder_its_layer_and_the_standard_library(
    function: BuiltFunction, python313: Path
) -> None:
    invocation = run(function, {"hello": "world"}, ENVIRONMENT, python313)

    result = invocation.result
    assert result["path"][:2] == [str(function.task_root), str(function.layers[0])]
    standard_library = result["path"][2:]
    assert standard_library, "the standard library is on the path"
    assert not [entry for entry in standard_library if "site-packages" in entry or entry.startswith(sys.prefix + "/")]
    assert set(result["environ"]) - {"LC_CTYPE"} == set(ENVIRONMENT)
    assert result["modules"] == []
    assert result["event"] == {"hello": "world"}
    assert result["helper"] == "from the layer"
    assert result["context"] == ["Probe", 256, "arn:aws:lambda:us-east-1:123456789012:function:Probe"]
    assert 0 < result["remaining"] <= 30_000
    assert result["request_id"] == 36
    assert invocation.logs == "a log line"


def test_a_handler_that_raises_is_a_function_error_with_its_traceback(function: BuiltFunction, python313: Path) -> None:
    failing = dataclasses.replace(function, handler="app.fails")

    with pytest.raises(FunctionFailed) as failure:
        run(failing, {}, ENVIRONMENT, python313)

    assert not isinstance(failure.value, FunctionInitFailed)
    assert failure.value.error["errorType"] == "ValueError"
    assert failure.value.error["errorMessage"] == "no such contact"
    assert 'raise ValueError("no such contact")' in failure.value.stderr


def test_a_handler_the_module_does_not_define_fails_at_init(function: BuiltFunction, python313: Path) -> None:
    missing = dataclasses.replace(function, handler="app.nothing")

    with pytest.raises(FunctionInitFailed) as failure:
        run(missing, {}, ENVIRONMENT, python313)

    assert failure.value.error["errorType"] == "Runtime.HandlerNotFound"
