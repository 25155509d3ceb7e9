"""A bad day on a careers site never closes a posting, never stores a wall, and says what happened.

Every case runs `jobtrail crawl` as cron does (a subprocess) against the misbehaving site, on
SQLite and PostgreSQL, and checks: exit code, status word, the one-line message, 0 false
closures, nothing stored from walls.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.site import POSTINGS, FaultSite, one_line
from tests.mockserver import MockServer

TITLES = {"Junior Land Surveyor", "Drone Pilot (Photogrammetry)", "CAD Technician", "Hydrographic Surveyor",
          "Office Coordinator"}
WALL_CASES = ("login_forgot_link", "cloudflare_challenge", "consent_interstitial", "blocked_200",
              "recaptcha_gate", "akamai_denied", "incapsula_iframe")


@pytest.fixture
def site(server: MockServer, tmp_path: Path, db_url: str) -> FaultSite:
    site = FaultSite(server, tmp_path, db_url)
    site.healthy()
    return site


def _first_crawl(site: FaultSite) -> None:
    result = site.crawl()
    assert result.returncode == 0, result.stderr
    assert site.stored_titles() == TITLES


def test_walls_at_every_url_block_and_close_nothing(site: FaultSite) -> None:
    _first_crawl(site)
    for case in WALL_CASES:  # one wall after another, each served with HTTP 200 at every URL
        site.wall_everywhere(case)
        result = site.crawl()
        assert result.returncode == 1, (case, result.stdout, result.stderr)
        line = one_line(result.stderr)
        assert line.startswith("jobtrail: source marlowe-quist blocked: "), line
        assert site.last_run()["status"] == "blocked"
        assert site.closed() == 0, case
        assert site.stored_titles() == TITLES, case  # nothing from the wall
    site.healthy()
    result = site.crawl()
    assert result.returncode == 0 and site.closed() == 0 and site.last_run()["new"] == 0
    site.assert_every_change_delivered_once()


def test_a_new_source_behind_a_login_wall_stores_nothing(site: FaultSite) -> None:
    site.wall_everywhere("login_forgot_link")
    result = site.crawl()
    assert result.returncode == 1
    assert "blocked: login" in one_line(result.stderr)
    assert site.scalar("SELECT count(*) FROM postings") == 0


def test_a_posting_in_a_redirect_loop_is_not_missed(site: FaultSite) -> None:
    _first_crawl(site)
    site.redirect("/vacancies/vq-103", "/vacancies/vq-103/")
    site.redirect("/vacancies/vq-103/", "/vacancies/vq-103")
    for _ in range(3):  # three crawls: more than JOBTRAIL_CLOSE_AFTER_MISSES
        result = site.crawl()
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip() == ""
        assert "1 posting unreachable, not counted missing: redirect loop (1)" in result.stdout
        run = site.last_run()
        assert (run["status"], run["unreachable"]) == ("ok", 1)
    assert site.closed() == 0
    assert site.scalar("SELECT missed_runs FROM postings WHERE title = 'CAD Technician'") == 0
    site.assert_every_change_delivered_once()


def test_a_posting_redirected_to_an_sso_login_is_not_a_posting(site: FaultSite, server: MockServer) -> None:
    _first_crawl(site)
    sso = server.url("/idp/authorize?client=mq-careers").replace("127.0.0.1", "localhost")
    site.redirect("/vacancies/vq-102", sso)
    server.set("/idp/authorize", (Path(__file__).parent.parent / "fixtures" / "walls" / "login_forgot_link" /
                                  "input.html").read_bytes())
    for _ in range(3):
        result = site.crawl()
        assert result.returncode == 0, result.stderr
        assert "redirected off-site to localhost" in result.stdout and "(login)" in result.stdout
    assert site.closed() == 0
    assert site.stored_titles() == TITLES  # the login page never became a posting
    site.assert_every_change_delivered_once()


def test_robots_and_download_errors_make_postings_unreachable_not_missing(site: FaultSite,
                                                                         server: MockServer) -> None:
    _first_crawl(site)
    server.set("/robots.txt", "User-agent: *\nDisallow: /vacancies/vq-101\n", content_type="text/plain")
    server.set("/vacancies/vq-104", b"", abort=True)
    for _ in range(3):
        result = site.crawl()
        assert result.returncode == 0, result.stderr
        assert "2 postings unreachable, not counted missing" in result.stdout
        assert "robots.txt forbids it (1)" in result.stdout
        assert site.last_run()["unreachable"] == 2
    assert site.closed() == 0
    site.assert_every_change_delivered_once()


def test_a_new_source_whose_listing_loops_fails(site: FaultSite) -> None:
    site.redirect("/vacancies", "/vacancies/")
    site.redirect("/vacancies/", "/vacancies")
    result = site.crawl()
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert line.startswith("jobtrail: source marlowe-quist failed: redirect loop at "), line
    assert site.last_run()["status"] == "failed"


def test_real_closures_still_happen(site: FaultSite) -> None:
    """The control: one posting really gone is closed after two crawls (the guards are not blind)."""
    _first_crawl(site)
    site.healthy(POSTINGS[:4])
    site.server.set("/vacancies", (site_listing_without("vq-105")))
    for _ in range(2):
        result = site.crawl()
        assert result.returncode == 0, result.stderr
    assert site.closed() == 1


def site_listing_without(slug: str) -> bytes:
    from tests.faults.site import SITE

    html = (SITE / "listing.html").read_text(encoding="utf-8")
    lines = [line for line in html.splitlines() if f"/vacancies/{slug}\"" not in line]
    return "\n".join(lines).encode()


def _serve_moved_site(site: FaultSite) -> None:
    """The listing now points at one page that reads like a posting: every real one seems gone."""
    from tests.conftest import FIXTURES

    moved = FIXTURES / "faults" / "marlowe_moved"
    site.server.set_file("/vacancies", moved / "listing.html")
    site.server.set_file("/vacancies/vq-900", moved / "posting_vq-900.html")
    site.assert_every_change_delivered_once()


def test_mass_disappearance_is_suspect_and_closes_nothing(site: FaultSite) -> None:
    _first_crawl(site)
    _serve_moved_site(site)
    for attempt in range(3):
        result = site.crawl()
        assert result.returncode == 1, (attempt, result.stdout, result.stderr)
        line = one_line(result.stderr)
        assert line.startswith("jobtrail: source marlowe-quist suspect: would count 5 of "), line
        assert site.last_run()["status"] == "suspect"
    assert site.closed() == 0
    assert site.scalar("SELECT max(missed_runs) FROM postings") == 0
    site.assert_every_change_delivered_once()


def test_the_suspect_guard_can_be_turned_off(server: MockServer, tmp_path: Path, db_url: str) -> None:
    site = FaultSite(server, tmp_path, db_url, extra_toml="jobtrail_suspect_share = 1\n")
    site.healthy()
    _first_crawl(site)
    _serve_moved_site(site)
    result = site.crawl()
    assert result.returncode == 0, result.stderr
    assert site.last_run()["status"] == "ok"
    assert site.scalar("SELECT count(*) FROM postings WHERE missed_runs = 1") == 5
    site.assert_every_change_delivered_once()

