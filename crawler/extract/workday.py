"""Workday career sites: a JSON list fetched by POST, 20 at a time, then one detail each.

``POST https://{tenant}.wd{N}.myworkdayjobs.com/wday/cxs/{tenant}/{site}/jobs`` with
``{"appliedFacets": {}, "limit": 20, "offset": N, "searchText": ""}`` -> ``{total,
jobPostings: [{title, externalPath, ...}]}``; detail ``GET .../wday/cxs/{tenant}/{site}{externalPath}``
-> ``{jobPostingInfo, hiringOrganization, similarJobs}``. Many tenants report ``total``
on the first page only, so it travels with the paging state. ``postedOn`` ("Posted 3 Days
Ago") is volatile and never used.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import SplitResult, urlsplit

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Fetch, Page, Parsed
from jobtrail.crawler.items import Posting, RelatedJob
from jobtrail.crawler.sources.config import SourceConfig

PAGE_SIZE = 20


class Workday(ats.ApiKind):
    key = "workday"

    def start(self, source: SourceConfig) -> list[Fetch]:
        return [list_fetch(self.start_url(source.url, source.board), 0, None)]

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        m_host = re.fullmatch(r"([a-z0-9\-]+)\.(wd\d+)\.myworkdayjobs\.com", host)
        if not m_host:
            return None
        m = re.match(r"/wday/cxs/[^/]+/([^/?#]+)", path) or re.match(
            r"/(?:[a-z]{2}-[A-Z]{2}/)?([^/?#]+)", path
        )
        if not m or m[1] in {"wday", "job"}:
            return None
        return f"{m_host[1]}.{m_host[2]}/{m[1]}", {}

    def match_url(self, parts: SplitResult, query: dict[str, list[str]]) -> tuple[str, str] | None:
        """Also a Workday API path on any host (a company's own domain, a test server)."""
        found = super().match_url(parts, query)
        if found:
            return found
        m = re.match(r"/wday/cxs/([^/]+)/([^/?#]+)", parts.path)
        if m and parts.hostname:
            return f"{m[1]}/{m[2]}", f"{parts.scheme}://{parts.netloc}{m[0]}/jobs"
        return None

    def api_url(self, board: str, **extra: Any) -> str:
        """Workday boards are "tenant.wdN/site" (as in tenant.wdN.myworkdayjobs.com/site)."""
        match = re.fullmatch(r"([A-Za-z0-9\-]+)\.(wd\d+)/([^/?#]+)", board)
        if not match:
            raise ValueError(f"workday board must look like 'tenant.wd5/SiteName', got {board!r}")
        tenant, wd, site = match.groups()
        return f"https://{tenant}.{wd}.myworkdayjobs.com/wday/cxs/{tenant}/{site}/jobs"

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        data = ats.require(ats.read_json(page, self.key), self.key, "expected a JSON object")
        if page.role == "detail" or (page.role is None and "jobPostingInfo" in data):
            return Parsed(postings=[posting(data, page.url, source)])
        rows = ats.items(ats.require(data.get("jobPostings"), self.key, "'jobPostings' is not a list", list))
        if page.role is None:
            return Parsed(postings=[list_posting(row, page.url, source) for row in rows])
        base = page.url.rsplit("/jobs", 1)[0]
        follow = [Fetch(url=base + row["externalPath"], role="detail", is_api=True)
                  for row in rows if isinstance(row.get("externalPath"), str)]
        offset = int(page.data.get("offset", 0))
        total = ats.number(data.get("total")) or ats.number(page.data.get("total")) or 0
        if rows and offset + PAGE_SIZE < total:
            follow.append(list_fetch(page.url, offset + PAGE_SIZE, total))
        return Parsed(follow=follow)


def list_fetch(url: str, offset: int, total: float | None) -> Fetch:
    body = {"appliedFacets": {}, "limit": PAGE_SIZE, "offset": offset, "searchText": ""}
    return Fetch(url=url, role="list", method="POST", body=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json", "Accept": "application/json"},
                 data={"offset": offset, "total": total}, is_api=True)


def site_url(api_url: str, *, keep_path: bool = False) -> str:
    """The public page of an API URL: /wday/cxs/{tenant}/{site}{rest} -> https://host/{site}[{rest}]."""
    parts = urlsplit(api_url)
    segments = parts.path.split("/")
    if len(segments) <= 4 or segments[1:3] != ["wday", "cxs"]:
        return f"{parts.scheme}://{parts.netloc}"
    path = "/".join(segments[4:]) if keep_path else segments[4]
    return f"{parts.scheme}://{parts.netloc}/{path}"


def posting(data: dict[str, Any], api_url: str, source: SourceConfig) -> Posting:
    info = ats.require(data.get("jobPostingInfo"), "workday", "'jobPostingInfo' is not an object")
    job_id = ats.text(info.get("jobReqId")) or _req_id(api_url) or ats.text(info.get("id"))
    if not job_id or not ats.text(info.get("title")):
        raise ExtractError("workday: a posting without 'jobReqId'/'id' or 'title'")
    external = ats.text(info.get("externalUrl"))
    site = external.split("/job/", 1)[0] if external and "/job/" in external else site_url(api_url)
    organization = ats.obj(data.get("hiringOrganization"))
    additional = ats.array(info.get("additionalLocations"))
    result = Posting(
        source=source.name,
        external_id=job_id,
        url=external or site_url(api_url, keep_path=True),
        title=ats.text(info["title"]) or "",
        company=source.company or ats.text(organization.get("name")),
        locations=ats.unique([info.get("location"), *additional]),
        employment_type=ats.employment_type(info.get("timeType")),
        workplace=ats.workplace(info.get("remoteType")),
        date_posted=ats.iso_date(info.get("startDate")),
        related_jobs=[RelatedJob(title=ats.text(job.get("title")) or "", url=site + job["externalPath"])
                      for job in ats.items(data.get("similarJobs"))
                      if ats.text(job.get("title")) and isinstance(job.get("externalPath"), str)],
    )
    ats.add_html(result, info.get("jobDescription"))
    return result


def _req_id(path: str) -> str | None:
    """The requisition id a Workday posting path ends with ("..._R-10452"), as ``jobReqId`` says."""
    match = re.search(r"_([A-Za-z0-9\-]+)/?$", urlsplit(path).path)
    return match[1] if match else None


def list_posting(row: dict[str, Any], api_url: str, source: SourceConfig) -> Posting:
    """What a saved list page alone says about a posting (no description: that is the detail)."""
    path, title = row.get("externalPath"), ats.text(row.get("title"))
    if not isinstance(path, str) or not title:
        raise ExtractError("workday: a list entry without 'externalPath' or 'title'")
    return Posting(
        source=source.name,
        external_id=_req_id(path) or path,
        url=site_url(api_url) + path,
        title=title,
        company=source.company,
        locations=_list_locations(row.get("locationsText")),
        workplace=ats.workplace(row.get("remoteType")),
    )


def _list_locations(value: Any) -> list[str]:
    """``locationsText`` is a place, or only a count ("2 Locations") when there are several."""
    found = ats.text(value)
    return [] if not found or re.fullmatch(r"\d+ Locations?", found) else [found]


KIND = Workday()
