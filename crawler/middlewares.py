"""Downloader middlewares: retries that honour the server's ``Retry-After``.

Scrapy's RetryMiddleware retries 429/503 at once (its only backoff is the scheduler
queue). A rate-limited ATS says how long to wait; retrying sooner just earns another
429. This subclass waits as told, capped by ``JOBTRAIL_MAX_RETRY_AFTER`` seconds, and
leaves every other decision (which codes, how many times, giving up) to Scrapy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

#: statuses whose Retry-After is a request to slow down (RFC 9110 §10.2.3, RFC 6585 §4)
RETRY_AFTER_STATUSES = frozenset({429, 503})


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that sleeps ``Retry-After`` (capped) before retrying 429 and 503."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_retry_after = max(0.0, settings.getfloat("JOBTRAIL_MAX_RETRY_AFTER"))

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        delay = self._delay(request, response)
        if delay is None:
            return super().process_response(request, response)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:  # out of retries: Scrapy already logged it
            return response
        if delay > 0:
            await sleep(delay)
        return retry

    def _delay(self, request: Request, response: Response) -> float | None:
        """Seconds to wait, when this response is a retryable 429/503 that says how long."""
        if request.meta.get("dont_retry") or response.status not in RETRY_AFTER_STATUSES:
            return None
        if response.status not in self.retry_http_codes:
            return None
        header = response.headers.get("Retry-After")
        seconds = retry_after_seconds(header.decode("latin-1") if header else None)
        return None if seconds is None else min(seconds, self.max_retry_after)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header as seconds from now: delta-seconds or an HTTP date; None if unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
