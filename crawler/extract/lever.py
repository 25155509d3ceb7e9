"""Lever postings API: a bare JSON array, paged with ``skip``/``limit``.

``GET https://api.lever.co/v0/postings/{site}?mode=json&skip=0&limit=100`` (EU boards:
api.eu.lever.co). Requirements usually live in ``lists`` ({text: heading, content:
"<li>...</li>"}), whose headings are the board's own section names.
"""

from __future__ import annotations

import re
from typing import Any

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Fetch, Page, Parsed
from jobtrail.crawler.items import Posting
from jobtrail.crawler.sources.config import SourceConfig


class Lever(ats.ApiKind):
    key = "lever"
    api_template = "https://api{eu}.lever.co/v0/postings/{b}?mode=json&skip=0&limit=100"

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        m_host = re.fullmatch(r"(jobs|api)(\.eu)?\.lever\.co", host)
        if not m_host:
            return None
        pattern = rf"/v0/postings/({ats.BOARD_TOKEN})" if m_host[1] == "api" else rf"/({ats.BOARD_TOKEN})"
        m = re.match(pattern, path)
        return (m[1], {"eu": bool(m_host[2])}) if m else None

    def api_url(self, board: str, *, eu: bool = False, **extra: Any) -> str:
        """Lever's EU instance lives at api.eu.lever.co."""
        return super().api_url(board, eu=".eu" if eu else "")

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        data = ats.read_json(page, self.key)
        if isinstance(data, dict) and data.get("ok") is False:
            raise ExtractError(f"lever: API error: {ats.text(data.get('error')) or 'unknown'}")
        if isinstance(data, dict) and "id" in data:  # one saved posting
            return Parsed(postings=[posting(data, source, page.url)])
        rows = ats.require(data, self.key, "expected a JSON array of postings", list)
        postings = [posting(row, source, page.url) for row in ats.items(rows)]
        return Parsed(postings=postings, follow=_next_page(page, rows))


def _next_page(page: Page, rows: list[Any]) -> list[Fetch]:
    """A full page means there may be more: ask for the next ``limit`` after ``skip``."""
    limit = ats.query_int(page.url, "limit")
    if page.role is None or not limit or len(rows) < limit:
        return []
    skip = (ats.query_int(page.url, "skip") or 0) + limit
    return [Fetch(url=ats.with_query(page.url, skip=skip), role="list", is_api=True)]


def posting(row: dict[str, Any], source: SourceConfig, api_url: str = "") -> Posting:
    if not row.get("id") or not ats.text(row.get("text")):
        raise ExtractError("lever: a posting without 'id' or 'text'")
    categories = ats.obj(row.get("categories"))
    all_locations = ats.array(categories.get("allLocations"))
    pay = ats.obj(row.get("salaryRange"))
    result = Posting(
        source=source.name,
        external_id=str(row["id"]),
        url=ats.text(row.get("hostedUrl")) or _public_url(api_url, source, row["id"]),
        title=ats.text(row["text"]) or "",
        company=source.company,
        locations=ats.unique([categories.get("location"), *all_locations]),
        department=ats.text(categories.get("department")) or ats.text(categories.get("team")),
        employment_type=ats.employment_type(categories.get("commitment")),
        workplace=ats.workplace(row.get("workplaceType")),
        salary=ats.salary(pay.get("min"), pay.get("max"), pay.get("currency"), pay.get("interval")),
        date_posted=ats.iso_date(row.get("createdAt")),
    )
    description = row.get("description") or ats.html_paragraphs(row.get("descriptionPlain"))
    ats.add_html(result, description)
    for section in ats.items(row.get("lists")):
        ats.add_section(result, ats.text(section.get("text")), section.get("content"))
    ats.add_html(result, row.get("additional") or ats.html_paragraphs(row.get("additionalPlain")))
    ats.add_html(result, row.get("salaryDescription") or ats.html_paragraphs(row.get("salaryDescriptionPlain")))
    return result


def _public_url(api_url: str, source: SourceConfig, posting_id: Any) -> str:
    site = source.board or ats.path_token(api_url, r"/postings/([^/]+)")
    host = "jobs.eu.lever.co" if ".eu." in api_url else "jobs.lever.co"
    return f"https://{host}/{site}/{posting_id}" if site else ""


KIND = Lever()
