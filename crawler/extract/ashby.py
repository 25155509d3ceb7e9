"""Ashby posting API: one request, the whole board, with compensation when asked.

``GET https://api.ashbyhq.com/posting-api/job-board/{name}?includeCompensation=true``
-> ``{"apiVersion": "1", "jobs": [...]}``. Unlisted jobs (``isListed: false``) are not
public and are skipped. Headings in ``descriptionHtml`` are mostly ``<p><strong>``.
"""

from __future__ import annotations

import re
from typing import Any

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Page, Parsed
from jobtrail.crawler.items import Posting, Salary
from jobtrail.crawler.sources.config import SourceConfig


class Ashby(ats.ApiKind):
    key = "ashby"
    api_template = "https://api.ashbyhq.com/posting-api/job-board/{b}?includeCompensation=true"

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        if host == "jobs.ashbyhq.com":
            m = re.match(r"/([^/?#]+)", path)
        elif host == "api.ashbyhq.com":
            m = re.match(r"/posting-api/job-board/([^/?#]+)", path)
        else:
            return None
        return (m[1], {}) if m and m[1] != "api" else None

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        data = ats.require(ats.read_json(page, self.key), self.key, "expected an object with 'jobs'")
        jobs = ats.require(data.get("jobs"), self.key, "'jobs' is not a list", list)
        listed = [job for job in ats.items(jobs) if job.get("isListed") is not False]
        return Parsed(postings=[posting(job, source, page.url) for job in listed])


def posting(job: dict[str, Any], source: SourceConfig, api_url: str = "") -> Posting:
    if not job.get("id") or not ats.text(job.get("title")):
        raise ExtractError("ashby: a job without 'id' or 'title'")
    secondary = [s.get("location") for s in ats.items(job.get("secondaryLocations"))]
    result = Posting(
        source=source.name,
        external_id=str(job["id"]),
        url=ats.text(job.get("jobUrl")) or _public_url(api_url, source, job["id"]),
        title=ats.text(job["title"]) or "",
        company=source.company,
        locations=ats.unique([job.get("location"), *secondary]),
        department=ats.text(job.get("department")) or ats.text(job.get("team")),
        employment_type=ats.employment_type(job.get("employmentType")),
        workplace=ats.workplace(job.get("workplaceType")) or ("remote" if job.get("isRemote") else None),
        salary=_salary(job.get("compensation")),
        date_posted=ats.iso_date(job.get("publishedAt")),
    )
    ats.add_html(result, job.get("descriptionHtml") or ats.html_paragraphs(job.get("descriptionPlain")))
    return result


def _public_url(api_url: str, source: SourceConfig, job_id: Any) -> str:
    board = source.board or ats.path_token(api_url, r"/job-board/([^/]+)")
    return f"https://jobs.ashbyhq.com/{board}/{job_id}" if board else ""


def _salary(compensation: Any) -> Salary | None:
    """The first salary component: the summary first, then each tier's components."""
    if not isinstance(compensation, dict):
        return None
    components = ats.items(compensation.get("summaryComponents"))
    for tier in ats.items(compensation.get("compensationTiers")):
        components += ats.items(tier.get("components"))
    for part in components:
        if str(part.get("compensationType", "")).lower() == "salary":
            found = ats.salary(part.get("minValue"), part.get("maxValue"), part.get("currencyCode"),
                               part.get("interval"))
            if found:
                return found
    return None


KIND = Ashby()
