"""`jobtrail check`: crawl one source exactly as `crawl` would, without a database.

The same spider and extractors run (robots.txt, politeness, rendering included); no item
pipeline is installed, so nothing is written, and no learned template or fetch state is
read, so discovery shows its full reasoning. The spider keeps its discovery notes
(``keep_notes``) and the postings it read; they become a ``CheckReport``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess

from jobtrail.crawler import logs
from jobtrail.crawler.context import SourceProgress, crawl_context
from jobtrail.crawler.extract.base import LinkNote
from jobtrail.crawler.items import LIST_FIELDS, Posting
from jobtrail.crawler.runner import CrawlError, build_settings
from jobtrail.crawler.sources.config import Config, SourceConfig
from jobtrail.crawler.spiders.careers import CareersSpider
from jobtrail.storage.models import RUN_EMPTY, RUN_FAILED, RUN_OK


@dataclass(frozen=True)
class CheckedLink:
    url: str
    why: str
    title: str | None = None


@dataclass(frozen=True)
class CheckedPosting:
    url: str
    title: str
    sections: dict[str, int]  # list field -> bullets found


@dataclass
class CheckReport:
    source: str
    url: str | None
    status: str  # ok | failed | empty, as a crawl would record it
    message: str | None
    pages: int
    listing_pages: list[str] = field(default_factory=list)
    taken: list[CheckedLink] = field(default_factory=list)
    left_out: list[CheckedLink] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    postings: list[CheckedPosting] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `check --json` object (docs/json.md, schema 1)."""
        return {"schema": 1, **asdict(self)}


def check_source(config: Config, source: SourceConfig, *, verbose: int = 0) -> CheckReport:
    """Crawl ``source`` once in this process, writing nothing; what it fetched, took and read."""
    alone = replace(config, sources=(source,))
    settings = build_settings(alone, "", uuid.uuid4().hex, {"LOG_INSTALL_ROOT_HANDLER": False, "ITEM_PIPELINES": {}})
    logs.configure(verbose, log_file=settings.get("LOG_FILE"), file_level=settings.get("LOG_LEVEL"))
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(CareersSpider)
    process.crawl(crawler, config=alone, only=[source.name], keep_notes=True)
    process.start()
    if process.bootstrap_failed or crawler.spider is None:
        raise CrawlError("the check could not start (see the error above)")
    return report(crawl_context(crawler).progress[source.name])


def report(progress: SourceProgress) -> CheckReport:
    """The spider's record of one source, as the check prints it."""
    final: dict[str, LinkNote] = {}
    listing_pages: list[str] = []
    for note in progress.notes:
        if note.why == "listing page":
            listing_pages.append(note.url)
        else:
            final[note.url] = note  # the last word on a link wins (probed, then confirmed or skipped)
    postings = [_checked(p) for p in progress.read]
    status = RUN_FAILED if progress.errors else (RUN_OK if progress.postings else RUN_EMPTY)
    message = "; ".join(progress.errors) if progress.errors else (progress.hint if status == RUN_EMPTY else None)
    return CheckReport(
        source=progress.source.name, url=progress.source.url, status=status, message=message, pages=progress.pages,
        listing_pages=listing_pages,
        taken=[CheckedLink(n.url, n.why, n.title) for n in final.values() if n.taken],
        left_out=[CheckedLink(n.url, n.why, n.title) for n in final.values()
                  if not n.taken and n.url not in listing_pages],
        skipped=list(progress.skipped), postings=postings,
    )


def _checked(posting: Posting) -> CheckedPosting:
    return CheckedPosting(url=posting.url, title=posting.title,
                          sections={name: len(getattr(posting, name)) for name in LIST_FIELDS})
