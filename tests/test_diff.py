"""pipelines/diff.py: the structured diff of two posting versions, as behaviour tables."""

from __future__ import annotations

import pytest

from jobtrail.crawler.items import FIELD_ORDER
from jobtrail.pipelines.diff import diff_list, diff_postings, diff_related, diff_text, word_diff


@pytest.mark.parametrize(("old", "new", "expected"), [
    # reordering alone is not a change
    (["Rust", "SQL"], ["SQL", "Rust"], None),
    # exact duplicates count once
    (["Rust", "Rust"], ["Rust"], None),
    (["Rust"], ["Rust", "Kafka"], {"added": ["Kafka"], "removed": [], "reworded": []}),
    (["Rust", "Kafka"], ["Rust"], {"added": [], "removed": ["Kafka"], "reworded": []}),
    # unlike bullets: one removed and one added, not a rewording
    (["Fluent Portuguese"], ["A forklift licence"],
     {"added": ["A forklift licence"], "removed": ["Fluent Portuguese"], "reworded": []}),
])
def test_diff_list(old: list[str], new: list[str], expected: dict | None) -> None:
    assert diff_list(old, new) == expected


def test_similar_bullets_pair_as_one_rewording() -> None:
    change = diff_list(["3 years of Go in production"], ["5 years of Go in production"])
    assert change == {"added": [], "removed": [], "reworded": [{
        "old": "3 years of Go in production", "new": "5 years of Go in production",
        "words": [["-", "3"], ["+", "5"], ["=", "years of Go in production"]],
    }]}


def test_best_pairs_win_when_two_bullets_are_reworded() -> None:
    change = diff_list(["Own the billing service", "Mentor two juniors"],
                       ["Mentor three juniors", "Own the billing service end to end"])
    assert change is not None
    assert [(pair["old"], pair["new"]) for pair in change["reworded"]] == [
        ("Own the billing service", "Own the billing service end to end"),
        ("Mentor two juniors", "Mentor three juniors"),
    ]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ([{"title": "Chef", "url": "https://x.example/1"}], [{"title": "Head chef", "url": "https://x.example/1"}],
     None),  # a new label for the same URL is not a change
    ([], [{"title": "Chef", "url": "https://x.example/1"}],
     {"added": [{"title": "Chef", "url": "https://x.example/1"}], "removed": []}),
    ([{"title": "Chef", "url": "https://x.example/1"}], [],
     {"added": [], "removed": [{"title": "Chef", "url": "https://x.example/1"}]}),
])
def test_diff_related(old: list[dict[str, str]], new: list[dict[str, str]], expected: dict | None) -> None:
    assert diff_related(old, new) == expected


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("Tea and cake", "Tea  and\ncake", None),  # whitespace is folded
    (None, "", None),
    ("Tea and cake", "Tea and biscuits",
     {"old": "Tea and cake", "new": "Tea and biscuits", "words": [["=", "Tea and"], ["-", "cake"], ["+", "biscuits"]]}),
    (None, "Fresh text", {"old": None, "new": "Fresh text", "words": [["+", "Fresh text"]]}),
])
def test_diff_text(old: str | None, new: str | None, expected: dict | None) -> None:
    assert diff_text(old, new) == expected


@pytest.mark.parametrize(("old", "new", "runs"), [
    ("a b c", "a b c", [["=", "a b c"]]),
    ("a b c", "a x c", [["=", "a"], ["-", "b"], ["+", "x"], ["=", "c"]]),
    ("", "new words", [["+", "new words"]]),
    ("gone", "", [["-", "gone"]]),
])
def test_word_diff(old: str, new: str, runs: list[list[str]]) -> None:
    assert word_diff(old, new) == runs


def test_only_changed_fields_appear_in_display_order() -> None:
    old = {"title": "Baker", "salary": {"min": 30000}, "requirements": ["Early mornings"], "department": ""}
    new = {"title": "Senior baker", "salary": {"min": 34000}, "requirements": ["Early mornings"],
           "department": None, "benefits": ["Free bread"]}
    diff = diff_postings(old, new)
    assert list(diff) == [name for name in FIELD_ORDER if name in {"title", "salary", "benefits"}]
    assert diff["salary"] == {"old": {"min": 30000}, "new": {"min": 34000}}
    assert diff["title"] == {"old": "Baker", "new": "Senior baker"}


def test_empty_and_missing_values_are_the_same() -> None:
    assert diff_postings({"company": "", "locations": []}, {"company": None}) == {}
