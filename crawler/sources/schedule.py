"""When each source is due: `every = "6h"` per source, a default in [crawl], and jitter.

`jobtrail run` (cron every 15 minutes, say) crawls only the sources whose time has come;
`jobtrail run --all` and `jobtrail crawl` crawl every source. A source is due ``every``
after its latest crawl *started*, minus its jitter: a fixed share (from a hash of its name)
of JITTER_SHARE of ``every`` or of MAX_JITTER, whichever is less. Sources added together, and so
crawled together, drift apart instead of hitting their sites in the same second each cycle;
the jitter is stable, so a source's rhythm stays regular. Pure functions: the caller passes
the latest crawl times (storage.sources.last_started).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta

from jobtrail.crawler.sources.config import Config, SourceConfig

#: share of ``every`` a source may run early (spreads sources that were crawled together)
JITTER_SHARE = 0.1
#: ... but never more than this
MAX_JITTER = timedelta(minutes=30)
#: a source this close to due counts as due, so a cron tick a few seconds early does not skip a cycle
SLACK = timedelta(seconds=90)


def jitter(name: str, every: float) -> timedelta:
    """How early this source may run: stable per name, between 0 and JITTER_SHARE of ``every``."""
    share = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big") / 2**32
    return min(timedelta(seconds=every * JITTER_SHARE), MAX_JITTER) * share


def next_due(source: SourceConfig, config: Config, last: datetime | None) -> datetime | None:
    """When `jobtrail run` crawls this source next; None when that is any run (never crawled, no schedule)."""
    every = config.every_for(source)
    if every is None or last is None:
        return None
    return last + timedelta(seconds=every) - jitter(source.name, every)


def is_due(source: SourceConfig, config: Config, last: datetime | None, now: datetime) -> bool:
    due = next_due(source, config, last)
    return due is None or due - SLACK <= now


def due_sources(config: Config, last_started: Mapping[str, datetime], now: datetime) -> list[str]:
    """Names of the configured sources due at ``now``, in config order."""
    return [s.name for s in config.sources if is_due(s, config, last_started.get(s.name), now)]


def describe_every(seconds: float | None) -> str:
    """'6h', '1d', '30m' for tables; 'every run' without a schedule."""
    if seconds is None:
        return "every run"
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"
