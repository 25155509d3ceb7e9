"""The section classifier: headings by cue words in eight languages, lists by their items.

These are headings nobody put in the vocabulary table; each must be read from what it says.
"""

from __future__ import annotations

import pytest

from jobtrail.crawler.extract.classify import (
    classify_heading,
    classify_items,
    clean_heading,
    has_preference_marker,
    is_subgroup_label,
)


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        # sentences, questions, compounds, numbering, decoration (en)
        ("We'd love to meet you if you\u2026", "requirements"),
        ("You\u2019ll thrive here if you have:", "requirements"),
        ("Sound like you?", "requirements"),
        ("Skills & experience", "requirements"),
        ("Requirements / Qualifications", "requirements"),
        ("2. What we need", "requirements"),
        ("IV) WHO WE'RE AFTER", "requirements"),
        ("\u2728 Bonus points if you've", "nice_to_have"),
        ("It would be nice if you also knew", "nice_to_have"),
        ("What would set you apart", "nice_to_have"),
        ("Preferred but not required", "nice_to_have"),
        ("What will your week look like?", "responsibilities"),
        ("What you\u2019ll build", "responsibilities"),
        ("Your impact", "responsibilities"),
        ("Essential functions", "responsibilities"),
        ("What\u2019s in it for you", "benefits"),
        ("Why Marblehead?", "benefits"),
        ("Compensation & perks", "benefits"),
        ("More roles at Brackenfield", "related_jobs"),
        ("Other openings you may like", "related_jobs"),
        # de, fr, es, ca, pt, nl, it
        ("Damit \u00fcberzeugst du uns", "requirements"),
        ("Das w\u00e4re sch\u00f6n", "nice_to_have"),
        ("Deine Aufgabenbereiche", "responsibilities"),
        ("Darauf kannst du dich freuen", "benefits"),
        ("Qui \u00eates-vous\u00a0?", "requirements"),
        ("Les petits plus", "nice_to_have"),
        ("Que ferez-vous au quotidien\u00a0?", "responsibilities"),
        ("Ce que nous offrons", "benefits"),
        ("\u00bfQu\u00e9 buscamos?", "requirements"),
        ("Se valorar\u00e1", "nice_to_have"),
        ("\u00bfCu\u00e1les ser\u00e1n tus funciones?", "responsibilities"),
        ("\u00bfQu\u00e9 te ofrecemos?", "benefits"),
        ("Qu\u00e8 busquem", "requirements"),
        ("Es valorar\u00e0", "nice_to_have"),
        ("Qu\u00e8 far\u00e0s?", "responsibilities"),
        ("Qu\u00e8 t'oferim", "benefits"),
        ("O que procuramos", "requirements"),
        ("Ser\u00e1 um diferencial", "nice_to_have"),
        ("O que vais fazer", "responsibilities"),
        ("Benef\u00edcios", "benefits"),
        ("Wie ben jij?", "requirements"),
        ("Dit is een pr\u00e9", "nice_to_have"),
        ("Wat ga je doen?", "responsibilities"),
        ("Wat wij je bieden", "benefits"),
        ("Chi cerchiamo", "requirements"),
        ("Costituir\u00e0 titolo preferenziale", "nice_to_have"),
        ("Di cosa ti occuperai", "responsibilities"),
        ("Cosa offriamo", "benefits"),
    ],
)
def test_headings_are_read_by_their_words(heading: str, expected: str) -> None:
    assert classify_heading(heading).field == expected, classify_heading(heading)


@pytest.mark.parametrize(
    "heading",
    ["About us", "How to apply", "Our hiring process", "Salary:", "Location", "Who we are", "\u00dcber uns",
     "Qui sommes-nous ?", "Sobre nosotros", "Chi siamo", "Over ons", "Where the data lives",
     "Skills we'll help you build"],
)
def test_company_process_and_fact_labels_are_no_section(heading: str) -> None:
    assert classify_heading(heading).field is None, classify_heading(heading)


def test_a_verdict_says_which_rule_decided() -> None:
    assert classify_heading("Requirements").rule == "vocabulary"
    verdict = classify_heading("Sound like you?")
    assert (verdict.rule, verdict.field) == ("cues", "requirements") and "like you" in verdict.cues
    assert "cues" in verdict.explain()


def test_typography_numbering_and_decoration_are_folded() -> None:
    assert clean_heading("\U0001f680 3) Nice\u2011to\u2011have\u00a0:") == "nice-to-have"
    assert clean_heading("\u201cWhat you\u2019ll do\u201d") == "what you'll do"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["3+ years of experience with dbt", "A degree in statistics", "Proficiency with SQL"], "requirements"),
        (["Audit our dashboards", "Rebuild the revenue model", "Pair with finance"], "responsibilities"),
        (["Private health insurance", "25 days PTO", "Equity"], "benefits"),
        (["5 Jahre Erfahrung mit Java", "Sehr gute Deutschkenntnisse"], "requirements"),
        (["Desarrollar APIs en Go", "Gestionar el equipo de datos"], "responsibilities"),
        (["Snowflake", "Fivetran", "Looker"], None),
        (["Founded in 2010", "40 people", "Offices in Lyon"], None),
    ],
)
def test_lists_under_unknown_headings_are_read_from_their_items(items: list[str], expected: str | None) -> None:
    assert classify_items(items).field == expected


@pytest.mark.parametrize(
    ("item", "marked"),
    [
        ("Preferred: Court of Master Sommeliers", True), ("Bonus \u2013 experience with Opera PMS", True),
        ("A second language (nice to have)", True), ("Idealerweise: Erfahrung mit Nuxt", True),
        ("Knowledge of D or C++ is a plus", False), ("Plus one year of retail", False), ("Bonuses paid yearly", False),
    ],
)
def test_inline_preference_markers(item: str, marked: bool) -> None:
    assert has_preference_marker(item) is marked


def test_subgroup_labels() -> None:
    assert all(is_subgroup_label(label) for label in ("Technical", "Languages", "Sprachen", "Formaci\u00f3n", "Talen"))
    assert not is_subgroup_label("Benefits")
