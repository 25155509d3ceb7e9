"""Request fingerprints that include the source, so two sources may watch the same page.

Scrapy drops a request whose fingerprint it has seen; two sources reading one careers
page with different link patterns would otherwise see the second one silently fetch
nothing. Within one source, duplicates are still dropped.
"""

from __future__ import annotations

import hashlib

from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.request import RequestFingerprinter


def with_source(fingerprint: bytes, request: Request) -> bytes:
    source = request.meta.get("source")
    if not source:
        return fingerprint
    return hashlib.sha1(fingerprint + b"\0" + str(source).encode("utf-8")).digest()


class SourceAwareFingerprinter:
    """Scrapy's own fingerprint, salted with the request's source name."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._scrapy = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceAwareFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        return with_source(self._scrapy.fingerprint(request), request)
