"""Shared terminal and file output for the CLI: times, colors, diffs, JSON, CSV.

Colors only when stdout is a terminal (and neither --no-color nor NO_COLOR says otherwise);
without colors a word diff reads ``[-old-]{+new+}``, like ``git diff --word-diff``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from types import ModuleType
from typing import Any, TextIO

import click

from jobtrail.pipelines import format as fmt

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: in a long unchanged run of a description, keep this many words on each side
_CONTEXT_WORDS = 6


#: version of every `--json` shape (docs/json.md): objects carry it as "schema"; fields are only ever
#: added within a version, and a removal or a change of meaning bumps it
JSON_SCHEMA = 1


# --- start-up -----------------------------------------------------------------------------

def lazy_module(name: str) -> ModuleType:
    """``name`` imported on first attribute access (importlib's LazyLoader).

    Commands name the storage and pipeline modules they call at the top, as usual, while
    `jobtrail --help` never loads SQLAlchemy, Scrapy or apprise (tests/test_cli_startup.py).
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


# --- time -----------------------------------------------------------------------------------

def parse_since(value: str, now: datetime | None = None) -> datetime:
    """'1d', '12h', '90d', '2w', '30m' ago, or an ISO date/time (UTC unless it says otherwise)."""
    match = _DURATION.match(value)
    if match:
        amount, unit = int(match.group(1)), _UNITS[match.group(2).lower()]
        return (now or datetime.now(UTC)) - timedelta(**{unit: amount})
    return _parse_iso(value, end_of_day=False)


def parse_at(value: str, now: datetime | None = None) -> datetime:
    """A moment for `show --at`: '12h' (ago), a date-time, or a bare date (the end of that day)."""
    if _DURATION.match(value):
        return parse_since(value, now)
    return _parse_iso(value, end_of_day=True)


def _parse_iso(value: str, *, end_of_day: bool) -> datetime:
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a duration (1d, 12h, 90d, 2w) nor an ISO date (2026-03-01)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- style ----------------------------------------------------------------------------------

def use_color(no_color: bool, stream: TextIO | None = None) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return (stream or sys.stdout).isatty()


@dataclass(frozen=True)
class Style:
    """How to mark added / removed / headings: ANSI colors, or plain markers."""

    color: bool = False

    def added(self, text: str) -> str:
        return click.style(text, fg="green") if self.color else "{+" + text + "+}"

    def removed(self, text: str) -> str:
        return click.style(text, fg="red", strikethrough=True) if self.color else "[-" + text + "-]"

    def plus(self, text: str) -> str:
        return click.style(f"+ {text}", fg="green") if self.color else f"+ {text}"

    def minus(self, text: str) -> str:
        return click.style(f"\u2212 {text}", fg="red") if self.color else f"\u2212 {text}"

    def heading(self, text: str) -> str:
        return click.style(text, bold=True) if self.color else text

    def dim(self, text: str) -> str:
        return click.style(text, dim=True) if self.color else text


# --- diffs ----------------------------------------------------------------------------------

def word_diff(runs: Iterable[list[str]], style: Style, *, abbreviate: bool = False) -> str:
    """One line from [op, text] runs; long unchanged runs shortened with … when asked."""
    parts = []
    for op, text in runs:
        if op == "+":
            parts.append(style.added(text))
        elif op == "-":
            parts.append(style.removed(text))
        else:
            parts.append(_shorten(text) if abbreviate else text)
    return " ".join(parts)


def _shorten(text: str) -> str:
    words = text.split()
    if len(words) <= 2 * _CONTEXT_WORDS + 1:
        return text
    return " ".join([*words[:_CONTEXT_WORDS], "\u2026", *words[-_CONTEXT_WORDS:]])


def render_diff(diff: Mapping[str, Any], style: Style, indent: str = "  ") -> list[str]:
    """Readable lines for a pipelines.diff field diff: + added, − removed, ~ reworded, old → new."""
    lines: list[str] = []
    for name, change in diff.items():
        lines.append(f"{indent}{style.heading(name)}:")
        inner = indent + "  "
        if name == "related_jobs":
            lines += [inner + style.plus(_job(job)) for job in change.get("added", [])]
            lines += [inner + style.minus(_job(job)) for job in change.get("removed", [])]
        elif "words" in change and "old" in change:
            lines.append(inner + "~ " + word_diff(change["words"], style, abbreviate=True))
        elif "old" in change or "new" in change:
            lines.append(f"{inner}{fmt.value(name, change.get('old'))} \u2192 {fmt.value(name, change.get('new'))}")
        else:
            lines += [inner + style.plus(item) for item in change.get("added", [])]
            lines += [inner + style.minus(item) for item in change.get("removed", [])]
            lines += [inner + "~ " + word_diff(pair["words"], style) for pair in change.get("reworded", [])]
    return lines


def _job(job: Mapping[str, str]) -> str:
    return f"{job.get('title') or '(untitled)'} <{job.get('url')}>"


# --- JSON / CSV -----------------------------------------------------------------------------

def to_json(data: Any) -> str:
    """Stable JSON: keys in record order, UTF-8 kept, 2-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=fmt.json_default)


def echo_json(data: Any) -> None:
    click.echo(to_json(data))


def write_jsonl(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - count is the result
        out.write(json.dumps(row, ensure_ascii=False, default=fmt.json_default))
        out.write("\n")
    return count


def write_csv(rows: Iterable[Mapping[str, Any]], columns: list[str], out: TextIO) -> int:
    """One row per record; lists and objects as JSON text in their cell, None as an empty cell."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - count is the result
        writer.writerow([_cell(row[name]) for name in columns])
    return count


def write_jsonl_rows(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], json_columns: Collection[str], out: TextIO
) -> int:
    """JSONL from plain rows (values in ``columns`` order) whose ``json_columns`` hold JSON text.

    The same lines as write_jsonl over dicts, built faster: that text is spliced in as it is,
    the other values encoded one by one, and lines written in blocks.
    """
    template = "{" + ", ".join(f"{json.dumps(name)}: %s" for name in columns) + "}"
    encoders = tuple(_json_as_is if name in json_columns else _json_value for name in columns)
    count = 0
    for block in _blocks(rows):
        lines = [template % tuple([encode(value) for encode, value in zip(encoders, row, strict=True)])
                 for row in block]
        out.write("\n".join(lines) + "\n")
        count += len(lines)
    return count


def write_csv_rows(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> int:
    """CSV from plain rows whose JSON fields are already JSON text (see write_jsonl_rows)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for block in _blocks(rows):
        writer.writerows(block)  # the csv module writes None as an empty cell
        count += len(block)
    return count


def _blocks(rows: Iterable[Sequence[Any]], size: int = 1000) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while block := list(islice(iterator, size)):
        yield block


_ENCODE_STRING = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for str


def _json_value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _ENCODE_STRING(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False, default=fmt.json_default)


def _json_as_is(value: str | None) -> str:
    return "null" if value is None else value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def read_csv(lines: Iterable[str], record_type: type[Any]) -> Iterator[Any]:
    """Records back from write_csv output (the inverse, for pandas-free round trips)."""
    types = {spec.name: str(spec.type) for spec in fields(record_type)}
    for row in csv.DictReader(lines):
        yield record_type.from_dict({name: _uncell(value, types[name]) for name, value in row.items()})


def _uncell(value: str, type_name: str) -> Any:
    if value == "":
        return None if "None" in type_name else ([] if type_name.startswith("list") else "")
    if type_name.startswith(("list", "dict")):
        return json.loads(value)
    if type_name.startswith("int"):
        return int(value)
    if type_name == "bool":
        return value == "True"
    return value
