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
