"""How the bench prints its figures: plain text tables."""

from __future__ import annotations

from collections.abc import Sequence

SHORT = {
    "GetItem": "Get",
    "BatchGetItem": "BatchGet",
    "Query": "Query",
    "PutItem": "Put",
    "UpdateItem": "Update",
    "BatchWriteItem": "BatchWrite",
    "TransactWriteItems": "TransactWrite",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """A plain text table; `align` has one letter per column, l or r (numbers right by default)."""
    cells = [[str(header) for header in headers], *[[cell(value) for value in row] for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)
    lines = []
    for index, row in enumerate(cells):
        parts = [
            text.ljust(width) if side == "l" else text.rjust(width)
            for text, width, side in zip(row, widths, align, strict=True)
        ]
        lines.append("  " + "  ".join(parts).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
