"""`jobtrail serve` over HTTP, on SQLite and PostgreSQL: a database from three real crawls of
the Fernhill site (tests/fernhill_site.py), read by the real server in a child process."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from sqlalchemy import create_engine, text

from jobtrail.crawler.web.app import CSP
from tests.conftest import IN_CI, PG_URL, _pg_unavailable_reason
from tests.fernhill_site import COMPANY, TAG, copy_database, crawl_fernhill
from tests.mockserver import MockServer
from tests.web_helpers import fetch, serving


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of `jobtrail serve` over the crawled Fernhill database (three crawls per session and DB)."""
    tmp = tmp_path_factory.mktemp(request.param)
    with _database(request.param, tmp) as db_url:
        if request.param == "sqlite":  # the session's crawled file (tests/conftest.py), copied
            config, crawled = request.getfixturevalue("fernhill_sqlite")
            copy_database(crawled, tmp / "jobtrail.db")
        else:
            with MockServer() as server:
                config = crawl_fernhill(server, db_url, tmp)
        with serving(config, db_url, "--page-size", "2") as base:
            yield base


@pytest.fixture(scope="module")
def ids(site: str) -> dict[str, int]:
    """Posting ids by short name, read off the changes page (the pages are all we look at)."""
    body = _all_changes(site)
    found = {}
    for name, title in (("telescope", "Telescope Control"), ("night", "Night Operator"), ("archivist", "Plate")):
        match = re.search(r'href="/postings/(\d+)">[^<]*' + re.escape(title), body)
        assert match, f"{title} not listed"
        found[name] = int(match.group(1))
    return found


def _all_changes(base: str, path: str = "/changes") -> str:
    """Every page of a changes list, following "Older" links (bounded)."""
    pages, url = [], base + path
    for _ in range(20):
        body = fetch(url).body
        pages.append(body)
        older = re.search(r'<a class="older" href="([^"]+)"', body)
        if not older:
            return "".join(pages)
        url = base + html.unescape(older.group(1))
    raise AssertionError("more than 20 pages of changes")


class _database:
    """A fresh SQLite file or PostgreSQL schema for the module."""

    def __init__(self, kind: str, tmp: Path) -> None:
        self.kind, self.tmp, self.schema = kind, tmp, f"t_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp / 'jobtrail.db'}"
        reason = _pg_unavailable_reason()
        if reason:
            (pytest.fail if IN_CI else pytest.skip)(reason)
        self.admin = create_engine(PG_URL)
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        return f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{self.schema}"

    def __exit__(self, *exc: object) -> None:
        if self.kind != "sqlite":
            with self.admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()


# --- pages ----------------------------------------------------------------------------------

def test_changes_lists_every_kind_newest_first_in_pages(site: str) -> None:
    body = _all_changes(site)
    kinds = re.findall(r'<span class="badge kind-(\w+)">', body)
    assert kinds == ["closed", "changed", "new", "new", "new"]
    first = fetch(f"{site}/changes").body
    assert len(re.findall(r'<article class="change"', first)) == 2, "--page-size 2"


def test_changes_show_the_word_diff_of_a_changed_requirement(site: str) -> None:
    body = fetch(f"{site}/changes?kind=changed").body
    assert "Experience with <del>C</del> or Fortran on Linux" in body
    assert "Experience with <ins>C, Rust</ins> or Fortran on Linux" in body
    assert "Willingness to work two night shifts a month" in body
    assert "A degree in physics or computer science" in body


@pytest.mark.parametrize(("query", "expected"), [
    ("kind=closed", ["Plate Archivist"]),
    ("kind=changed&field=requirements", ["Telescope Control Software Engineer"]),
    ("field=title", []),
    (f"company={quote(COMPANY.upper())}", ["Plate Archivist", "Telescope Control Software Engineer"]),
    ("source=fernhill&kind=closed", ["Plate Archivist"]),
    (f"tag={TAG}&kind=closed", ["Plate Archivist"]),
    ("tag=misc", []),
    ("tag=no-such-tag", []),
    ("source=brokenlink", []),
])
def test_changes_filters(site: str, query: str, expected: list[str]) -> None:
    assert fetch(f"{site}/changes?{query}").status == 200
    titles = re.findall(r'<a class="title" href="/postings/\d+">([^<]+)</a>', _all_changes(site, f"/changes?{query}"))
    assert sorted({html.unescape(t) for t in titles if "Night Operator" not in t}) == expected


