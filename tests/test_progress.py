"""Point 7: a person at a terminal sees the crawl move; cron, pipes and --json see nothing of it.

`jobtrail crawl` runs with its stderr on a pseudo-terminal (the way a shell runs it), then
with plain pipes (the way cron runs it).
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from tests.acme_site import acme_source, serve_acme
from tests.crawl_helpers import REPO, run_cli, write_config
from tests.mockserver import MockServer


def _crawl_on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pty; returns exit code, stdout, and what the terminal showed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    child = subprocess.Popen([sys.executable, "-m", "jobtrail.crawler", *args], cwd=REPO, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    shown = bytearray()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    stdout = child.communicate(timeout=60)[0].decode()
    os.close(leader)
    return child.returncode, stdout, shown.decode(errors="replace")


def test_progress_on_a_terminal_only(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    code, stdout, terminal = _crawl_on_a_terminal(["-c", str(config), "--db", sqlite_url, "crawl"])
    assert code == 0
    assert "crawling" in terminal and "sources " in terminal and "/1" in terminal
    assert "postings" in terminal and "errors 0" in terminal
    assert stdout.splitlines()[0].startswith("source"), "the table still prints, on stdout"

    serve_acme(server, 2)
    piped = run_cli(["-c", str(config), "--db", sqlite_url, "crawl"])
    assert piped.returncode == 0 and piped.stderr == "", "no progress when stderr is not a terminal"

    code, stdout, terminal = _crawl_on_a_terminal(["-c", str(config), "--db", sqlite_url, "crawl", "--json"])
    assert code == 0 and "crawling" not in terminal, "never with --json"
