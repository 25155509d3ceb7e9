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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Select, Text, and_, bindparam, case, cast, column, func, or_, select, table, text, tuple_
from sqlalchemy.orm import Session, aliased

from jobtrail.crawler.items import LIST_FIELDS, SEARCH_FIELDS
from jobtrail.storage.models import Posting, PostingVersion, Source
from jobtrail.storage.records import SearchHit, aware

#: a word as the FTS5 unicode61 tokenizer sees it (letters and digits; "_" separates)
_WORD = re.compile(r"[^\W_]+")
#: trailing symbols that are part of a term: C++, C#, F#
_KEEP_TRAILING = "+#"

Matcher = Callable[[str], bool]


class SearchError(ValueError):
    """The phrase cannot be searched (no letters or digits in it, unknown field)."""


def candidate_ids(
    session: Session, phrase: str, *, field: str | None = None, words: bool = False
) -> Select[*tuple[Any, ...]]:
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


def _sqlite_ids(phrase: str, field: str | None, words: bool) -> Select[*tuple[Any, ...]]:
    fts = table("posting_version_fts", column("rowid"))
    condition = text("posting_version_fts MATCH :fts_query")
    return select(fts.c.rowid).where(condition.bindparams(fts_query=fts5_query(phrase, field, words)))


def _postgresql_ids(phrase: str, words: bool) -> Select[*tuple[Any, ...]]:
    fts = table("posting_version_fts", column("version_id"), column("doc"))
    return select(fts.c.version_id).where(_postgresql_match(phrase, words))


def _postgresql_match(phrase: str, words: bool) -> Any:
    function = "plainto_tsquery" if words else "phraseto_tsquery"
    return text(f"doc @@ {function}('simple', :ts_query)").bindparams(bindparam("ts_query", phrase))


def candidate_ends(
    session: Session, phrase: str, *, field: str | None = None, words: bool = False
) -> Select[*tuple[Any, ...]]:
    """SELECT posting_id, lo, hi: per posting, the first and last version seq the index found.

    PostgreSQL reads them off the index's side table (migration 0008); SQLite looks each found
    rowid up in posting_versions (its primary key).
    """
    check_query(phrase, field)
    if session.get_bind().dialect.name == "postgresql":
        fts = table("posting_version_fts", column("posting_id"), column("seq"), column("doc"))
        return (
            select(fts.c.posting_id, func.min(fts.c.seq).label("lo"), func.max(fts.c.seq).label("hi"))
            .where(_postgresql_match(phrase, words)).group_by(fts.c.posting_id)
        )
    found = aliased(PostingVersion)
    return (
        select(found.posting_id, func.min(found.seq).label("lo"), func.max(found.seq).label("hi"))
        .where(found.id.in_(_sqlite_ids(phrase, field, words).scalar_subquery())).group_by(found.posting_id)
    )


def matcher(phrase: str, *, words: bool = False) -> Matcher:
    """Does one line of text (a bullet, a paragraph) contain the phrase (or all its words)?

    Case-, accent- and punctuation-insensitive between terms; symbols inside a term are
    kept ("C++" does not match "C", and "C" does not match "C++").
    """
    patterns = _patterns(phrase, words)
    if len(patterns) == 1:
        [pattern] = patterns
        return lambda line: pattern.search(unaccent_lower(line)) is not None
    return lambda line: all(pattern.search(unaccent_lower(line)) for pattern in patterns)


