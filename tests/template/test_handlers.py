"""Every function's Handler names a file under its CodeUri that imports and exposes the handler callable."""

from __future__ import annotations

import importlib.util

import pytest
from kith_local.template import functions, load_template

FUNCTIONS = functions(load_template())


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_handler_file_exists_imports_and_exposes_the_callable(name: str) -> None:
    spec = FUNCTIONS[name]
    assert spec.module_file.is_file(), f"{name}: {spec.handler} has no file {spec.module_file}"

    loader_spec = importlib.util.spec_from_file_location(f"kith_template_check_{name.lower()}", spec.module_file)
    assert loader_spec is not None
    assert loader_spec.loader is not None
    module = importlib.util.module_from_spec(loader_spec)
    loader_spec.loader.exec_module(module)

    assert callable(getattr(module, spec.handler_name, None)), f"{name}: {spec.module_file} has no {spec.handler_name}"
