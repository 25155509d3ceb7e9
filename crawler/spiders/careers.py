"""One generic spider for every source in jobtrail.toml.

It asks each source's kind what to fetch, hands every response back to the kind, and
yields the postings. It also keeps, per source, what the versioning pipeline needs to
judge the crawl (pages fetched, postings yielded, the first error, walls met, and the fate
of every posting request), because a source that failed or was blocked must close nothing
and a posting whose page could not be reached must not count missing. All of that goes in
the crawl's ``CrawlContext`` (crawler/context.py), the one object spider and pipelines share.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobtrail.crawler.conditional import (
    STATE_KEY,
    Forgotten,
    Observed,
    Unchanged,
    body_hash,
    response_validators,
)
from jobtrail.crawler.context import CrawlContext, SourceProgress
from jobtrail.crawler.extract.base import ExtractError, Fetch, Page, Parsed
from jobtrail.crawler.extract.encoding import decode_html
from jobtrail.crawler.extract.links import same_site
from jobtrail.crawler.extract.walls import Wall, detect_wall
from jobtrail.crawler.fates import POSTING_ROLES
from jobtrail.crawler.items import Posting
from jobtrail.crawler.rendering import browser_meta, browser_missing
from jobtrail.crawler.sources import Config, ConfigError, SourceConfig, load_config
from jobtrail.crawler.sources.registry import resolve_kind
from jobtrail.storage.fetch_state import Fetched

PageOutput = Posting | Request | Unchanged | Observed | Forgotten
#: roles of a source's first page, where a learned posting-link template applies
LISTING_ROLES = ("listing", "detect")


class CareersSpider(scrapy.Spider):
    name = "careers"

    def __init__(self, config: Config, only: list[str] | None = None, keep_notes: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        selected = [s for s in config.sources if not only or s.name in only]
        missing = set(only or ()) - {s.name for s in selected}
        if missing:
            raise ConfigError(f"{config.path}: no source named {', '.join(sorted(missing))}")
        #: shared with the pipelines through the crawler (attached in from_crawler)
        self.context = CrawlContext(config, {source.name: _progress_for(source) for source in selected})
        #: keep discovery notes and postings read per source (`jobtrail check`); a crawl does not need them
        self.keep_notes = keep_notes

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> CareersSpider:
        """`scrapy crawl careers` path: the config comes from settings (JOBTRAIL_CONFIG)."""
        if "config" not in kwargs:
            kwargs["config"] = load_config(crawler.settings.get("JOBTRAIL_CONFIG"))
        only = kwargs.pop("only", None) or crawler.settings.get("JOBTRAIL_SOURCES") or None
        if isinstance(only, str):
            only = [name.strip() for name in only.split(",") if name.strip()]
        spider = super().from_crawler(crawler, *args, only=only, **kwargs)
        spider.context.attach(crawler)
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for progress in self.context.progress.values():
            if not progress.ok:
                continue
            missing = browser_missing(self.crawler.settings) if progress.source.render == "browser" else None
            if missing:
                progress.fail(missing)
                continue
            try:
                fetches = progress.kind.start(progress.source)
            except (ExtractError, ValueError) as exc:
                progress.fail(str(exc))
                continue
            learned = self.context.templates.get(progress.source.name)
            for fetch in fetches:
                if learned and fetch.role in LISTING_ROLES:
                    fetch = replace(fetch, data={**fetch.data, "learned": learned})
                yield self.request_for(progress.source, fetch)

    def request_for(self, source: SourceConfig, fetch: Fetch) -> Request:
        meta = {
            "source": source.name,
            "role": fetch.role,
            "data": fetch.data,
            "dont_obey_robotstxt": fetch.is_api,
            STATE_KEY: fetch.url,
        }
        headers = dict(fetch.headers)
        conditional = self.context.recheck.validators(source.name, fetch.url) if fetch.method == "GET" else {}
        if conditional:
            headers.update(conditional)
            meta["handle_httpstatus_list"] = [304]
        if fetch.data.get("optional"):  # discovery reads the status itself (a 404 probe is just skipped)
            meta["handle_httpstatus_all"] = True
        if source.render == "browser" and fetch.role not in ("robots", "sitemap"):
            meta.update(browser_meta())
        return Request(
            fetch.url,
            method=fetch.method,
            body=fetch.body,
            headers=headers or None,
            callback=self.parse_page,
            errback=self.on_error,
            dont_filter=fetch.method != "GET",
            meta=meta,
        )

    def parse_page(self, response: Response) -> Iterator[PageOutput]:
        progress = self.context.progress[response.meta["source"]]
        progress.pages += 1
        url = response.meta.get(STATE_KEY, response.url)
        text = html_text(response)  # decoded once: the wall check and the extractor both read it
        if not self._reachable(progress, response, text):
            return
        progress.fates.reach(url)
        stored = self.context.recheck.get(progress.source.name, url)
        if response.status == 304:
            yield from self._not_modified(progress, url, stored)
            return
        digest = body_hash(response.body)
        if stored is not None and stored.body_hash == digest:
            yield from self._unchanged(progress, response, stored)
            return
        parsed = self._extract(progress, response, text)
        if parsed is None:
            return
        self._note(progress, parsed)
        for posting in parsed.postings:
            progress.postings += 1
            if self.keep_notes:
                progress.read.append(posting)
            yield posting
        for fetch in parsed.follow:
            yield self.request_for(progress.source, fetch)
        if parsed.postings and not parsed.follow and response.status == 200:
            etag, modified = response_validators(response.headers)
            ids = tuple(dict.fromkeys(p.external_id for p in parsed.postings))
            yield Observed(progress.source.name, Fetched(url, etag, modified, digest, ids))
        elif stored is not None:
            yield Forgotten(progress.source.name, url)

    def _note(self, progress: SourceProgress, parsed: Parsed) -> None:
        """What discovery reported: skipped pages, the hint, a confirmed template, notes for `check`."""
        progress.skipped += parsed.skipped
        for skipped in parsed.skipped:
            self.logger.info("skipped (not a posting): %s", skipped)
        progress.hint = progress.hint or parsed.hint
        progress.learned = parsed.learned or progress.learned
        if self.keep_notes:
            progress.notes += parsed.notes

    def _reachable(self, progress: SourceProgress, response: Response, text: str | None) -> bool:
        """False when the answer is not the page asked for: a wall, or a posting sent off-site.

        A wall where a listing or API answer should be blocks the source (nothing from it is
        stored, nothing closes); on a posting page it makes that posting unreachable.
        ``text``: ``html_text(response)``.
        """
        role = response.meta["role"]
        wall = wall_of(response, text)
        origin = (response.meta.get("redirect_urls") or [response.url])[0]
        offsite = not same_site(origin, response.url)
        if role in POSTING_ROLES and (wall or offsite):
            host = response.url.split("/")[2] if "://" in response.url else response.url
            reason = f"redirected off-site to {host}" if offsite else "met a wall"
            reason += f" ({wall.kind})" if wall else ""
            if wall:
                progress.fates.walls.append(f"{wall.reason} at {response.url}")
            self._lose(progress, response.request or response, reason)  # type: ignore[arg-type]
            return False
        if wall:
            progress.block(f"{wall.reason} at {response.url}")
            return False
        return True

    def _lose(self, progress: SourceProgress, request: Request, reason: str) -> None:
        """A request that will not be answered: its posting is unreachable, or the source failed."""
        role = request.meta.get("role", "")
        original = request.meta.get(STATE_KEY, request.url)
        self.crawler.stats.inc_value(f"jobtrail/unreachable/{role}")
        if role in POSTING_ROLES:
            self.logger.info("posting unreachable (%s): %s", reason, original)
            progress.fates.lose(original, role, reason)
        else:
            progress.fail(f"{reason} at {original}")

    def on_dropped(self, request: Request, spider: scrapy.Spider | None = None) -> None:
        """Scrapy dropped a request without an errback (duplicate filter). Harmless for a URL asked for
        twice; but the next hop of a redirect chain dropped this way means the page was never reached."""
        progress = self.context.progress.get(request.meta.get("source", ""))
        hops = request.meta.get("redirect_urls")
        if progress is None or not hops:
            return
        self._lose(progress, request, "redirect loop" if request.url in hops else "redirect to an already fetched page")

    def _page(self, response: Response, text: str | None) -> Page:
        return Page(
            url=response.url,
            body=response.body,
            role=response.meta["role"],
            status=response.status,
            content_type=_content_type(response) or None,
            data=response.meta["data"],
            decoded=text,
        )

    def _extract(self, progress: SourceProgress, response: Response, text: str | None) -> Parsed | None:
        """The kind's reading of the page; None (and the source failed) when it cannot be read."""
        self.logger.debug("extracting %s", response.url)
        self.crawler.stats.inc_value("jobtrail/pages_extracted")
        page = self._page(response, text)
        try:
            return progress.kind.parse(page, progress.source)
        except ExtractError as exc:
            progress.fail(str(exc))
        except Exception as exc:  # a bug in an extractor must not stop the other sources
            self.logger.exception("extractor crashed on %s", response.url)
            progress.fail(f"extractor error on {response.url}: {type(exc).__name__}: {exc}")
        return None

    def _not_modified(self, progress: SourceProgress, url: str, stored: Fetched | None) -> Iterator[Unchanged]:
        if stored is None:  # we sent no validators, so the server is confused
            progress.fail(f"HTTP 304 without a conditional request at {url}")
            return
        self.logger.debug("not modified (304): %s", url)
        self.crawler.stats.inc_value("jobtrail/pages_not_modified")
        progress.postings += len(stored.external_ids)
        yield Unchanged(progress.source.name, url, stored.external_ids)

    def _unchanged(self, progress: SourceProgress, response: Response, stored: Fetched) -> Iterator[PageOutput]:
        """Same bytes as last time: the same postings, without extracting them again."""
        self.logger.debug("unchanged body, not extracted: %s", response.url)
        self.crawler.stats.inc_value("jobtrail/pages_unchanged")
        progress.postings += len(stored.external_ids)
        yield Unchanged(progress.source.name, stored.url, stored.external_ids)
        etag, modified = response_validators(response.headers)
        if (etag, modified) != (stored.etag, stored.last_modified):  # keep sending what the site uses now
            yield Observed(progress.source.name, Fetched(stored.url, etag, modified, stored.body_hash,
                                                         stored.external_ids))

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        progress = self.context.progress[request.meta["source"]]
        if failure.check(HttpError):
            response = failure.value.response
            if not self._reachable(progress, response, html_text(response)):  # a 403/503 challenge page: a wall, not an outage
                return
            progress.fail(describe_failure(failure, request.url))
        elif request.meta.get("role") in POSTING_ROLES:
            self._lose(progress, request, fetch_problem(failure))
        else:
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


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


