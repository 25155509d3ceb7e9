"""schema.org JobPosting from JSON-LD and microdata, mapped onto Posting fields.

Structured data is the most reliable source for scalars (ids, dates, salary), but it
is hand-written too: ``@graph`` wrappers, top-level arrays, HTML-escaped descriptions,
dates like "yesterday", and invalid JSON are all common. Each bad block or value is
skipped on its own; the page still yields what the rest says.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import lxml.etree
from lxml.html import HtmlElement

from jobtrail.crawler.extract.ats import interval
from jobtrail.crawler.extract.document import parse_document
from jobtrail.crawler.extract.sections import Sections, extract_sections, one_line, read_html
from jobtrail.crawler.items import Salary

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
_RANGE = re.compile(r"(?<=\d)\s*(?:-|–|—|to)\s*(?=[^\d]{0,3}\d)")
_MARKUP = re.compile(r"<\s*(?:li|p|br|ul|ol|div|h\d)\b", re.IGNORECASE)
#: items of a plain-text list property: lines, bullets, runs of NBSP
_ITEM_SPLIT = re.compile(r"\s*(?:\n|\r|•|·|●|\u00a0{2,}|\s\u00a0|\u00a0\s|;\s*\n)\s*")
#: schema.org JobPosting text properties that are lists of one Posting field
LIST_PROPERTIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("requirements", ("qualifications", "skills", "experienceRequirements", "educationRequirements")),
    ("responsibilities", ("responsibilities",)),
    ("benefits", ("jobBenefits", "incentiveCompensation")),
)
_LD_JSON = lxml.etree.XPath('//script[@type="application/ld+json"]')
#: microdata extraction walks every element; most pages have no item at all (an itemscope
#: attribute anywhere: ~10x faster than testing every element for one)
_MICRODATA = lxml.etree.XPath("boolean(//@itemscope)")
_STRING = lxml.etree.XPath("string()")


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
    for script in _LD_JSON(tree):
        try:
            nodes.extend(_ld_items(script))
        except (ValueError, RecursionError):
            continue  # one invalid (or absurdly deep) block must not hide the others
    if _MICRODATA(tree):
        from extruct.w3cmicrodata import LxmlMicrodataExtractor  # on use: see _ld_items

        try:
            nodes.extend(_from_microdata(item) for item in LxmlMicrodataExtractor().extract_items(tree, base_url))
        except (ValueError, TypeError):
            pass
    found: list[dict[str, Any]] = []
    for node in nodes:
        _collect(node, found, MAX_DEPTH)
    return found


def _ld_items(script: HtmlElement) -> list[Any]:
    """The items of one JSON-LD block, as extruct's ``JsonLdExtractor.extract_items`` gives them.

    A block that is plain JSON is read here the way extruct reads it first (``json.loads``,
    ``strict=False``: a list gives its items, an object itself, empty items dropped); only a
    block that is not goes to extruct, whose lenient reader skips comments. extruct is imported
    then and only then: importing it pulls in rdflib, pyRdfa and mf2py (~0.1 s of every crawl).
    """
    try:
        data = json.loads(_STRING(script), strict=False)
    except ValueError:
        from extruct.jsonld import JsonLdExtractor

        return JsonLdExtractor().extract_items(script)
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [item for item in items if item]


def to_structured(node: dict[str, Any], base_url: str = "") -> StructuredPosting:
    """Map one JobPosting object onto Posting field values; bad values become None."""
    description = _text(node.get("description"), keep_markup=True)
    sections = extract_sections(html_lib.unescape(description), base_url) if description else None
    return StructuredPosting(
        title=_text(node.get("title") or node.get("name")),
        external_id=_identifier(node.get("identifier")),
        company=_name(node.get("hiringOrganization")),
        url=_text(node.get("url")),
        locations=_locations(node),
        employment_type=_employment_type(node.get("employmentType")),
        workplace=_workplace(node.get("jobLocationType")),
        salary=_salary(node.get("baseSalary") or node.get("estimatedSalary"), node.get("salaryCurrency")),
        date_posted=iso_date(node.get("datePosted")),
        valid_through=iso_date(node.get("validThrough")),
        sections=_with_list_fields(sections, node),
    )


def _with_list_fields(sections: Sections | None, node: dict[str, Any]) -> Sections | None:
    """The description's sections, with schema.org's own list properties filling the lists it
    left empty (``qualifications``, ``skills``, ``responsibilities``, ``jobBenefits``...)."""
    found = {name: [item for key in keys for item in list_items(node.get(key))] for name, keys in LIST_PROPERTIES}
    if not any(found.values()):
        return sections
    sections = sections or Sections()
    for name, items in found.items():
        if items and not getattr(sections, name):
            setattr(sections, name, list(dict.fromkeys(items)))
    return sections


def list_items(value: Any) -> list[str]:
    """Items of a schema.org text property in any shape: HTML (lists, paragraphs, <br>),
    newline- or NBSP-separated text, arrays, or objects (credentials, months of experience)."""
    if isinstance(value, list):
        return [item for element in value for item in list_items(element)]
    if isinstance(value, dict):
        text = _object_text(value)
        return [text] if text else []
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    if not isinstance(value, str) or not value.strip():
        return []
    raw = html_lib.unescape(value) if "&lt;" in value else value
    if _MARKUP.search(raw):
        sections, lines = read_html(raw)
        return [text for kind, text in lines if kind in ("bullet", "para")]
    return [item for item in (one_line(part) for part in _ITEM_SPLIT.split(html_lib.unescape(raw))) if item]


def _object_text(value: dict[str, Any]) -> str | None:
    months = _number(value.get("monthsOfExperience"))
    if months is not None:
        years = months / 12
        span = f"{years:g} years" if months % 12 == 0 else f"{months:g} months"
        return one_line(f"{span} of experience {_text(value.get('description')) or ''}")
    for key in ("name", "credentialCategory", "educationalLevel", "description", "text", "value", "@value"):
        text = _text(value.get(key))
        if text:
            return text
    return None


def _workplace(value: Any) -> str | None:
    kinds = _upper_list(value)
    return "remote" if any("TELECOMMUTE" in kind or "REMOTE" in kind for kind in kinds) else None


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
    text = value.strip() if keep_markup else one_line(html_lib.unescape(value))
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


def _salary(value: Any, currency: Any = None) -> Salary | None:
    """baseSalary in any shape: MonetaryAmount with a QuantitativeValue (minValue/maxValue or
    value), a number or a numeric string ("50000", "50,000-70,000"), a list of those, or a
    bare number with ``salaryCurrency`` beside it."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        value = {"value": value}
    if not isinstance(value, dict):
        return None
    amount = value.get("value", value.get("minValue"))
    unit = value.get("unitText")
    if isinstance(amount, list):
        amount = next((v for v in amount if v is not None), None)
    if isinstance(amount, dict):
        unit = amount.get("unitText") or unit
        low, high = _number(amount.get("minValue")), _number(amount.get("maxValue"))
        if low is None and high is None:
            low, high = _bounds(amount.get("value"))
    elif "minValue" in value or "maxValue" in value:
        low, high = _number(value.get("minValue")), _number(value.get("maxValue"))
    else:
        low, high = _bounds(amount)
    if low is None and high is None:
        return None
    code = _text(value.get("currency")) or _text(currency)
    per = interval(unit.replace("_", " ")) if isinstance(unit, str) else None
    return Salary(min=low, max=high, currency=code.upper() if code else None, interval=per)


def _bounds(value: Any) -> tuple[float | None, float | None]:
    """(low, high) of a number or of a range written as text ("50,000 - 70,000")."""
    if isinstance(value, str) and _RANGE.search(value):
        low, high = _RANGE.split(value, maxsplit=1)
        return _thousands(low), _thousands(high)
    number = _thousands(value)
    return number, number


def _thousands(value: Any) -> float | None:
    """A number, "100k" meaning 100000."""
    number = _number(value)
    if number is not None and isinstance(value, str) and value.strip().lower().endswith("k"):
        return number * 1000
    return number


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _NUMBER.search(value.replace(",", "").replace("\u00a0", "").replace(" ", ""))
        return float(match.group()) if match else None
    return None
