"""Rename or remove a [[sources]] entry in jobtrail.toml, only when it is safe to do by hand's rules.

The file is the operator's: comments, order and layout are kept, because only the lines of
one entry change. An edit is made only when it is unambiguous (the name appears once, as a
``name = "..."`` line of a [[sources]] table, and nothing else refers to it); the result is
parsed again and must equal the old document with exactly that change, then it replaces the
file atomically. Otherwise nothing is written and the caller prints the exact edit to make.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HEADER = re.compile(r"^\s*\[")
_SOURCES_HEADER = re.compile(r"^\s*\[\[\s*sources\s*\]\]\s*(#.*)?$")
_SUBTABLE = re.compile(r"^\s*\[\s*sources\s*\.")


@dataclass(frozen=True)
class Edit:
    """What happened: ``done`` (the file was changed) or the instructions to change it by hand."""

    done: bool
    message: str


def rename_in_file(path: Path, old: str, new: str) -> Edit:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    found = _name_lines(lines, old)
    manual = Edit(False, f"edit {path}: in the [[sources]] entry, change  name = {_quote(old)}  to  "
                         f"name = {_quote(new)}" + _also_refs(text, old))
    if len(found) != 1 or _mentions(text, old) != 1:
        return manual
    index = found[0]
    lines[index] = re.sub(r"=\s*([\"']).*?\1", lambda _m: "= " + _quote(new), lines[index], count=1)
    before = tomllib.loads(text)
    expected = _with_sources(before, [{**s, "name": new} if s.get("name") == old else s for s in _sources(before)])
    return _write_if(path, "".join(lines), expected, manual, f"{path}: renamed source {old!r} to {new!r}")


def remove_from_file(path: Path, name: str) -> Edit:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    found = _name_lines(lines, name)
    manual = Edit(False, f"edit {path}: delete the [[sources]] entry with name = {_quote(name)}"
                         + _also_refs(text, name))
    if len(found) != 1 or _mentions(text, name) != 1:
        return manual
    start, end = _entry_span(lines, found[0])
    if start is None:
        return manual
    before = tomllib.loads(text)
    expected = _with_sources(before, [s for s in _sources(before) if s.get("name") != name])
    kept = lines[:start] + lines[end:]
    return _write_if(path, "".join(kept), expected, manual, f"{path}: removed the [[sources]] entry {name!r}")


def _name_lines(lines: list[str], name: str) -> list[int]:
    """Indexes of ``name = "NAME"`` lines directly in a [[sources]] table."""
    pattern = re.compile(r"^\s*name\s*=\s*([\"'])" + re.escape(name) + r"\1\s*(#.*)?$")
    found, in_sources = [], False
    for index, line in enumerate(lines):
        if _HEADER.match(line):
            in_sources = bool(_SOURCES_HEADER.match(line))
        elif in_sources and pattern.match(line.rstrip("\r\n")):
            found.append(index)
    return found


def _entry_span(lines: list[str], name_index: int) -> tuple[int | None, int]:
    """[start, end) of the [[sources]] entry holding line ``name_index`` (its sub-tables included)."""
    start = next((i for i in range(name_index, -1, -1) if _SOURCES_HEADER.match(lines[i])), None)
    end = name_index + 1
    while end < len(lines) and not (_HEADER.match(lines[end]) and not _SUBTABLE.match(lines[end])):
        end += 1
    while end > name_index + 1 and lines[end - 1].strip().startswith("#"):  # the next entry's comment
        end -= 1
    return start, end


def _mentions(text: str, name: str) -> int:
    return len(re.findall(r"([\"'])" + re.escape(name) + r"\1", text))


def _also_refs(text: str, name: str) -> str:
    more = _mentions(text, name) - 1
    return f" (and update the {more} other place(s) that name it, e.g. [[notify]] sources)" if more > 0 else ""


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _sources(document: dict[str, Any]) -> list[dict[str, Any]]:
    sources = document.get("sources", [])
    return sources if isinstance(sources, list) else []


def _with_sources(document: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any]:
    result = {key: value for key, value in document.items() if key != "sources"}
    if sources or "sources" in document:
        result["sources"] = sources
    if not sources:
        result.pop("sources", None)
    return result


def _write_if(path: Path, text: str, expected: dict[str, Any], manual: Edit, done: str) -> Edit:
    try:
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return manual
    if not after.get("sources"):
        after.pop("sources", None)
    if after != expected:
        return manual
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return manual
    return Edit(True, done)
