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

from jobtrail.crawler.items import CONTENT_FIELDS, LIST_FIELDS, TEXT_LIST_FIELDS, Posting, RelatedJob
from jobtrail.crawler.urls import canonical_url

VOLATILE_TEXT = re.compile(
    r"(\b(posted|updated|published)\s+(\d+\+?|an?|one)\s+(minute|hour|day|week|month)s?\s+ago\b\.?"
    r"|\b(posted|updated)\s+(today|yesterday)\b\.?"
    r"|\b(over\s+)?\d[\d,]*\+?\s+(applicants|applications|candidates applied|people applied)\b\.?"
    r"|\bbe among the first \d+ applicants\b\.?)",
    re.I,
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def fold(text: str | None) -> str | None:
    """One space between words; None for empty."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    text = " ".join(_SPACES.sub(" ", text).split())
    return text or None


def fold_paragraphs(text: str | None) -> str | None:
    """Like fold, but keep paragraph breaks (blank lines) and drop volatile phrases."""
    if not text:
        return None
    paragraphs = [fold(VOLATILE_TEXT.sub("", p)) for p in re.split(r"\n\s*\n", text)]
    kept = [p for p in paragraphs if p]
    return "\n\n".join(kept) or None


def clean_list(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        text = fold(VOLATILE_TEXT.sub("", item) if item else item)
        if text:
            seen.setdefault(text)
    return list(seen)


def normalize_posting(posting: Posting) -> Posting:
    """A normalized copy: the form that is hashed, stored and diffed."""
    values: dict[str, Any] = {f.name: getattr(posting, f.name) for f in fields(Posting)}
    for name in ("title", "company", "department", "employment_type", "workplace", "date_posted", "valid_through"):
        values[name] = fold(values[name])
    values["title"] = values["title"] or ""
    if values["workplace"]:
        values["workplace"] = values["workplace"].lower()
    values["url"] = canonical_url(posting.url)
    values["description"] = fold_paragraphs(posting.description)
    values["locations"] = clean_list(posting.locations)
    for name in LIST_FIELDS:
        values[name] = clean_list(values[name])
    related: dict[str, RelatedJob] = {}
    for job in posting.related_jobs:
        url, title = canonical_url(job.url), fold(job.title)
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


class NormalizePipeline:
    """Scrapy stage 1: clean every posting in place of the raw one."""

    def process_item(self, item: Any) -> Any:
        return normalize_posting(item) if isinstance(item, Posting) else item
