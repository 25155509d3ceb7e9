"""What became of every posting request of one source in one crawl.

A crawl may only count a posting missing when it asked for it and got an answer. Scrapy
drops some requests without calling any errback (the duplicate filter eats the second hop
of a redirect loop), others end in an error, a robots.txt refusal or an off-site login
page. Each such posting is *not seen, not missed*: its URL is excused from the misses of
this crawl, and the summary says how many were unreachable and why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from jobtrail.crawler.urls import canonical_url

#: roles of requests that each stand for one posting (page kind's posting pages, the links discovery
#: probes or takes, ATS details)
POSTING_ROLES = frozenset({"posting", "candidate", "probe", "detail"})
#: roles whose URL is the posting's own URL (so a stored posting can be matched by URL)
URL_IS_POSTING = frozenset({"posting", "candidate", "probe"})


@dataclass
class Fates:
    """Per source: posting requests answered, and those lost with the reason."""

    reached: set[str] = field(default_factory=set)
    lost: dict[str, tuple[str, str]] = field(default_factory=dict)  # url -> (role, reason)
    #: walls met on posting pages (a wall on a listing blocks the whole source instead)
    walls: list[str] = field(default_factory=list)

    def reach(self, url: str) -> None:
        self.reached.add(url)

    def lose(self, url: str, role: str, reason: str) -> None:
        self.lost.setdefault(url, (role, reason))

    def unreachable(self) -> dict[str, tuple[str, str]]:
        """Lost and never answered by another request for the same URL."""
        return {url: fate for url, fate in self.lost.items() if url not in self.reached}

    def excused_urls(self) -> set[str]:
        """Stored postings with these URLs count as neither seen nor missed."""
        return {canonical_url(url) for url, (role, _) in self.unreachable().items() if role in URL_IS_POSTING}

    @property
    def excuse_all(self) -> bool:
        """A lost API detail request names no posting URL: then no posting may count missing."""
        return any(role not in URL_IS_POSTING for role, _ in self.unreachable().values())

    @property
    def all_walled(self) -> bool:
        """Every posting page met was a wall: the source is blocked, not merely short of a few."""
        return bool(self.walls) and not self.reached

    def summary(self) -> str | None:
        """'3 postings unreachable: redirect loop (2), robots.txt forbids it (1)'; None when none."""
        lost = self.unreachable()
        if not lost:
            return None
        reasons = Counter(reason for _, reason in lost.values())
        parts = ", ".join(f"{reason} ({count})" for reason, count in reasons.most_common())
        noun = "posting" if len(lost) == 1 else "postings"
        return f"{len(lost)} {noun} unreachable, not counted missing: {parts}"
