"""What every ATS adapter shares: reading API bodies, normalizing vocabularies, and
feeding the ATS's own description HTML to the one shared section extractor.

Each ATS names the same things differently ("FullTime", "full_time", "Full-time",
"per-year-salary", "1 YEAR"); normalizing here keeps the adapters to pure mapping.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import SplitResult, parse_qs, parse_qsl, quote, urlencode, urlsplit, urlunsplit

from jobtrail.crawler.extract.base import ExtractError, Fetch, Page, Parsed
from jobtrail.crawler.extract.facts import yearly_by_size
from jobtrail.crawler.items import LIST_FIELDS, Posting, Salary
from jobtrail.crawler.sources.config import SourceConfig

#: a heading the section extractor maps to each list field, for ATS fields that are
#: already one section (Recruitee ``requirements``, Workable ``benefits``...)
FIELD_HEADINGS: dict[str, str] = {
    "requirements": "Requirements",
    "nice_to_have": "Nice to have",
    "responsibilities": "Responsibilities",
    "benefits": "Benefits",
}


#: a board token in an ATS URL
BOARD_TOKEN = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
#: what a kind's host/path matcher finds: (board, extra api_url arguments), or None
BoardMatch = tuple[str, dict[str, Any]] | None


class ApiKind:
    """A kind that starts at its board's public API.

    Each ATS module owns what identifies it: ``match_board`` (its public hosts and paths) and
    ``api_template`` (its board's API URL; ``{b}`` is the board token). crawler/sources/detect.py
    and the ``auto`` kind iterate the registry's ATS kinds and ask each; nothing else knows them.
    """

    key = ""
    api_template = ""

    def start(self, source: SourceConfig) -> list[Fetch]:
        return [Fetch(url=self.start_url(source.url, source.board), role="list", is_api=True)]

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        raise NotImplementedError

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> BoardMatch:
        """The board a URL of this ATS names (public board, posting or API URL); None if not ours."""
        raise NotImplementedError

    def api_url(self, board: str, **extra: Any) -> str:
        """The public API URL of a board (first page where the API pages)."""
        return self.api_template.format(b=quote(board, safe=""), **extra)

    def match_url(self, parts: SplitResult, query: dict[str, list[str]]) -> tuple[str, str] | None:
        """(board, API URL) when the URL belongs to this ATS."""
        found = self.match_board((parts.hostname or "").lower(), parts.path, query)
        if not found:
            return None
        board, extra = found
        return board, self.api_url(board, **extra)

    def start_url(self, url: str | None, board: str | None) -> str:
        """Where a configured source starts: its board's API, or its URL as is.

        ``board`` wins; a public board URL of this ATS becomes its API URL; any other URL (an
        API URL, a test server on 127.0.0.1) is used unchanged.
        """
        if board:
            return self.api_url(board)
        if not url:
            raise ValueError(f"a {self.key} source needs 'board' or 'url'")
        try:
            parts = urlsplit(url.strip())
            found = self.match_url(parts, parse_qs(parts.query))
        except ValueError:
            found = None
        return found[1] if found else url


# --- reading bodies ------------------------------------------------------------------------

def read_json(page: Page, kind: str) -> Any:
    """The page body as JSON, or an ExtractError naming the kind and what was wrong.

    Strict where Python's json is lenient: NaN/Infinity (not JSON at all) and numbers that
    overflow to infinity (``1e999``) are refused, because an id read from them ("inf", "nan")
    would stand for a posting that does not exist while the real ones count missing. Nesting
    deeper than the interpreter can recurse is a per-page error, not a RecursionError.
    """
    check_status(page, kind)
    try:
        return json.loads(page.body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ExtractError(f"{kind}: malformed or truncated JSON at {where}: {exc.msg.lower()}") from None
    except NonFiniteNumber as exc:
        raise ExtractError(f"{kind}: JSON holds a non-finite number ({exc}); page skipped") from None
    except RecursionError:
        raise ExtractError(f"{kind}: JSON nested too deeply to read (over ~{sys.getrecursionlimit()} levels); "
                           "page skipped") from None
    except UnicodeDecodeError:
        raise ExtractError(f"{kind}: response is not UTF-8 JSON") from None


class NonFiniteNumber(ValueError):
    """NaN, Infinity or an overflowing number in a JSON document."""


def _refuse_constant(name: str) -> float:
    raise NonFiniteNumber(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NonFiniteNumber(text)
    return value


def check_status(page: Page, kind: str) -> None:
    if page.status == 404:
        raise ExtractError(f"{kind}: board or posting not found (HTTP 404); check 'board' or 'url'")
    if page.status >= 400:
        raise ExtractError(f"{kind}: API answered HTTP {page.status}")


def require(value: Any, kind: str, what: str, expected: type | tuple[type, ...] = dict) -> Any:
    """``value`` when it has the expected JSON type; else a one-line shape error."""
    if not isinstance(value, expected):
        raise ExtractError(f"{kind}: unexpected response shape: {what}")
    return value


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (optional nested objects)."""
    return value if isinstance(value, dict) else {}


def array(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def items(value: Any) -> list[dict[str, Any]]:
    """The dict entries of a JSON list (anything else is skipped, never crashes)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# --- small value normalizers ---------------------------------------------------------------

def text(value: Any) -> str | None:
    """A stripped non-empty string, or None."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    value = re.sub(r"\s+", " ", str(value)).strip()
    return value or None


def unique(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = text(value)
        if cleaned and cleaned.casefold() not in {s.casefold() for s in seen}:
            seen[cleaned] = None
    return list(seen)


def place(*parts: Any) -> str | None:
    """"City, Region, Country" from whichever parts exist, without repeats."""
    return ", ".join(unique(parts)) or None


_EMPLOYMENT = (
    ("intern", "internship"), ("trainee", "internship"), ("apprentice", "internship"),
    ("working student", "working-student"), ("werkstudent", "working-student"),
    ("part", "part-time"), ("teilzeit", "part-time"),
    ("full", "full-time"), ("vollzeit", "full-time"),
    ("contract", "contract"), ("freelance", "contract"), ("consult", "contract"),
    ("temp", "temporary"), ("fixed term", "temporary"), ("seasonal", "temporary"),
    ("volunteer", "volunteer"),
)


def employment_type(raw: Any) -> str | None:
    """"FullTime", "full_time", "Full-time", "fulltime_permanent" -> "full-time"."""
    value = text(raw)
    if not value:
        return None
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value)
    words = re.sub(r"[\s_\-/]+", " ", words).lower()
    squashed = words.replace(" ", "")
    for needle, normal in _EMPLOYMENT:
        if needle in words or needle.replace(" ", "") in squashed:
            return normal
    return words.replace(" ", "-")


def workplace(raw: Any) -> str | None:
    """"OnSite", "on_site", "In office", "Remote", "Hybrid" -> onsite | remote | hybrid."""
    value = (text(raw) or "").lower().replace("-", "").replace("_", "").replace(" ", "")
    if "hybrid" in value:
        return "hybrid"
    if "remote" in value:
        return "remote"
    if value in {"onsite", "inoffice", "office", "inperson"}:
        return "onsite"
    return None


_INTERVALS = (
    (r"hour|hourly|hr", "hour"), (r"day|daily|per diem", "day"), (r"week|weekly|wk", "week"),
    (r"month|monthly|mo", "month"), (r"year|yearly|annual|annually|annum|yr", "year"),
)


def interval(raw: Any) -> str | None:
    """"per-year-salary", "1 YEAR", "yearly", "Hourly" -> hour | day | week | month | year."""
    value = (text(raw) or "").lower()
    for words, normal in _INTERVALS:
        if re.search(rf"\b(?:{words})\b", value):
            return normal
    return None


def number(raw: Any) -> float | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    try:
        return float(str(raw).replace(",", "").strip())
    except ValueError:
        return None


def salary(low: Any, high: Any, currency: Any, per: Any, *, divisor: float = 1) -> Salary | None:
    """A Salary when there is at least one bound; ``divisor`` turns cents into units."""
    low_n, high_n = number(low), number(high)
    if low_n is None and high_n is None:
        return None
    low_n = None if low_n is None else low_n / divisor
    high_n = None if high_n is None else high_n / divisor
    return Salary(
        min=low_n, max=high_n, currency=(text(currency) or "").upper() or None,
        interval=interval(per) or yearly_by_size(high_n if high_n is not None else low_n),
    )


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def iso_date(raw: Any) -> str | None:
    """ISO date (YYYY-MM-DD) from an ISO timestamp, "2024-01-10 12:00:00 UTC" or epoch ms."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        seconds = raw / 1000 if raw > 10**11 else raw
        try:
            return datetime.fromtimestamp(seconds, tz=UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    match = _ISO_DATE.search(text(raw) or "")
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3])).date().isoformat()
    except ValueError:
        return None


# --- URLs ----------------------------------------------------------------------------------

def with_query(url: str, **params: Any) -> str:
    """``url`` with these query parameters set (others kept, order kept)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))


