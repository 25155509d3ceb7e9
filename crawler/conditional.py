"""Cheap re-checks: conditional requests and skipping unchanged bodies.

Most pages a monitor re-reads are unchanged. For a page whose output last time was
postings (a posting page, an ATS API body listing every posting, a one-posting source),
the spider sends the stored ``ETag`` / ``Last-Modified`` back; a 304, or a body whose hash
equals the stored one, is not extracted at all: it stands for the same postings as last
time, which the versioning pipeline marks seen. Pages that lead to other pages (listings,
paged APIs) are always fetched in full and parsed, so every posting is still reached;
they are a few per source and cheap to parse.

Why not Scrapy's HttpCacheMiddleware + RFC2616Policy: it keeps every whole response on
disk (10k postings x 50 KB) to replay it on a 304, so the spider would still extract every
unchanged page; its store is a local folder, not the database that cron runs, workers
(scrapy-redis) and PostgreSQL users share; and its freshness rules may serve a cached copy
without asking the site, which a change monitor must never do.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from jobtrail.crawler.settings import package_version
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.storage.fetch_state import Fetched

#: Request.meta key holding the URL a fetch state belongs to (the one asked for, before redirects)
STATE_KEY = "jobtrail_state_url"


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def extraction_fingerprint(source: SourceConfig, kind_key: str) -> str:
    """Changes whenever extraction could give other postings for the same bytes."""
    settings = {key: value for key, value in asdict(source).items() if key != "tags"}
    payload = json.dumps([package_version(), kind_key, settings], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Unchanged:
    """Item: ``url`` is as it was, so its postings are seen again without being extracted."""

    source: str
    url: str
    external_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Observed:
    """Item: store this state for the URL (written with the postings it names)."""

    source: str
    state: Fetched


@dataclass(frozen=True, slots=True)
class Forgotten:
    """Item: the URL no longer stands for a fixed set of postings; drop its state."""

    source: str
    url: str


class Recheck:
    """The stored fetch states of the sources being crawled, by source name then URL."""

    def __init__(self) -> None:
        self._states: dict[str, dict[str, Fetched]] = {}

    def load(self, source: str, states: dict[str, Fetched]) -> None:
        self._states[source] = states

    def get(self, source: str, url: str) -> Fetched | None:
        return self._states.get(source, {}).get(url)

    def validators(self, source: str, url: str) -> dict[str, str]:
        """Conditional request headers for ``url``; empty when there is nothing to compare with."""
        state = self.get(source, url)
        if state is None:
            return {}
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        return headers


def response_validators(headers: object) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) of a Scrapy response's headers, as text."""
    def text(name: str) -> str | None:
        value = headers.get(name)  # type: ignore[attr-defined]
        return value.decode("latin-1") if value else None

    return text("ETag"), text("Last-Modified")