def _patterns(phrase: str, words: bool) -> list[re.Pattern[str]]:
    """One pattern for the phrase, or one per word; text must match all of them."""
    terms = [term for term in (_term(piece) for piece in unaccent_lower(phrase).split()) if term]
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

    def in_any(self, values: Sequence[Any]) -> bool:
        """Could one of ``values`` hold the phrase? False is sure: one regex pass over them all.

        A line that matches matches in the texts joined by line breaks too (a break is no word
        character, as the start and end of a text are not). Text with JSON escapes is decoded
        only line by line, so it makes the answer True (unsure).
        """
        texts = [value for value in values if value]
        if not all(isinstance(value, str) for value in texts):
            return True
        joined = "\n".join(texts)
        if "\\" in joined:
            return True
        folded = unaccent_lower(joined)
        return all(pattern.search(folded) for pattern in self._anywhere)

    def first_line(self, value: str | list[Any] | None, bullets: bool) -> str | None:
        """The first line (bullet, or line of text) of ``value`` holding the phrase, or None."""
        if not value:
            return None
        if isinstance(value, str) and not (bullets and "\\" in value):  # JSON escapes: decode first
            folded = unaccent_lower(value)
            found = [pattern.search(folded) for pattern in self._anywhere]
            if not all(found):
                return None
            if bullets and len(found) == 1 and value.isascii() and found[0] is not None:
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


def unaccent_lower(value: str) -> str:
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


# --- the search itself: index candidates, then the exact phrase in the real text -------------

#: ids per IN (...) list, below SQLite's variable limit
ID_CHUNK = 500
#: list fields searched bullet by bullet
_BULLET_FIELDS = frozenset(SEARCH_FIELDS) & frozenset(LIST_FIELDS)