def path_token(url: str, pattern: str) -> str | None:
    """The first group of ``pattern`` searched in the URL's path (a board token), or None."""
    match = re.search(pattern, urlsplit(url).path)
    return match[1] if match else None


def query_int(url: str, name: str) -> int | None:
    for key, value in parse_qsl(urlsplit(url).query):
        if key == name and value.isdigit():
            return int(value)
    return None


# --- description HTML -> sections ------------------------------------------------------------

def add_html(posting: Posting, html: str | None, base_url: str = "", drop: Sequence[str] = ()) -> None:
    """Run the shared section extractor over ``html`` and merge what it finds into ``posting``."""
    if not html or not html.strip():
        return
    from jobtrail.crawler.extract.facts import pay_from_lines
    from jobtrail.crawler.extract.sections import read_html

    sections, lines = read_html(html, base_url or posting.url, drop_selectors=drop)
    merge(posting, sections)
    if posting.salary is None:  # "The salary range for this role is $95,000 - $120,000"
        posting.salary = pay_from_lines(lines)


def html_paragraphs(plain: Any) -> str:
    """Plain text as HTML paragraphs (one per line), for APIs that only give plain text."""
    if not isinstance(plain, str):
        return ""
    return "".join(f"<p>{escape(line.strip())}</p>" for line in plain.splitlines() if line.strip())


