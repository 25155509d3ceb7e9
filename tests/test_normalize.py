"""pipelines/normalize.py: what counts as the same posting text, as behaviour tables."""

from __future__ import annotations

import re

import pytest

from jobtrail.crawler.items import Posting, RelatedJob
from jobtrail.crawler.sources.config import Filters
from jobtrail.pipelines.normalize import (
    clean_list,
    clean_paragraphs,
    clean_text,
    content_hash,
    content_record,
    kept,
    normalize_posting,
    strip_ignored,
)


@pytest.mark.parametrize(("raw", "clean"), [
    (None, None),
    ("", None),
    ("   \t ", None),
    ("Sous\u00a0chef", "Sous chef"),  # no-break space
    ("Line\u200bcook", "Line cook"),  # zero-width space
    ("pro\u00adgram\u00admer", "programmer"),  # soft hyphens
    ("Cafe\u0301 manager", "Caf\u00e9 manager"),  # NFC: e + combining acute is one letter
    ("  many   spaces\nand lines ", "many spaces and lines"),
])
def test_clean_text(raw: str | None, clean: str | None) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(("raw", "clean"), [
    ("First  para.\n\n\nSecond\npara.", "First para.\n\nSecond para."),
    ("We bake bread.\n\nPosted 3 days ago", "We bake bread."),
    ("Posted today. Over 200 applicants.", None),
    ("", None),
])
def test_clean_paragraphs(raw: str, clean: str | None) -> None:
    assert clean_paragraphs(raw) == clean


def test_clean_list_drops_volatile_empty_and_repeated_bullets() -> None:
    assert clean_list(["Knead dough", " Knead  dough ", "", "120 applicants", "Be among the first 25 applicants",
                       "Shape loaves"]) == ["Knead dough", "Shape loaves"]


def test_normalize_posting() -> None:
    raw = Posting(
        source="s", external_id="7", url="https://Bakes.example/jobs/7?utm_source=x#apply", title=" Baker ",
        workplace="OnSite", locations=["Leeds", "Leeds "],
        related_jobs=[RelatedJob("Pastry chef", "https://bakes.example/jobs/8?gclid=1"),
                      RelatedJob("Pastry chef (again)", "https://bakes.example/jobs/8")],
    )
    posting = normalize_posting(raw)
    assert posting.url == "https://bakes.example/jobs/7"
    assert (posting.title, posting.workplace, posting.locations) == ("Baker", "onsite", ["Leeds"])
    assert posting.related_jobs == [RelatedJob("Pastry chef", "https://bakes.example/jobs/8")]


def record(**changes: object) -> dict:
    base = Posting(source="s", external_id="1", url="https://bakes.example/1", title="Baker",
                   requirements=["Knead", "Shape"], locations=["Leeds", "York"],
                   related_jobs=[RelatedJob("A", "https://bakes.example/a"), RelatedJob("B", "https://bakes.example/b")])
    data = content_record(base)
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "same"), [
    ({"requirements": ["Shape", "Knead"]}, True),  # reordered bullets
    ({"locations": ["York", "Leeds"]}, True),
    ({"related_jobs": [{"title": "B", "url": "https://bakes.example/b"},
                       {"title": "A", "url": "https://bakes.example/a"}]}, True),
    ({"requirements": ["Knead", "Shape", "Bake"]}, False),
    ({"title": "Head baker"}, False),
])
def test_content_hash_ignores_order_only(changes: dict, same: bool) -> None:
    assert (content_hash(record(**changes)) == content_hash(record())) is same


def test_content_record_has_no_identity() -> None:
    assert {"source", "external_id"} & set(record()) == set()


def test_ignore_patterns_cut_boilerplate_before_hashing() -> None:
    posting = Posting(source="s", external_id="1", url="u", title="t", description="We bake. Equal opportunity.",
                      benefits=["Pension. Equal opportunity."])
    cut = normalize_posting(strip_ignored(posting, (re.compile(r"Equal opportunity\."),)))
    assert (cut.description, cut.benefits) == ("We bake.", ["Pension."])


@pytest.mark.parametrize(("title", "locations", "wanted"), [
    ("Night baker", ["Leeds"], True),
    ("Night baker", ["Paris"], False),  # location not included
    ("Baker intern", ["Leeds"], False),  # excluded title
])
def test_include_and_exclude_filters(title: str, locations: list[str], wanted: bool) -> None:
    filters = Filters(include={"location": (re.compile("Leeds|York"),)}, exclude={"title": (re.compile("intern"),)})
    assert kept(Posting(source="s", external_id="1", url="u", title=title, locations=locations), filters) is wanted
