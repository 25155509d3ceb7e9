"""Postings named by a site's sitemaps, for listings that show none (script shells, search forms).

``robots.txt`` ``Sitemap:`` lines and ``/sitemap.xml`` are read with Scrapy's own sitemap
support (``scrapy.utils.sitemap``: sitemap indexes, urlsets, robots lines; ``scrapy.utils.gz``
for .xml.gz). Of the URLs, those on the same site under the careers path (or with a job word
in their path, or matching the learned template) are grouped by URL shape, and each group is
confirmed by probing like a listing's groups (extract/listing.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import lxml.etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from jobtrail.crawler.extract.base import Fetch
from jobtrail.crawler.extract.discovery import Template, url_shapes
from jobtrail.crawler.extract.links import ASSET_EXTENSIONS, job_word, nav_word, same_site
from jobtrail.crawler.urls import canonical_url

#: sitemaps read per source per crawl (an index may name thousands of product sitemaps)
MAX_SITEMAPS = 30
MAX_DEPTH = 3
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def sitemap_fetches(listing_url: str, data: dict[str, object]) -> list[Fetch]:
    """robots.txt (for its Sitemap: lines) and /sitemap.xml of the listing's site."""
    parts = urlsplit(listing_url)
    origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    common = {**data, "listing": canonical_url(listing_url), "optional": True, "depth": 0}
    return [
        Fetch(url=origin + "/robots.txt", role="robots", data=common),
        Fetch(url=origin + "/sitemap.xml", role="sitemap", data=common),
    ]


def robots_sitemaps(text: str, robots_url: str, data: dict[str, object]) -> list[Fetch]:
    """A fetch for each ``Sitemap:`` line of robots.txt."""
    urls = dict.fromkeys(canonical_url(url) for url in sitemap_urls_from_robots(text, base_url=robots_url))
    return [Fetch(url=url, role="sitemap", data=data) for url in list(urls)[:MAX_SITEMAPS]]


def read_sitemap(body: bytes) -> tuple[str, list[str]]:
    """('sitemapindex' | 'urlset' | '', locations), gzip or not; ('', []) for anything unreadable."""
    if body.startswith(_GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        except (OSError, EOFError, ValueError):
            return "", []
    try:
        sitemap = Sitemap(body)
        return str(sitemap.type), [entry["loc"] for entry in sitemap if entry.get("loc")]
    except (lxml.etree.XMLSyntaxError, StopIteration, ValueError, KeyError):
        return "", []


def child_sitemaps(locations: list[str], data: dict[str, object]) -> list[Fetch]:
    """The sitemaps an index names, one level deeper, within the caps."""
    depth = int(data.get("depth", 0)) + 1  # type: ignore[call-overload]
    if depth > MAX_DEPTH:
        return []
    return [Fetch(url=canonical_url(url), role="sitemap", data={**data, "depth": depth})
            for url in locations[:MAX_SITEMAPS]]


def posting_groups(
    locations: Iterable[str], listing_url: str, learned: Template | None,
) -> list[tuple[Template, list[str]]]:
    """Sitemap URLs that may be postings, grouped by URL shape, biggest group first.

    With a learned sitemap template: the URLs it matches, as one group. Else: same-site URLs
    under the careers path or with a job word in the path (not the listing, not section pages).
    """
    urls = [url for url in dict.fromkeys(canonical_url(loc) for loc in locations) if _wanted(url, listing_url)]
    if learned is not None:
        matched = [url for url in urls if learned.matches(url_shapes(url), "*")]
        return [(learned, matched)] if matched else []
    by_shape: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        for shape in url_shapes(url):
            by_shape[shape].append(url)
    ranked = sorted(by_shape.items(), key=lambda item: (-len(item[1]), item[0]))
    groups: list[tuple[Template, list[str]]] = []
    for shape, members in ranked:
        if any(set(members) <= set(kept) for _, kept in groups):
            continue
        if len(members) >= 2 or (len(members) == 1 and _has_job_word(members[0])):
            groups.append((Template(keys=((shape, "*"),), origin="sitemap"), members))
        if len(groups) >= 3:
            break
    return groups


def _wanted(url: str, listing_url: str) -> bool:
    parts, listing = urlsplit(url), urlsplit(listing_url)
    if url == canonical_url(listing_url) or not same_site(url, listing_url):
        return False
    segments = [s for s in parts.path.split("/") if s]
    if not segments or ASSET_EXTENSIONS.search(parts.path) or nav_word(segments[-1]):
        return False
    prefix = listing.path.rstrip("/").rsplit(".", 1)[0]
    return (bool(prefix) and parts.path.startswith(prefix + "/")) or _has_job_word(url)


def _has_job_word(url: str) -> bool:
    return any(job_word(segment) for segment in urlsplit(url).path.split("/")[:-1] if segment)
