"""Personio XML feed: every position, each description split into named sections.

``GET https://{account}.jobs.personio.de/xml?language=en`` -> ``<workzag-jobs><position>``.
Each ``jobDescription`` has a ``name`` (the section heading) and a CDATA HTML ``value``.
The XML is parsed without DTDs, entity expansion or network access: it comes from
someone else's server. An empty ``<workzag-jobs/>`` is a valid, empty board.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Page, Parsed
from jobtrail.crawler.items import Posting
from jobtrail.crawler.sources.config import SourceConfig

_PARSER_OPTIONS = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
    "huge_tree": False, "remove_comments": True,
}


class Personio(ats.ApiKind):
    key = "personio"
    api_template = "https://{b}.jobs.personio.{tld}/xml?language=en"

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        m = re.fullmatch(r"([a-z0-9\-]+)\.jobs\.personio\.(de|com)", host)
        return (m[1], {"tld": m[2]}) if m else None

    def api_url(self, board: str, *, tld: str = "de", **extra: Any) -> str:
        """Boards live under jobs.personio.de or jobs.personio.com."""
        return super().api_url(board, tld=tld)

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        root = read_xml(page)
        if root.tag != "workzag-jobs":
            raise ExtractError(f"personio: expected <workzag-jobs>, got <{root.tag}>")
        site = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        return Parsed(postings=[posting(p, source, site) for p in root.iterfind("position")])


def read_xml(page: Page) -> etree._Element:
    ats.check_status(page, "personio")
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(page.body, parser)
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg).splitlines()[0] if exc.msg else "syntax error"
        raise ExtractError(f"personio: malformed XML ({message})") from None
    if root is None:
        raise ExtractError("personio: empty XML document")
    return root


def posting(node: etree._Element, source: SourceConfig, site: str) -> Posting:
    def get(tag: str) -> str | None:
        return ats.text(node.findtext(tag))

    job_id, title = get("id"), get("name")
    if not job_id or not title:
        raise ExtractError("personio: a <position> without <id> or <name>")
    offices = [get("office"), *(o.text for o in node.iterfind("additionalOffices/office"))]
    result = Posting(
        source=source.name,
        external_id=job_id,
        url=f"{site}/job/{job_id}",
        title=title,
        company=source.company or get("subcompany"),
        locations=ats.unique(offices),
        department=get("department"),
        employment_type=_employment(get("employmentType"), get("schedule")),
        date_posted=ats.iso_date(get("createdAt")),
    )
    for section in node.iterfind("jobDescriptions/jobDescription"):
        ats.add_section(result, ats.text(section.findtext("name")), section.findtext("value"))
    return result


def _employment(kind: str | None, schedule: str | None) -> str | None:
    """``employmentType`` says permanent/intern/freelance; ``schedule`` says full/part time."""
    special = ats.employment_type(kind) if kind and kind.lower() != "permanent" else None
    if special in {"internship", "contract", "temporary", "working-student"}:
        return special
    return ats.employment_type(schedule) or special or ats.employment_type(kind)


KIND = Personio()
