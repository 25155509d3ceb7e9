"""jobtrail.toml: load, validate, and explain mistakes before anything is crawled.

Every error names the file, the entry and the key, because the reader is usually a
cron log, not a person at a prompt.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DB_URL = "sqlite:///jobtrail.db"
DB_URL_ENV = "JOBTRAIL_DB_URL"

SOURCE_KEYS = {
    "name", "url", "kind", "company", "link_pattern", "tags", "selectors", "board", "max_pages", "render",
    "every", "include", "exclude", "ignore",  # schedule and filters: see the end of this module
}
#: how a source's pages are fetched: plain HTTP, or rendered in headless Chromium (scrapy-playwright)
RENDER_MODES = ("http", "browser")
SELECTOR_KEYS = {
    "title", "company", "locations", "department", "employment_type", "workplace", "date_posted",
    "valid_through", "description", "requirements", "nice_to_have", "responsibilities", "benefits",
    "related_jobs",
}
TOP_LEVEL_KEYS = {"database", "sources", "notify", "crawl"}
#: setting prefixes of the Scrapy add-ons jobtrail drives (scrapy-redis, scrapy-playwright): their
#: names are not all declared anywhere we can read, so [crawl] accepts them unchecked
ADDON_SETTING_PREFIXES = ("REDIS_", "SCHEDULER_", "PLAYWRIGHT_")


class ConfigError(ValueError):
    """A problem in jobtrail.toml, phrased for the person who wrote it."""


@dataclass(frozen=True)
class SourceConfig:
    name: str
    url: str | None = None
    kind: str = "auto"
    company: str | None = None
    link_pattern: str | None = None
    tags: tuple[str, ...] = ()
    selectors: dict[str, str] = field(default_factory=dict)
    board: str | None = None  # ATS board token, when kind is an ATS
    max_pages: int | None = None
    #: seconds between crawls by `jobtrail run` (None: the [crawl] default, else every run)
    every: float | None = None
    filters: Filters = field(default_factory=lambda: Filters())
    render: str = "http"

    @property
    def link_regex(self) -> re.Pattern[str] | None:
        return re.compile(self.link_pattern) if self.link_pattern else None


@dataclass(frozen=True)
class Config:
    path: Path | None
    database_url: str
    sources: tuple[SourceConfig, ...]
    #: raw [[notify]] tables; validated by pipelines.alerts when alerts are configured
    notify: tuple[dict[str, Any], ...] = ()
    crawl: dict[str, Any] = field(default_factory=dict)
    #: [crawl] every: the schedule of sources that set none (None: crawled by every `jobtrail run`)
    every: float | None = None

    def every_for(self, source: SourceConfig) -> float | None:
        return source.every if source.every is not None else self.every

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source named {name!r} (known: {known})")


def load_config(
    path: str | Path, *, required: bool = True, kinds: Collection[str] = (),
    settings: Mapping[str, Any] | None = None,
) -> Config:
    """Read and validate a config file; a missing optional file gives an empty config."""
    path = Path(path)
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: not found (run 'jobtrail init' to write an example)")
        return Config(path=None, database_url=resolve_db_url(None), sources=())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, path, kinds=kinds, settings=settings)


def parse_config(
    raw: dict[str, Any], path: Path | None, *, kinds: Collection[str] = (), settings: Mapping[str, Any] | None = None,
) -> Config:
    """Validate a parsed TOML document. ``kinds``: the registered source kinds; ``settings``: every known
    setting name with its default (both passed by ``jobtrail.crawler.sources``: this module imports
    nothing of the project); empty/None skips that check."""
    where = str(path) if path else "<config>"
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    database = raw.get("database", {})
    if not isinstance(database, dict) or set(database) - {"url"}:
        raise ConfigError(f"{where}: [database] takes only 'url'")
    sources = raw.get("sources", [])
    if not isinstance(sources, list):
        raise ConfigError(f"{where}: 'sources' must be [[sources]] tables")
    parsed = tuple(_parse_source(entry, index, where, kinds) for index, entry in enumerate(sources))
    seen: set[str] = set()
    for source in parsed:
        if source.name in seen:
            raise ConfigError(f"{where}: source {source.name!r}: duplicate name")
        seen.add(source.name)
    notify = raw.get("notify", [])
    if not isinstance(notify, list):
        raise ConfigError(f"{where}: 'notify' must be [[notify]] tables")
    crawl = raw.get("crawl", {})
    if not isinstance(crawl, dict):
        raise ConfigError(f"{where}: [crawl] must be a table of settings")
    crawl = dict(crawl)
    every = parse_every(crawl.pop("every"), f"{where}: [crawl]") if "every" in crawl else None
    if settings:
        check_crawl_settings(crawl, settings, where)
    return Config(
        path=path,
        database_url=resolve_db_url(database.get("url"), base=path.parent if path else None),
        sources=parsed,
        notify=tuple(notify),
        crawl=crawl,
        every=every,
    )


def check_crawl_settings(crawl: Mapping[str, Any], settings: Mapping[str, Any], where: str) -> None:
    """Every [crawl] key must be a known setting, with a value of its default's type.

    A typo (``downlod_timeout``) would otherwise be ignored in silence, and a wrong type
    (``download_timeout = "soon"``) would crash mid-crawl with a traceback.
    """
    for key, value in crawl.items():
        name = key.upper()
        if name.startswith(ADDON_SETTING_PREFIXES) and name not in settings:
            continue
        if name not in settings:
            guess = difflib.get_close_matches(name, list(settings), n=1, cutoff=0.8)
            hint = f" (did you mean {guess[0].lower()!r}?)" if guess else ""
            raise ConfigError(f"{where}: [crawl] unknown setting {key!r}{hint}")
        expected = _setting_type(settings[name])
        if expected is not None and not _has_type(value, expected[0]):
            raise ConfigError(f"{where}: [crawl] {key!r} must be {expected[1]}, got {value!r}")


def _setting_type(default: Any) -> tuple[tuple[type, ...], str] | None:
    """What a value must be, judged from the setting's default (None: anything)."""
    if isinstance(default, bool):
        return (bool,), "true or false"
    if isinstance(default, int | float):
        return (int, float), "a number"
    if isinstance(default, str):
        return (str,), "a string"
    if isinstance(default, list | tuple):
        return (list,), "a list"
    if isinstance(default, dict):
        return (dict,), "a table"
    return None


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def resolve_db_url(configured: str | None, base: Path | None = None) -> str:
    """Environment beats file beats default; a relative SQLite path is relative to the config file."""
    url = os.environ.get(DB_URL_ENV) or configured or DEFAULT_DB_URL
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and base is not None:
        relative = url[len("sqlite:///"):]
        if relative and relative != ":memory:":
            url = "sqlite:///" + str((base / relative).resolve())
    return url


