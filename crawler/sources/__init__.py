"""The sources stage: what to crawl and with which kind.

``config`` is the jobtrail.toml model (it imports nothing else of the project),
``registry`` maps kind keys to extractor modules, ``detect`` finds the ATS behind a URL
or a careers page, ``onboard`` is ``jobtrail add``. ``load_config``/``parse_config`` here
are the config readers with the registered kinds checked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jobtrail.crawler.settings import JOBTRAIL_CONFIG
from jobtrail.crawler.sources import config as _config
from jobtrail.crawler.sources.config import Config, ConfigError, SourceConfig, resolve_db_url
from jobtrail.crawler.sources.registry import get_kind, known_kinds, resolve_kind

__all__ = [
    "Config", "ConfigError", "SourceConfig", "get_kind", "known_kinds", "load_config", "parse_config",
    "resolve_db_url", "resolve_kind",
]


def load_config(path: str | Path = JOBTRAIL_CONFIG, *, required: bool = True) -> Config:
    """Read and validate a config file, kinds and [crawl] settings included; a missing optional file is
    an empty config."""
    return _config.load_config(path, required=required, kinds=known_kinds(), settings=known_settings())


def parse_config(raw: dict[str, Any], path: Path | None) -> Config:
    """Validate a parsed TOML document, kinds and [crawl] settings included."""
    return _config.parse_config(raw, path, kinds=known_kinds(), settings=known_settings())


@cache
def known_settings() -> dict[str, Any]:
    """Every setting [crawl] may set, with its default: Scrapy's and jobtrail's (crawler/settings.py)."""
    from scrapy.settings import default_settings as scrapy_defaults  # here: `jobtrail --help` needs no Scrapy

    from jobtrail.crawler import settings as jobtrail_settings

    known = {name: getattr(scrapy_defaults, name) for name in dir(scrapy_defaults) if name.isupper()}
    known.update({name: getattr(jobtrail_settings, name) for name in dir(jobtrail_settings) if name.isupper()})
    return known
