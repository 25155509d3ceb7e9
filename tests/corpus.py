"""The extraction corpus: hand-written cases that say how a person reads a posting.

A corpus case is a folder ``<root>/<kind>/<case>/`` holding ``input.html`` (kind ``page``) or
``input.json``/``input.xml`` (an ATS kind's API response), ``url.txt``, an optional
``source.json`` (extra ``SourceConfig`` fields, e.g. ``{"company": "..."}``) and an
``expected.json`` that is an OBJECT with a ``"why"`` key. (Older cases hold a full dump of the
record as a list; they are checked by tests/test_extract_page.py and tests/test_ats_extract.py.)

``expected.json`` names only the fields the case exists for:

- record fields (``title``, ``company``, ``locations``, ``department``, ``employment_type``,
  ``workplace``, ``salary``, ``date_posted``, ``valid_through``, ``external_id``, ``url``,
  ``requirements``, ``nice_to_have``, ``responsibilities``, ``benefits``, ``related_jobs``):
  compared exactly, after folding whitespace on both sides (lists in order);
- ``description_contains`` / ``description_excludes``: substrings of the folded description;
- ``postings``: how many postings the input holds (default: 1 when no ``items`` are given);
- ``items``: one object like the above per posting, in order, when the input holds several;
- tags for the benchmark's break-downs, never compared: ``why`` (what the case protects),
  ``lang`` (``en``, ``de``, ``fr``, ``es``, ``ca``, ``pt``, ``nl``, ``it``), ``shape`` (a string or a
  list of heading shapes), ``markup`` (page style), ``site`` (the invented company) and ``split``
  (``"holdout"``: written after the classifier's rules were frozen; the benchmark reports it apart).

How the expected texts were read (what a person sees, not what a parser happens to give):
item text is the bullet without its bullet character, otherwise as written (punctuation, curly
quotes, U+2011 kept); an item with an inline preference marker ("Preferred: …", "Bonus – …",
"(nice to have)", "(wünschenswert)") keeps its full text and goes to nice_to_have, a marker in the
middle of an item does not move it; sub-group labels (an h4 "Technical", a bold "Ausbildung", an
li "Must have:" over a nested list) are no items, and a "Bonus:"-like sub-heading moves the list
under it to nice_to_have; lead-in prose under a section heading is description; a single salary
amount has min == max, "$150k+" has max null; employment_type and workplace use the record's
English vocabulary whatever the page's language.

The same loader and checker serve the test module and ``benchmarks/extraction.py``; a second
root (e.g. a held-out set kept outside the repository) is read the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobtrail.crawler.sources.config import SourceConfig

FIXTURES = Path(__file__).parent / "fixtures"

TEXT_FIELDS = (
    "title", "company", "department", "employment_type", "workplace", "date_posted", "valid_through",
    "external_id", "url",
)
LIST_FIELDS = ("locations", "requirements", "nice_to_have", "responsibilities", "benefits")
ITEM_FIELDS = ("requirements", "nice_to_have", "responsibilities", "benefits")
TAG_KEYS = ("why", "lang", "shape", "markup", "site", "split")
CHECK_KEYS = {
    *TEXT_FIELDS, *LIST_FIELDS, "salary", "related_jobs", "description_contains", "description_excludes",
}

_SPACE = re.compile(r"\s+")


def fold(text: str | None) -> str | None:
    """Whitespace folded (NBSP and line breaks included) and stripped; None stays None."""
    if text is None:
        return None
    return _SPACE.sub(" ", str(text)).strip()


@dataclass(frozen=True)
class Case:
    """One corpus case: its input, where it came from, and what a person reads in it."""

    path: Path
    kind: str
    name: str
    url: str
    body: bytes
    extra: dict[str, Any]
    expected: dict[str, Any]
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def lang(self) -> str:
        return str(self.tags.get("lang", "en"))

    @property
    def shapes(self) -> list[str]:
        shape = self.tags.get("shape") or []
        return [shape] if isinstance(shape, str) else list(shape)

    @property
    def site(self) -> str:
        return str(self.tags.get("site") or self.name)

    def source(self) -> SourceConfig:
        return SourceConfig(name="fixture", url=self.url, kind=self.kind, **self.extra)

    def expected_postings(self) -> list[dict[str, Any]]:
        """What each posting must hold, in order (one object for a one-posting case)."""
        if "items" in self.expected:
            return list(self.expected["items"])
        return [{key: value for key, value in self.expected.items() if key in CHECK_KEYS}]

    def expected_count(self) -> int:
        return int(self.expected.get("postings", len(self.expected_postings())))


def is_corpus_expected(data: Any) -> bool:
    return isinstance(data, dict) and "why" in data


def load_case(folder: Path) -> Case | None:
    """The case in ``folder``, or None when it is not a corpus case (old format, no input)."""
    expected_path = folder / "expected.json"
    inputs = sorted(folder.glob("input.*"))
    if not expected_path.exists() or not inputs:
        return None
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    if not is_corpus_expected(expected):
        return None
    extra: dict[str, Any] = {}
    if (folder / "source.json").exists():
        extra = json.loads((folder / "source.json").read_text(encoding="utf-8"))
    return Case(
        path=folder,
        kind=folder.parent.name,
        name=folder.name,
        url=(folder / "url.txt").read_text(encoding="utf-8").strip(),
        body=inputs[0].read_bytes(),
        extra=extra,
        expected=expected,
        tags={key: expected[key] for key in TAG_KEYS if key in expected},
    )


def load_cases(*roots: Path | str) -> list[Case]:
    """Every corpus case under the roots (default: tests/fixtures), sorted by kind and name."""
    cases: list[Case] = []
    for root in roots or (FIXTURES,):
        for folder in sorted(Path(root).glob("*/*/")):
            case = load_case(folder)
            if case is not None:
                cases.append(case)
    return cases


def run(case: Case) -> list[dict[str, Any]]:
    """The postings the registry's ``extract`` reads from the case, as record dicts."""
    from jobtrail.crawler.sources.registry import extract

    return [posting.to_dict() for posting in extract(case.body, case.url, case.source())]


