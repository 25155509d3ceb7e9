"""crawler/conditional.py: what a re-check sends and what makes extraction start over."""

from __future__ import annotations

import pytest
from scrapy.http import Headers

from jobtrail.crawler.conditional import Recheck, body_hash, extraction_fingerprint, response_validators
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.storage.fetch_state import Fetched

SOURCE = SourceConfig(name="ferrywell", url="https://ferrywell.example/jobs", kind="page")


def test_body_hash_is_stable_and_sensitive() -> None:
    assert body_hash(b"<p>Deckhand</p>") == body_hash(b"<p>Deckhand</p>")
    assert body_hash(b"<p>Deckhand</p>") != body_hash(b"<p>Deckhand </p>")


@pytest.mark.parametrize(("other", "kind", "same"), [
    (SourceConfig(name="ferrywell", url="https://ferrywell.example/jobs", kind="page", tags=("boats",)), "page", True),
    (SourceConfig(name="ferrywell", url="https://ferrywell.example/jobs", kind="page",
                  selectors={"title": "h2.role"}), "page", False),  # other selectors may read other postings
    (SourceConfig(name="ferrywell", url="https://ferrywell.example/jobs", kind="page",
                  link_pattern="/roles/"), "page", False),
    (SOURCE, "greenhouse", False),  # another kind reads the same bytes differently
])
def test_extraction_fingerprint(other: SourceConfig, kind: str, same: bool) -> None:
    assert (extraction_fingerprint(other, kind) == extraction_fingerprint(SOURCE, "page")) is same


@pytest.mark.parametrize(("etag", "modified", "headers"), [
    ('"v7"', None, {"If-None-Match": '"v7"'}),
    (None, "Tue, 03 Mar 2026 09:00:00 GMT", {"If-Modified-Since": "Tue, 03 Mar 2026 09:00:00 GMT"}),
    ('W/"a"', "Tue, 03 Mar 2026 09:00:00 GMT",
     {"If-None-Match": 'W/"a"', "If-Modified-Since": "Tue, 03 Mar 2026 09:00:00 GMT"}),
    (None, None, {}),
])
def test_validators_send_back_what_the_site_gave(etag: str | None, modified: str | None, headers: dict) -> None:
    recheck = Recheck()
    url = "https://ferrywell.example/jobs/1"
    recheck.load("ferrywell", {url: Fetched(url, etag, modified, "h", ("1",))})
    assert recheck.validators("ferrywell", url) == headers


def test_nothing_stored_means_an_unconditional_request() -> None:
    recheck = Recheck()
    recheck.load("ferrywell", {})
    assert recheck.validators("ferrywell", "https://ferrywell.example/jobs/1") == {}
    assert recheck.validators("never-loaded", "https://ferrywell.example/jobs/1") == {}
    assert recheck.get("never-loaded", "https://ferrywell.example/jobs/1") is None


@pytest.mark.parametrize(("raw", "expected"), [
    ({"ETag": '"x1"', "Last-Modified": "Mon, 02 Mar 2026 10:00:00 GMT"}, ('"x1"', "Mon, 02 Mar 2026 10:00:00 GMT")),
    ({"etag": '"x2"'}, ('"x2"', None)),  # header names are case-insensitive
    ({}, (None, None)),
])
def test_response_validators(raw: dict[str, str], expected: tuple[str | None, str | None]) -> None:
    assert response_validators(Headers(raw)) == expected