def named_entry(entry: Any, index: int, where: str, table: str) -> str:
    """The stripped name of the ``[[table]]`` entry at ``index``; errors say which entry is wrong."""
    label = f"{where}: {table}[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{label}: must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{label}: missing 'name'")
    return name.strip()


def _compile_selector(css: str, label: str) -> None:
    """Compile a CSS selector with soupsieve (what the page extractor runs) before anything is fetched."""
    import soupsieve  # only when a config has selectors: `jobtrail --help` stays fast

    try:
        soupsieve.compile(css)
    except (soupsieve.SelectorSyntaxError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0]
        raise ConfigError(f"{label} is not valid CSS: {css!r} ({reason})") from None


def _parse_source(entry: Any, index: int, where: str, kinds: Collection[str]) -> SourceConfig:
    name = named_entry(entry, index, where, "sources")
    label = f"{where}: source {name!r}"
    unknown = set(entry) - SOURCE_KEYS
    if unknown:
        raise ConfigError(f"{label}: unknown key(s): {', '.join(sorted(unknown))}")
    url, board = entry.get("url"), entry.get("board")
    if not url and not board:
        raise ConfigError(f"{label}: missing 'url' (or 'board' for an ATS kind)")
    if url is not None and (not isinstance(url, str) or not re.match(r"https?://", url)):
        raise ConfigError(f"{label}: 'url' must be an http(s) URL, got {url!r}")
    pattern = entry.get("link_pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise ConfigError(f"{label}: 'link_pattern' is not a valid regex: {exc}") from None
    selectors = entry.get("selectors", {})
    if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
        raise ConfigError(f"{label}: 'selectors' must be a table of CSS selector strings")
    bad = set(selectors) - SELECTOR_KEYS
    if bad:
        raise ConfigError(f"{label}: unknown selector key(s): {', '.join(sorted(bad))}")
    for field_name, css in selectors.items():
        _compile_selector(css, f"{label}: selector for {field_name!r}")
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"{label}: 'tags' must be a list of strings")
    kind = entry.get("kind", "auto")
    if kinds and kind not in kinds:
        raise ConfigError(f"{label}: unknown 'kind' {kind!r} (one of: {', '.join(sorted(kinds))})")
    if board and kind in ("auto", "page"):
        raise ConfigError(f"{label}: 'board' needs an ATS 'kind' (greenhouse, lever, ...), not {kind!r}")
    max_pages = entry.get("max_pages")
    if max_pages is not None and (not isinstance(max_pages, int) or max_pages < 1):
        raise ConfigError(f"{label}: 'max_pages' must be a positive integer")
    render = entry.get("render", "http")
    if render not in RENDER_MODES:
        raise ConfigError(f"{label}: 'render' must be one of {', '.join(map(repr, RENDER_MODES))}, got {render!r}")
    return SourceConfig(
        name=name, url=url, kind=kind, company=entry.get("company"), link_pattern=pattern,
        tags=tuple(tags), selectors=dict(selectors), board=board, max_pages=max_pages, render=render,
        every=parse_every(entry["every"], label) if "every" in entry else None, filters=parse_filters(entry, label),
    )


