"""Run a crawl from Python (the CLI, `jobtrail run`, notebooks) and summarize it.

Scrapy's reactor runs once per process, so each call to ``crawl`` is one process's
crawl; the CLI is the usual caller. The summary is read back from ``crawl_runs``,
the same record cron users inspect later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from jobtrail.crawler import logs
from jobtrail.crawler.collector import freeze_startup, tune_for_crawl
from jobtrail.crawler import settings as default_settings
from jobtrail.crawler.rendering import use_browser
from jobtrail.crawler.sources.config import Config
from jobtrail.crawler.spiders.careers import CareersSpider
from jobtrail.storage import versioning
from jobtrail.storage.db import open_database


@dataclass(frozen=True)
class SourceResult:
    source: str
    status: str  # ok | failed | empty | blocked | suspect (docs/sources.md)
    new: int
    changed: int
    closed: int
    reopened: int
    unchanged: int
    pages: int
    error: str | None
    postings_seen: int = 0
    #: posting requests that got no answer (not seen, not missed), and the reasons
    unreachable: int = 0
    note: str | None = None
    #: pages heuristic discovery reached that were not postings (skipped, never a failure)
    skipped: int = 0


@dataclass(frozen=True)
class CrawlSummary:
    run_id: str
    sources: tuple[SourceResult, ...]

    @property
    def failed_sources(self) -> list[SourceResult]:
        return [s for s in self.sources if s.status != "ok"]

    @property
    def exit_code(self) -> int:
        """0 when every source crawled; 1 when any failed (cron mails on non-zero)."""
        return 1 if self.failed_sources else 0


#: Scrapy components that turn themselves off unless a setting is true, by where they are listed: left
#: out when it is false, so their modules are never imported (RemoteControl alone pulls in aiohttp,
#: a quarter of a second of a re-check that takes a few)
OFF_UNLESS_ENABLED = {
    "REMOTE_CONTROL_ENABLED": ("EXTENSIONS", "scrapy.extensions.remote_control.RemoteControl"),
    "TELNETCONSOLE_ENABLED": ("EXTENSIONS", "scrapy.extensions.telnet.TelnetConsole"),
    "COOKIES_ENABLED": ("DOWNLOADER_MIDDLEWARES", "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"),
}


def build_settings(config: Config, db_url: str, run_id: str, overrides: dict[str, object] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("JOBTRAIL_DB_URL", db_url, priority="cmdline")
    settings.set("JOBTRAIL_RUN_ID", run_id, priority="cmdline")
    chosen = {name.upper(): value for name, value in {**config.crawl, **(overrides or {})}.items()}
    for name, value in chosen.items():
        settings.set(name, value, priority="cmdline")
    if "USER_AGENT" not in chosen:  # site owners can reach whoever runs this monitor
        settings.set("USER_AGENT", default_settings.user_agent(settings.get("JOBTRAIL_CONTACT_URL")),
                     priority="cmdline")
    if any(source.render == "browser" for source in config.sources):
        use_browser(settings)
    for flag, (name, path) in OFF_UNLESS_ENABLED.items():
        # it would raise NotConfigured anyway, after being imported; taken out of the _BASE list,
        # because Scrapy imports every key of the EXTENSIONS/... dict itself, None or not
        base = settings.getdict(f"{name}_BASE")
        if not settings.getbool(flag) and path in base and path not in settings.getdict(name):
            del base[path]
            settings.set(f"{name}_BASE", base, priority=settings.getpriority(f"{name}_BASE") or 0)
    return settings


def crawl(
    config: Config, db_url: str, sources: list[str] | None = None, *, verbose: int = 0,
    overrides: dict[str, object] | None = None, progress: bool = False,
) -> CrawlSummary:
    """Crawl ``sources`` (default: all) into ``db_url``; returns per-source results.

    Logging is the CLI's (crawler/logs.py): quiet unless ``verbose``, plus ``LOG_FILE`` when
    set in ``[crawl]``; Scrapy installs no handler of its own, and dumps its stats only with
    ``-vv`` or into the log file. ``progress``: a live line on stderr (crawler/progress.py).
    """
    run_id = uuid.uuid4().hex
    tune_for_crawl()
    quiet = {"LOG_INSTALL_ROOT_HANDLER": False, "JOBTRAIL_PROGRESS": progress,
             "STATS_DUMP": verbose >= 2 or "LOG_FILE" in {key.upper() for key in config.crawl}}
    settings = build_settings(config, db_url, run_id, {**quiet, **(overrides or {})})
    logs.configure(verbose, log_file=settings.get("LOG_FILE"), file_level=settings.get("LOG_LEVEL"))
    process = AsyncCrawlerProcess(settings)
    process.crawl(CareersSpider, config=config, only=sources)
    freeze_startup()  # see crawler/collector.py
    process.start()
    if process.bootstrap_failed:
        raise CrawlError("the crawl could not start (see the error above)")
    return read_summary(db_url, run_id)


class CrawlError(RuntimeError):
    """The crawl as a whole could not run (not one source failing: that is in the summary)."""


def read_summary(db_url: str, run_id: str) -> CrawlSummary:
    engine, sessions = open_database(db_url, migrate=False)
    with sessions() as session:
        rows = versioning.runs_of(session, run_id)
    engine.dispose()
    results = tuple(
        SourceResult(
            source=name, status=run.status if run.status != "running" else "failed", new=run.new,
            changed=run.changed, closed=run.closed, reopened=run.reopened, unchanged=run.unchanged,
            pages=run.pages, error=run.error or (None if run.status != "running" else "crawl did not finish"),
            postings_seen=run.postings_seen, unreachable=run.unreachable, note=run.note,
            skipped=run.skipped,
        )
        for run, name in rows
    )
    return CrawlSummary(run_id=run_id, sources=results)
