"""crawler/extract/links.py: which links on a listing are postings, ids in URLs, paging."""

from __future__ import annotations

import pytest
from parsel import Selector

from jobtrail.crawler.extract.links import id_from_url, looks_like_posting, next_page_url, posting_links, same_site

LISTING = "https://lamps.harrowgate.example/careers/"


@pytest.mark.parametrize(("url", "found"), [
    ("https://boards.example/jobs?gh_jid=4410", "4410"),
    ("https://x.example/apply?jobId=AB-12", "AB-12"),
    ("https://x.example/careers/jobs/12345-glass-blower", "12345"),
    ("https://x.example/careers/jobs/glass-blower-88412", "88412"),
    ("https://x.example/careers/jobs/2024", "2024"),
    ("https://x.example/careers/jobs/glass-blower", None),
    ("https://x.example/careers/jobs/glass-blower-12", None),  # too short to be an id
])
def test_id_from_url(url: str, found: str | None) -> None:
    assert id_from_url(url) == found


@pytest.mark.parametrize(("url", "text", "posting"), [
    ("https://lamps.harrowgate.example/careers/jobs/glass-blower", "Glass blower", True),
    ("https://lamps.harrowgate.example/jobs/lampwright-2231", "Lampwright", True),
    ("https://other.example/careers/jobs/glass-blower", "Glass blower", False),  # another site
    ("https://lamps.harrowgate.example/careers/jobs/glass-blower", "Apply now", False),  # generic anchor
    ("https://lamps.harrowgate.example/careers/teams/glass", "Glass team", False),  # a section of the site
    ("https://lamps.harrowgate.example/careers/jobs/brochure.pdf", "Brochure", False),  # an asset
    ("https://lamps.harrowgate.example/about/glass-blower", "Glass blower", False),  # not under a job path
])
def test_looks_like_posting(url: str, text: str, posting: bool) -> None:
    assert looks_like_posting(url, text, LISTING) is posting


PAGE = """<html><head><base href="https://lamps.harrowgate.example/careers/"></head><body>
<nav><a href="jobs/all-openings">All openings</a></nav>
<section><h2>Open roles</h2><table>
<tr><td><a href="jobs/glass-blower?utm_campaign=spring">Glass blower</a></td></tr>
<tr><td><a href="jobs/glass-blower#apply">Glass blower</a></td></tr>
<tr><td><a href="/jobs/lampwright-2231">Lampwright</a></td></tr>
<tr><td><a href="mailto:jobs@harrowgate.example">Write to us</a></td></tr>
</table><a rel="next" href="?page=2">Older roles</a></section></body></html>"""


def test_posting_links_are_canonical_unique_and_in_page_order() -> None:
    assert posting_links(Selector(text=PAGE), LISTING) == [
        "https://lamps.harrowgate.example/careers/jobs/glass-blower",
        "https://lamps.harrowgate.example/jobs/lampwright-2231",
    ]


def test_link_pattern_decides_alone() -> None:
    import re

    assert posting_links(Selector(text=PAGE), LISTING, re.compile(r"/jobs/all-")) == [
        "https://lamps.harrowgate.example/careers/jobs/all-openings"
    ]


@pytest.mark.parametrize(("html", "found"), [
    (PAGE, "https://lamps.harrowgate.example/careers/?page=2"),
    ('<link rel="prev next" href="/careers/p/3">', "https://lamps.harrowgate.example/careers/p/3"),
    ('<a rel="next" href="#">More</a>', None),
    ("<a href='/careers/p/2'>Next</a>", None),  # no rel=next: not guessed here
])
def test_next_page_url(html: str, found: str | None) -> None:
    assert next_page_url(Selector(text=html), LISTING) == found


@pytest.mark.parametrize(("url", "other", "same"), [
    ("https://www.harrowgate.example/a", "https://harrowgate.example/b", True),
    ("https://jobs.harrowgate.example/a", "https://harrowgate.example/b", True),
    ("https://harrowgate.example.evil.example/a", "https://harrowgate.example/b", False),
    ("https://other.example/a", "https://harrowgate.example/b", False),
])
def test_same_site(url: str, other: str, same: bool) -> None:
    assert same_site(url, other) is same
