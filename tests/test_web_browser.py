"""`jobtrail serve` in a real headless Chromium (Debian's /usr/bin/chromium via Playwright).

The database comes from three real crawls of the Fernhill site, plus one posting stored
with javascript:/data: links. A reader opens the changes, clicks into a posting, compares
two versions, searches, opens a feed; nothing scraped ever runs as code. Screenshots of
every page at desktop and phone widths go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from playwright.sync_api import Page, sync_playwright

from jobtrail.storage.db import open_database, transaction
from tests.conftest import IN_CI
from tests.factories import add_posting, add_source
from tests.fernhill_site import copy_database
from tests.web_helpers import serving

CHROMIUM = os.environ.get("JOBTRAIL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, fernhill_sqlite: tuple[Path, Path]) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/browser.sh does it)"
        (pytest.fail if IN_CI else pytest.skip)(reason)
    tmp = tmp_path_factory.mktemp("browser")
    config, crawled = fernhill_sqlite  # the session's three crawls (tests/conftest.py), copied
    copy_database(crawled, tmp / "jobtrail.db")
    db_url = f"sqlite:///{tmp / 'jobtrail.db'}"
    _add_wildcard(db_url)
    with serving(config, db_url) as url:
        yield url


def _add_wildcard(db_url: str) -> None:
    """A posting whose stored links are javascript:/data: (the crawler drops such links; the web must too)."""
    engine, sessions = open_database(db_url)
    with transaction(sessions) as session:
        source = add_source(session, "wildcard", "Wildcard Ltd")
        add_posting(session, source, [{
            "url": "javascript:alert('url')", "title": "Wildcard <b onmouseover=alert(1)>Role</b>",
            "company": "Wildcard Ltd", "requirements": ["<a href=\"javascript:alert('req')\">click</a>"],
            "related_jobs": [{"title": "Click me", "url": "javascript:alert('job')"},
                             {"title": "Data", "url": "data:text/html,<script>alert(2)</script>"},
                             {"title": "Real one", "url": "https://wildcard.example.com/jobs/2"}],
        }], external_id="wild")
    engine.dispose()


class Watch:
    """Everything a page might do that a reader should never see: dialogs, errors, CSP reports."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def assert_quiet(self) -> None:
        assert self.dialogs == [], f"a scraped string ran as code: {self.dialogs}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(viewport=WIDTHS["desktop"])
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    watch = Watch(tab)
    yield tab, watch
    context.close()
    watch.assert_quiet()


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots at each width into tests/artifacts/NAME-WIDTH.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(WIDTHS["desktop"])


def test_read_changes_click_into_a_posting_and_compare(base: str, page: tuple[Page, Watch]) -> None:
    tab, _ = page
    tab.goto(f"{base}/changes")
    assert tab.locator("article.change").count() == 6  # 5 from the crawls, 1 stored by hand
    shoot(tab, "changes")

    tab.locator("a.title", has_text="Telescope Control Software Engineer").first.click()
    tab.wait_for_url(re.compile(r"/postings/\d+$"))
    assert tab.locator(".status .badge").inner_text() == "open"
    assert tab.locator(".timeline li.event").count() == 2
    shoot(tab, "posting")

    tab.select_option("select[name=a]", "1")
    tab.select_option("select[name=b]", "2")
    tab.get_by_role("button", name="Compare").click()
    tab.wait_for_url(re.compile(r"/compare\?a=1&b=2$"))
    row = tab.locator("table.compare tr", has=tab.locator("th", has_text="Requirements"))
    assert row.locator("td").nth(0).locator("del").all_inner_texts() == ["C", "A degree in physics or computer science"]
    assert row.locator("td").nth(1).locator("ins").all_inner_texts() == [
        "C, Rust", "Willingness to work two night shifts a month"]
    assert tab.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    shoot(tab, "compare")


def test_search_from_the_form(base: str, page: tuple[Page, Watch]) -> None:
    tab, _ = page
    tab.goto(f"{base}/search")
    tab.fill("input[name=q]", "degree")
    tab.select_option("select[name=change]", "removed")
    tab.get_by_role("button", name="Search").click()
    tab.wait_for_url(re.compile(r"/search\?q=degree"))
    hits = tab.locator("article.hit")
    assert hits.count() == 1
    assert "gone since v2" in hits.first.inner_text()
    shoot(tab, "search")


def test_sources_and_a_feed(base: str, page: tuple[Page, Watch]) -> None:
    tab, _ = page
    tab.goto(f"{base}/sources")
    assert "failed" in tab.locator("tr", has_text="brokenlink").inner_text()
    shoot(tab, "sources")
    tab.goto(f"{base}/changes?source=fernhill")
    href = tab.locator("link[rel=alternate]").get_attribute("href")
    response = tab.goto(base + href)
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert not feed.bozo and len(feed.entries) == 5
    assert any("<ins" in entry.content[0].value for entry in feed.entries)


def test_scraped_script_shows_as_text_and_runs_nothing(base: str, page: tuple[Page, Watch]) -> None:
    tab, watch = page
    tab.goto(f"{base}/changes?company=Fernhill+Observatory&kind=new")
    tab.locator("a.title", has_text="Night Operator").click()
    tab.wait_for_url(re.compile(r"/postings/\d+$"))
    assert tab.locator("h1").inner_text() == '<script>alert("title")</script> Night Operator'
    assert tab.get_by_text('<img src=x onerror=alert("requirement")> steady hands at 3 a.m.').count() == 1
    assert tab.evaluate("document.scripts.length") == 0
    assert tab.evaluate("document.images.length") == 0
    shoot(tab, "xss")

    tab.goto(f"{base}/changes?source=wildcard")
    tab.locator("a.title").first.click()
    tab.wait_for_url(re.compile(r"/postings/\d+$"))
    hrefs = tab.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith(("/", "http://", "https://")) for h in hrefs), hrefs
    assert "https://wildcard.example.com/jobs/2" in hrefs
    assert tab.get_by_text("Click me").count() == 1, "an unsafe link keeps its title, as text"
    for link in tab.locator("a[href]").all():  # clicking anything on the page runs no code
        if link.get_attribute("href", timeout=WAIT_MS).startswith("/"):
            continue
        link.click(modifiers=["Shift"], timeout=WAIT_MS, trial=True)
    watch.assert_quiet()
