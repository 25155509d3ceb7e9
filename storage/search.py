"""Full-text search over version text, one function for SQLite FTS5 and PostgreSQL.

The index (created by migration 0002) narrows a million versions to the few that hold the
words; a second pass over the real text then checks the exact phrase, because tokenizers
drop symbols ("C++" indexes as "c") and do not know our fields or bullets. Users type plain
English, so nothing they type is ever FTS syntax: "D or C++" is three words, not an OR.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, bindparam, column, select, table, text
from sqlalchemy.orm import Session

from jobtrail.crawler.items import SEARCH_FIELDS

#: a word as the FTS5 unicode61 tokenizer sees it (letters and digits; "_" separates)
_WORD = re.compile(r"[^\W_]+")
#: trailing symbols that are part of a term: C++, C#, F#
_KEEP_TRAILING = "+#"

Matcher = Callable[[str], bool]


class SearchError(ValueError):
    """The phrase cannot be searched (no letters or digits in it, unknown field)."""


def candidate_ids(session: Session, phrase: str, *, field: str | None = None, words: bool = False) -> Select:
    """SELECT of version ids whose indexed text may contain ``phrase`` (a superset; see matcher)."""
    check_query(phrase, field)
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql_ids(phrase, words)
    return _sqlite_ids(phrase, field, words)


def check_query(phrase: str, field: str | None) -> None:
    if field is not None and field not in SEARCH_FIELDS:
        raise SearchError(f"unknown field {field!r}; one of: {', '.join(SEARCH_FIELDS)}")
    if not _WORD.search(phrase):
        raise SearchError(f"nothing to search for in {phrase!r}: it has no letters or digits")


def fts5_query(phrase: str, field: str | None = None, words: bool = False) -> str:
    """An FTS5 MATCH string for plain text: every word quoted, so no word is an operator."""
    tokens = _WORD.findall(phrase)  # never contain a quote, so quoting them is safe
    expression = " AND ".join(f'"{token}"' for token in tokens) if words else '"' + " ".join(tokens) + '"'
    if field is None:
        return expression
    return f"{field} : ({expression})" if words else f"{field} : {expression}"


def _sqlite_ids(phrase: str, field: str | None, words: bool) -> Select:
    fts = table("posting_version_fts", column("rowid"))
    condition = text("posting_version_fts MATCH :fts_query")
    return select(fts.c.rowid).where(condition.bindparams(fts_query=fts5_query(phrase, field, words)))


def _postgresql_ids(phrase: str, words: bool) -> Select:
    fts = table("posting_version_fts", column("version_id"), column("doc"))
    function = "plainto_tsquery" if words else "phraseto_tsquery"
    condition = text(f"doc @@ {function}('simple', :ts_query)").bindparams(bindparam("ts_query", phrase))
    return select(fts.c.version_id).where(condition)


def matcher(phrase: str, *, words: bool = False) -> Matcher:
    """Does one line of text (a bullet, a paragraph) contain the phrase (or all its words)?

    Case-, accent- and punctuation-insensitive between terms; symbols inside a term are
    kept ("C++" does not match "C", and "C" does not match "C++").
    """
    patterns = _patterns(phrase, words)
    if len(patterns) == 1:
        [pattern] = patterns
        return lambda line: pattern.search(fold(line)) is not None
    return lambda line: all(pattern.search(fold(line)) for pattern in patterns)


def _patterns(phrase: str, words: bool) -> list[re.Pattern[str]]:
    """One pattern for the phrase, or one per word; text must match all of them."""
    terms = [term for term in (_term(piece) for piece in fold(phrase).split()) if term]
    if words:
        return [re.compile(_bounded(re.escape(term), term)) for term in terms]
    body = r"[^\w]+".join(re.escape(term) for term in terms)
    return [re.compile(_bounded(body, terms[-1]) if terms else r"(?!)")]


class PhraseFinder:
    """Finds the phrase in one stored field value, cheaply when it is not there.

    A value is the stored text: a JSON list of bullets (as text, undecoded) or plain text.
    One search of the whole text rules most values out (every line is in it, bounded by
    quotes or line breaks, so a line that matches makes the whole text match); only then is
    the list decoded and each line checked exactly.
    """

    def __init__(self, phrase: str, *, words: bool = False) -> None:
        self._line = matcher(phrase, words=words)
        self._anywhere = _patterns(phrase, words)

    def first_line(self, value: str | list[Any] | None, bullets: bool) -> str | None:
        """The first line (bullet, or line of text) of ``value`` holding the phrase, or None."""
        if not value:
            return None
        if isinstance(value, str) and not (bullets and "\\" in value):  # JSON escapes: decode first
            folded = fold(value)
            found = [pattern.search(folded) for pattern in self._anywhere]
            if not all(found):
                return None
            if bullets and len(found) == 1 and value.isascii():
                line = _enclosing_item(value, found[0])
                if line is not None:
                    return line
        lines = _bullets(value) if bullets else str(value).splitlines()
        return next((line for line in lines if self._line(line)), None)


def _enclosing_item(raw: str, match: re.Match[str]) -> str | None:
    """The JSON string item of ``raw`` (a list without escapes) that holds all of ``match``.

    None when the match spans two items (an earlier item may still match on its own).
    """
    start, end = match.span()
    opening = raw.rfind('"', 0, start)
    closing = raw.find('"', end)
    if opening < 0 or closing < 0 or '"' in raw[start:end] or raw.count('"', 0, opening) % 2:
        return None
    return raw[opening + 1:closing]


def _bullets(value: str | list[Any]) -> list[str]:
    items = json.loads(value) if isinstance(value, str) else value
    return [item for item in items if isinstance(item, str)] if isinstance(items, list) else []


def fold(value: str) -> str:
    """Lower case without accents, so "Café" matches "cafe" as it does in the index."""
    if value.isascii():  # nothing to decompose, and casefold() is lower() here
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _term(piece: str) -> str:
    """A query word without punctuation around it, keeping a trailing + or # (C++, C#)."""
    start = _WORD.search(piece)
    if start is None:
        return ""
    end = max(match.end() for match in _WORD.finditer(piece))
    while end < len(piece) and piece[end] in _KEEP_TRAILING:
        end += 1
    return piece[start.start():end]


def _bounded(body: str, last_term: str) -> str:
    """``body`` as a whole term: no word character just before it or just after it.

    The "nothing before" check sits after the first character, not in front: a pattern that
    starts with a literal lets the regex engine skip ahead to it (about 10x faster on long text).
    Terms start with a letter or digit, which re.escape leaves as one character.
    """
    after = r"(?![\w+#])" if last_term[-1:].isalnum() else r"(?!\w)"
    return rf"{body[:1]}(?<!\w[\s\S]){body[1:]}{after}"
