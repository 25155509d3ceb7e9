"""Structured diff of two posting versions: a pure function, no database inside.

The versioning pipeline stores it, the CLI prints it, the digest renders it; all three
read the same shape (docs/diff.md):

    {field: {"added": [...], "removed": [...], "reworded": [{"old", "new", "words"}]}   # list fields
     "related_jobs": {"added": [{"title", "url"}], "removed": [...]},
     "description": {"old", "new", "words"},
     scalar: {"old", "new"}}

``words`` is a word-level diff: a list of ``[op, text]`` with op ``=``, ``-`` or ``+``.
Only fields that changed appear. Reordering a list alone is not a change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

from jobtrail.crawler.items import FIELD_ORDER, TEXT_FIELDS, TEXT_LIST_FIELDS

#: how alike two bullets must be (0..1) to count as one bullet reworded, not one removed + one added
REWORD_THRESHOLD = 0.5

WordDiff = list[list[str]]
_TOKEN = re.compile(r"\S+")


def diff_postings(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Per-field diff of two posting records (dicts with the Posting field names)."""
    result: dict[str, Any] = {}
    for name in FIELD_ORDER:
        before, after = old.get(name), new.get(name)
        if name == "related_jobs":
            change = diff_related(before or [], after or [])
        elif name in TEXT_LIST_FIELDS:
            change = diff_list(before or [], after or [])
        elif name in TEXT_FIELDS:
            change = diff_text(before, after)
        else:
            change = {"old": before, "new": after} if _norm(before) != _norm(after) else None
        if change:
            result[name] = change
    return result


def diff_list(old: Sequence[str], new: Sequence[str]) -> dict[str, Any] | None:
    """Added / removed / reworded bullets; bullets are paired by similarity, best pairs first."""
    old_set, new_set = set(old), set(new)
    removed = [item for item in dict.fromkeys(old) if item not in new_set]
    added = [item for item in dict.fromkeys(new) if item not in old_set]
    if not removed and not added:
        return None
    reworded = []
    candidates = sorted(
        ((_similarity(a, b), i, j) for i, a in enumerate(removed) for j, b in enumerate(added)),
        reverse=True,
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for score, i, j in candidates:
        if score < REWORD_THRESHOLD:
            break
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        reworded.append((i, {"old": removed[i], "new": added[j], "words": word_diff(removed[i], added[j])}))
    return {
        "added": [item for j, item in enumerate(added) if j not in used_new],
        "removed": [item for i, item in enumerate(removed) if i not in used_old],
        "reworded": [pair for _, pair in sorted(reworded, key=lambda entry: entry[0])],
    }


def diff_related(old: Sequence[Mapping[str, str]], new: Sequence[Mapping[str, str]]) -> dict[str, Any] | None:
    """Related jobs compare by URL; the title is only the label."""
    old_urls = {job["url"] for job in old}
    new_urls = {job["url"] for job in new}
    added = [dict(job) for job in new if job["url"] not in old_urls]
    removed = [dict(job) for job in old if job["url"] not in new_urls]
    return {"added": added, "removed": removed} if added or removed else None


def diff_text(old: str | None, new: str | None) -> dict[str, Any] | None:
    if _squash_spaces(old) == _squash_spaces(new):
        return None
    return {"old": old, "new": new, "words": word_diff(old or "", new or "")}


def word_diff(old: str, new: str) -> WordDiff:
    """Word-level diff as [op, text] runs; whitespace is folded to single spaces."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: WordDiff = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(["=", " ".join(a[i1:i2])])
            continue
        if i2 > i1:
            runs.append(["-", " ".join(a[i1:i2])])
        if j2 > j1:
            runs.append(["+", " ".join(b[j1:j2])])
    return runs


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower().split(), b.lower().split(), autojunk=False).ratio()


def _squash_spaces(text: str | None) -> str:
    return " ".join((text or "").split())


def _norm(value: Any) -> Any:
    return value if value not in ("", [], {}) else None