def html_text(response: Response) -> str | None:
    """An HTML response decoded as its Page decodes it (``decode_html`` with its Content-Type);
    None for a JSON or XML API answer, which is never a wall.

    The wall check reads this same text, decoded once. (Walls were read from the text decoded
    with the header lower-cased: the same text, since w3lib finds and resolves the charset
    regardless of case, and lower-casing a Latin-1 string keeps every character a word character
    or not.)
    """
    content_type = _content_type(response)
    lowered = content_type.lower()
    if lowered and "html" not in lowered:
        return None
    if not lowered and not response.body.lstrip()[:1] == b"<":
        return None
    return decode_html(response.body, content_type or None)


def wall_of(response: Response, text: str | None) -> Wall | None:
    """The wall an HTML response is, if any; ``text``: ``html_text(response)`` (None: no HTML, no wall)."""
    if text is None:
        return None
    mitigated = (response.headers.get("cf-mitigated") or b"").decode("latin-1")
    return detect_wall(text, {"cf-mitigated": mitigated} if mitigated else None)


def fetch_problem(failure: Failure) -> str:
    """Why a request got no answer, without its URL (reasons are counted per source)."""
    message = str(failure.value).strip().splitlines()[0] if str(failure.value).strip() else ""
    if failure.check(IgnoreRequest) and "robots.txt" in message:
        return "robots.txt forbids it"
    if failure.check(IgnoreRequest) and "redirect" in message:
        return "too many redirects"
    return failure.type.__name__


def describe_failure(failure: Failure, url: str) -> str:
    """One line a cron log reader understands."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status} at {url}"
    message = str(failure.value).strip().splitlines()[0] if str(failure.value).strip() else ""
    return f"{failure.type.__name__} fetching {url}" + (f": {message}" if message else "")
