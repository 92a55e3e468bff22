"""events/env.local.json, for `sam local invoke --env-vars`, names every variable the template gives each function."""

from __future__ import annotations

import json

from kith_local.template import REPOSITORY, functions, load_template


def test_the_local_env_file_covers_every_function_and_variable() -> None:
    env_file = json.loads((REPOSITORY / "events" / "env.local.json").read_text(encoding="utf-8"))
    specs = functions(load_template())
    assert set(env_file) == set(specs)
    for name, spec in specs.items():
        missing = set(spec.environment) - set(env_file[name])
        assert not missing, f"{name} lacks {sorted(missing)} in events/env.local.json"
        assert env_file[name]["AWS_ENDPOINT_URL"].startswith("http://")
