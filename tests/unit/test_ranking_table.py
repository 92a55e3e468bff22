"""The hand-made digest table (kith_local/ranking_cases.py) against the ranking (PRODUCT.md §1, §2, §5)."""

from __future__ import annotations

import pytest
from kith_local.ranking_cases import CASES, RankingCase, disagreeing_cases, ranked_names, ranking_agreement


def _marked(case: RankingCase) -> object:
    if case.disagreement is None:
        return pytest.param(case, id=case.name)
    return pytest.param(case, id=case.name, marks=pytest.mark.xfail(reason=case.disagreement, strict=True))


@pytest.mark.parametrize("case", [_marked(case) for case in CASES])
def test_digest_names_whom_the_table_expects(case: RankingCase) -> None:
    # Given an owner's settings and contacts from the table, When the digest is ranked at the case's instant
    names = ranked_names(case)
    # Then it names exactly the expected contacts, in the expected order
    assert names == case.expected, case.why


def test_the_table_is_large_enough_and_its_cases_are_distinct() -> None:
    # Given the table, Then it holds at least twenty cases, each named once, each person once per case
    assert len(CASES) >= 20
    assert len({case.name for case in CASES}) == len(CASES)
    for case in CASES:
        assert len({person.name for person in case.people}) == len(case.people), case.name


def test_only_the_cases_noted_as_disagreeing_disagree() -> None:
    # Given the table, When every case is ranked
    agreeing, total = ranking_agreement()
    # Then the cases that disagree are exactly those that say so, and the share counts them
    assert disagreeing_cases() == [case.name for case in CASES if case.disagreement is not None]
    assert (agreeing, total) == (sum(case.disagreement is None for case in CASES), len(CASES))
