"""SmartRecruiters posting API: paged list, then one detail per posting for the text.

``GET https://api.smartrecruiters.com/v1/companies/{id}/postings?limit=100&offset=N`` ->
``{offset, limit, totalFound, content: [...]}`` (paged until ``totalFound``); detail
``GET .../postings/{postingId}`` -> ``jobAd.sections.{companyDescription, jobDescription,
qualifications, additionalInformation}`` each ``{title, text(HTML)}``. Titles can be
localized ("Qualifikationen"), so the section key decides when the title is unknown.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Fetch, Page, Parsed
from jobtrail.crawler.items import Posting
from jobtrail.crawler.sources.config import SourceConfig

PAGE_SIZE = 100
#: jobAd section key -> the field it is when its (possibly localized) title is not known
SECTIONS = (
    ("companyDescription", None), ("jobDescription", None), ("qualifications", "requirements"),
    ("additionalInformation", None),
)


class SmartRecruiters(ats.ApiKind):
    key = "smartrecruiters"
    api_template = "https://api.smartrecruiters.com/v1/companies/{b}/postings?limit=100&offset=0"

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        if host in {"careers.smartrecruiters.com", "jobs.smartrecruiters.com"}:
            m = re.match(rf"/({ats.BOARD_TOKEN})", path)
        elif host == "api.smartrecruiters.com":
            m = re.match(rf"/v1/companies/({ats.BOARD_TOKEN})", path)
        else:
            return None
        return (m[1], {}) if m and m[1].lower() not in {"oneclick-ui", "sr-jobs"} else None

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        data = ats.require(ats.read_json(page, self.key), self.key, "expected a JSON object")
        if page.role == "detail" or (page.role is None and "content" not in data):
            return Parsed(postings=[posting(data, source, page.url)])
        rows = ats.items(ats.require(data.get("content"), self.key, "'content' is not a list", list))
        if page.role is None:
            return Parsed(postings=[posting(row, source, page.url) for row in rows])
        detail = [Fetch(url=_detail_url(page.url, row["id"]), role="detail", is_api=True)
                  for row in rows if row.get("id")]
        return Parsed(follow=detail + _next_page(page, data, len(rows)))


def _detail_url(list_url: str, posting_id: Any) -> str:
    parts = urlsplit(list_url)
    path = parts.path.rstrip("/") + "/" + quote(str(posting_id), safe="")
    return urlunsplit(parts._replace(path=path, query="", fragment=""))


def _next_page(page: Page, data: dict[str, Any], count: int) -> list[Fetch]:
    offset = ats.query_int(page.url, "offset") or 0
    limit = ats.query_int(page.url, "limit") or PAGE_SIZE
    total = ats.number(data.get("totalFound")) or 0
    if count == 0 or offset + limit >= total:
        return []
    return [Fetch(url=ats.with_query(page.url, limit=limit, offset=offset + limit), role="list", is_api=True)]


def posting(job: dict[str, Any], source: SourceConfig, api_url: str = "") -> Posting:
    if not job.get("id") or not ats.text(job.get("name")):
        raise ExtractError("smartrecruiters: a posting without 'id' or 'name'")
    company = ats.obj(job.get("company"))
    location = ats.obj(job.get("location"))
    result = Posting(
        source=source.name,
        external_id=str(job["id"]),
        url=ats.text(job.get("postingUrl")) or _public_url(company, job, api_url),
        title=ats.text(job["name"]) or "",
        company=source.company or ats.text(company.get("name")),
        locations=ats.unique([location.get("fullLocation") or _place(location)]),
        department=ats.text(_label(job.get("department"))),
        employment_type=ats.employment_type(_label(job.get("typeOfEmployment"))),
        workplace=_workplace(location),
        date_posted=ats.iso_date(job.get("releasedDate")),
    )
    job_ad = ats.obj(job.get("jobAd"))
    sections = ats.obj(job_ad.get("sections"))
    for key, default in SECTIONS:
        section = ats.obj(sections.get(key))
        ats.add_section(result, ats.text(section.get("title")), section.get("text"), default=default)
    return result


def _place(location: dict[str, Any]) -> str | None:
    return ats.place(location.get("city"), location.get("region"), location.get("country"))


def _label(value: Any) -> Any:
    return value.get("label") if isinstance(value, dict) else value


def _public_url(company: dict[str, Any], job: dict[str, Any], api_url: str) -> str:
    identifier = ats.text(company.get("identifier")) or ats.path_token(api_url, r"/companies/([^/]+)")
    return f"https://jobs.smartrecruiters.com/{identifier}/{job['id']}" if identifier else ""


def _workplace(location: dict[str, Any]) -> str | None:
    if location.get("hybrid") is True:
        return "hybrid"
    return "remote" if location.get("remote") is True else None


KIND = SmartRecruiters()
