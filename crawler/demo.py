"""The offline demo: a small careers site of ours changes, and jobtrail explains how.

The site (crawler/demo_site/: v1/ and v2/ hold what differs, common/ what both share) is
modeled on two real snapshots of one posting: between
v1 and v2 the stack line gained "D", a "Basic Requirements" list appeared, and a
"Related Jobs" list appeared. It is served on 127.0.0.1 (random free port) and crawled
twice by the real `jobtrail crawl`, as cron would run it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

ROUTES = {
    "/careers": "careers.html",
    "/careers/backend-developer": "backend-developer.html",
    "/careers/reasonml-developer": "reasonml-developer.html",
}


class DemoSite:
    """Serves one version of the demo site; ``version`` can be switched while running."""

    def __init__(self, version: str = "v1") -> None:
        self.version = version
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True

    @property
    def base_url(self) -> str:
        port = self._httpd.server_address[1]
        return f"http://127.0.0.1:{port}"  # where __init__ bound it

    def page(self, path: str) -> bytes | None:
        """The page in this version's folder, else the one both versions share (common/)."""
        name = ROUTES.get(path.split("?", 1)[0])
        if name is None:
            return None
        site = resources.files("jobtrail.crawler") / "demo_site"
        for folder in (self.version, "common"):
            if (site / folder / name).is_file():
                return (site / folder / name).read_bytes()
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/robots.txt":
                    body, status, kind = b"User-agent: *\nAllow: /\n", 200, "text/plain"
                else:
                    page = site.page(self.path)
                    body, status, kind = (page, 200, "text/html; charset=utf-8") if page else (b"", 404, "text/plain")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    @contextmanager
    def running(self) -> Iterator[DemoSite]:
        thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()


def demo_config(base_url: str, db_url: str) -> str:
    return (
        f'[database]\nurl = "{db_url}"\n\n'
        "[crawl]\n"
        "AUTOTHROTTLE_ENABLED = false          # the site is on this machine: no need to pace requests\n\n"
        "[[sources]]\n"
        'name = "ahrefs"\n'
        f'url = "{base_url}/careers"\n'
        'kind = "page"\n'
        'company = "Ahrefs"\n'
        'link_pattern = "/careers/[a-z0-9-]+$"\n'
        'tags = ["backend"]\n'
    )


def jobtrail(*args: str, echo: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a child process (Scrapy's reactor runs once per process)."""
    result = subprocess.run([sys.executable, "-m", "jobtrail.crawler", *args], capture_output=True, text=True)
    if echo:
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
    return result


def run_demo(workdir: Path, echo: bool = True) -> int:
    """Crawl v1, switch the site to v2, crawl again, show the changes. Returns an exit code."""
    workdir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{(workdir / 'demo.db').resolve()}"
    config_path = workdir / "jobtrail.toml"
    say = print if echo else (lambda *a, **k: None)
    with DemoSite("v1").running() as site:
        config_path.write_text(demo_config(site.base_url, db_url), encoding="utf-8")
        say(f"Serving the demo careers site at {site.base_url}/careers (version 1)")
        say(f"Config: {config_path}   Database: {db_url}\n")
        say("$ jobtrail crawl                       # first crawl: everything is new")
        first = jobtrail("-c", str(config_path), "crawl", echo=echo)
        site.version = "v2"
        say("\nThe site changes (version 2): the posting is edited.\n")
        say("$ jobtrail crawl                       # second crawl: what changed?")
        second = jobtrail("-c", str(config_path), "crawl", echo=echo)
        say("\n$ jobtrail changes --kind changed")
        shown = jobtrail("-c", str(config_path), "changes", "--since", "1d", "--kind", "changed", echo=echo)
        say(f"\nTry: jobtrail -c {config_path} history \"Backend Developer\" --company Ahrefs")
    return max(first.returncode, second.returncode, shown.returncode)
