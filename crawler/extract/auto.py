"""``kind = "auto"``: decide at crawl time what stands behind a careers page.

The page is fetched once; if it embeds or links an ATS board (crawler/detect.py), the
crawl continues through that ATS's public API, otherwise the same page is read as a
listing. The kind that was chosen travels in ``Fetch.data`` so every later response
goes back to it, with the source as that kind sees it (its board and API URL).
"""

from __future__ import annotations

from dataclasses import replace

from jobtrail.crawler.extract.base import Fetch, Page, Parsed
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.sources.detect import detect_source

DETECT_ROLE = "detect"


class AutoKind:
    key = "auto"

    def start(self, source: SourceConfig) -> list[Fetch]:
        return [Fetch(url=source.url or "", role=DETECT_ROLE)]

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        chosen = page.data.get("auto")
        if chosen:
            return _delegate(page, _as_kind(source, chosen), chosen)
        detection = detect_source(page.url, page.text)
        choice = {"kind": detection.kind, "board": detection.board, "url": detection.api_url}
        if detection.kind == "page":
            role = None if page.role is None else "listing"
            return _delegate(replace(page, role=role), source, choice)
        from jobtrail.crawler.sources.registry import get_kind

        effective = _as_kind(source, choice)
        return Parsed(follow=[_tagged(fetch, choice) for fetch in get_kind(detection.kind).start(effective)])


def _as_kind(source: SourceConfig, choice: dict[str, str | None]) -> SourceConfig:
    if choice["kind"] == "page":
        return source
    return replace(source, kind=choice["kind"] or "page", board=choice["board"], url=choice["url"])


def _delegate(page: Page, source: SourceConfig, choice: dict[str, str | None]) -> Parsed:
    from jobtrail.crawler.sources.registry import get_kind

    parsed = get_kind(choice["kind"] or "page").parse(page, source)
    parsed.follow = [_tagged(fetch, choice) for fetch in parsed.follow]
    return parsed


def _tagged(fetch: Fetch, choice: dict[str, str | None]) -> Fetch:
    return replace(fetch, data={**fetch.data, "auto": choice})


KIND = AutoKind()
