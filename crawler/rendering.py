"""Script-rendered pages: fetched through headless Chromium (scrapy-playwright) for sources
with ``render = "browser"``.

The browser is the system's (Debian's ``chromium`` package at JOBTRAIL_BROWSER_PATH): Playwright
is pointed at that executable and never downloads a browser of its own. The download handlers
are switched only when a crawled source renders, so other crawls never start a browser; even
then, scrapy-playwright sends requests without ``meta["playwright"]`` through plain HTTP.
"""

from __future__ import annotations

import os
from typing import Any

from scrapy.settings import Settings

BROWSER_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


def browser_meta() -> dict[str, Any]:
    """Request meta for a rendered page: wait until the page's own requests are done."""
    return {"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "networkidle"}}


def use_browser(settings: Settings) -> None:
    """Route requests marked for the browser through scrapy-playwright and the system Chromium."""
    handlers = {"http": BROWSER_HANDLER, "https": BROWSER_HANDLER}
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="cmdline")
    launch = {
        "executable_path": settings.get("JOBTRAIL_BROWSER_PATH"),
        "headless": True,
        "args": list(settings.getlist("JOBTRAIL_BROWSER_ARGS")),
    }
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="cmdline")
    settings.set("PLAYWRIGHT_MAX_CONTEXTS", settings.getint("JOBTRAIL_BROWSER_CONTEXTS"), priority="cmdline")
    settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", settings.getint("JOBTRAIL_BROWSER_PAGES"), priority="cmdline")


def browser_missing(settings: Settings) -> str | None:
    """Why rendering cannot work here (one line), or None."""
    path = settings.get("JOBTRAIL_BROWSER_PATH")
    if not path or not os.access(path, os.X_OK):
        return (f"render = \"browser\" needs Chromium at {path!r} (Debian: apt-get install chromium; "
                "or set JOBTRAIL_BROWSER_PATH)")
    return None
