"""Headings -> fields: the one table, and how headings are normalized before lookup."""

from __future__ import annotations

import pytest

from jobtrail.crawler.extract.vocabulary import VOCABULARY, field_for_heading, normalize_heading
from jobtrail.crawler.items import LIST_FIELDS


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Requirements", "requirements"),
        ("Basic Requirements:", "requirements"),
        ("  QUALIFICATIONS  ", "requirements"),
        ("Minimum qualifications", "requirements"),
        ("What you bring", "requirements"),
        ("What We\u2019re Looking For", "requirements"),
        ("Who you are", "requirements"),
        ("About you", "requirements"),
        ("You have:", "requirements"),
        ("The ideal candidate is expected to:", "requirements"),
        ("Must have", "requirements"),
        ("Skills", "requirements"),
        ("Requirements for this role", "requirements"),
        ("Qualifikationen", "requirements"),
        ("Nice to have", "nice_to_have"),
        ("Nice-to-haves:", "nice_to_have"),
        ("Preferred Qualifications", "nice_to_have"),
        ("Bonus points", "nice_to_have"),
        ("A plus", "nice_to_have"),
        ("What you\u2019ll do", "responsibilities"),
        ("Responsibilities", "responsibilities"),
        ("Your role", "responsibilities"),
        ("The role", "responsibilities"),
        ("What you will do:", "responsibilities"),
        ("Your responsibilities", "responsibilities"),
        ("Roles and Responsibilities", "responsibilities"),
        ("Ihre Aufgaben", "responsibilities"),
        ("We offer:", "benefits"),
        ("What you get", "benefits"),
        ("Benefits", "benefits"),
        ("Perks", "benefits"),
        ("What we offer", "benefits"),
        ("Wir bieten", "benefits"),
        ("Related Jobs", "related_jobs"),
        ("Similar jobs", "related_jobs"),
        ("Other openings", "related_jobs"),
        ("More jobs", "related_jobs"),
        ("\U0001f680 What you'll do", "responsibilities"),
    ],
)
def test_known_headings(heading: str, expected: str) -> None:
    assert field_for_heading(heading) == expected


@pytest.mark.parametrize(
    "heading",
    ["About us", "Plus, we sponsor visas", "Roles we hire for", "Skillshare", "", "  :  ",
     "How to apply", "Benefitsfoo"],
)
def test_unknown_headings(heading: str) -> None:
    assert field_for_heading(heading) is None


def test_normalize_heading_folds_case_apostrophes_space_and_colon() -> None:
    assert normalize_heading("  What\u00a0You\u2019LL   Do: ") == "what you'll do"


def test_table_is_normalized_and_maps_to_posting_fields() -> None:
    assert set(VOCABULARY) == {*LIST_FIELDS, "related_jobs"}
    every = [phrase for phrases in VOCABULARY.values() for phrase in phrases]
    assert sorted(p for p in set(every) if every.count(p) > 1) == []  # one phrase, one field
    for name, phrases in VOCABULARY.items():
        for phrase in phrases:
            assert normalize_heading(phrase) == phrase, phrase
            assert field_for_heading(phrase) == name, phrase
