"""Atom and RSS 2.0 feeds of changes, built by feedgen; each entry carries the readable diff.

An entry's HTML is the digest's instant message for that one change (pipelines.alerts.render:
escaped, inline styles, <ins>/<del> word diffs, http(s)-only links), so a feed reader shows
what the e-mail shows. Scraped text may hold characters XML forbids (control bytes); they
are dropped here rather than failing the whole feed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from jobtrail.pipelines.alerts.render import diff_sections, render_instant
from jobtrail.storage.digest_data import ChangeView, PostingView
from jobtrail.storage.records import ChangeRecord

FORMATS = {"atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8"}
#: characters XML 1.0 does not allow (C0 controls but tab/newline/return, lone surrogates, U+FFFE/FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def entry_title(change: ChangeRecord) -> str:
    """"[changed] Platform Engineer — Acme (requirements, related jobs)"."""
    fields = ", ".join(section.label.lower() for section in diff_sections(change.fields))
    company = f" \u2014 {change.company}" if change.company else ""
    return xml_text(f"[{change.kind}] {change.title}{company}" + (f" ({fields})" if fields else ""))


def entry_html(change: ChangeRecord, requirements: Sequence[str] = ()) -> str:
    """The change as the digest renders one posting (``requirements``: shown for a new posting)."""
    view = PostingView(
        posting_id=change.posting_id, source=change.source, company=change.company or change.source,
        title=change.title, url=change.url, locations=[],
        changes=[ChangeView(change.change_id, change.kind, change.at, dict(change.fields), list(requirements))],
    )
    return xml_text(render_instant(view).html)


def build_feed(
    changes: Sequence[ChangeRecord], *, fmt: str, title: str, self_url: str, page_url: str, base_url: str,
    requirements: dict[int, list[str]] | None = None,
) -> bytes:
    """The feed document: ``changes`` newest first; ``base_url`` makes entry links absolute."""
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(xml_text(title))
    feed.author({"name": "jobtrail"})
    feed.link(href=self_url, rel="self")
    feed.link(href=page_url, rel="alternate")  # last: feedgen makes it RSS's channel <link>
    feed.description(xml_text(title))  # RSS requires one
    feed.language("en")
    feed.generator("jobtrail")
    feed.updated(changes[0].at if changes else _EPOCH)
    for change in reversed(changes):  # feedgen prepends: the newest ends up first
        entry = feed.add_entry()
        link = f"{base_url}/postings/{change.posting_id}#change-{change.change_id}"
        entry.id(link)
        entry.guid(link, permalink=True)
        entry.title(entry_title(change))
        entry.link(href=link, rel="alternate")
        entry.updated(change.at)
        entry.published(change.at)
        entry.content(entry_html(change, (requirements or {}).get(change.change_id, ())), type="html")
    return feed.atom_str(pretty=True) if fmt == "atom" else feed.rss_str(pretty=True)
