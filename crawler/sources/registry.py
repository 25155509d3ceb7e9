"""The source kinds, registered by key in one place.

Adding a kind is adding one module that defines a ``KIND`` object (see
``jobtrail.crawler.extract.base.SourceKind``) and one line in ``KIND_MODULES``. Modules are
imported on first use, so reading the config does not load every extractor.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the registry names kind modules; it does not import them at load time
    from jobtrail.crawler.extract.base import SourceKind
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


def resolve_kind(source: SourceConfig) -> SourceKind:
    """The kind to crawl a source with.

    ``auto``: an ATS URL is that ATS at once; any other page is fetched and inspected at
    crawl time (``jobtrail.crawler.extract.auto``), since what stands behind it is in its HTML.
    """
    if source.kind == "auto":
        from jobtrail.crawler.sources.detect import kind_from_url

        ats = kind_from_url(source.url or "")
        if ats:
            return get_kind(ats)
    return get_kind(source.kind)


def extract(body: bytes, url: str, source: SourceConfig, *, content_type: str | None = None) -> list[Posting]:
    """Postings in one saved response: what ``jobtrail extract`` shows, and what tests check."""
    from jobtrail.crawler.extract.base import Page

    kind = resolve_kind(source)
    return kind.parse(Page(url=url, body=body, role=None, content_type=content_type), source).postings