# --- schedules and filters (the operator's keys: every, include, exclude, ignore) -----------

_EVERY = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_EVERY_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: the fields include/exclude rules may test
FILTER_FIELDS = ("title", "location", "department")


def parse_every(value: Any, label: str) -> float:
    """'30m', '6h', '1d', '2w' -> seconds."""
    match = _EVERY.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) < 1:
        raise ConfigError(f"{label}: 'every' must be a duration like \"30m\", \"6h\", \"1d\" or \"1w\", got {value!r}")
    return int(match.group(1)) * _EVERY_SECONDS[match.group(2).lower()]


@dataclass(frozen=True)
class Filters:
    """Which postings of a source are kept, and which boilerplate is cut before hashing.

    ``include``/``exclude``: field -> patterns; a posting is kept when, for every included field,
    one pattern matches it, and no excluded pattern matches. ``ignore``: patterns removed from
    the posting's text. Applied by pipelines/normalize.py; filtered postings are never stored.
    """

    include: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    exclude: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    ignore: tuple[re.Pattern[str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude or self.ignore)


def compile_pattern(text: str, label: str) -> re.Pattern[str]:
    """'/regex/' is a regular expression; anything else is words, matched as a whole phrase.

    Both ignore case. Words need no escaping ("C++", "Sr. Engineer"); a phrase matches only
    at word boundaries, so "intern" does not match "internal".
    """
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        try:
            return re.compile(text[1:-1], re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"{label}: {text!r} is not a valid regex: {exc}") from None
    words = text.split()
    if not words:
        raise ConfigError(f"{label}: empty pattern")
    body = r"\s+".join(re.escape(word) for word in words)
    start = r"\b" if re.match(r"\w", words[0]) else ""
    end = r"\b" if re.search(r"\w$", words[-1]) else ""
    return re.compile(f"{start}{body}{end}", re.IGNORECASE)


def parse_filters(entry: Mapping[str, Any], label: str) -> Filters:
    return Filters(
        include=_rules(entry.get("include"), f"{label}: 'include'"),
        exclude=_rules(entry.get("exclude"), f"{label}: 'exclude'"),
        ignore=_patterns(entry.get("ignore", []), f"{label}: 'ignore'"),
    )


def _rules(value: Any, label: str) -> dict[str, tuple[re.Pattern[str], ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{label} must be a table like {{ title = [\"backend\"], location = \"/berlin|remote/\" }}")
    bad = set(value) - set(FILTER_FIELDS)
    if bad:
        raise ConfigError(f"{label}: unknown field(s) {', '.join(sorted(bad))} (one of: {', '.join(FILTER_FIELDS)})")
    return {name: _patterns(patterns, f"{label}.{name}") for name, patterns in value.items()}


def _patterns(value: Any, label: str) -> tuple[re.Pattern[str], ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{label} must be a string or a list of strings (words, or /regex/)")
    return tuple(compile_pattern(text, label) for text in values)
