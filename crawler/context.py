"""The typed contract between the spider and the pipelines: one ``CrawlContext`` per crawl.

The spider creates it once (``CareersSpider.from_crawler``) and attaches it to the crawler;
the pipelines read it from the crawler (``crawl_context(crawler)``), never from spider
attributes. What each side may do with it:

- ``config``: the jobtrail.toml the crawl runs from (read-only for both).
- ``progress``: one ``SourceProgress`` per selected source; the spider counts pages and
  postings and records errors, the version pipeline reads them to judge each source.
- ``recheck``: stored fetch states; the version pipeline fills it when it opens (before any
  request), the spider reads it to send conditional requests and skip unchanged pages.
- ``templates``: learned posting-link templates (extract/discovery.py), filled the same way;
  the version pipeline stores the one a source's crawl confirmed (``progress.learned``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jobtrail.crawler.conditional import Recheck
from jobtrail.crawler.fates import Fates

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from jobtrail.crawler.extract.base import LinkNote, SourceKind
    from jobtrail.crawler.items import Posting
    from jobtrail.crawler.sources.config import Config, SourceConfig

#: the crawler attribute the context is attached to
ATTRIBUTE = "jobtrail_context"


@dataclass
class SourceProgress:
    """What the spider saw of one source in this crawl; a source with errors or walls closes nothing."""

    source: SourceConfig
    kind: SourceKind
    pages: int = 0
    postings: int = 0
    errors: list[str] = field(default_factory=list)
    #: walls (bot challenge, login, consent...) met where a listing or API answer should be
    blocked: list[str] = field(default_factory=list)
    fates: Fates = field(default_factory=Fates)
    #: pages heuristic discovery reached that were not postings ("URL: why"); never a failure
    skipped: list[str] = field(default_factory=list)
    #: why a listing gave nothing (shown when the source ends up `empty`)
    hint: str | None = None
    #: posting-link template confirmed during this crawl (JSON), cached by the version pipeline
    learned: str | None = None
    #: what discovery did with each link, and the postings read (kept only for `jobtrail check`)
    notes: list[LinkNote] = field(default_factory=list)
    read: list[Posting] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.blocked

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def block(self, message: str) -> None:
        self.blocked.append(message)


@dataclass
class CrawlContext:
    config: Config
    progress: dict[str, SourceProgress]
    recheck: Recheck = field(default_factory=Recheck)
    #: learned posting-link templates by source (JSON); the version pipeline fills it when it opens,
    #: the spider hands each to its source's first listing fetch
    templates: dict[str, str] = field(default_factory=dict)

    def attach(self, crawler: Crawler) -> None:
        """Make this the crawl's context (once per crawler)."""
        if getattr(crawler, ATTRIBUTE, None) is not None:
            raise RuntimeError("this crawler already has a jobtrail crawl context")
        setattr(crawler, ATTRIBUTE, self)


def crawl_context(crawler: Crawler) -> CrawlContext:
    """The context the careers spider attached; a clear error for any other spider."""
    context = getattr(crawler, ATTRIBUTE, None)
    if not isinstance(context, CrawlContext):
        raise RuntimeError("jobtrail's pipelines run with the careers spider only (no crawl context found)")
    return context