def search(
    session: Session,
    phrase: str,
    *,
    field: str | None = None,
    removed: bool = False,
    added: bool = False,
    since: datetime | None = None,
    words: bool = False,
) -> list[SearchHit]:
    """Postings whose text ever contained ``phrase``, one hit per posting and field.

    ``words=True`` asks for all the words in one line in any order instead of the phrase.
    ``removed``: only hits no longer in the latest version (dropped by a change);
    ``added``: only hits that were not in the posting's first version (added by a change);
    ``since`` bounds when that happened (or, with neither, when the posting last had it).
    Raises storage.search.SearchError for a phrase with nothing to search for.
    """
    found = _found(session, phrase, field=field, removed=removed, added=added, since=since, words=words)
    return [_hit(posting, name, span) for posting, name, span in found]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search hits and how many there are in all (what the web page shows)."""

    hits: list[SearchHit]
    total: int


def search_page(
    session: Session,
    phrase: str,
    *,
    offset: int,
    limit: int,
    field: str | None = None,
    removed: bool = False,
    added: bool = False,
    since: datetime | None = None,
    words: bool = False,
) -> SearchPage:
    """``search(...)[offset:offset + limit]`` and the number of hits, building only the page's hits.

    The exact total still needs every candidate checked, but a hit record (dates made aware,
    the posting's columns copied) costs more than the check, so only the page's are made.
    """
    start, stop = max(offset, 0), max(offset, 0) + max(limit, 0)
    if field is not None and since is None:
        return _field_page(session, phrase, field, start, stop, removed=removed, added=added, words=words)
    found = _found(session, phrase, field=field, removed=removed, added=added, since=since, words=words)
    return SearchPage([_hit(posting, name, span) for posting, name, span in found[start:stop]], len(found))


def _field_page(
    session: Session, phrase: str, field: str, start: int, stop: int, *, removed: bool, added: bool, words: bool
) -> SearchPage:
    """search_page in one field, reading one text per posting instead of every hit's span.

    Whether a posting is a hit, and where it sorts, needs only its first found version (the
    phrase's first appearance, when that version holds it) and, if the latest version was
    found, that one (is the phrase still there?). The spans of the page's postings are then
    read as search() reads them. A posting whose first found version does not hold the phrase
    (the index matched words, not the symbols) is read in full, as search() does.
    """
    ids = candidate_ids(session, phrase, field=field, words=words)
    finder, bullets = PhraseFinder(phrase, words=words), field in _BULLET_FIELDS
    keys: list[tuple[datetime, int]] = []
    unsure, ends = [], {}
    for posting_id, first_seq, last_seq, first_at, first_text, latest_text in session.connection().execute(
        first_and_latest_select(candidate_ends(session, phrase, field=field, words=words), field)
    ):
        if finder.first_line(first_text, bullets) is None:
            unsure.append(posting_id)
            continue
        present = latest_text is not None and finder.first_line(latest_text, bullets) is not None
        if (removed and present) or (added and first_seq <= 1):
            continue
        keys.append((aware(first_at), posting_id))
        ends[posting_id] = (first_seq, last_seq)
    for chunk in _chunks(unsure):
        spans = _spans(_candidate_rows(session, ids, [field], postings=chunk), [field], finder, ends_only=False)[0]
        keys.extend((aware(span.first_at), span.posting.id) for span in spans.values()
                    if _wanted(span.posting, span, removed, added, None))
    keys.sort()
    shown = [posting_id for _, posting_id in keys[start:stop]]
    spans, unsure_ends = _spans(_end_rows(session, field, [ends[p] + (p,) for p in shown if p in ends]),
                                [field], finder, ends_only=True)
    full = [posting_id for posting_id in shown if posting_id not in ends or posting_id in unsure_ends]
    if full:
        spans.update(_spans(_candidate_rows(session, None, [field], postings=full), [field], finder,
                            ends_only=False)[0])
    # (a posting missing from ``spans`` changed between the two reads: a crawl committed meanwhile)
    page = [spans[(posting_id, field)] for posting_id in shown if (posting_id, field) in spans]
    return SearchPage([_hit(span.posting, field, span) for span in page], len(keys))


def _end_rows(session: Session, field: str, ends: Sequence[tuple[int, int, int]]) -> list[Any]:
    """Candidate rows (as candidate_select) of the first and last found versions: (lo, hi, posting) each."""
    if not ends:
        return []
    pairs = [pair for lo, hi, posting_id in ends for pair in ((posting_id, lo), (posting_id, hi))]
    statement = candidate_select(None, [field], postings=[posting_id for _, _, posting_id in ends])
    return list(session.connection().execute(
        statement.where(tuple_(PostingVersion.posting_id, PostingVersion.seq).in_(pairs))
    ).all())


def first_and_latest_select(ends: Select[*tuple[Any, ...]], field: str) -> Select[*tuple[Any, ...]]:
    """Per posting of ``ends`` (candidate_ends): the first and last found seq, the first found
    version's observed_at and ``field`` text and, when the index found its latest version too, that version's ``field``
    text (else NULL; a CASE, so the lookup runs only then). Lookups on the (posting_id, seq)
    unique index. (Public for benchmarks/history.py --explain.)
    """
    found, first, latest = ends.subquery(), aliased(PostingVersion), aliased(PostingVersion)

    def text_of(version: Any) -> Any:
        return cast(getattr(version, field), Text) if field in _BULLET_FIELDS else getattr(version, field)

    latest_text = (
        select(text_of(latest)).where(latest.posting_id == found.c.posting_id, latest.seq == found.c.hi)
        .scalar_subquery()
    )
    return (
        select(found.c.posting_id, found.c.lo, found.c.hi, first.observed_at, text_of(first),
               case((found.c.hi >= Posting.latest_seq, latest_text), else_=None))
        .select_from(found)
        .join(Posting, Posting.id == found.c.posting_id)
        .join(first, and_(first.posting_id == found.c.posting_id, first.seq == found.c.lo))
    )


def _found(
    session: Session, phrase: str, *, field: str | None, removed: bool, added: bool, since: datetime | None,
    words: bool,
) -> list[tuple[_Posting, str, _Span]]:
    """(posting, field, span) of every hit, in hit order: when the phrase first appeared, posting, field."""
    fields = (field,) if field else SEARCH_FIELDS
    ids = candidate_ids(session, phrase, field=field, words=words)
    spans = _phrase_spans(session, ids, fields, PhraseFinder(phrase, words=words))
    found = [(span.posting, name, span) for (_, name), span in spans.items()
             if _wanted(span.posting, span, removed, added, since)]
    order = {name: index for index, name in enumerate(SEARCH_FIELDS)}
    found.sort(key=lambda item: (aware(item[2].first_at), item[0].id, order[item[1]]))
    return found


#: a candidate row: posting_id, seq, observed_at, next seq, next observed_at, the _Posting
#: columns after posting_id, then the text fields
_FIRST_TEXT = 14


def _phrase_spans(
    session: Session, ids: Select[*tuple[Any, ...]], fields: Sequence[str], finder: PhraseFinder
) -> dict[tuple[int, str], _Span]:
    """(posting, field) -> first and last version whose text holds the phrase.

    With one field, only the first and last version the index found per posting are read:
    the phrase cannot be in a version the index did not find, so if both ends hold it they
    are the answer. A posting whose ends do not (the index matches words, not symbols:
    "C" for "C++") is read again in full. With every field, one field's ends say nothing of
    another's, so all found versions are read.
    """
    if len(fields) > 1:
        return _spans(_candidate_rows(session, ids, fields), fields, finder, ends_only=False)[0]
    spans, unsure = _spans(_candidate_rows(session, ids, fields, ends_only=True), fields, finder, ends_only=True)
    for chunk in _chunks(sorted(unsure)):
        rows = _candidate_rows(session, ids, fields, postings=chunk)
        spans.update(_spans(rows, fields, finder, ends_only=False)[0])
    return spans


def _candidate_rows(
    session: Session, ids: Select[*tuple[Any, ...]] | None, fields: Sequence[str], *, ends_only: bool = False,
    postings: Sequence[int] | None = None,
) -> list[Any]:
    statement = candidate_select(ids, fields, ends_only=ends_only, postings=postings)
    return list(session.connection().execute(statement).all())


def candidate_select(
    ids: Select[*tuple[Any, ...]] | None, fields: Sequence[str], *, ends_only: bool = False,
    postings: Sequence[int] | None = None,
) -> Select[*tuple[Any, ...]]:
    """The versions the index found, by posting then seq, each with its posting and the version after it.

    ``ends_only``: just the first and last of them per posting;
    ``postings``: just these postings' versions — all of them with ``ids`` None (a version the
    index did not find cannot hold the phrase, so reading it changes no span, and a few postings'
    versions are cheaper to read than the index is to query again). Lists come as JSON text (CAST), not decoded:
    most are ruled out by one regex search. The version after (for "gone since") is a lookup
    on the (posting_id, seq) unique index. (Public for benchmarks/history.py --explain.)
    """
    version, after, found = PostingVersion, aliased(PostingVersion), aliased(PostingVersion)
    texts = [
        cast(getattr(version, name), Text).label(name) if name in _BULLET_FIELDS else getattr(version, name)
        for name in fields
    ]
    statement = (
        select(version.posting_id, version.seq, version.observed_at, after.seq, after.observed_at,
               Source.name, Posting.company, Posting.title, Posting.url, Posting.latest_seq, Posting.last_seen,
               Posting.status, Posting.first_seen, Posting.closed_at, *texts)
        .join(Posting, Posting.id == version.posting_id)
        .join(Source, Source.id == Posting.source_id)
        .outerjoin(after, and_(after.posting_id == version.posting_id, after.seq == version.seq + 1))
        .order_by(version.posting_id, version.seq)
    )
    if not ends_only:
        if ids is None and postings is None:
            raise ValueError("without the index's ids, name the postings to read")
        if ids is not None:
            statement = statement.where(version.id.in_(ids.scalar_subquery()))
        if postings is not None:
            statement = statement.where(version.posting_id.in_(list(postings)))
        return statement
    if ids is None:
        raise ValueError("the ends of what the index found need the index's ids")
    ends = (  # a GROUP BY, not window functions: one pass over the found ids, no sorts (3x faster)
        select(found.posting_id, func.min(found.seq).label("lo"), func.max(found.seq).label("hi"))
        .where(found.id.in_(ids.scalar_subquery()))
        .group_by(found.posting_id)
        .subquery()
    )
    return statement.join(
        ends, and_(ends.c.posting_id == version.posting_id, or_(version.seq == ends.c.lo, version.seq == ends.c.hi))
    )


def _spans(
    rows: Sequence[Any], fields: Sequence[str], finder: PhraseFinder, *, ends_only: bool
) -> tuple[dict[tuple[int, str], _Span], set[int]]:
    """Spans from candidate rows, checking only from each end inwards (the versions between
    the first and the last that hold the phrase do not change the answer); and, with
    ``ends_only``, the postings whose end rows did not both hold it (to read in full)."""
    spans: dict[tuple[int, str], _Span] = {}
    unsure: set[int] = set()
    for posting_id, group in groupby(rows, key=itemgetter(0)):
        versions = list(group)
        posting = _Posting(posting_id, *versions[0][5:_FIRST_TEXT])
        for index, name in enumerate(fields, start=_FIRST_TEXT):
            bullets = name in _BULLET_FIELDS
            if len(versions) > 1 and not finder.in_any([row[index] for row in versions]):
                unsure.add(posting_id)  # no version holds it in this field
                continue
            first = next((row for row in versions if finder.first_line(row[index], bullets) is not None), None)
            if first is None:
                unsure.add(posting_id)
                continue
            for last in reversed(versions):  # reaches ``first`` at worst, which matches
                line = finder.first_line(last[index], bullets)
                if line is not None:
                    break
            if ends_only and (first is not versions[0] or last is not versions[-1]):
                unsure.add(posting_id)
                continue
            spans[(posting_id, name)] = _Span(posting, first[1], first[2], last[1], last[2], last[3], last[4],
                                              line or "")
    return spans, unsure


class _Posting(NamedTuple):
    id: int
    source: str
    company: str | None
    title: str
    url: str
    latest_seq: int
    last_seen: datetime
    status: str
    first_seen: datetime
    closed_at: datetime | None


class _Span(NamedTuple):
    posting: _Posting
    first_seq: int
    first_at: datetime
    last_seq: int
    last_at: datetime
    next_seq: int | None
    next_at: datetime | None
    text: str


def _removal(posting: _Posting, span: _Span) -> tuple[bool, int | None, datetime | None]:
    """(present in the latest version, seq and time of the version without it, if it was dropped)."""
    present = span.last_seq >= posting.latest_seq
    gone = not present and span.next_seq is not None
    removed_at = aware(span.next_at) if gone and span.next_at is not None else None
    return present, span.next_seq if gone else None, removed_at


def _hit(posting: _Posting, name: str, span: _Span) -> SearchHit:
    present, removed_seq, removed_at = _removal(posting, span)
    return SearchHit(
        posting_id=posting.id, source=posting.source, company=posting.company, title=posting.title,
        url=posting.url, field=name, first_seq=span.first_seq, first_at=aware(span.first_at),
        last_seq=span.last_seq, last_at=aware(span.last_at), present=present,
        removed_seq=removed_seq, removed_at=removed_at, text=span.text,
        status=posting.status, first_seen=aware(posting.first_seen), last_seen=aware(posting.last_seen),
        closed_at=aware(posting.closed_at) if posting.closed_at is not None else None,
    )


def _wanted(posting: _Posting, span: _Span, removed: bool, added: bool, since: datetime | None) -> bool:
    present, _, removed_at = _removal(posting, span)
    if removed and present:
        return False
    if added and span.first_seq <= 1:
        return False
    if since is None:
        return True
    since = aware(since)
    if removed:
        return removed_at is not None and removed_at >= since
    if added:
        return aware(span.first_at) >= since
    return (removed_at or aware(posting.last_seen)) >= since


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start:start + ID_CHUNK]
