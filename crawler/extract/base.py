"""The contract between the generic spider and each source kind.

A kind says which URLs to fetch first (``start``) and turns each fetched page into
postings plus further fetches (``parse``). Both are plain functions over plain data:
no Scrapy networking and no storage here, so every kind is tested from files alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import SplitResult

from jobtrail.crawler.extract.encoding import decode_html
from jobtrail.crawler.items import Posting

if TYPE_CHECKING:  # the config model is only named in annotations: extract/base imports no stage above it
    from jobtrail.crawler.sources.config import SourceConfig


@dataclass(frozen=True)
class Fetch:
    """One request a kind wants made. ``role`` and ``data`` come back on the Page."""

    url: str
    role: str
    method: str = "GET"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    #: a documented public API: robots.txt does not apply (pages still obey it)
    is_api: bool = False


@dataclass(frozen=True)
class Page:
    """A fetched response as a kind sees it."""

    url: str
    body: bytes
    role: str | None = None  # None: a saved file given to `jobtrail extract`; the kind guesses
    status: int = 200
    content_type: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    #: ``text`` when the crawler already decoded the body (for the wall check), else None
    decoded: str | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """Body decoded by BOM, Content-Type, <meta charset>, then detection (``encoding``); never raises."""
        return self.decoded if self.decoded is not None else decode_html(self.body, self.content_type)


@dataclass(frozen=True)
class LinkNote:
    """What discovery did with one link, for `jobtrail check`: taken (and why) or left out (and why)."""

    url: str
    taken: bool
    why: str  # taken: template | structure | probe | sitemap | pattern | jsonld; else the reason
    title: str | None = None


@dataclass
class Parsed:
    postings: list[Posting] = field(default_factory=list)
    follow: list[Fetch] = field(default_factory=list)
    #: pages reached by heuristic discovery that are not postings: "URL: why" (counted, never a failure)
    skipped: list[str] = field(default_factory=list)
    #: links taken and left out, and the listing pages read (for `jobtrail check`)
    notes: list[LinkNote] = field(default_factory=list)
    #: a one-line hint for a listing where nothing was found (JavaScript? link_pattern? an ATS?)
    hint: str | None = None
    #: a posting-link template confirmed on this page (JSON, see extract/discovery.py), to cache
    learned: str | None = None


class ExtractError(ValueError):
    """The page cannot be read as what its role says (malformed JSON, wrong shape...).

    The message is one line and names what was wrong; the source fails for this run.
    """


class SourceKind(Protocol):
    @property
    def key(self) -> str:
        """The kind's name in jobtrail.toml (``kind = "..."``)."""
        ...

    def start(self, source: SourceConfig) -> list[Fetch]:
        """First fetches for a source (listing page, API first page...)."""
        ...

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        """Postings found on ``page`` and what to fetch next. Raises ExtractError."""
        ...


class AtsKind(SourceKind, Protocol):
    """A kind reading one ATS's public API; its module owns the ATS's URLs (extract/ats.py ApiKind)."""

    def match_url(self, parts: SplitResult, query: dict[str, list[str]]) -> tuple[str, str] | None:
        """(board, API URL) when the URL belongs to this ATS."""
        ...

    def api_url(self, board: str, **extra: Any) -> str:
        """The public API URL of a board."""
        ...

    def start_url(self, url: str | None, board: str | None) -> str:
        """Where a configured source starts: its board's API, or its URL as is."""
        ...
