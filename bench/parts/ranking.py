"""Part 6: how often the digest ranking agrees with the hand-made table of expected digests."""

from __future__ import annotations

from typing import Any

from kith_local.ranking_cases import disagreeing_cases, ranking_agreement

from bench.registry import Bench
from bench.report import table


def run(bench: Bench) -> dict[str, Any]:
    agreeing, total = ranking_agreement()
    disagreeing = disagreeing_cases()
    print_ranking(agreeing, total, disagreeing)
    return {"agreeing": agreeing, "total": total, "share": agreeing / total, "disagreeing": disagreeing}


def print_ranking(agreeing: int, total: int, disagreeing: list[str]) -> None:
    print("6. Ranking agreement: the digest ranking against a hand-made table of expected digests")
    print("   (infra/kith_local/ranking_cases.py: each case's expected names and order written from PRODUCT.md")
    print("   §1, §2, §5)")
    print()
    print(table(["figure", "value"], [["cases agreeing", f"{agreeing} of {total} ({agreeing / total:.0%})"]], "ll"))
    if disagreeing:
        print()
        print("   disagreeing (noted in the table, an expected failure in tests/unit/test_ranking_table.py):")
        for name in disagreeing:
            print(f"     - {name}")
