"""The source kinds, registered by key in one place.

Adding a kind is adding one module that defines a ``KIND`` object (see
``jobtrail.crawler.extract.base.SourceKind``) and one line in ``KIND_MODULES``. Modules are
imported on first use, so reading the config does not load every extractor.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:  # the registry names kind modules; it does not import them at load time
    from jobtrail.crawler.extract.base import AtsKind, SourceKind
    from jobtrail.crawler.items import Posting
    from jobtrail.crawler.sources.config import SourceConfig

#: kind key -> module defining KIND; ``auto`` is a kind like every other
KIND_MODULES: dict[str, str] = {
    "auto": "jobtrail.crawler.extract.auto",
    "page": "jobtrail.crawler.extract.page",
    "greenhouse": "jobtrail.crawler.extract.greenhouse",
    "lever": "jobtrail.crawler.extract.lever",
    "ashby": "jobtrail.crawler.extract.ashby",
    "workable": "jobtrail.crawler.extract.workable",
    "smartrecruiters": "jobtrail.crawler.extract.smartrecruiters",
    "recruitee": "jobtrail.crawler.extract.recruitee",
    "personio": "jobtrail.crawler.extract.personio",
    "workday": "jobtrail.crawler.extract.workday",
}


#: kinds that read a page rather than one ATS's API; every other kind is an ATS whose module
#: owns its URL matchers and API template (``match_url``, ``api_url``; see extract/ats.py)
PAGE_KINDS: tuple[str, ...] = ("auto", "page")
#: ATS kinds, in the order detection tries them
ATS_KINDS: tuple[str, ...] = tuple(key for key in KIND_MODULES if key not in PAGE_KINDS)


def known_kinds() -> list[str]:
    return sorted(KIND_MODULES)


@cache
def get_kind(key: str) -> SourceKind:
    try:
        module = importlib.import_module(KIND_MODULES[key])
    except KeyError:
        raise ValueError(f"unknown source kind {key!r} (one of: {', '.join(known_kinds())})") from None
    kind: SourceKind = module.KIND
    return kind


def get_ats_kind(key: str) -> AtsKind:
    """An ATS kind, with its URL matchers and API template."""
    if key not in ATS_KINDS:
        raise ValueError(f"{key!r} is not an ATS kind with a board")
    return cast("AtsKind", get_kind(key))


def resolve_kind(source: SourceConfig) -> SourceKind:
    """The kind to crawl a source with.

    ``auto``: an ATS URL is that ATS at once; any other page is fetched and inspected at
    crawl time (``jobtrail.crawler.extract.auto``), since what stands behind it is in its HTML.
    """
    if source.kind == "auto":
        found = match_ats(source.url or "")
        if found:
            return get_kind(found[0])
    return get_kind(source.kind)


def match_ats(url: str) -> tuple[str, str, str] | None:
    """(kind, board, API URL) of the first ATS kind, in registry order, that knows the URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    query = parse_qs(parts.query)
    for key in ATS_KINDS:
        found = get_ats_kind(key).match_url(parts, query)
        if found:
            return key, found[0], found[1]
    return None


def extract(body: bytes, url: str, source: SourceConfig, *, content_type: str | None = None) -> list[Posting]:
    """Postings in one saved response: what ``jobtrail extract`` shows, and what tests check."""
    from jobtrail.crawler.extract.base import Page

    kind = resolve_kind(source)
    return kind.parse(Page(url=url, body=body, role=None, content_type=content_type), source).postings
