"""The normalized posting: the one record every source kind produces.

Scrapy accepts dataclass items, so the same type flows from extractors through the
pipelines into storage (as ``to_dict()``). See docs/posting.md for what each field means.

This module is also the one home of the posting's field names (``POSTING_FIELDS`` and the
groups derived from it): items, normalize, diff, versioning, queries and CLI output import
them from here instead of retyping them. It imports only the standard library, so the bottom
layer (storage) may import it too; tests/test_architecture.py keeps it that way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: Fields whose value is a list of strings, one bullet each (the sections of a posting).
LIST_FIELDS: tuple[str, ...] = ("requirements", "nice_to_have", "responsibilities", "benefits")

#: Fields that identify a posting rather than describe it; they never count as content.
IDENTITY_FIELDS: tuple[str, ...] = ("source", "external_id")

WORKPLACES: tuple[str, ...] = ("onsite", "remote", "hybrid")
SALARY_INTERVALS: tuple[str, ...] = ("hour", "day", "week", "month", "year")


@dataclass(slots=True)
class Salary:
    min: float | None = None
    max: float | None = None
    currency: str | None = None
    interval: str | None = None  # one of SALARY_INTERVALS


@dataclass(slots=True)
class RelatedJob:
    title: str
    url: str


@dataclass(slots=True)
class Posting:
    source: str
    external_id: str
    url: str
    title: str
    company: str | None = None
    locations: list[str] = field(default_factory=list)
    department: str | None = None
    employment_type: str | None = None
    workplace: str | None = None  # one of WORKPLACES
    salary: Salary | None = None
    date_posted: str | None = None  # ISO date, YYYY-MM-DD
    valid_through: str | None = None  # ISO date, YYYY-MM-DD
    description: str | None = None  # plain text, paragraphs separated by a blank line
    requirements: list[str] = field(default_factory=list)
    nice_to_have: list[str] = field(default_factory=list)
    responsibilities: list[str] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)
    related_jobs: list[RelatedJob] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with exactly the documented keys, in documented order.

        Equal to ``dataclasses.asdict`` (used as it is for any value of another shape), built
        directly: asdict's generic deep copy cost ~0.1 ms, once per posting a crawl stores.
        """
        data: dict[str, Any] = {}
        for name in POSTING_FIELDS:
            value = getattr(self, name)
            kind = type(value)
            if kind in _SCALARS:
                data[name] = value
            elif kind is list and all(type(item) is str for item in value):
                data[name] = list(value)
            elif kind is Salary and all(type(getattr(value, f)) in _SCALARS for f in _SALARY_FIELDS):
                data[name] = {f: getattr(value, f) for f in _SALARY_FIELDS}
            elif kind is list and all(type(job) is RelatedJob and type(job.title) is str and type(job.url) is str
                                      for job in value):
                data[name] = [{"title": job.title, "url": job.url} for job in value]
            else:
                return asdict(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Posting:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        salary = values.get("salary")
        if isinstance(salary, dict):
            values["salary"] = Salary(**salary)
        values["related_jobs"] = [
            job if isinstance(job, RelatedJob) else RelatedJob(**job) for job in values.get("related_jobs") or []
        ]
        return cls(**values)


#: Every field of a posting, in the documented order (docs/posting.md).
POSTING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Posting))
#: values asdict returns as they are (the deep copy of an immutable is itself)
_SCALARS = frozenset({str, int, float, bool, type(None)})
_SALARY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Salary))
#: What a version stores: everything but the identity.
CONTENT_FIELDS: tuple[str, ...] = tuple(name for name in POSTING_FIELDS if name not in IDENTITY_FIELDS)
#: Lists of plain strings: the bullet sections plus locations.
TEXT_LIST_FIELDS: tuple[str, ...] = (*LIST_FIELDS, "locations")
#: Free text compared word by word.
TEXT_FIELDS: tuple[str, ...] = ("description",)
#: Fields holding lists or objects (JSON columns in the database), in documented order.
JSON_FIELDS: tuple[str, ...] = tuple(
    name for name in POSTING_FIELDS if name in {*TEXT_LIST_FIELDS, "salary", "related_jobs"}
)
#: Content fields compared as one value (old -> new).
SCALAR_FIELDS: tuple[str, ...] = tuple(
    name for name in CONTENT_FIELDS
    if name not in {*TEXT_LIST_FIELDS, *TEXT_FIELDS, "related_jobs"}
)
#: The order changes are shown in, most interesting first (every content field, once).
FIELD_ORDER = (
    "title", "requirements", "nice_to_have", "responsibilities", "related_jobs", "benefits",
    "description", "salary", "locations", "workplace", "employment_type", "department", "company",
    "date_posted", "valid_through", "url",
)
#: Text indexed for full-text search, in the order results name them.
SEARCH_FIELDS: tuple[str, ...] = ("title", *LIST_FIELDS, "description")
