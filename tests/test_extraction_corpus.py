"""The hand-written extraction corpus (tests/corpus.py): every case reads the way a person reads it.

Each case folder's expected.json names only the fields the case exists for; a failure lists
every field that reads differently, so one run shows the whole gap of a case.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.corpus import (
    CHECK_KEYS,
    FIXTURES,
    TAG_KEYS,
    Case,
    check,
    count_items,
    load_cases,
    precision_recall,
    run,
)

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_corpus_case(case: Case) -> None:
    problems = check(case, run(case))
    assert not problems, f"{case.id} ({case.tags.get('why')}):\n  " + "\n  ".join(problems)


def test_corpus_is_large_and_spread() -> None:
    kinds = Counter("page" if case.kind == "page" else "ats" for case in CASES)
    assert len(CASES) >= 80 and kinds["page"] >= 40
    pages_per_lang = Counter(case.lang for case in CASES if case.kind == "page")
    for lang in ("de", "fr", "es", "ca", "pt", "nl", "it"):
        assert pages_per_lang[lang] >= 4, lang
    assert len({case.site for case in CASES}) >= 25


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_is_well_formed(case: Case) -> None:
    """Only known keys (a typo would silently check nothing), and a reason to exist."""
    allowed = CHECK_KEYS | set(TAG_KEYS) | {"postings", "items"}
    assert set(case.expected) <= allowed, set(case.expected) - allowed
    for item in case.expected.get("items", []):
        assert set(item) <= CHECK_KEYS, set(item) - CHECK_KEYS
    assert case.expected["why"].strip() and case.url.startswith("http")
    assert case.expected_postings() and any(case.expected_postings()) or case.expected_count() == 0


def test_checker_folds_whitespace_and_reports_each_mismatch() -> None:
    """The checker itself: equal after folding passes; every kind of difference is named."""
    case = Case(
        path=FIXTURES, kind="page", name="synthetic", url="https://example.com/jobs/1", body=b"", extra={},
        expected={
            "why": "checker self-test", "title": "Cook", "requirements": ["Knife  skills", "Food hygiene"],
            "salary": {"min": 12, "max": 12, "currency": "GBP", "interval": "hour"},
            "related_jobs": [{"title": "Chef", "url": "https://example.com/jobs/2"}],
            "description_contains": ["Busy kitchen"], "description_excludes": ["Knife skills"],
        },
    )
    good = {
        "title": " Cook\n", "requirements": ["Knife\u00a0skills", "Food hygiene"],
        "salary": {"min": 12.0, "max": 12.0, "currency": "GBP", "interval": "hour"},
        "related_jobs": [{"title": "Chef", "url": "https://example.com/jobs/2"}], "description": "A busy  kitchen.",
    }
    assert check(case, [good]) == ["description: 'Busy kitchen' missing from 'A busy kitchen.'…"]
    bad = {**good, "title": "Chef", "requirements": ["Food hygiene"], "salary": None, "related_jobs": [],
           "description": "Busy kitchen. Knife skills matter."}
    problems = check(case, [bad, good])
    assert [problem.split(":")[0] for problem in problems] == [
        "postings", "title", "requirements", "salary", "related_jobs", "description",
    ]
    hits = count_items(["a", "b", "b"], ["b", "c"])
    assert hits == (1, 1, 2)
    precision, recall = precision_recall([case], [[bad]], "requirements")
    assert (precision, recall) == (1.0, 0.5)
