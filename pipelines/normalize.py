"""Normalize a posting so that only what a reader sees decides whether it changed.

Whitespace is folded, URLs canonicalized (jobtrail.crawler.urls: the same function the
extractors use, so identity and stored url agree), volatile text ("posted 3 days
ago", "120 applicants") removed, list bullets de-duplicated. ``content_hash`` is taken
over the result, so a page that only re-renders produces no new version.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import fields
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from jobtrail.crawler.context import crawl_context
from jobtrail.crawler.items import CONTENT_FIELDS, LIST_FIELDS, TEXT_LIST_FIELDS, Posting, RelatedJob
from jobtrail.crawler.sources.config import Filters
from jobtrail.crawler.urls import canonical_url

VOLATILE_TEXT = re.compile(
    r"(\b(posted|updated|published)\s+(\d+\+?|an?|one)\s+(minute|hour|day|week|month)s?\s+ago\b\.?"
    r"|\b(posted|updated)\s+(today|yesterday)\b\.?"
    r"|\b(over\s+)?\d[\d,]*\+?\s+(applicants|applications|candidates applied|people applied)\b\.?"
    r"|\bbe among the first \d+ applicants\b\.?)",
    re.I,
)
#: every VOLATILE_TEXT match holds one of these words (lower-cased): text without them skips the
#: search, which costs ~10 us an item (case-insensitive, \b-led alternatives: no fast path)
_VOLATILE_WORDS = ("posted", "updated", "published", "appli")
#: what IGNORECASE matches to those words' letters that lower() does not turn into them
#: ("ı" and "ſ" stay, "İ" becomes "i" + U+0307): text holding one is searched anyway
_CASE_ODDITIES = ("ı", "ſ", "\u0307")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean_text(text: str | None) -> str | None:
    """NFC, soft hyphens dropped, one space between words (NBSP, zero-width space too); None for empty."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    if "\u200b" in text:  # the one character of _SPACES that split() does not split on
        text = _SPACES.sub(" ", text)
    text = " ".join(text.split())
    return text or None


def drop_volatile(text: str) -> str:
    """``text`` without its volatile phrases ("posted 3 days ago", "120 applicants")."""
    lowered = text.lower()
    if any(word in lowered for word in _VOLATILE_WORDS) or (
            not lowered.isascii() and any(odd in lowered for odd in _CASE_ODDITIES)):
        return VOLATILE_TEXT.sub("", text)
    return text


def clean_paragraphs(text: str | None) -> str | None:
    """Like clean_text, but keep paragraph breaks (blank lines) and drop volatile phrases."""
    if not text:
        return None
    paragraphs = [clean_text(drop_volatile(p)) for p in re.split(r"\n\s*\n", text)]
    kept = [p for p in paragraphs if p]
    return "\n\n".join(kept) or None


def clean_list(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        text = clean_text(drop_volatile(item) if item else item)
        if text:
            seen.setdefault(text)
    return list(seen)


def normalize_posting(posting: Posting) -> Posting:
    """A normalized copy: the form that is hashed, stored and diffed."""
    values: dict[str, Any] = {f.name: getattr(posting, f.name) for f in fields(Posting)}
    for name in ("title", "company", "department", "employment_type", "workplace", "date_posted", "valid_through"):
        values[name] = clean_text(values[name])
    values["title"] = values["title"] or ""
    if values["workplace"]:
        values["workplace"] = values["workplace"].lower()
    values["url"] = canonical_url(posting.url)
    values["description"] = clean_paragraphs(posting.description)
    values["locations"] = clean_list(posting.locations)
    for name in LIST_FIELDS:
        values[name] = clean_list(values[name])
    related: dict[str, RelatedJob] = {}
    for job in posting.related_jobs:
        url, title = canonical_url(job.url), clean_text(job.title)
        if title and url not in related:
            related[url] = RelatedJob(title=title, url=url)
    values["related_jobs"] = list(related.values())
    return Posting(**values)


def content_record(posting: Posting) -> dict[str, Any]:
    """The fields that count as content, JSON-ready (what versions store)."""
    data = posting.to_dict()
    return {name: data[name] for name in CONTENT_FIELDS}


def content_hash(record: dict[str, Any]) -> str:
    """Stable hash of content; list order does not matter (reordering is not a change)."""
    canonical = dict(record)
    for name in TEXT_LIST_FIELDS:
        canonical[name] = sorted(canonical.get(name) or [])
    canonical["related_jobs"] = sorted((j["url"], j["title"]) for j in canonical.get("related_jobs") or [])
    payload = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def strip_ignored(posting: Posting, patterns: tuple[re.Pattern[str], ...]) -> Posting:
    """The posting without the source's ``ignore`` boilerplate (so it neither shows nor changes the hash)."""
    if not patterns:
        return posting

    def cut(text: str | None) -> str | None:
        if not text:
            return text
        for pattern in patterns:
            text = pattern.sub(" ", text)
        return text

    values: dict[str, Any] = {f.name: getattr(posting, f.name) for f in fields(Posting)}
    values["description"] = cut(posting.description)
    for name in LIST_FIELDS:
        values[name] = [cut(item) for item in values[name]]
    return Posting(**values)


def kept(posting: Posting, filters: Filters) -> bool:
    """Does the posting pass the source's include/exclude rules (title, location, department)?"""
    texts = {"title": [posting.title or ""], "location": list(posting.locations) or [""],
             "department": [posting.department or ""]}
    for name, patterns in filters.include.items():
        if not any(p.search(text) for p in patterns for text in texts[name]):
            return False
    return not any(
        p.search(text) for name, patterns in filters.exclude.items() for p in patterns for text in texts[name]
    )


def normalize_for(posting: Posting, filters: Filters | None) -> Posting | None:
    """Normalized, boilerplate cut; None when the source's filters leave it out."""
    if not filters:
        return normalize_posting(posting)
    normalized = normalize_posting(strip_ignored(posting, filters.ignore))
    return normalized if kept(normalized, filters) else None


class NormalizePipeline:
    """Scrapy stage 1: clean every posting in place of the raw one; drop what a source filters out."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.filters: dict[str, Filters] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.crawler is None:  # used on its own (tests, scripts): no source filters
            return
        config = crawl_context(self.crawler).config
        self.filters = {s.name: s.filters for s in config.sources if s.filters}

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Posting):
            return item
        normalized = normalize_for(item, self.filters.get(item.source))
        if normalized is None:  # never stored: the operator asked not to watch it
            raise DropItem(f"filtered out by source {item.source!r}: {item.title!r}", log_level="DEBUG")
        return normalized
