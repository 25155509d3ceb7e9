"""The posting's field names are defined once (crawler/items.py) and every other list agrees."""

from __future__ import annotations

import re
from pathlib import Path

from jobtrail.crawler.items import (
    CONTENT_FIELDS,
    FIELD_ORDER,
    IDENTITY_FIELDS,
    JSON_FIELDS,
    LIST_FIELDS,
    POSTING_FIELDS,
    SCALAR_FIELDS,
    SEARCH_FIELDS,
    TEXT_FIELDS,
    TEXT_LIST_FIELDS,
)
from jobtrail.crawler.sources.config import SELECTOR_KEYS
from jobtrail.storage.models import PostingVersion

ROOT = Path(__file__).resolve().parents[1]
#: two bullet-section names next to each other in source code = a retyped field list
RETYPED = re.compile(r"""["']requirements["'],\s*["']nice_to_have["']""")
#: config.py imports nothing of the project, so it spells its keys out (checked below);
#: migrations are frozen history and must not follow later renames
ALLOWED = {"crawler/items.py", "crawler/sources/config.py"}


def test_groups_partition_the_content_fields() -> None:
    grouped = [*SCALAR_FIELDS, *TEXT_LIST_FIELDS, *TEXT_FIELDS, "related_jobs"]
    assert sorted(grouped) == sorted(CONTENT_FIELDS)
    assert len(grouped) == len(set(grouped))
    assert POSTING_FIELDS == (*IDENTITY_FIELDS, *CONTENT_FIELDS)


def test_json_fields_are_the_non_scalar_values() -> None:
    assert set(JSON_FIELDS) == {*TEXT_LIST_FIELDS, "salary", "related_jobs"}
    assert set(LIST_FIELDS) < set(SEARCH_FIELDS) < set(CONTENT_FIELDS)


def test_diff_shows_every_content_field_once() -> None:
    assert sorted(FIELD_ORDER) == sorted(CONTENT_FIELDS)


def test_config_selectors_name_posting_fields() -> None:
    assert SELECTOR_KEYS == set(CONTENT_FIELDS) - {"url", "salary"}


def test_version_rows_store_every_content_field() -> None:
    columns = set(PostingVersion.__table__.columns.keys())
    assert set(CONTENT_FIELDS) <= columns


def test_no_module_retypes_the_field_names() -> None:
    offenders = []
    for folder in ("crawler", "pipelines", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED or "/migrations/" in relative:
                continue
            if RETYPED.search(path.read_text(encoding="utf-8")):
                offenders.append(relative)
    assert offenders == [], "import the names from jobtrail.crawler.items instead"


def _postings() -> list[object]:
    from jobtrail.crawler.items import Posting, RelatedJob, Salary

    full = Posting(source="acme", external_id="7", url="https://acme.test/jobs/7", title="Engineer",
                   company="Acme", locations=["Berlin", "Remote"], department="R&D", employment_type="full-time",
                   workplace="hybrid", salary=Salary(50000.0, 70000, "EUR", "year"), date_posted="2025-01-02",
                   description="One.\n\nTwo.", requirements=["Python", "SQL"], nice_to_have=["Go"],
                   responsibilities=[], benefits=["Lunch"],
                   related_jobs=[RelatedJob("Designer", "https://acme.test/jobs/8")])
    bare = Posting(source="acme", external_id="8", url="https://acme.test/jobs/8", title="")
    # shapes the direct path does not know: to_dict must still give what asdict gives
    odd = Posting(source="acme", external_id="9", url="u", title="t", locations=("Paris",),  # type: ignore[arg-type]
                  salary={"min": 1},  # type: ignore[arg-type]
                  requirements=["a", RelatedJob("x", "y")])  # type: ignore[list-item]
    return [full, bare, odd]


def test_to_dict_is_asdict() -> None:
    """Posting.to_dict builds the dict directly; it must equal dataclasses.asdict, keys in order, copies."""
    from dataclasses import asdict

    for posting in _postings():
        data, expected = posting.to_dict(), asdict(posting)  # type: ignore[attr-defined,call-overload]
        assert data == expected and list(data) == list(expected) == list(POSTING_FIELDS)
        assert all(type(data[name]) is type(expected[name]) for name in POSTING_FIELDS)
    full = _postings()[0]
    data = full.to_dict()  # type: ignore[attr-defined]
    data["requirements"].append("Rust")
    data["salary"]["min"] = 0
    data["related_jobs"][0]["title"] = "changed"
    assert full.requirements == ["Python", "SQL"] and full.salary.min == 50000.0  # type: ignore[attr-defined]
    assert full.related_jobs[0].title == "Designer"  # type: ignore[attr-defined]
