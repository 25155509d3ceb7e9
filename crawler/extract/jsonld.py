"""schema.org JobPosting from JSON-LD and microdata, mapped onto Posting fields.

Structured data is the most reliable source for scalars (ids, dates, salary), but it
is hand-written too: ``@graph`` wrappers, top-level arrays, HTML-escaped descriptions,
dates like "yesterday", and invalid JSON are all common. Each bad block or value is
skipped on its own; the page still yields what the rest says.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import lxml.etree
from extruct.jsonld import JsonLdExtractor
from extruct.w3cmicrodata import LxmlMicrodataExtractor
from lxml.html import HtmlElement

from jobtrail.crawler.extract.document import parse_document
from jobtrail.crawler.extract.sections import Sections, extract_sections, fold
from jobtrail.crawler.items import SALARY_INTERVALS, Salary

JOB_POSTING = "JobPosting"
#: how deep to look for a JobPosting inside other nodes (WebPage.mainEntity, @graph...)
MAX_DEPTH = 6

EMPLOYMENT_TYPES = {
    "FULL_TIME": "full-time", "PART_TIME": "part-time", "CONTRACTOR": "contract", "CONTRACT": "contract",
    "TEMPORARY": "temporary", "INTERN": "internship", "INTERNSHIP": "internship", "VOLUNTEER": "volunteer",
    "PER_DIEM": "per-diem", "OTHER": "other",
}
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_LD_JSON = lxml.etree.XPath('//script[@type="application/ld+json"]')
#: microdata extraction walks every element; most pages have no item at all
_MICRODATA = lxml.etree.XPath("boolean(//*[@itemscope])")


@dataclass
class StructuredPosting:
    """What a JobPosting says, already in Posting's vocabulary."""

    title: str | None = None
    external_id: str | None = None
    company: str | None = None
    url: str | None = None
    locations: list[str] = field(default_factory=list)
    employment_type: str | None = None
    workplace: str | None = None
    salary: Salary | None = None
    date_posted: str | None = None
    valid_through: str | None = None
    sections: Sections | None = None  # from the description


def job_postings(html: str, base_url: str = "") -> list[StructuredPosting]:
    """Every JobPosting on the page (JSON-LD first, then microdata), mapped."""
    return [to_structured(node, base_url) for node in find_job_posting_nodes(html, base_url)]


def job_postings_in(tree: HtmlElement, base_url: str = "") -> list[StructuredPosting]:
    """Like ``job_postings`` on a page already parsed by ``parse_document`` (one parse per page)."""
    return [to_structured(node, base_url) for node in job_posting_nodes_in(tree, base_url)]


def find_job_posting_nodes(html: str, base_url: str = "") -> list[dict[str, Any]]:
    """Raw JobPosting objects (JSON-LD shaped) from JSON-LD blocks and microdata."""
    tree = parse_document(html)
    return [] if tree is None else job_posting_nodes_in(tree, base_url)


def job_posting_nodes_in(tree: HtmlElement, base_url: str = "") -> list[dict[str, Any]]:
    """``find_job_posting_nodes`` on a parsed page."""
    nodes: list[Any] = []
    extractor = JsonLdExtractor()
    for script in _LD_JSON(tree):
        try:
            nodes.extend(extractor.extract_items(script))
        except ValueError:
            continue  # one invalid block must not hide the others
    if _MICRODATA(tree):
        try:
            nodes.extend(_from_microdata(item) for item in LxmlMicrodataExtractor().extract_items(tree, base_url))
        except (ValueError, TypeError):
            pass
    found: list[dict[str, Any]] = []
    for node in nodes:
        _collect(node, found, MAX_DEPTH)
    return found


