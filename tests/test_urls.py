"""One URL canonicalizer: the extractors and the normalize pipeline spell every URL the same way,
so a posting's identity (external_id taken from its URL) equals its stored url, crawl after crawl."""

from __future__ import annotations

import pytest

from jobtrail.crawler.items import Posting, RelatedJob
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.sources.registry import extract
from jobtrail.crawler.urls import canonical_url
from jobtrail.pipelines.normalize import normalize_posting

#: every tracking parameter that links.canonical_url or normalize.clean_url used to drop (the union)
TRACKING = [
    "utm_source", "utm_medium", "utm_campaign", "UTM_Content", "gclid", "fbclid", "msclkid", "gh_src",
    "source", "src", "ref", "referrer", "trk", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "lever-source",
    "lever-source[]",
]
#: parameters that select content and must survive
KEPT = ["id", "gh_jid", "jobId", "page", "lang", "q"]

#: a posting page in a style not used elsewhere: a definition list of facts, <h4> sections
PAGE = b"""<!doctype html><html><head><title>Deckhand - Quillmoor Ferries</title></head><body>
<article><h1>Relief Deckhand (Summer Season)</h1>
<dl><dt>Port</dt><dd>Quillmoor Harbour</dd><dt>Contract</dt><dd>Seasonal</dd></dl>
<h4>What you bring</h4><ul><li>A valid sea-survival certificate</li><li>Comfort working at night</li></ul>
<h4>What the job involves</h4><ul><li>Mooring the ferry at three piers</li><li>Guiding cars on board</li></ul>
</article></body></html>"""


def posting_at(url: str) -> Posting:
    (posting,) = extract(PAGE, url, SourceConfig(name="quillmoor", url=url, kind="page"))
    return posting


@pytest.mark.parametrize("param", TRACKING)
def test_both_paths_drop_every_tracking_parameter(param: str) -> None:
    url = f"https://ferries.quillmoor.example/crew/relief-deckhand?{param}=newsletter&lang=en"
    extracted = posting_at(url)
    normalized = normalize_posting(Posting(source="s", external_id="x", url=url, title="t"))
    for seen in (extracted.url, normalized.url, canonical_url(url)):
        assert param.lower() not in seen.lower(), seen
        assert "lang=en" in seen


@pytest.mark.parametrize("param", KEPT)
def test_content_parameters_are_kept(param: str) -> None:
    url = f"https://jobs.quillmoor.example/view?{param}=42&utm_source=x"
    assert canonical_url(url) == f"https://jobs.quillmoor.example/view?{param}=42"


@pytest.mark.parametrize("url", [
    "https://ferries.quillmoor.example/crew/relief-deckhand?utm_source=mail&msclkid=9#apply",
    "https://FERRIES.quillmoor.example/crew/relief-deckhand?trk=abc&referrer=board",
    "https://ferries.quillmoor.example/crew/relief-deckhand",
])
def test_identity_from_url_equals_stored_url(url: str) -> None:
    """No id in the URL: external_id is the URL itself, and normalizing keeps it equal to url."""
    stored = normalize_posting(posting_at(url))
    assert stored.external_id == stored.url == "https://ferries.quillmoor.example/crew/relief-deckhand"


def test_id_taken_from_the_canonical_url() -> None:
    posting = posting_at("https://ferries.quillmoor.example/crew/deckhand-48213?source=77")
    assert posting.external_id == "48213"


def test_related_job_urls_use_the_same_spelling() -> None:
    url = "https://ferries.quillmoor.example/crew/captain?gh_src=x&_hsenc=y#top"
    related = RelatedJob(title="Captain", url=url)
    normalized = normalize_posting(Posting(source="s", external_id="x", url=url, title="t", related_jobs=[related]))
    assert normalized.related_jobs[0].url == canonical_url(url) == "https://ferries.quillmoor.example/crew/captain"


def test_canonical_form_is_stable() -> None:
    """A stored URL canonicalized again does not change (no version churn between crawls)."""
    url = "https://ferries.quillmoor.example/crew/x?b=2&a=1&utm_medium=y"
    once = canonical_url(url)
    assert canonical_url(once) == once == "https://ferries.quillmoor.example/crew/x?a=1&b=2"
