"""A live progress line on the terminal during a crawl: sources done/total, pages, postings, errors, elapsed.

A Scrapy extension, enabled by ``JOBTRAIL_PROGRESS`` (the CLI sets it only when stderr is a
terminal and the output is not ``--json`` or ``--quiet``); it raises NotConfigured otherwise,
so cron and pipes never see it. Drawn by rich on stderr, transient: it disappears when the
crawl ends and the summary table prints. The counts come from the crawl context's per-source
progress (pages, postings, errors); a source is done when none of its requests is pending.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from jobtrail.crawler.context import crawl_context


class CrawlProgress:
    def __init__(self, crawler: Crawler) -> None:
        from rich.console import Console  # only when a terminal is watching
        from rich.progress import Progress, TextColumn, TimeElapsedColumn

        self.crawler = crawler
        self.pending: Counter[str] = Counter()
        self.started: set[str] = set()
        self.progress = Progress(
            TextColumn("[bold]crawling[/bold] {task.description}"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True, refresh_per_second=4,
        )
        self.task = self.progress.add_task("", total=None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        if not crawler.settings.getbool("JOBTRAIL_PROGRESS"):
            raise NotConfigured("progress is for terminals")
        extension = cls(crawler)
        for handler, signal in (
            (extension.opened, signals.spider_opened), (extension.closed, signals.spider_closed),
            (extension.scheduled, signals.request_scheduled), (extension.left, signals.request_left_downloader),
            (extension.dropped, signals.request_dropped), (extension.refresh, signals.item_scraped),
        ):
            crawler.signals.connect(handler, signal=signal)
        return extension

    def opened(self, spider: Spider) -> None:
        self.progress.start()
        self.refresh()

    def closed(self, spider: Spider, reason: str) -> None:
        self.progress.stop()

    def scheduled(self, request: Request, spider: Spider) -> None:
        self._count(request, +1)

    def left(self, request: Request, spider: Spider) -> None:
        self._count(request, -1)

    def dropped(self, request: Request, spider: Spider) -> None:
        self._count(request, -1)

    def _count(self, request: Request, step: int) -> None:
        source = request.meta.get("source")
        if source is None:  # robots.txt and other requests of no source
            return
        self.started.add(source)
        self.pending[source] = max(0, self.pending[source] + step)
        self.refresh()

    def refresh(self, *_: Any, **__: Any) -> None:
        try:
            sources = crawl_context(self.crawler).progress
        except RuntimeError:  # not the careers spider: nothing to count
            return
        done = sum(1 for name in sources if name in self.started and not self.pending[name])
        pages = sum(p.pages for p in sources.values())
        postings = sum(p.postings for p in sources.values())
        errors = sum(len(p.errors) for p in sources.values())
        self.progress.update(self.task, description=(
            f"sources {done}/{len(sources)} \u00b7 pages {pages} \u00b7 postings {postings} \u00b7 errors {errors}"
        ))
