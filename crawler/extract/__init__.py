"""Extractors, one module per source kind, registered by key in one place.

Adding a kind is adding one module that defines a ``KIND`` object (see base.SourceKind)
and one line in ``_KIND_MODULES``.
"""

from __future__ import annotations

import importlib
from functools import cache

from crawler.config import SourceConfig
from crawler.extract.base import ExtractError, Fetch, Page, Parsed, SourceKind
from crawler.items import Posting

__all__ = [
    "ExtractError", "Fetch", "Page", "Parsed", "SourceKind", "extract", "get_kind", "known_kinds",
]

#: kind key -> module defining KIND
_KIND_MODULES: dict[str, str] = {
    "page": "crawler.extract.page",
    "greenhouse": "crawler.extract.greenhouse",
    "lever": "crawler.extract.lever",
    "ashby": "crawler.extract.ashby",
    "workable": "crawler.extract.workable",
    "smartrecruiters": "crawler.extract.smartrecruiters",
    "recruitee": "crawler.extract.recruitee",
    "personio": "crawler.extract.personio",
    "workday": "crawler.extract.workday",
}


def known_kinds() -> list[str]:
    return sorted(_KIND_MODULES)


@cache
def get_kind(key: str) -> SourceKind:
    try:
        module = importlib.import_module(_KIND_MODULES[key])
    except KeyError:
        raise ValueError(f"unknown source kind {key!r} (one of: {', '.join(known_kinds())})") from None
    return module.KIND


def resolve_kind(source: SourceConfig) -> SourceKind:
    """The kind to crawl a source with.

    ``auto``: an ATS URL is that ATS at once; any other page is fetched and inspected
    at crawl time (crawler/extract/auto.py), since what stands behind it is in its HTML.
    """
    if source.kind != "auto":
        return get_kind(source.kind)
    from crawler.detect import kind_from_url

    ats = kind_from_url(source.url or "")
    if ats:
        return get_kind(ats)
    from crawler.extract.auto import KIND as AUTO

    return AUTO


def extract(body: bytes, url: str, source: SourceConfig, *, content_type: str | None = None) -> list[Posting]:
    """Postings in one saved response: what `jobtrail extract` shows, and what tests check."""
    kind = resolve_kind(source)
    return kind.parse(Page(url=url, body=body, role=None, content_type=content_type), source).postings