@pytest.mark.parametrize("query", ["kind=deleted", "field=password", "before=abc"])
def test_bad_filters_are_a_clear_400(site: str, query: str) -> None:
    reply = fetch(f"{site}/changes?{query}")
    assert reply.status == 400
    assert '<p class="error">' in reply.body


def test_posting_page_has_status_text_timeline_and_compare_form(site: str, ids: dict[str, int]) -> None:
    body = fetch(f"{site}/postings/{ids['telescope']}").body
    assert '<span class="badge status-open">open</span>' in body
    assert "First seen" in body and "Last seen" in body
    assert "<li>Experience with C, Rust or Fortran on Linux</li>" in body  # current text, v2
    assert "<h3>Responsibilities</h3>" in body and "<h3>Nice to have</h3>" in body
    assert re.search(r'kind-changed">changed</span>.*v2', body), "timeline has the change"
    assert f'action="/postings/{ids["telescope"]}/compare"' in body

    closed = fetch(f"{site}/postings/{ids['archivist']}").body
    assert '<span class="badge status-closed">closed</span> since' in closed
    assert 'kind-closed">closed</span>' in closed


def test_compare_two_versions_side_by_side(site: str, ids: dict[str, int]) -> None:
    body = fetch(f"{site}/postings/{ids['telescope']}/compare?a=1&b=2").body
    row = body[body.index("<th scope=\"row\">Requirements</th>"):].split("</tr>", 1)[0]
    old, new = row.split("</td>", 1)
    assert "Experience with <del>C</del> or Fortran on Linux" in old
    assert "<del>A degree in physics or computer science</del>" in old
    assert "Experience with <ins>C, Rust</ins> or Fortran on Linux" in new
    assert "<ins>Willingness to work two night shifts a month</ins>" in new
    assert '<tr class="same">' in body, "unchanged fields shown too"
    assert fetch(f"{site}/postings/{ids['telescope']}/compare?a=1&b=7").status == 404
    assert fetch(f"{site}/postings/99999").status == 404


def test_search_has_the_cli_semantics(site: str, ids: dict[str, int]) -> None:
    body = fetch(f"{site}/search?q=C%2C+Rust").body
    assert f'href="/postings/{ids["telescope"]}"' in body and "still present" in body
    gone = fetch(f"{site}/search?q=degree&field=requirements&change=removed").body
    assert "gone since v2" in gone
    assert "1 posting field contained" in gone
    assert "0 posting fields contained" in fetch(f"{site}/search?q=degree&change=added").body
    error = fetch(f"{site}/search?q=%2B%2B").body
    assert "nothing to search for" in error
    assert "neither a duration" in fetch(f"{site}/search?q=rust&since=yesterday").body


def test_search_pages_through_every_hit(site: str, ids: dict[str, int]) -> None:
    """--page-size 2: all three postings have "with" in their requirements; two on page 1, one on page 2."""
    first = fetch(f"{site}/search?q=with&field=requirements").body
    second = fetch(f"{site}/search?q=with&field=requirements&page=2").body
    shown = [re.findall(r'<a class="title" href="/postings/(\d+)"', body) for body in (first, second)]
    assert [len(found) for found in shown] == [2, 1]
    assert {int(posting) for found in shown for posting in found} == set(ids.values())
    assert "3 posting fields contained" in first and "3 posting fields contained" in second
    assert 'class="older" href="/search?q=with&amp;field=requirements&amp;page=2"' in first
    assert "Next" not in second and "Previous" in second


def test_sources_page_shows_health(site: str) -> None:
    body = fetch(f"{site}/sources").body
    fern = body[body.index(">fernhill</a>"):].split("</tr>", 1)[0]
    assert 'run-ok">ok</span>' in fern
    assert re.findall(r'<td class="num">(\d+)</td>', fern) == ["0", "2", "1"]  # failed in a row, open, closed
    assert f"#{TAG}" in fern
    broken = body[body.index(">brokenlink</a>"):].split("</tr>", 1)[0]
    assert 'run-failed">failed</span>' in broken
    assert re.findall(r'<td class="num">(\d+)</td>', broken)[0] == "3"


# --- security -------------------------------------------------------------------------------

