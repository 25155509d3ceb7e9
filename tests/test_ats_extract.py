"""Every ATS kind, from saved API responses: one folder per case under tests/fixtures/<kind>/.

A case is ``input.json`` (or ``input.xml``), ``url.txt`` (where it was fetched from) and
``expected.json``: the postings, or ``{"error": "..."}`` when the response is unreadable.
Adding a real-world regression is adding a folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobtrail.crawler.extract.base import ExtractError
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.sources.detect import ATS_KINDS
from jobtrail.crawler.sources.registry import extract
from tests.corpus import is_corpus_expected

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    case for kind in ATS_KINDS for case in (FIXTURES / kind).glob("*/")
    if (case / "expected.json").exists() and not is_corpus_expected(json.loads((case / "expected.json").read_text()))
)


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.parent.name}/{case.name}")
def test_extract_case(case: Path) -> None:
    kind = case.parent.name
    body = next(case.glob("input.*")).read_bytes()
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    source = SourceConfig(name="acme", kind=kind, url=url)
    if isinstance(expected, dict):
        with pytest.raises(ExtractError) as error:
            extract(body, url, source)
        assert str(error.value) == expected["error"]
        assert "\n" not in str(error.value)
        return
    assert [posting.to_dict() for posting in extract(body, url, source)] == expected


def test_every_ats_kind_has_cases() -> None:
    kinds = {case.parent.name for case in CASES}
    assert kinds == set(ATS_KINDS)


def case_postings(kind: str, name: str) -> list[dict[str, object]]:
    case = FIXTURES / kind / name
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    body = next(case.glob("input.*")).read_bytes()
    return [posting.to_dict() for posting in extract(body, url, SourceConfig(name="acme", kind=kind, url=url))]


def test_personio_entities_are_never_expanded() -> None:
    (posting,) = case_postings("personio", "external-entity")
    assert posting["title"] == "Support Engineer" and posting["locations"] == ["Munich"]
    assert posting["requirements"] == ["Patience with customers"]


def test_greenhouse_escaped_content_intro_and_conclusion_and_cents() -> None:
    first = case_postings("greenhouse", "board")[0]
    assert first["salary"] == {"min": 85000.0, "max": 110000.0, "currency": "EUR", "interval": "year"}
    assert "equal opportunity" not in (first["description"] or "")
    assert "Northwind Analytics helps 4,000 retailers" not in (first["description"] or "")
    assert first["nice_to_have"] == ["Experience with Apache Kafka", "Knowledge of retail or supply-chain data"]


def test_workable_bullet_paragraphs_are_items() -> None:
    (posting,) = case_postings("workable", "detail")
    assert posting["responsibilities"][0] == "Build and maintain our React Native app"  # "●&nbsp;" paragraphs
    assert posting["nice_to_have"] == ["Experience with Bluetooth Low Energy"]


def test_workday_similar_jobs_are_related_jobs_on_the_public_site() -> None:
    (posting,) = case_postings("workday", "detail")
    assert [job["url"] for job in posting["related_jobs"]] == [
        "https://granite.wd5.myworkdayjobs.com/Careers/job/Denver-CO/Data-Engineer-II_R-10399",
        "https://granite.wd5.myworkdayjobs.com/Careers/job/Remote-USA/Analytics-Engineer_R-10412",
    ]
    assert posting["nice_to_have"] == ["Experience with Apache Flink"]  # "Preferred Qualifications"


def test_lever_unknown_list_heading_stays_in_the_description() -> None:
    second = case_postings("lever", "board")[1]
    description = second["description"] or ""
    assert "Schedule" in description and "Four days on, three days off" in description
    assert second["salary"] == {"min": 450.0, "max": 600.0, "currency": "EUR", "interval": "day"}
