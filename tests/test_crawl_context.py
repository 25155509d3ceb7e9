"""The spider and the pipelines share one CrawlContext on the crawler, not spider attributes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from jobtrail.crawler import settings as default_settings
from jobtrail.crawler.context import CrawlContext, crawl_context
from jobtrail.crawler.sources.config import Config, SourceConfig
from jobtrail.crawler.spiders.careers import CareersSpider

ROOT = Path(__file__).resolve().parents[1]


def config() -> Config:
    return Config(path=Path("jobtrail.toml"), database_url="sqlite://", sources=(
        SourceConfig(name="kelpworks", url="https://kelpworks.example/jobs", kind="page"),
        SourceConfig(name="oddkind", url="https://oddkind.example/", kind="no-such-kind"),
    ))


def crawler() -> Crawler:
    return Crawler(CareersSpider, Settings(vars(default_settings)))


def test_spider_attaches_one_context_that_pipelines_read() -> None:
    made = crawler()
    spider = CareersSpider.from_crawler(made, config=config())
    context = crawl_context(made)
    assert context is spider.context
    assert set(context.progress) == {"kelpworks", "oddkind"}
    assert context.progress["kelpworks"].ok
    assert not context.progress["oddkind"].ok  # a kind that cannot load fails that source alone


def test_only_selects_sources_and_names_the_missing_one() -> None:
    made = crawler()
    CareersSpider.from_crawler(made, config=config(), only=["kelpworks"])
    assert list(crawl_context(made).progress) == ["kelpworks"]
    with pytest.raises(ValueError, match="no source named nowhere"):
        CareersSpider.from_crawler(crawler(), config=config(), only=["nowhere"])


def test_a_crawler_without_context_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="careers spider only"):
        crawl_context(crawler())


def test_a_context_is_attached_once() -> None:
    made = crawler()
    CrawlContext(config(), {}).attach(made)
    with pytest.raises(RuntimeError, match="already"):
        CrawlContext(config(), {}).attach(made)


def test_pipelines_never_touch_the_spider_object() -> None:
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "pipelines").rglob("*.py")
        if re.search(r"\bspider\.\w+|crawler\.spider\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
