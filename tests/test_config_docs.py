"""Point 10: every key jobtrail.toml accepts is documented in docs/config.md (max_pages was not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrail.crawler import settings
from jobtrail.crawler.sources import config
from jobtrail.pipelines.alerts.config import NOTIFY_KEYS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "config.md").read_text(encoding="utf-8")

KEYS = sorted(
    {f"top-level {k}" for k in config.TOP_LEVEL_KEYS}
    | {f"[[sources]] {k}" for k in config.SOURCE_KEYS}
    | {f"selectors {k}" for k in config.SELECTOR_KEYS}
    | {f"filter field {k}" for k in config.FILTER_FIELDS}
    | {f"[[notify]] {k}" for k in NOTIFY_KEYS}
    | {"[database] url", "[crawl] every"}
    | {f"setting {name}" for name in dir(settings) if name.startswith("JOBTRAIL_")}
)


@pytest.mark.parametrize("key", KEYS)
def test_key_is_documented(key: str) -> None:
    name = key.rsplit(" ", 1)[1]
    assert f"`{name}`" in DOC, f"{key} is accepted by the loader but not documented in docs/config.md"
