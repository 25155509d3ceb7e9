"""Redis-backed Scrapy scheduling for one crawl, through scrapy-redis.

With ``jobtrail crawl --redis URL`` the request queue and the duplicate filter of that crawl
live in Redis. This does not spread a crawl over machines: sharing requests between
processes that each judge sources alone closes postings falsely. Several machines run
`jobtrail worker` instead (crawler/worker.py: a source is the unit of work, under a lease).
"""

from __future__ import annotations

from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter

from jobtrail.crawler.fingerprint import with_source
from jobtrail.crawler.sources.config import ConfigError

QUEUE_KEY = "jobtrail:%(spider)s:requests"
DUPEFILTER_KEY = "jobtrail:%(spider)s:dupefilter"


def redis_settings(redis_url: str) -> dict[str, object]:
    """Scrapy settings that switch the scheduler to scrapy-redis for ``redis_url``."""
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"--redis must be a redis:// URL, got {redis_url.split('@')[-1]!r}")
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "jobtrail.crawler.distributed.SourceAwareRedisDupeFilter",
        "REDIS_URL": redis_url,
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        # cleared when the crawl ends, so tomorrow's run fetches every page again
        "SCHEDULER_PERSIST": False,
    }


class SourceAwareRedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's filter, with the source in the fingerprint (see crawler/fingerprint.py)."""

    def request_fingerprint(self, request: Request) -> str:
        return with_source(super().request_fingerprint(request).encode("ascii"), request).hex()
