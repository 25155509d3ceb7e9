"""Discovery across crawls, `jobtrail check` and `jobtrail add` on the fixture sites, through the real
CLI and a real HTTP server: the learned template makes re-checks cost what a link_pattern crawl
costs, it is relearned after a redesign, a blind crawl is `empty` (never `ok`), and `check`
explains a site without touching the database."""

from __future__ import annotations

import json
from pathlib import Path

from jobtrail.storage.models import CrawlRun, DiscoveryTemplate, Posting
from tests.crawl_helpers import rows, run_cli, run_crawl_cli, write_config
from tests.discovery_sites import SITES, serve_site, site_source
from tests.mockserver import MockServer


def crawl(server: MockServer, tmp_path: Path, db_url: str, source: dict[str, object], *args: str) -> tuple[int, int]:
    """(exit code, requests the crawl made)."""
    before = len(server.requests)
    config = write_config(tmp_path, [source], db_url=db_url)
    result = run_crawl_cli(config, db_url, *args)
    if "-v" in args:
        assert "(2 skipped: not postings)" in result.stdout, result.stdout
    return result.returncode, len(server.requests) - before


def test_recheck_costs_what_a_link_pattern_crawl_costs(server: MockServer, tmp_path: Path, db_url: str) -> None:
    serve_site(server, "careers_section")
    source = site_source(server, "careers_section")
    first = crawl(server, tmp_path, db_url, source, "-v")
    again = crawl(server, tmp_path, db_url, source)
    pattern_db = f"sqlite:///{tmp_path / 'pattern.db'}"
    explicit = crawl(server, tmp_path, pattern_db, {**source, "link_pattern": r"/careers/(claims|actuarial|member)-"})

    assert first[0] == again[0] == explicit[0] == 0
    assert first[1] > explicit[1], "the first crawl probes (and skips) the two information pages"
    assert again[1] <= explicit[1], f"re-check made {again[1]} requests, a link_pattern crawl {explicit[1]}"
    (template,) = rows(db_url, DiscoveryTemplate)
    assert "claims" not in template["template"] and "li.opportunity" in template["template"]
    runs = sorted(rows(db_url, CrawlRun), key=lambda r: r["id"])
    assert [(r["status"], r["skipped"]) for r in runs] == [("ok", 2), ("ok", 0)]


def test_a_redesigned_listing_is_relearned(server: MockServer, tmp_path: Path, sqlite_url: str) -> None:
    serve_site(server, "cards_generic")
    source = site_source(server, "cards_generic")
    assert crawl(server, tmp_path, sqlite_url, source)[0] == 0
    (before,) = rows(sqlite_url, DiscoveryTemplate)
    server.set("/company/join", (SITES / "cards_generic" / "listing_redesign.html").read_bytes())

    assert crawl(server, tmp_path, sqlite_url, source)[0] == 0

    (after,) = rows(sqlite_url, DiscoveryTemplate)
    assert after["template"] != before["template"] and "tr" in after["template"]
    assert all(p["status"] == "open" for p in rows(sqlite_url, Posting)) and len(rows(sqlite_url, Posting)) == 3
    assert [r["status"] for r in rows(sqlite_url, CrawlRun)] == ["ok", "ok"]


def test_a_script_listing_without_the_browser_is_empty_with_a_hint(server: MockServer, tmp_path: Path,
                                                                   sqlite_url: str) -> None:
    serve_site(server, "script_rendered")
    source = {**site_source(server, "script_rendered"), "render": "http"}
    config = write_config(tmp_path, [source], db_url=sqlite_url)

    for _ in range(2):  # never had postings: empty every time, never "ok"
        result = run_crawl_cli(config, sqlite_url, "--json")
        (summary,) = json.loads(result.stdout)
        assert result.returncode == 1 and summary["status"] == "empty"
        assert 'render = "browser"' in summary["error"] and "\n" not in summary["error"]
    plain = run_crawl_cli(config, sqlite_url)
    assert "jobtrail: source script-rendered empty: no postings found" in plain.stderr
    assert rows(sqlite_url, Posting) == []


def test_check_explains_a_site_and_writes_nothing(server: MockServer, tmp_path: Path) -> None:
    serve_site(server, "table_open_positions")
    config = write_config(tmp_path, [site_source(server, "table_open_positions")],
                          db_url=f"sqlite:///{tmp_path / 'never.db'}")

    result = run_cli(["-c", str(config), "check", "table-open-positions", "--json"])

    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["schema"] == 1 and report["status"] == "ok"
    assert report["listing_pages"] == [server.url("/en/open-positions/")]
    documented = (Path(__file__).resolve().parent.parent / "docs" / "json.md").read_text(encoding="utf-8")
    keys = {*report, *report["taken"][0], *report["postings"][0]}
    assert all(f'"{key}"' in documented for key in keys), "every key of check --json is in docs/json.md"
    taken = {link["url"].removeprefix(server.base): link["why"] for link in report["taken"]}
    assert taken == {
        "/en/open-positions/quant-researcher-fixed-income": "probe",
        "/en/open-positions/site-reliability-engineer": "structure",
        "/en/open-positions/compliance-officer-lux": "structure",
        "/en/open-positions/junior-fund-accountant": "structure",
    }
    left_out = {link["url"].removeprefix(server.base): link["why"] for link in report["left_out"]}
    assert left_out["/en/teams/research"] == "a section page (teams)"
    assert left_out["/en/open-positions/?team=ops"] == "the listing with other filters"
    assert left_out["/en/"] == "site navigation (nav/header/footer)"
    sre = next(p for p in report["postings"] if p["title"] == "Site Reliability Engineer")
    assert sre["sections"] == {"requirements": 2, "nice_to_have": 0, "responsibilities": 2, "benefits": 0}
    assert not (tmp_path / "never.db").exists()
    text = run_cli(["-c", str(config), "check", server.url("/en/open-positions/")])
    assert "links left out" in text.stdout and "Junior Fund Accountant" in text.stdout


def test_add_refuses_a_blind_page_and_suggests_the_browser(server: MockServer, tmp_path: Path) -> None:
    serve_site(server, "script_rendered")
    config = tmp_path / "jobtrail.toml"
    url = server.url("/jobs")

    refused = run_cli(["-c", str(config), "add", url, "--name", "pebble"])
    assert refused.returncode == 1 and not config.exists()
    assert "not added, empty:" in refused.stderr and f"jobtrail add {url} --render browser" in refused.stderr

    rendered = run_cli(["-c", str(config), "add", url, "--name", "pebble", "--render", "browser"])
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    assert "postings: 3" in rendered.stdout and 'render = "browser"' in config.read_text(encoding="utf-8")

    other = tmp_path / "other.toml"
    forced = run_cli(["-c", str(other), "add", url, "--force"])
    assert forced.returncode == 0 and "warning: empty:" in forced.stderr and other.exists()
