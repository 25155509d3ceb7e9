"""One generic spider for every source in jobtrail.toml.

It asks each source's kind what to fetch, hands every response back to the kind, and
yields the postings. It also keeps, per source, what the versioning pipeline needs to
judge the crawl (pages fetched, postings yielded, the first error), because a source
that failed must close nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.config import Config, ConfigError, SourceConfig, load_config
from crawler.extract import ExtractError, Fetch, Page, SourceKind, resolve_kind
from crawler.items import Posting


@dataclass
class SourceProgress:
    source: SourceConfig
    kind: SourceKind
    pages: int = 0
    postings: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, message: str) -> None:
        self.errors.append(message)


class CareersSpider(scrapy.Spider):
    name = "careers"

    def __init__(self, config: Config, only: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        selected = [s for s in config.sources if not only or s.name in only]
        missing = set(only or ()) - {s.name for s in selected}
        if missing:
            raise ConfigError(f"{config.path}: no source named {', '.join(sorted(missing))}")
        self.progress: dict[str, SourceProgress] = {source.name: _progress_for(source) for source in selected}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> CareersSpider:
        """`scrapy crawl careers` path: the config comes from settings (JOBTRAIL_CONFIG)."""
        if "config" not in kwargs:
            kwargs["config"] = load_config(crawler.settings.get("JOBTRAIL_CONFIG"))
        only = kwargs.pop("only", None) or crawler.settings.get("JOBTRAIL_SOURCES") or None
        if isinstance(only, str):
            only = [name.strip() for name in only.split(",") if name.strip()]
        spider = super().from_crawler(crawler, *args, only=only, **kwargs)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for progress in self.progress.values():
            if not progress.ok:
                continue
            try:
                fetches = progress.kind.start(progress.source)
            except (ExtractError, ValueError) as exc:
                progress.fail(str(exc))
                continue
            for fetch in fetches:
                yield self.request_for(progress.source, fetch)

    def request_for(self, source: SourceConfig, fetch: Fetch) -> Request:
        return Request(
            fetch.url,
            method=fetch.method,
            body=fetch.body,
            headers=fetch.headers or None,
            callback=self.parse_page,
            errback=self.on_error,
            dont_filter=fetch.method != "GET",
            meta={
                "source": source.name,
                "role": fetch.role,
                "data": fetch.data,
                "dont_obey_robotstxt": fetch.is_api,
            },
        )

    def parse_page(self, response: Response) -> Iterator[Posting | Request]:
        progress = self.progress[response.meta["source"]]
        progress.pages += 1
        page = Page(
            url=response.url,
            body=response.body,
            role=response.meta["role"],
            status=response.status,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            data=response.meta["data"],
        )
        try:
            parsed = progress.kind.parse(page, progress.source)
        except ExtractError as exc:
            progress.fail(str(exc))
            return
        except Exception as exc:  # a bug in an extractor must not stop the other sources
            self.logger.exception("extractor crashed on %s", response.url)
            progress.fail(f"extractor error on {response.url}: {type(exc).__name__}: {exc}")
            return
        for posting in parsed.postings:
            progress.postings += 1
            yield posting
        for fetch in parsed.follow:
            yield self.request_for(progress.source, fetch)

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        progress = self.progress[request.meta["source"]]
        progress.fail(describe_failure(failure, request.url))


def _progress_for(source: SourceConfig) -> SourceProgress:
    """A source whose kind cannot be loaded fails alone; the others still crawl."""
    try:
        return SourceProgress(source=source, kind=resolve_kind(source))
    except Exception as exc:  # noqa: BLE001 - reported per source, never fatal to the run
        progress = SourceProgress(source=source, kind=_Unavailable(source.kind))
        progress.fail(f"cannot load source kind {source.kind!r}: {type(exc).__name__}: {exc}")
        return progress


@dataclass(frozen=True)
class _Unavailable:
    """Stands in for a kind that failed to load: fetches nothing."""

    key: str

    def start(self, source: SourceConfig) -> list[Fetch]:
        return []

    def parse(self, page: Page, source: SourceConfig) -> Any:
        raise ExtractError(f"source kind {self.key!r} is unavailable")


def describe_failure(failure: Failure, url: str) -> str:
    """One line a cron log reader understands."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status} at {url}"
    message = str(failure.value).strip().splitlines()[0] if str(failure.value).strip() else ""
    return f"{failure.type.__name__} fetching {url}" + (f": {message}" if message else "")
