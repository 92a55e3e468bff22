"""The house rules `make lint` checks: handlers stay off storage and the AWS SDK; long modules say why."""

from __future__ import annotations

from pathlib import Path

from kith_local.house_rules import LINE_LIMIT, handler_breaches, long_module_breaches, main, stated_reasons

REPOSITORY = Path(__file__).resolve().parents[2]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_handler_that_imports_storage_or_boto3_is_named_with_its_line(tmp_path: Path) -> None:
    _write(tmp_path / "api" / "app.py", "from kith.runtime import Runtime\nfrom kith.storage.table import Table\n")
    _write(tmp_path / "mailer" / "app.py", "import json\n\ndef f():\n    import botocore.exceptions\n")
    _write(tmp_path / "webhook" / "app.py", "from kith.usecases import intake\n")

    breaches = [str(breach) for breach in handler_breaches(tmp_path)]

    assert breaches == [
        "api/app.py:2: a handler imports kith.storage.table; kith.storage is reached through the Runtime",
        "mailer/app.py:4: a handler imports botocore.exceptions; botocore is reached through the Runtime",
    ]


def test_a_module_over_the_limit_needs_a_stated_reason(tmp_path: Path) -> None:
    long_text = "x = 1\n" * (LINE_LIMIT + 1)
    _write(tmp_path / "shared" / "kith" / "long.py", long_text)
    _write(tmp_path / "shared" / "kith" / "explained.py", long_text)
    _write(tmp_path / "shared" / "kith" / "short.py", "x = 1\n")

    breaches = long_module_breaches(tmp_path, {"shared/kith/explained.py": "one table of routes"})

    assert [breach.path for breach in breaches] == ["shared/kith/long.py"]


def test_a_reason_left_for_a_module_that_is_short_now_is_reported(tmp_path: Path) -> None:
    _write(tmp_path / "bench" / "run.py", "x = 1\n")

    breaches = long_module_breaches(tmp_path, {"bench/run.py": "was long"})

    assert [breach.rule for breach in breaches] == ["1 lines now: take it out of [tool.kith.long-modules]"]


def test_a_blank_reason_is_no_reason(tmp_path: Path) -> None:
    _write(tmp_path / "infra" / "big.py", "x = 1\n" * (LINE_LIMIT + 5))

    assert [breach.path for breach in long_module_breaches(tmp_path, {"infra/big.py": "  "})] == ["infra/big.py"]


def test_kiths_own_tree_keeps_the_house_rules() -> None:
    assert main([str(REPOSITORY)]) == 0, "run `python -m kith_local.house_rules` to see the breaches"
    assert isinstance(stated_reasons(REPOSITORY / "pyproject.toml"), dict)
