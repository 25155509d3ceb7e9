"""ATS boards served by the real mock server, built from the fixture responses.

Each board holds its postings in the ATS's own shape and can change the way a real
board does between two crawls: one requirement reworded, one posting gone, one new.
``serve`` publishes the whole board (list pages, detail pages) on a MockServer.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from tests.mockserver import MockServer

FIXTURES = Path(__file__).parent / "fixtures"


def load(kind: str, case: str, name: str = "input.json") -> Any:
    return json.loads((FIXTURES / kind / case / name).read_text(encoding="utf-8"))


def reword(job: Any, old: str, new: str) -> Any:
    """``job`` with one piece of text changed wherever it appears (HTML or escaped HTML)."""
    text = json.dumps(job, ensure_ascii=False)
    assert old in text, f"fixture text {old!r} not found"
    return json.loads(text.replace(old, new))


@dataclass
class Board:
    """A board of one ATS kind: its postings, and how the kind lays them out on the server."""

    kind: str
    jobs: list[Any]
    id_key: str  # where a posting keeps its id
    requirement: tuple[str, str]  # (old, new) text of the requirement a change rewords
    expected_ids: list[str] = field(default_factory=list)

    def change(self) -> tuple[str, str, str]:
        """Reword a requirement of the first posting, drop the second, add a copy of the first.

        Returns the external ids (changed, removed, added)."""
        first, removed = self.jobs[0], self.jobs[1]
        added = copy.deepcopy(first)
        added_id = self.new_id(first)
        self.set_id(added, added_id)
        self.jobs = [reword(first, *self.requirement), *self.jobs[2:], added]
        return self.external_id(first), self.external_id(removed), self.external_id(added)

    def external_id(self, job: Any) -> str:
        return str(job[self.id_key])

    def set_id(self, job: Any, value: str) -> None:
        job[self.id_key] = int(value) if isinstance(job[self.id_key], int) else value
        job["title"] = job.get("title", "") + " (new team)"

    def new_id(self, job: Any) -> str:
        value = job[self.id_key]
        return str(value + 9000) if isinstance(value, int) else f"{value[:-3]}NEW"


# --- one function per kind: source config + serving -----------------------------------------------

def greenhouse_board() -> Board:
    jobs = load("greenhouse", "board")["jobs"]
    return Board("greenhouse", jobs, "id", ("Solid SQL and experience", "Solid SQL and 3+ years of experience"))


def serve_greenhouse(server: MockServer, board: Board) -> dict[str, Any]:
    server.set("/v1/boards/northwind/jobs", _json({"jobs": board.jobs, "meta": {"total": len(board.jobs)}}),
               content_type="application/json")
    return {"url": server.url("/v1/boards/northwind/jobs?content=true")}


def lever_board() -> Board:
    return Board("lever", load("lever", "board"), "id", ("Strong C++ and Python", "Strong C++ 20 and Python"))


LEVER_PAGE = 2


def serve_lever(server: MockServer, board: Board) -> dict[str, Any]:
    """Pages of LEVER_PAGE postings, addressed by skip/limit, the last one short or empty."""
    for skip in range(0, len(board.jobs) + LEVER_PAGE, LEVER_PAGE):
        server.set(f"/v0/postings/kestrel?mode=json&skip={skip}&limit={LEVER_PAGE}",
                   _json(board.jobs[skip:skip + LEVER_PAGE]), content_type="application/json")
    return {"url": server.url(f"/v0/postings/kestrel?mode=json&skip=0&limit={LEVER_PAGE}")}


def ashby_board() -> Board:
    jobs = [job for job in load("ashby", "board")["jobs"] if job.get("isListed") is not False]
    return Board("ashby", jobs, "id", ("Deep experience with Terraform", "Hands-on experience with Terraform"))


def serve_ashby(server: MockServer, board: Board) -> dict[str, Any]:
    server.set("/posting-api/job-board/lumen", _json({"apiVersion": "1", "jobs": board.jobs}),
               content_type="application/json")
    return {"url": server.url("/posting-api/job-board/lumen?includeCompensation=true")}


def recruitee_board() -> Board:
    return Board("recruitee", load("recruitee", "board")["offers"], "id",
                 ("Experience with MySQL query tuning", "Experience with MySQL and PostgreSQL query tuning"))


def serve_recruitee(server: MockServer, board: Board) -> dict[str, Any]:
    server.set("/api/offers/", _json({"offers": board.jobs}), content_type="application/json")
    return {"url": server.url("/api/offers/")}


def workable_board() -> Board:
    """Widget entries carry their detail (the v2 job) under "_detail"."""
    widget = load("workable", "widget")
    full = load("workable", "detail")
    jobs = []
    for entry in widget["jobs"]:
        detail = full if entry["shortcode"] == full["shortcode"] else {
            "shortcode": entry["shortcode"], "title": entry["title"],
            "description": entry.get("description", ""),
            "requirements": "<ul><li>Fluent English</li><li>Reliable and punctual</li></ul>",
        }
        jobs.append({**entry, "_detail": detail})
    return Board("workable", jobs, "shortcode", ("TypeScript in production", "TypeScript and GraphQL in production"))


def serve_workable(server: MockServer, board: Board) -> dict[str, Any]:
    listed = [{k: v for k, v in job.items() if k != "_detail"} for job in board.jobs]
    server.set("/api/v1/widget/accounts/harbourline", _json({"name": "Harbourline Ferries", "jobs": listed}),
               content_type="application/json")
    for job in board.jobs:
        detail = {**job["_detail"], "shortcode": job["shortcode"], "title": job["title"]}
        server.set(f"/api/v2/accounts/harbourline/jobs/{job['shortcode']}", _json(detail),
                   content_type="application/json")
    return {"url": server.url("/api/v1/widget/accounts/harbourline?details=true")}


SMARTRECRUITERS_PAGE = 2


def smartrecruiters_board() -> Board:
    full = load("smartrecruiters", "detail")
    localized = load("smartrecruiters", "detail-localized")
    jobs = [full, localized]
    for number, title in enumerate(["Fleet Operations Coordinator", "Charging Technician", "Sales Engineer"]):
        job = copy.deepcopy(localized)
        job["id"], job["name"] = f"7440000123457{number:02d}", title
        jobs.append(job)
    return Board("smartrecruiters", jobs, "id", ("3+ years of embedded C", "3+ years of embedded C or Rust"))


def serve_smartrecruiters(server: MockServer, board: Board) -> dict[str, Any]:
    base = "/v1/companies/VelaMobility/postings"
    size = SMARTRECRUITERS_PAGE
    for offset in range(0, len(board.jobs), size):
        page = [{k: v for k, v in job.items() if k != "jobAd"} for job in board.jobs[offset:offset + size]]
        server.set(f"{base}?limit={size}&offset={offset}",
                   _json({"offset": offset, "limit": size, "totalFound": len(board.jobs), "content": page}),
                   content_type="application/json")
    for job in board.jobs:
        server.set(f"{base}/{job['id']}", _json(job), content_type="application/json")
    return {"url": server.url(f"{base}?limit={size}&offset=0")}


class WorkdayBoard(Board):
    def external_id(self, job: Any) -> str:
        return str(job["jobPostingInfo"]["jobReqId"])

    def set_id(self, job: Any, value: str) -> None:
        job["jobPostingInfo"]["jobReqId"] = value
        job["jobPostingInfo"]["externalUrl"] = job["jobPostingInfo"]["externalUrl"].rsplit("_", 1)[0] + "_" + value
        job["jobPostingInfo"]["title"] += " (new team)"

    def new_id(self, job: Any) -> str:
        return "R-29999"


def workday_board(count: int = 25) -> WorkdayBoard:
    """More postings than one Workday page (20), made from the one detail fixture."""
    template = load("workday", "detail")
    jobs = []
    for number in range(count):
        job = copy.deepcopy(template)
        info = job["jobPostingInfo"]
        req = f"R-2{number:04d}"
        info["jobReqId"], info["title"] = req, f"{info['title']} {number + 1}"
        info["externalUrl"] = f"https://granite.wd5.myworkdayjobs.com/Careers/job/Denver-CO/Data-Engineer_{req}"
        jobs.append(job)
    requirement = ("5+ years of data engineering experience", "6+ years of data engineering experience")
    return WorkdayBoard("workday", jobs, "jobReqId", requirement)


def _workday_path(job: dict[str, Any]) -> str:
    return "/job/Denver-CO/Data-Engineer_" + job["jobPostingInfo"]["jobReqId"]


def serve_workday(server: MockServer, board: Board) -> dict[str, Any]:
    """List pages are told apart by the offset in the POST body (see BodyRoutingServer)."""
    base = "/wday/cxs/granite/Careers"
    for offset in range(0, len(board.jobs), 20):
        page = [{"title": job["jobPostingInfo"]["title"], "externalPath": _workday_path(job),
                 "locationsText": "Denver, CO", "postedOn": "Posted Today"} for job in board.jobs[offset:offset + 20]]
        total = len(board.jobs) if offset == 0 else 0  # Workday reports the total on page one only
        server.set(f"{base}/jobs?offset={offset}", _json({"total": total, "jobPostings": page}),
                   content_type="application/json")
    for job in board.jobs:
        server.set(base + _workday_path(job), _json(job), content_type="application/json")
    return {"url": server.url(f"{base}/jobs")}


class PersonioBoard(Board):
    """Postings are <position> elements (as XML text)."""

    def external_id(self, job: Any) -> str:
        return etree.fromstring(job.encode()).findtext("id")

    def set_id(self, job: Any, value: str) -> None:
        raise NotImplementedError  # change() below works on text

    def change(self) -> tuple[str, str, str]:
        first, removed = self.jobs[0], self.jobs[1]
        added = re.sub(r"<id>\d+</id>", "<id>1299999</id>", first).replace(
            "Senior Java Developer", "Senior Kotlin Developer")
        old, new = self.requirement
        self.jobs = [first.replace(old, new), *self.jobs[2:], added]
        return self.external_id(first), self.external_id(removed), "1299999"


def personio_board() -> PersonioBoard:
    root = etree.parse(str(FIXTURES / "personio" / "board" / "input.xml")).getroot()
    jobs = [etree.tostring(position, encoding="unicode") for position in root.iterfind("position")]
    return PersonioBoard("personio", jobs, "id", ("Good knowledge of SQL databases",
                                                  "Good knowledge of PostgreSQL"))


def serve_personio(server: MockServer, board: Board) -> dict[str, Any]:
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<workzag-jobs>' + "".join(board.jobs) + "</workzag-jobs>"
    server.set("/xml", xml, content_type="application/xml; charset=utf-8")
    return {"url": server.url("/xml?language=en")}


BOARDS = {
    "greenhouse": (greenhouse_board, serve_greenhouse),
    "lever": (lever_board, serve_lever),
    "ashby": (ashby_board, serve_ashby),
    "workable": (workable_board, serve_workable),
    "smartrecruiters": (smartrecruiters_board, serve_smartrecruiters),
    "recruitee": (recruitee_board, serve_recruitee),
    "personio": (personio_board, serve_personio),
    "workday": (workday_board, serve_workday),
}


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


# --- a mock server that tells Workday's list pages apart by their POST body -----------------------

class BodyRoutingServer(MockServer):
    """MockServer whose POSTs with a JSON ``offset`` are served from ``path?offset=N``.

    Workday pages its list by the offset in a POST body; the shared server routes by path.
    """

    def __init__(self) -> None:
        super().__init__()
        base = self._httpd.RequestHandlerClass

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                import io

                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    offset = json.loads(body).get("offset")
                except (ValueError, AttributeError):
                    offset = None
                if isinstance(offset, int) and "?" not in self.path:
                    self.path = f"{self.path}?offset={offset}"
                connection, self.rfile = self.rfile, io.BytesIO(body)
                try:
                    base.do_POST(self)
                finally:
                    self.rfile = connection

        self._httpd.RequestHandlerClass = Handler