def add_section(posting: Posting, heading: str | None, html: str | None, default: str | None = None) -> None:
    """One section the ATS labels itself (Lever ``lists``, Personio ``jobDescription``...).

    The ATS's heading decides the field when the section classifier reads it as one, else ``default``;
    an unmapped section keeps its heading and lands in the description, as a reader sees it.
    """
    if not html or not html.strip():
        return
    if not _names_a_section(heading) and default in FIELD_HEADINGS:
        heading = FIELD_HEADINGS[default]  # the ATS's field says what its (unknown) title does not
    prefix = f"<h2>{escape(heading)}</h2>" if heading else ""
    add_html(posting, prefix + html)


def _names_a_section(heading: str | None) -> bool:
    """Whether the shared classifier reads ``heading`` as one of the list sections."""
    if not heading:
        return False
    from jobtrail.crawler.extract.classify import classify_heading

    return classify_heading(heading).field in LIST_FIELDS


def merge(posting: Posting, sections: Any) -> None:
    """Add one Sections result to ``posting``: lists extended (no repeats), description appended."""
    for name in LIST_FIELDS:
        current: list[str] = getattr(posting, name)
        current.extend(item for item in getattr(sections, name) if item not in current)
    known = {job.url for job in posting.related_jobs}
    posting.related_jobs.extend(job for job in sections.related_jobs if job.url not in known)
    if sections.description:
        posting.description = "\n\n".join(filter(None, [posting.description, sections.description]))
