"""Adding a source from a URL (`jobtrail add`): detect it, count what it shows, append it.

One request for the careers page (only when the URL itself is not an ATS URL), one for
the API's first page. Plain urllib is enough for two requests; the crawl itself goes
through Scrapy. The config file is appended to, never rewritten, so the user's comments
and layout stay as they wrote them.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jobtrail.crawler import settings
from jobtrail.crawler.extract.base import ExtractError, Page
from jobtrail.crawler.sources import SourceConfig, load_config
from jobtrail.crawler.sources.detect import ATS_KINDS, Detection, api_url, detect_source, detect_url
from jobtrail.crawler.sources.registry import get_kind

TIMEOUT = 15
MAX_BYTES = 5 * 1024 * 1024


class AddError(Exception):
    """Why a source cannot be added, in one line."""


@dataclass(frozen=True)
class NewSource:
    name: str
    kind: str
    board: str | None
    url: str | None  # written when the board alone does not say where to go
    api_url: str
    render: str = "http"  # "browser": pages are rendered in headless Chromium

    def config(self) -> SourceConfig:
        return SourceConfig(name=self.name, kind=self.kind, board=self.board, url=self.url, render=self.render)

    def toml(self) -> str:
        lines = ["[[sources]]", f"name = {_quote(self.name)}", f"kind = {_quote(self.kind)}"]
        lines += [f"board = {_quote(self.board)}"] if self.board else []
        lines += [f"url = {_quote(self.url)}"] if self.url else []
        lines += [f"render = {_quote(self.render)}"] if self.render != "http" else []
        return "\n".join(lines) + "\n"


def plan(url: str, *, name: str | None = None, kind: str = "auto", timeout: float = TIMEOUT) -> NewSource:
    """What source ``url`` is: from the URL alone when it is an ATS URL, else from its page."""
    found = detect_url(url)
    if kind == "auto" and found is None:
        found = detect_source(url, fetch_text(url, timeout))
    elif kind != "auto" and (found is None or found.kind != kind):
        found = Detection(kind, None, url)
    assert found is not None
    board = _board_to_write(found)
    return NewSource(
        name=name or _default_name(found, url), kind=found.kind, board=board,
        url=None if board else found.api_url, api_url=found.api_url,
    )


def _board_to_write(found: Detection) -> str | None:
    """The board, when it alone rebuilds the same API URL (else the URL is written)."""
    if found.kind not in ATS_KINDS or not found.board:
        return None
    try:
        return found.board if api_url(found.kind, found.board) == found.api_url else None
    except ValueError:
        return None


def _default_name(found: Detection, url: str) -> str:
    if found.board:
        return re.sub(r"[^a-z0-9]+", "-", found.board.split("/")[0].split(".")[0].lower()).strip("-")
    host = (urlsplit(url).hostname or "source").removeprefix("www.").removeprefix("careers.")
    return host.split(".")[0]


def count_postings(source: NewSource, timeout: float = TIMEOUT) -> tuple[int, bool]:
    """Postings the first API page shows (detail pages count as postings), and whether more pages follow."""
    kind = get_kind(source.kind)
    config = source.config()
    total, more = 0, False
    for fetch in kind.start(config):
        body, status, content_type = fetch_bytes(fetch.url, timeout, method=fetch.method, body=fetch.body,
                                                 headers=fetch.headers)
        page = Page(url=fetch.url, body=body, role=fetch.role, status=status, content_type=content_type,
                    data=fetch.data)
        try:
            parsed = kind.parse(page, config)
        except ExtractError as exc:
            raise AddError(str(exc)) from None
        total += len(parsed.postings) + sum(1 for f in parsed.follow if f.role != fetch.role)
        more = more or any(f.role == fetch.role for f in parsed.follow)
    return total, more


def append(config_path: str | Path, source: NewSource) -> None:
    """Append the source to the config file (created when missing); refuse a duplicate."""
    path = Path(config_path)
    for existing in load_config(path, required=False).sources:
        if existing.name == source.name:
            raise AddError(f"{path}: a source named {source.name!r} already exists (use --name)")
        if _same_place(existing, source):
            raise AddError(f"{path}: source {existing.name!r} already watches this {source.kind} board")
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    separator = "" if not current else ("\n" if current.endswith("\n") else "\n\n")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(separator + source.toml())


def _same_place(existing: SourceConfig, new: NewSource) -> bool:
    found = detect_url(existing.url) if existing.url else None
    kind = existing.kind if existing.kind != "auto" else (found.kind if found else "page")
    if kind != new.kind:
        return False
    board = existing.board or (found.board if found and found.kind == kind else None)
    if board and new.board:
        return board.lower() == new.board.lower()
    return bool(existing.url) and existing.url in {new.url, new.api_url}


# --- the two requests ----------------------------------------------------------------------------

def fetch_text(url: str, timeout: float = TIMEOUT) -> str:
    body, _, content_type = fetch_bytes(url, timeout)
    return Page(url=url, body=body, content_type=content_type).text


def fetch_bytes(url: str, timeout: float = TIMEOUT, *, method: str = "GET", body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[bytes, int, str | None]:
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"User-Agent": settings.USER_AGENT, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked
            return response.read(MAX_BYTES), response.status, response.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return exc.read(MAX_BYTES), 404, exc.headers.get("Content-Type")
        raise AddError(f"HTTP {exc.code} from {safe_url(url)}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AddError(f"cannot fetch {safe_url(url)}: {reason}") from None


def safe_url(url: str) -> str:
    """``url`` without user:password, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return parts._replace(netloc=host).geturl()
    except ValueError:
        return "<unreadable URL>"


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
