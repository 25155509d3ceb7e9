"""Run the real `jobtrail serve` in a child process and talk HTTP to it."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.crawl_helpers import REPO

STARTUP_SECONDS = 30


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str


@contextmanager
def serving(config: Path, db_url: str, *extra: str) -> Iterator[str]:
    """`jobtrail -c CONFIG --db URL serve --port 0 EXTRA`; yields its base URL (no trailing slash)."""
    env = {key: value for key, value in os.environ.items() if key != "JOBTRAIL_DB_URL"}
    child = subprocess.Popen(
        [sys.executable, "-m", "jobtrail.crawler", "-c", str(config), "--db", db_url, "serve", "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
    )
    try:
        yield _base_url(child)
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)


def _base_url(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None and child.stderr is not None
    ready, _, _ = select.select([child.stdout], [], [], STARTUP_SECONDS)
    line = child.stdout.readline() if ready else ""  # "Serving http://127.0.0.1:PORT/ (read-only). ..."
    if "http://" not in line:
        child.kill()
        raise AssertionError(f"serve did not start: {line!r} {child.stderr.read()}")
    return "http://" + line.split("http://", 1)[1].split("/", 1)[0]


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()},
                         response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode("utf-8"))