def to_structured(node: dict[str, Any], base_url: str = "") -> StructuredPosting:
    """Map one JobPosting object onto Posting field values; bad values become None."""
    description = _text(node.get("description"), keep_markup=True)
    return StructuredPosting(
        title=_text(node.get("title") or node.get("name")),
        external_id=_identifier(node.get("identifier")),
        company=_name(node.get("hiringOrganization")),
        url=_text(node.get("url")),
        locations=_locations(node),
        employment_type=_employment_type(node.get("employmentType")),
        workplace="remote" if "TELECOMMUTE" in _upper_list(node.get("jobLocationType")) else None,
        salary=_salary(node.get("baseSalary")),
        date_posted=iso_date(node.get("datePosted")),
        valid_through=iso_date(node.get("validThrough")),
        sections=extract_sections(html_lib.unescape(description), base_url) if description else None,
    )


def iso_date(value: Any) -> str | None:
    """YYYY-MM-DD from an ISO date or datetime; anything else is None."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        return None


def _collect(node: Any, found: list[dict[str, Any]], depth: int) -> None:
    if depth < 0:
        return
    if isinstance(node, list):
        for item in node:
            _collect(item, found, depth - 1)
        return
    if not isinstance(node, dict):
        return
    if _is_job_posting(node):
        found.append(node)
        return
    for key, value in node.items():
        if key == "@graph" or isinstance(value, dict | list):
            _collect(value, found, depth - 1)


def _is_job_posting(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(name, str) and name.rstrip("/").split("/")[-1] == JOB_POSTING for name in names)


def _from_microdata(item: Any) -> Any:
    """Microdata items as JSON-LD shaped dicts: {"@type": ..., property: value}."""
    if isinstance(item, list):
        return [_from_microdata(value) for value in item]
    if not isinstance(item, dict) or "properties" not in item:
        return item
    types = item.get("type")
    converted = {key: _from_microdata(value) for key, value in item["properties"].items()}
    converted["@type"] = [str(t).rstrip("/").split("/")[-1] for t in (types if isinstance(types, list) else [types])]
    return converted


def _text(value: Any, *, keep_markup: bool = False) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or value.get("value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip() if keep_markup else fold(html_lib.unescape(value))
    return text or None


def _name(value: Any) -> str | None:
    return _text(value.get("name") if isinstance(value, dict) else value)


def _identifier(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value") if value.get("value") is not None else value.get("@id") or value.get("name")
    return _text(value)


def _locations(node: dict[str, Any]) -> list[str]:
    places = node.get("jobLocation") or node.get("applicantLocationRequirements") or []
    result: list[str] = []
    for place in places if isinstance(places, list) else [places]:
        label = _place_label(place)
        if label and label not in result:
            result.append(label)
    return result


def _place_label(place: Any) -> str | None:
    if not isinstance(place, dict):
        return _text(place)
    address = place.get("address")
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, dict):
        parts = [_name(address.get(key)) for key in ("addressLocality", "addressRegion", "addressCountry")]
        unique = list(dict.fromkeys(part for part in parts if part))
        if unique:
            return ", ".join(unique)
    return _text(address) or _name(place)


def _upper_list(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v.strip().upper() for v in values if isinstance(v, str)]


def _employment_type(value: Any) -> str | None:
    kinds = []
    for raw in _upper_list(value):
        for part in re.split(r"\s*,\s*", raw):
            key = part.replace("-", "_").replace(" ", "_")
            if key:
                kinds.append(EMPLOYMENT_TYPES.get(key, key.lower().replace("_", "-")))
    return ", ".join(dict.fromkeys(kinds)) or None


def _salary(value: Any) -> Salary | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    amount = value.get("value")
    unit = value.get("unitText")
    low = high = None
    if isinstance(amount, dict):
        unit = amount.get("unitText") or unit
        low, high = _number(amount.get("minValue")), _number(amount.get("maxValue"))
        if low is None and high is None:
            low = high = _number(amount.get("value"))
    else:
        low = high = _number(amount)
    interval = unit.strip().lower() if isinstance(unit, str) else None
    currency = _text(value.get("currency"))
    if low is None and high is None:
        return None
    return Salary(
        min=low, max=high, currency=currency.upper() if currency else None,
        interval=interval if interval in SALARY_INTERVALS else None,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _NUMBER.search(value.replace(",", "").replace("\u00a0", "").replace(" ", ""))
        return float(match.group()) if match else None
    return None
