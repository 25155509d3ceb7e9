"""Workable: the account widget lists jobs; each job's detail splits its description.

``GET https://apply.workable.com/api/v1/widget/accounts/{sub}?details=true`` ->
``{"name": company, "jobs": [{shortcode, title, url, ...}]}``; then per job
``GET https://apply.workable.com/api/v2/accounts/{sub}/jobs/{shortcode}`` ->
``{description, requirements, benefits}`` as separate HTML (bullets are sometimes
"●&nbsp;" lines in ``<p>``). A saved widget response alone gives postings from the list.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urljoin

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Fetch, Page, Parsed
from jobtrail.crawler.items import Posting
from jobtrail.crawler.sources.config import SourceConfig


class Workable(ats.ApiKind):
    key = "workable"
    api_template = "https://apply.workable.com/api/v1/widget/accounts/{b}?details=true"

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        if host == "apply.workable.com":
            m = re.match(rf"/api/v\d/(?:widget/)?accounts/({ats.BOARD_TOKEN})", path) or re.match(
                rf"/({ats.BOARD_TOKEN})", path
            )
            return (m[1], {}) if m and m[1] not in {"api", "j"} else None
        m = re.fullmatch(r"([a-z0-9\-]+)\.workable\.com", host)
        return (m[1], {}) if m and m[1] not in {"www", "apply", "jobs", "help", "resources"} else None

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        data = ats.require(ats.read_json(page, self.key), self.key, "expected a JSON object")
        if page.role == "detail" or (page.role is None and "jobs" not in data):
            return Parsed(postings=[detail_posting(data, page.data, source, page.url)])
        jobs = ats.items(ats.require(data.get("jobs"), self.key, "'jobs' is not a list", list))
        company = ats.text(data.get("name"))
        if page.role is None:
            return Parsed(postings=[list_posting(job, company, source, page.url) for job in jobs])
        return Parsed(follow=[_detail_fetch(page.url, job, company) for job in jobs if job.get("shortcode")])


def _detail_fetch(list_url: str, job: dict[str, Any], company: str | None) -> Fetch:
    match = re.search(r"/accounts/([^/?#]+)", list_url)
    if not match:
        raise ExtractError("workable: cannot tell the account from the list URL")
    path = f"/api/v2/accounts/{match[1]}/jobs/{quote(str(job['shortcode']), safe='')}"
    return Fetch(url=urljoin(list_url, path), role="detail", is_api=True,
                 data={"listed": job, "company": company})


def _base(job: dict[str, Any], source: SourceConfig, company: str | None, listed: dict[str, Any],
          api_url: str) -> Posting:
    shortcode = ats.text(job.get("shortcode")) or ats.text(listed.get("shortcode"))
    title = ats.text(job.get("title")) or ats.text(listed.get("title"))
    if not shortcode or not title:
        raise ExtractError("workable: a job without 'shortcode' or 'title'")
    return Posting(
        source=source.name,
        external_id=shortcode,
        url=ats.text(listed.get("url")) or _public_url(api_url, shortcode),
        title=title,
        company=source.company or company,
        locations=_locations(job) or _locations(listed),
        department=_department(job.get("department")) or _department(listed.get("department")),
        employment_type=ats.employment_type(job.get("type") or listed.get("employment_type")),
        workplace=_workplace(job) or _workplace(listed),
        date_posted=ats.iso_date(job.get("published") or listed.get("published_on")),
    )


def list_posting(job: dict[str, Any], company: str | None, source: SourceConfig, api_url: str) -> Posting:
    result = _base(job, source, company, job, api_url)
    ats.add_html(result, job.get("description"))
    return result


def detail_posting(job: dict[str, Any], data: dict[str, Any], source: SourceConfig, api_url: str) -> Posting:
    result = _base(job, source, data.get("company"), data.get("listed") or {}, api_url)
    ats.add_html(result, job.get("description"))
    ats.add_section(result, None, job.get("requirements"), default="requirements")
    ats.add_section(result, None, job.get("benefits"), default="benefits")
    return result


def _locations(job: dict[str, Any]) -> list[str]:
    places = [ats.place(loc.get("city"), loc.get("region"), loc.get("country"))
              for loc in ats.items(job.get("locations")) if not loc.get("hidden")]
    location = ats.obj(job.get("location"))
    places.append(ats.place(location.get("city"), location.get("region"), location.get("country")))
    if isinstance(job.get("city"), str):  # the widget's flat fields ("state" is a region there)
        places.append(ats.place(job.get("city"), job.get("state"), job.get("country")))
    return ats.unique(places)


def _public_url(api_url: str, shortcode: str) -> str:
    account = ats.path_token(api_url, r"/accounts/([^/?#]+)")
    return f"https://apply.workable.com/{account}/j/{shortcode}/" if account else ""


def _department(value: Any) -> str | None:
    if isinstance(value, list):
        return ats.text(" / ".join(str(v) for v in value if v)) if value else None
    return ats.text(value)


def _workplace(job: dict[str, Any]) -> str | None:
    found = ats.workplace(job.get("workplace"))
    if found:
        return found
    if job.get("remote") is True or job.get("telecommuting") is True:
        return "remote"
    return None


KIND = Workable()
