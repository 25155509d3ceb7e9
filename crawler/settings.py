"""Scrapy settings for jobtrail, and every JOBTRAIL_* default, in one place.

Components read these through ``crawler.settings`` in ``from_crawler``; nothing reads
them at import time. Override per run with ``-s NAME=value`` (scrapy) or the CLI.
No other module repeats a default as a fallback literal (``settings.getint("X", 2)``):
tests/test_architecture.py checks.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version


def package_version() -> str:
    """The installed jobtrail version ("dev" in a source tree that was never installed)."""
    try:
        return _distribution_version("jobtrail")
    except PackageNotFoundError:
        return "dev"


def user_agent(contact_url: str) -> str:
    """The one User-Agent jobtrail sends: its real version and a contact URL for site owners."""
    return f"jobtrail/{package_version()} (+{contact_url})"


BOT_NAME = "jobtrail"
SPIDER_MODULES = ["jobtrail.crawler.spiders"]
NEWSPIDER_MODULE = "jobtrail.crawler.spiders"

# --- jobtrail's own settings (alphabetical) -------------------------------------------
#: postings per database write batch (one transaction each)
JOBTRAIL_BATCH_SIZE = 200
#: Chromium flags for sources with render = "browser" (no sandbox: runs as root in containers/CI)
JOBTRAIL_BROWSER_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]
#: browser contexts open at once for rendered pages (each costs memory)
JOBTRAIL_BROWSER_CONTEXTS = 1
#: rendered pages (tabs) open at once per context: memory grows with each
JOBTRAIL_BROWSER_PAGES = 4
#: the system Chromium that renders script-built pages; never downloaded by jobtrail or Playwright
JOBTRAIL_BROWSER_PATH = "/usr/bin/chromium"
#: a posting missing from this many successful crawls of its source in a row is closed
JOBTRAIL_CLOSE_AFTER_MISSES = 2
#: the cycle a crawl belongs to (set by `jobtrail worker`); 0: the crawl is its own (local) cycle
JOBTRAIL_CYCLE_ID = 0
#: bring the schema up to date when a crawl opens the database (a worker does it once at start instead)
JOBTRAIL_MIGRATE = True
#: path of jobtrail.toml; JOBTRAIL_CONFIG in the environment overrides
JOBTRAIL_CONFIG = "jobtrail.toml"
#: contact URL put in the User-Agent so site owners can reach the operator
JOBTRAIL_CONTACT_URL = "https://github.com/jobtrail/jobtrail"
#: database URL; empty means: take it from the config file (or JOBTRAIL_DB_URL env)
JOBTRAIL_DB_URL = ""
#: seconds a worker's lease on a source lasts without renewal (renewed every third of it);
#: a crashed worker's sources are crawled again this long after it stopped
JOBTRAIL_LEASE_SECONDS = 300
#: every write for a source checks that this run (JOBTRAIL_RUN_ID) still holds its lease (set by workers)
JOBTRAIL_LEASED = False
#: longest wait (seconds) honoured from a Retry-After header on 429/503
JOBTRAIL_MAX_RETRY_AFTER = 60
#: closed roles reappearing within this many days under a new id are linked as reposts
JOBTRAIL_REPOST_WINDOW_DAYS = 30
#: run id grouping the crawl_runs rows of one invocation (set by the CLI)
JOBTRAIL_RUN_ID = ""
#: send conditional requests and skip extracting bodies unchanged since the last crawl;
#: false re-extracts every page (the stored states are still kept up to date)
JOBTRAIL_SKIP_UNCHANGED = True
#: mass-disappearance guard: a crawl that would count more than this share of a source's open postings
#: missing, while finding mostly unknown ones, is "suspect" and closes nothing; 1 (or more) turns it off
JOBTRAIL_SUSPECT_SHARE = 0.5
#: ... and only when at least this many postings would count missing
JOBTRAIL_SUSPECT_MIN_MISSES = 3
#: show a live progress line on stderr (the CLI turns it on for terminals only; crawler/progress.py)
JOBTRAIL_PROGRESS = False
#: sources of one host per queued job (a job runs on one worker; one job per host at a time)
JOBTRAIL_SOURCES_PER_JOB = 20
#: only crawl these source names (comma-separated); empty means all
JOBTRAIL_SOURCES = ""
#: `jobtrail serve`: address to bind (loopback; any other needs --public)
JOBTRAIL_WEB_HOST = "127.0.0.1"
#: `jobtrail serve`: changes, search hits and feed entries per page
JOBTRAIL_WEB_PAGE_SIZE = 50
#: `jobtrail serve`: TCP port (0 picks a free one and prints it)
JOBTRAIL_WEB_PORT = 8080

#: jobs one `jobtrail worker` runs at once (each on a different host)
JOBTRAIL_WORKER_CONCURRENCY = 4

# --- Scrapy: a polite monitor -----------------------------------------------------------
USER_AGENT = user_agent(JOBTRAIL_CONTACT_URL)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many asyncio tasks for every response's output, however few items it has; the
# pipelines are synchronous (nothing to overlap), so one processes the items in order at no cost:
# 100 (Scrapy's default) spent ~10% of an unchanged re-check's CPU creating idle tasks
CONCURRENT_ITEMS = 1
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control HTTP server executes code sent to it: never listen on a monitor's port
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOG_INSTALL_ROOT_HANDLER = True
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# two sources may watch the same page (crawler/fingerprint.py)
REQUEST_FINGERPRINTER_CLASS = "jobtrail.crawler.fingerprint.SourceAwareFingerprinter"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's retry, plus honouring Retry-After (crawler/middlewares.py)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "jobtrail.crawler.middlewares.RetryAfterMiddleware": 550,
}

EXTENSIONS = {
    "jobtrail.crawler.progress.CrawlProgress": 500,  # off unless JOBTRAIL_PROGRESS
}

ITEM_PIPELINES = {
    "jobtrail.pipelines.normalize.NormalizePipeline": 100,
    "jobtrail.pipelines.version.VersionPipeline": 500,
}
