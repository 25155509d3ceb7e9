"""Baseline (a) of benchmarks/crawl.py: plain Scrapy over the same pages, title only.

    python benchmarks/bare_spider.py URLS_FILE CONCURRENCY

Fetches each listing in URLS_FILE, follows its /jobs/ links and takes the <h1> of each
posting with Scrapy's own selectors. Nothing is stored; it prints the number of titles.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.titles = 0

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, callback=self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        for href in response.css("a::attr(href)").getall():
            if "/jobs/" in href:
                yield response.follow(href, callback=self.parse_posting)

    def parse_posting(self, response: Response) -> Iterator[dict[str, str | None]]:
        self.titles += 1
        yield {"title": response.css("h1::text").get()}


def main() -> None:
    urls = open(sys.argv[1], encoding="utf-8").read().split()
    concurrency = int(sys.argv[2])
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING", "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False, "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    print(f"titles: {crawler.spider.titles}")


if __name__ == "__main__":
    main()
