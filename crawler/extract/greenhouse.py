"""Greenhouse job board API: one request, the whole board, descriptions as escaped HTML.

``GET https://boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true&pay_transparency=true``
-> ``{"jobs": [...], "meta": {"total": N}}``; no paging. ``content`` is HTML-escaped HTML,
and boards wrap every description in the same intro/conclusion boilerplate, which is
dropped so that editing it does not change every posting.
"""

from __future__ import annotations

import html
import re
from typing import Any

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Page, Parsed
from jobtrail.crawler.items import Posting, Salary
from jobtrail.crawler.sources.config import SourceConfig

BOILERPLATE = ("div.content-intro", "div.content-conclusion")


class Greenhouse(ats.ApiKind):
    key = "greenhouse"
    api_template = "https://boards-api.greenhouse.io/v1/boards/{b}/jobs?content=true&pay_transparency=true"

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        if host == "boards-api.greenhouse.io" or host.endswith(".greenhouse.io") and "api" in host:
            m = re.match(rf"/v1/boards/({ats.BOARD_TOKEN})", path)
            return (m[1], {}) if m else None
        if not re.fullmatch(r"(job-)?boards(\.eu)?\.greenhouse\.io", host):
            return None
        if path.startswith("/embed/"):
            token = next(iter(query.get("for") or []), None)
            return (token, {}) if token and re.fullmatch(ats.BOARD_TOKEN, token) else None
        m = re.match(rf"/({ats.BOARD_TOKEN})", path)
        return (m[1], {}) if m else None

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        data = ats.read_json(page, self.key)
        if isinstance(data, dict) and "id" in data and "jobs" not in data:  # one saved job
            return Parsed(postings=[posting(data, source, page.url)])
        jobs = ats.require(ats.require(data, self.key, "expected an object with 'jobs'").get("jobs"),
                           self.key, "'jobs' is not a list", list)
        return Parsed(postings=[posting(job, source, page.url) for job in ats.items(jobs)])


def posting(job: dict[str, Any], source: SourceConfig, api_url: str = "") -> Posting:
    if job.get("id") is None or not ats.text(job.get("title")):
        raise ExtractError("greenhouse: a job without 'id' or 'title'")
    metadata = {str(m.get("name", "")).lower(): m.get("value") for m in ats.items(job.get("metadata"))}
    location = ats.text((job.get("location") or {}).get("name"))
    offices = [o.get("name") for o in ats.items(job.get("offices"))]
    result = Posting(
        source=source.name,
        external_id=str(job["id"]),
        url=ats.text(job.get("absolute_url")) or _public_url(api_url, source, job["id"]),
        title=ats.text(job["title"]) or "",
        company=source.company or ats.text(job.get("company_name")),
        locations=ats.unique([location] if location else offices),
        department=ats.text(next((d.get("name") for d in ats.items(job.get("departments"))), None)),
        employment_type=ats.employment_type(_meta(metadata, "employment", "job type", "commitment")),
        workplace=ats.workplace(_meta(metadata, "workplace", "remote")) or ats.workplace(location),
        salary=_salary(job.get("pay_input_ranges")),
        date_posted=ats.iso_date(job.get("first_published")),
    )
    ats.add_html(result, html.unescape(job.get("content") or ""), result.url, drop=BOILERPLATE)
    return result


def _public_url(api_url: str, source: SourceConfig, job_id: Any) -> str:
    board = source.board or ats.path_token(api_url, r"/boards/([^/]+)")
    return f"https://boards.greenhouse.io/{board}/jobs/{job_id}" if board else ""


def _meta(metadata: dict[str, Any], *needles: str) -> Any:
    for name, value in metadata.items():
        if any(needle in name for needle in needles):
            return value[0] if isinstance(value, list) and value else value
    return None


def _salary(ranges: Any) -> Salary | None:
    """The first pay range; Greenhouse gives cents and no interval field (its title may say)."""
    for pay in ats.items(ranges):
        found = ats.salary(pay.get("min_cents"), pay.get("max_cents"), pay.get("currency_type"),
                           pay.get("title"), divisor=100)
        if found:
            return found
    return None


KIND = Greenhouse()
