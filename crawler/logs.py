"""Logging for a CLI run by cron: quiet by default, everything on request.

Cron mails whatever a job prints, so a normal run must print nothing on stderr, and a
failing source one line (the crawl summary prints it, from ``crawl_runs``). Scrapy's own
log lines and tracebacks say the same thing at length; they appear only with ``-v``
(INFO), ``-vv``/``--debug`` (DEBUG), or in a log file (``[crawl] LOG_FILE``), where they
belong. ``scrapy crawl careers`` keeps Scrapy's usual logging: this is the CLI's choice.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

#: a record the crawl summary already reports (e.g. "source X failed"); not repeated on stderr
REPORTED = "jobtrail_reported"
#: our format for -v and log files: Scrapy's, so lines read the same as under `scrapy crawl`
VERBOSE_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
_HANDLER_NAME = "jobtrail-cli"


class OneLine(logging.Formatter):
    """'jobtrail: warning: message' — the first line of the message, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().strip().splitlines()
        return f"jobtrail: {record.levelname.lower()}: {message[0] if message else record.name}"


class OwnWarnings(logging.Filter):
    """Only jobtrail's own warnings and errors that nothing else reports."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith("jobtrail") and not getattr(record, REPORTED, False)


def level_for(verbose: int) -> str:
    """-v INFO, -vv DEBUG; default WARNING (and then only jobtrail's own, one line each)."""
    return {0: "WARNING", 1: "INFO"}.get(verbose, "DEBUG")


def configure(verbose: int = 0, log_file: str | None = None, file_level: str = "INFO",
              stream: TextIO | None = None) -> None:
    """Install the CLI's handlers on the root logger (replacing a previous call's)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()
    console = logging.StreamHandler(stream or sys.stderr)
    console.set_name(_HANDLER_NAME)
    console.setLevel(level_for(verbose))
    if verbose:
        console.setFormatter(logging.Formatter(VERBOSE_FORMAT))
    else:
        console.setFormatter(OneLine())
        console.addFilter(OwnWarnings())
    root.addHandler(console)
    levels = [console.level]
    if log_file:
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.set_name(_HANDLER_NAME)
        to_file.setLevel(file_level.upper())
        to_file.setFormatter(logging.Formatter(VERBOSE_FORMAT))
        root.addHandler(to_file)
        levels.append(to_file.level)
    root.setLevel(min(levels))
    logging.captureWarnings(True)  # library deprecation warnings: -v or the log file, not cron mail
    for name in ("scrapy", "twisted", "py.warnings"):
        logging.getLogger(name).setLevel(min(levels))
