"""Pages with a missing or wrong charset decode by detection: "Zürich", never "Z�rich"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobtrail.crawler.extract.base import Page
from jobtrail.crawler.extract.encoding import decode_html
from jobtrail.crawler.extract.page import KIND
from jobtrail.crawler.sources.config import SourceConfig
from tests.conftest import FIXTURES

CASES = sorted(p for p in (FIXTURES / "encoding").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_posting_page_with_a_missing_or_wrong_charset(case: Path) -> None:
    meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    page = Page(url=meta["url"], body=(case / "input.bin").read_bytes(), role="posting",
                content_type=meta["content_type"])
    (posting,) = KIND.parse(page, SourceConfig(name="enc", url=meta["url"], kind="page")).postings
    assert posting.title == expected["title"]
    assert expected["requirement"] in posting.requirements


def test_a_correct_label_is_trusted() -> None:
    body = "<p>Zürich</p>".encode("iso-8859-2")  # ü is 0xFC in Latin-2 as in Latin-1
    assert decode_html(body, "text/html; charset=iso-8859-2") == "<p>Zürich</p>"


def test_a_literal_replacement_character_is_not_a_wrong_label() -> None:
    body = "<p>broken glyph \ufffd kept, Zürich</p>".encode()
    assert decode_html(body, "text/html; charset=utf-8") == "<p>broken glyph \ufffd kept, Zürich</p>"
