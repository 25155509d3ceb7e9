"""The Scrapy settings a crawl runs with (crawler/runner.py build_settings).

Components that would only turn themselves off are left out of the lists, so a crawl never
imports them (Scrapy imports every listed component before asking it); turned on in
[crawl], they are listed and run as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.utils.conf import build_component_list

from jobtrail.crawler.runner import build_settings
from jobtrail.crawler.sources import parse_config

REMOTE = "scrapy.extensions.remote_control.RemoteControl"
TELNET = "scrapy.extensions.telnet.TelnetConsole"
COOKIES = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
SOURCE = {"name": "acme", "url": "https://acme.example/careers", "kind": "page"}


def components(crawl: dict[str, Any], tmp_path: Path) -> tuple[list[str], list[str]]:
    config = parse_config({"crawl": crawl, "sources": [SOURCE]}, tmp_path / "jobtrail.toml")
    settings = build_settings(config, "sqlite://", "run")
    listed = [
        build_component_list(settings.get_component_priority_dict_with_base(name))
        for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES")
    ]
    return listed[0], listed[1]


def test_components_that_are_off_are_not_listed(tmp_path: Path) -> None:
    extensions, middlewares = components({}, tmp_path)
    assert REMOTE not in extensions and TELNET not in extensions
    assert COOKIES not in middlewares
    assert "scrapy.extensions.corestats.CoreStats" in extensions  # the others stay
    assert "jobtrail.crawler.progress.CrawlProgress" in extensions
    assert "jobtrail.crawler.middlewares.RetryAfterMiddleware" in middlewares


def test_a_component_turned_on_in_crawl_is_listed(tmp_path: Path) -> None:
    extensions, middlewares = components({"cookies_enabled": True, "telnetconsole_enabled": True}, tmp_path)
    assert COOKIES in middlewares
    assert TELNET in extensions
    assert REMOTE not in extensions
