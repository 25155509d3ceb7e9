"""Facts read off a posting's visible text: salary, location, workplace, employment type."""

from __future__ import annotations

import pytest

from jobtrail.crawler.extract.facts import employment_from_text, facts_from_lines, salary_from_text, workplace_from_text
from jobtrail.crawler.items import Salary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$120K\u2013$150K", Salary(120000.0, 150000.0, "USD", "year")),
        ("\u20ac70.000 - \u20ac90.000 / year", Salary(70000.0, 90000.0, "EUR", "year")),
        ("USD 54/hr", Salary(54.0, 54.0, "USD", "hour")),
        ("$150k+", Salary(150000.0, None, "USD", "year")),
        ("\u00a338,000\u2013\u00a344,000 per year", Salary(38000.0, 44000.0, "GBP", "year")),
        ("RAL 35.000 - 42.000 \u20ac", Salary(35000.0, 42000.0, "EUR", "year")),
        ("R$ 8.000 \u2013 R$ 11.000 / m\u00eas", Salary(8000.0, 11000.0, "BRL", "month")),
        ("2 400 \u20ac brut mensuel", Salary(2400.0, 2400.0, "EUR", "month")),
        ("45-55 k\u20ac", Salary(45000.0, 55000.0, "EUR", "year")),
        ("$45,000 - $55,000 MXN mensuales", Salary(45000.0, 55000.0, "MXN", "month")),
        ("CHF 9'500 pro Monat", Salary(9500.0, 9500.0, "CHF", "month")),
        ("32-40 uur per week", None),
        ("Founded in 2012", None),
    ],
)
def test_salary_in_the_forms_people_write(text: str, expected: Salary | None) -> None:
    assert salary_from_text(text) == expected


@pytest.mark.parametrize(
    ("text", "workplace", "employment"),
    [
        ("Remote (EU) \u00b7 Full-time", "remote", "full-time"),
        ("Hybride \u00b7 CDI", "hybrid", "full-time"),
        ("Vor Ort \u00b7 Teilzeit", "onsite", "part-time"),
        ("Presencial \u00b7 Jornada completa", "onsite", "full-time"),
        ("H\u00edbrido \u00b7 Tempo inteiro", "hybrid", "full-time"),
        ("Op locatie \u00b7 Parttime", "onsite", "part-time"),
        ("Ibrido \u00b7 Tempo pieno", "hybrid", "full-time"),
        ("Teletreball \u00b7 Contracte temporal", "remote", "temporary"),
        ("Werkstudent (20h)", None, "working-student"), ("Engineering", None, None),
    ],
)
def test_workplace_and_employment_words(text: str, workplace: str | None, employment: str | None) -> None:
    assert (workplace_from_text(text), employment_from_text(text)) == (workplace, employment)


def test_labels_meta_line_and_pay_sentence() -> None:
    lines = [
        ("para", "Lisboa \u00b7 H\u00edbrido \u00b7 Tempo inteiro"),
        ("para", "Standort"), ("para", "Leipzig, Sachsen"),
        ("heading", "About the role"),
        ("para", "The base pay range for this role is $95,000\u2013$120,000, plus commission."),
        ("bullet", "A \u20ac1,500 home office budget"),
    ]
    facts = facts_from_lines(lines)
    assert facts.locations == ["Leipzig, Sachsen"]
    assert (facts.workplace, facts.employment_type) == ("hybrid", "full-time")
    assert facts.salary == Salary(95000.0, 120000.0, "USD", "year")


def test_title_says_employment_last() -> None:
    assert facts_from_lines([("para", "Join a small team.")], "Cook (Part-time)").employment_type == "part-time"
