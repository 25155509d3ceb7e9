"""Which source kind sits behind a URL or a careers page (ATS auto-detection).

Pure functions, no network: the caller fetches the page. Each ATS's public hosts and API
URLs live in that kind's own module (crawler/extract/<kind>.py: ``match_board``,
``api_template``); this module asks the registry's ATS kinds in turn, so the adapters
(``start``), the ``auto`` kind and ``jobtrail add`` all agree on what a board is.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass

from jobtrail.crawler.sources.registry import ATS_KINDS, get_ats_kind, match_ats

__all__ = ["ATS_KINDS", "Detection", "api_url", "detect_source", "detect_url", "kind_from_url", "source_api_url"]


@dataclass(frozen=True)
class Detection:
    kind: str  # an ATS kind, or "page"
    board: str | None  # the ATS's board token (None for "page")
    api_url: str  # the first URL to fetch: the public API, or the page itself


def api_url(kind: str, board: str, **extra: object) -> str:
    """The public API URL of a board (first page where the API pages), from the kind's own module."""
    return get_ats_kind(kind).api_url(board, **extra)


def source_api_url(kind: str, url: str | None, board: str | None) -> str:
    """Where a configured source of this kind starts: its board's API, or its URL as is."""
    return get_ats_kind(kind).start_url(url, board)


# --- from one URL ------------------------------------------------------------------------------

def detect_url(url: str) -> Detection | None:
    """The ATS board a URL belongs to (public board, posting or API URL); None when unknown."""
    found = match_ats(url)
    return Detection(*found) if found else None


def kind_from_url(url: str) -> str | None:
    """The ATS kind a URL belongs to, from its host and path alone; None when unknown."""
    found = detect_url(url)
    return found.kind if found else None


# --- from a careers page -----------------------------------------------------------------------

_URL_IN_HTML = re.compile(r"""(?:https?:)?//[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?::\d+)?[^\s"'<>()\\]*""")


def detect_source(url: str, html: str | None = None) -> Detection:
    """The source behind ``url``: an ATS from the URL itself, else from an ATS the page
    embeds or links to (the board seen most often wins), else the page itself."""
    found = detect_url(url)
    if found:
        return found
    if html:
        hits = [hit for hit in map(detect_url, _urls_in(html)) if hit is not None]
        if hits:
            best, _ = Counter(hits).most_common(1)[0]
            return best
    return Detection("page", None, url)


def _urls_in(html: str) -> list[str]:
    urls = []
    for raw in _URL_IN_HTML.findall(html):
        raw = html_lib.unescape(raw)
        urls.append("https:" + raw if raw.startswith("//") else raw)
    return urls
