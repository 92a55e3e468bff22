"""The house rules `make lint` checks beside ruff, mypy and import-linter.

import-linter holds the layers inside the `kith` package. Two rules it cannot
see are checked here: a handler (`functions/<name>/app.py`, a top-level module
in Lambda, not a package) reaches storage and AWS only through the Runtime and
the use cases; and a module outside the tests stays short enough to read in one
sitting, unless `[tool.kith.long-modules]` in pyproject.toml says why it is not.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

LINE_LIMIT = 400
HANDLER_FORBIDDEN = ("kith.storage", "boto3", "botocore")
CHECKED_TREES = ("shared", "functions", "infra", "cli", "bench")
_SKIPPED_PARTS = {".venv", ".venv-tools", ".aws-sam", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Breach:
    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}"


def _imported(tree: ast.AST) -> Iterable[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _forbidden(module: str) -> str | None:
    return next((name for name in HANDLER_FORBIDDEN if module == name or module.startswith(name + ".")), None)


def handler_breaches(functions: Path) -> list[Breach]:
    """Every import of storage or of the AWS SDK in a handler, with its line."""
    breaches = []
    for handler in sorted(functions.glob("*/app.py")):
        for line, module in _imported(ast.parse(handler.read_text(encoding="utf-8"))):
            if (name := _forbidden(module)) is not None:
                where = f"{handler.parent.name}/app.py:{line}"
                breaches.append(Breach(where, f"a handler imports {module}; {name} is reached through the Runtime"))
    return breaches


def _sources(root: Path) -> Iterable[Path]:
    for tree in CHECKED_TREES:
        for path in sorted((root / tree).rglob("*.py")):
            if not _SKIPPED_PARTS.intersection(path.relative_to(root).parts):
                yield path


def long_module_breaches(root: Path, reasons: Mapping[str, str], limit: int = LINE_LIMIT) -> list[Breach]:
    """Modules over the limit that no stated reason covers, and reasons left for modules now short."""
    breaches = []
    for path in _sources(root):
        name = path.relative_to(root).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit and not reasons.get(name, "").strip():
            breaches.append(Breach(name, f"{lines} lines, over {limit}, with no reason in [tool.kith.long-modules]"))
        elif lines <= limit and name in reasons:
            breaches.append(Breach(name, f"{lines} lines now: take it out of [tool.kith.long-modules]"))
    return breaches


def stated_reasons(pyproject: Path) -> dict[str, str]:
    document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return dict(document.get("tool", {}).get("kith", {}).get("long-modules", {}))


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0] if argv else ".").resolve()
    breaches = [
        *handler_breaches(root / "functions"),
        *long_module_breaches(root, stated_reasons(root / "pyproject.toml")),
    ]
    for breach in breaches:
        print(breach, file=sys.stderr)
    if breaches:
        print(f"house rules: {len(breaches)} breach(es)", file=sys.stderr)
        return 1
    print("house rules: handlers reach storage through the Runtime; every long module says why")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
