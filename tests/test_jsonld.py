"""schema.org JobPosting mapping: the odd values real pages carry."""

from __future__ import annotations

import json

import pytest

from jobtrail.crawler.extract.jsonld import iso_date, job_postings
from jobtrail.crawler.items import Salary


def page(*blocks: str) -> str:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return f"<html><head>{scripts}</head><body></body></html>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-05-02", "2024-05-02"), ("2024-5-2T10:00:00Z", "2024-05-02"), ("2024-02-30", None),
     ("yesterday", None), ("", None), (None, None), (20240502, None), ("05/02/2024", None)],
)
def test_iso_date(value: object, expected: str | None) -> None:
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        ({"currency": "usd", "value": {"minValue": "100,000", "maxValue": 120000, "unitText": "YEAR"}},
         Salary(100000.0, 120000.0, "USD", "year")),
        ({"currency": "EUR", "value": 25, "unitText": "HOUR"}, Salary(25.0, 25.0, "EUR", "hour")),
        ({"currency": "EUR", "value": {"value": "4500.50", "unitText": "PER_MONTH"}},
         Salary(4500.5, 4500.5, "EUR", "month")),
        ({"currency": "EUR", "value": {"unitText": "YEAR"}}, None),
        ("100k", Salary(100000.0, 100000.0, None, None)),
        ("50,000 - 70,000", Salary(50000.0, 70000.0, None, None)),
        ({"currency": "GBP", "value": {"value": 13.5, "unitText": "HOUR"}}, Salary(13.5, 13.5, "GBP", "hour")),
        ([{"currency": "CAD", "value": {"minValue": "95000", "maxValue": "110000", "unitText": "YEAR"}}],
         Salary(95000.0, 110000.0, "CAD", "year")),
        ("not a salary", None),
    ],
)
def test_salary(salary: object, expected: Salary | None) -> None:
    block = json.dumps({"@type": "JobPosting", "title": "X", "baseSalary": salary})
    (posting,) = job_postings(page(block))
    assert posting.salary == expected


def test_every_invalid_block_is_skipped_alone() -> None:
    good = json.dumps({"@type": "JobPosting", "title": "Good", "employmentType": "FULL_TIME, PART_TIME"})
    postings = job_postings(page("{not json", good, "[1, 2", "null", "42"))
    assert [(p.title, p.employment_type) for p in postings] == [("Good", "full-time, part-time")]


def test_nested_main_entity_and_type_lists() -> None:
    block = json.dumps({
        "@type": "WebPage",
        "mainEntity": {"@type": ["Thing", "http://schema.org/JobPosting"], "title": "Nested",
                       "identifier": {"@type": "PropertyValue", "value": 7}},
    })
    (posting,) = job_postings(page(block))
    assert (posting.title, posting.external_id) == ("Nested", "7")


def test_no_structured_data() -> None:
    assert job_postings("") == [] and job_postings("<p>plain</p>") == []
