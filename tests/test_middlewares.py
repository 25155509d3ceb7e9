"""Retry-After on 429/503: parsed, capped, and handed to Scrapy's own retry logic.

Real Scrapy objects (a crawler from settings, Request, Response); the middleware's
sleep runs on a real asyncio loop with a tiny cap, so nothing here waits long.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from jobtrail.crawler import settings as jobtrail_settings
from jobtrail.crawler.middlewares import RetryAfterMiddleware, retry_after_seconds

#: jobtrail's settings module, where every default lives (the middleware has no fallbacks)
PROJECT = {name: getattr(jobtrail_settings, name) for name in dir(jobtrail_settings) if name.isupper()}


def middleware(**settings: object) -> RetryAfterMiddleware:
    crawler = get_crawler(Spider, {**PROJECT, "RETRY_TIMES": 2, "RETRY_HTTP_CODES": [429, 503, 500], **settings})
    crawler.spider = Spider.from_crawler(crawler, name="test")
    return RetryAfterMiddleware.from_crawler(crawler)


def respond(mw: RetryAfterMiddleware, status: int, retry_after: str | None = None,
            request: Request | None = None) -> Request | Response:
    request = request or Request("https://api.example.com/v1/jobs")
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return asyncio.run(mw.process_response(request, Response(request.url, status=status, headers=headers)))


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (" 7 ", 7.0), ("Wed, 01 May 2024 12:01:00 GMT", 60.0), ("Wed, 01 May 2024 11:00:00 GMT", 0.0),
     ("soon", None), ("", None), (None, None), ("-5", None)],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(value, now) == seconds


def test_delay_is_capped_by_the_setting() -> None:
    mw = middleware(JOBTRAIL_MAX_RETRY_AFTER=30)
    request = Request("https://api.example.com/v1/jobs")
    assert mw._delay(request, Response(request.url, status=429, headers={"Retry-After": "3600"})) == 30
    assert mw._delay(request, Response(request.url, status=503, headers={"Retry-After": "5"})) == 5
    assert mw._delay(request, Response(request.url, status=500, headers={"Retry-After": "5"})) is None
    assert mw._delay(Request(request.url, meta={"dont_retry": True}),
                     Response(request.url, status=429, headers={"Retry-After": "5"})) is None
    assert middleware()._delay(request, Response(request.url, status=429, headers={"Retry-After": "999"})) == 60


def test_429_with_retry_after_is_retried_after_waiting() -> None:
    mw = middleware(JOBTRAIL_MAX_RETRY_AFTER=0.01)
    retry = respond(mw, 429, "120")
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1 and retry.dont_filter


def test_gives_up_after_retry_times_and_returns_the_response() -> None:
    mw = middleware(JOBTRAIL_MAX_RETRY_AFTER=0)
    request = Request("https://api.example.com/v1/jobs", meta={"retry_times": 2})
    result = respond(mw, 429, "1", request=request)
    assert isinstance(result, Response) and result.status == 429


def test_other_responses_follow_scrapy_retry_rules() -> None:
    mw = middleware()
    assert isinstance(respond(mw, 503), Request), "503 without Retry-After: Scrapy's usual retry"
    assert isinstance(respond(mw, 404, "5"), Response), "404 is never retried"
    assert respond(mw, 200).status == 200