def test_scraped_markup_is_text(site: str, ids: dict[str, int]) -> None:
    for path in (f"/postings/{ids['night']}", "/changes?kind=new", "/search?q=steady+hands"):
        body = fetch(site + path).body
        assert "<script" not in body and "<img" not in body and "onerror=alert" not in body.replace(
            "onerror=alert(&#34;requirement&#34;)", ""), path
        assert "&lt;script&gt;alert(" in body, path
    posting = fetch(f"{site}/postings/{ids['night']}").body
    assert "&lt;img src=x onerror=alert(&#34;requirement&#34;)&gt; steady hands" in posting
    assert "Patience with clouds &lt;b&gt;and&lt;/b&gt; &amp; cold" in posting
    assert not re.search(r'href="\s*javascript:', posting, re.IGNORECASE)


def test_every_response_carries_the_security_headers(site: str, ids: dict[str, int]) -> None:
    for path in ("/changes", f"/postings/{ids['night']}", "/static/app.css", "/nowhere", "/feeds/changes.atom"):
        reply = fetch(site + path)
        assert reply.headers["content-security-policy"] == CSP, path
        assert reply.headers["x-content-type-options"] == "nosniff"
    assert "script-src" not in CSP and "default-src 'none'" in CSP


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_no_write_endpoints(site: str, ids: dict[str, int], method: str) -> None:
    for path in ("/changes", f"/postings/{ids['telescope']}", "/search", "/feeds/changes.atom"):
        assert fetch(site + path, method=method).status == 405, (method, path)


def test_foreign_host_header_is_refused_on_loopback(site: str) -> None:
    assert fetch(f"{site}/changes", headers={"Host": "evil.example.com"}).status == 400
    assert fetch(f"{site}/changes", headers={"Host": "localhost"}).status == 200


# --- feeds ----------------------------------------------------------------------------------

def _feed(url: str) -> feedparser.FeedParserDict:
    reply = fetch(url)
    assert reply.status == 200, url
    parsed = feedparser.parse(reply.body)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return parsed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feeds_are_valid_and_carry_the_readable_diff(site: str, ids: dict[str, int], fmt: str) -> None:
    everything = _feed(f"{site}/feeds/changes.{fmt}")
    assert everything.version == ("atom10" if fmt == "atom" else "rss20")
    assert everything.feed.link == f"{site}/changes", "the page the feed mirrors"
    assert len(everything.entries) == 2, "--page-size 2: the newest two"
    changed = _feed(f"{site}/feeds/changes.{fmt}?kind=changed").entries
    assert [e.title for e in changed] == [f"[changed] Telescope Control Software Engineer \u2014 {COMPANY} "
                                          "(requirements)"]
    content = changed[0].content[0].value if fmt == "atom" else changed[0].summary  # RSS: <description>
    assert "<ins" in content and "C, Rust</ins>" in content and "<del" in content
    assert changed[0].link.endswith(f"/postings/{ids['telescope']}#change-" + changed[0].link.rsplit("-", 1)[1])


@pytest.mark.parametrize(("path", "titles"), [
    ("source/fernhill", ["Plate Archivist", "Telescope Control Software Engineer"]),
    (f"tag/{TAG}", ["Plate Archivist", "Telescope Control Software Engineer"]),
    (f"company/{quote(COMPANY)}", ["Plate Archivist", "Telescope Control Software Engineer"]),
    ("tag/misc", []),
])
def test_scoped_feeds(site: str, path: str, titles: list[str]) -> None:
    entries = _feed(f"{site}/feeds/{path}.atom").entries
    assert [e.title.split("] ", 1)[1].split(" \u2014")[0] for e in entries] == titles


def test_posting_feed_and_escaped_entries(site: str, ids: dict[str, int]) -> None:
    telescope = _feed(f"{site}/feeds/posting/{ids['telescope']}.atom")
    assert telescope.feed.title == f"jobtrail: Telescope Control Software Engineer at {COMPANY}"
    assert [e.title.split("]")[0] for e in telescope.entries] == ["[changed", "[new"]
    assert "A degree in physics or computer science" in telescope.entries[1].content[0].value, "a new posting's list"
    night = fetch(f"{site}/feeds/posting/{ids['night']}.atom").body
    assert "<script" not in night and "&lt;script&gt;" in night
    assert fetch(f"{site}/feeds/posting/99999.atom").status == 404
    assert fetch(f"{site}/feeds/changes.json").status == 404