def _norm_salary(salary: Any) -> Any:
    if not salary:
        return None
    out = dict(salary)
    for key in ("min", "max"):
        if out.get(key) is not None:
            out[key] = float(out[key])
    return out


def _norm_jobs(jobs: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"title": fold(job.get("title")), "url": job.get("url")} for job in jobs or []]


def check_posting(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Mismatches between what a person reads (``expected``) and one extracted record."""
    problems: list[str] = []

    def differ(name: str, want: Any, got: Any) -> None:
        if want != got:
            problems.append(f"{name}: expected {want!r}, got {got!r}")

    for key, want in expected.items():
        if key in TEXT_FIELDS:
            differ(key, fold(want), fold(actual.get(key)))
        elif key in LIST_FIELDS:
            differ(key, [fold(item) for item in want], [fold(item) for item in actual.get(key) or []])
        elif key == "salary":
            differ(key, _norm_salary(want), _norm_salary(actual.get(key)))
        elif key == "related_jobs":
            differ(key, _norm_jobs(want), _norm_jobs(actual.get(key)))
        elif key in ("description_contains", "description_excludes"):
            description = fold(actual.get("description")) or ""
            for text in want:
                present = fold(text) in description
                if present != (key == "description_contains"):
                    verb = "missing from" if key == "description_contains" else "should not be in"
                    problems.append(f"description: {text!r} {verb} {description[:300]!r}…")
    return problems


def check(case: Case, postings: Sequence[dict[str, Any]]) -> list[str]:
    """Every mismatch of a case: the posting count, then each expected posting's fields."""
    problems: list[str] = []
    if len(postings) != case.expected_count():
        problems.append(f"postings: expected {case.expected_count()}, got {len(postings)}")
    for index, expected in enumerate(case.expected_postings()):
        if index >= len(postings):
            break
        prefix = f"[{index}] " if "items" in case.expected else ""
        problems.extend(prefix + problem for problem in check_posting(expected, postings[index]))
    return problems


def item_pairs(
    case: Case, postings: Sequence[dict[str, Any]], field_name: str
) -> Iterable[tuple[list[str], list[str]]]:
    """(expected, extracted) folded items of one list field per expected posting that names it.

    What the benchmark counts precision and recall over; a posting the extractor missed counts
    as an empty extraction.
    """
    for index, expected in enumerate(case.expected_postings()):
        if field_name not in expected:
            continue
        got = postings[index].get(field_name) or [] if index < len(postings) else []
        yield [fold(item) or "" for item in expected[field_name]], [fold(item) or "" for item in got]


def count_items(expected: Sequence[str], got: Sequence[str]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one list, matched as multisets of texts."""
    remaining = list(got)
    hits = 0
    for item in expected:
        if item in remaining:
            remaining.remove(item)
            hits += 1
    return hits, len(remaining), len(expected) - hits


def precision_recall(
    cases: Sequence[Case], results: Sequence[Sequence[dict[str, Any]]], field_name: str
) -> tuple[float, float]:
    """Item precision and recall of one list field over cases (``results[i]`` = postings of ``cases[i]``).

    Only expected postings that name the field count; an empty field on both sides counts as neither.
    """
    tp = fp = fn = 0
    for case, postings in zip(cases, results, strict=True):
        for expected, got in item_pairs(case, postings, field_name):
            hit, extra, missed = count_items(expected, got)
            tp, fp, fn = tp + hit, fp + extra, fn + missed
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall
