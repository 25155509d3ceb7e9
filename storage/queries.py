"""The read API over stored history: what the CLI calls, and what a notebook can call.

    from jobtrail.storage.db import open_database
    from jobtrail.storage import queries
    engine, sessions = open_database("sqlite:///jobtrail.db")
    with sessions() as session:
        for version in queries.history(session, 42):
            print(version.seq, version.observed_at, list(version.diff))

Every function takes a Session and returns typed records (storage.records); none writes.
Each runs a fixed number of statements whatever the size of the result (no N+1).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, DateTime, Integer, Select, String, Text, and_, cast, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from jobtrail.crawler.items import CONTENT_FIELDS, JSON_FIELDS, POSTING_FIELDS, SEARCH_FIELDS
from jobtrail.storage.models import Change, Posting, PostingVersion, Source
from jobtrail.storage.records import (
    ChangeRecord,
    PostingRecord,
    SearchHit,
    VersionRecord,
    aware,
)
from jobtrail.storage.search import PhraseFinder, candidate_ids

#: a function (old posting dict, new posting dict) -> diff, e.g. pipelines.diff.diff_postings
DiffFunction = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
#: rows per round trip when streaming exports
EXPORT_BATCH = 2000
#: rows per round trip for export_version_rows (plain tuples, so a bigger batch is cheap)
EXPORT_ROWS_BATCH = 10_000
#: the columns of export_version_rows(), in order; EXPORT_JSON_COLUMNS of them hold JSON text
EXPORT_VERSION_COLUMNS: tuple[str, ...] = ("posting_id", "version_id", "seq", "observed_at", "content_hash",
                                           *POSTING_FIELDS)
EXPORT_JSON_COLUMNS = frozenset(JSON_FIELDS)
#: ids per IN (...) list, below SQLite's variable limit
ID_CHUNK = 500


# --- changes --------------------------------------------------------------------------------

def changes_since(
    session: Session,
    since: datetime,
    *,
    source: str | None = None,
    company: str | None = None,
    kinds: Collection[str] | None = None,
) -> list[ChangeRecord]:
    """Changes recorded at or after ``since``, oldest first (what `jobtrail changes` lists)."""
    query = _changes_select().where(Change.created_at >= aware(since))
    if source:
        query = query.where(Source.name == source)
    if company:
        query = query.where(func.lower(Posting.company) == company.lower())
    if kinds:
        query = query.where(Change.kind.in_(list(kinds)))
    return [_change_record(row) for row in session.execute(query.order_by(Change.created_at, Change.id))]


def export_changes(session: Session) -> Iterator[ChangeRecord]:
    """Every change, oldest first, streamed in batches (constant memory)."""
    query = _changes_select().order_by(Change.id).execution_options(yield_per=EXPORT_BATCH)
    for row in session.execute(query):
        yield _change_record(row)


def _changes_select() -> Select:
    old, new = aliased(PostingVersion), aliased(PostingVersion)
    return (
        select(
            Change.id, Change.posting_id, Change.kind, Change.diff, Change.created_at,
            Source.name.label("source"), Posting.company, Posting.url,
            func.coalesce(new.title, Posting.title).label("title"),
            old.seq.label("from_seq"), new.seq.label("to_seq"),
        )
        .join(Posting, Posting.id == Change.posting_id)
        .join(Source, Source.id == Posting.source_id)
        .outerjoin(old, old.id == Change.from_version_id)
        .outerjoin(new, new.id == Change.to_version_id)
    )


def _change_record(row: Any) -> ChangeRecord:
    return ChangeRecord(
        posting_id=row.posting_id, source=row.source, company=row.company, title=row.title, url=row.url,
        kind=row.kind, at=aware(row.created_at), fields=row.diff or {}, change_id=row.id,
        from_seq=row.from_seq, to_seq=row.to_seq,
    )


# --- postings -------------------------------------------------------------------------------

def find_postings(session: Session, query: str, company: str | None = None) -> list[PostingRecord]:
    """Postings by id ("42"), URL, or title words (all of them, any case), newest first."""
    query = query.strip()
    statement = _postings_select()
    if query.isdigit():
        statement = statement.where(Posting.id == int(query))
    elif "://" in query:
        statement = statement.where(Posting.url == query)
    else:
        for word in query.lower().split():
            statement = statement.where(func.lower(Posting.title).contains(word, autoescape=True))
    if company:
        statement = statement.where(func.lower(Posting.company) == company.lower())
    rows = session.execute(statement.order_by(Posting.first_seen.desc(), Posting.id.desc()))
    return [_posting_record(row) for row in rows]


def get_posting(session: Session, posting_id: int) -> PostingRecord | None:
    row = session.execute(_postings_select().where(Posting.id == posting_id)).first()
    return _posting_record(row) if row else None


def repost_chain(session: Session, posting_id: int) -> list[int]:
    """The ids of one role across reposts, oldest first (just ``[posting_id]`` if never reposted)."""
    chain = [posting_id]
    previous = session.scalar(select(Posting.repost_of_id).where(Posting.id == posting_id))
    while previous is not None and previous not in chain:
        chain.insert(0, previous)
        previous = session.scalar(select(Posting.repost_of_id).where(Posting.id == previous))
    following = _successor(session, posting_id)
    while following is not None and following not in chain:
        chain.append(following)
        following = _successor(session, following)
    return chain


def _successor(session: Session, posting_id: int) -> int | None:
    return session.scalar(
        select(Posting.id).where(Posting.repost_of_id == posting_id).order_by(Posting.first_seen).limit(1)
    )


def _postings_select() -> Select:
    return select(
        Posting.id, Source.name.label("source"), Posting.external_id, Posting.url, Posting.title,
        Posting.company, Posting.status, Posting.first_seen, Posting.last_seen, Posting.closed_at,
        Posting.latest_seq, Posting.repost_of_id,
    ).join(Source, Source.id == Posting.source_id)


def _posting_record(row: Any) -> PostingRecord:
    values = dict(row._mapping)
    for key in ("first_seen", "last_seen", "closed_at"):
        values[key] = aware(values[key]) if values[key] is not None else None
    return PostingRecord(**values)


# --- versions -------------------------------------------------------------------------------

def history(
    session: Session, posting_id: int, follow_reposts: bool = True, diff: DiffFunction | None = None
) -> list[VersionRecord]:
    """Every version of a posting, oldest first, each with the diff from the version before.

    Diffs come from the stored changes. Across a repost (a new posting continuing a closed
    one) nothing is stored; pass ``diff`` (pipelines.diff.diff_postings) to compute it.
    """
    chain = repost_chain(session, posting_id) if follow_reposts else [posting_id]
    order = {pid: index for index, pid in enumerate(chain)}
    rows = session.execute(_versions_select().where(PostingVersion.posting_id.in_(chain)))
    found = sorted(rows, key=lambda row: (order[row.posting_id], row.seq))
    stored: dict[int, dict[str, Any]] = dict(
        session.execute(
            select(Change.to_version_id, Change.diff).where(
                Change.posting_id.in_(chain),
                Change.from_version_id.is_not(None),
                Change.to_version_id.is_not(None),
            )
        ).all()
    )
    records: list[VersionRecord] = []
    for row in found:
        record = _version_record(row, stored.get(row.version_id) or {})
        if records and not record.diff and diff is not None:
            record = _with_diff(record, diff(records[-1].posting(), record.posting()))
        records.append(record)
    return records


def version_at(session: Session, posting_id: int, at: datetime | None = None) -> VersionRecord | None:
    """The version a reader saw at ``at`` (the latest one observed by then); latest if None."""
    statement = _versions_select().where(PostingVersion.posting_id == posting_id)
    if at is not None:
        statement = statement.where(PostingVersion.observed_at <= aware(at))
    row = session.execute(statement.order_by(PostingVersion.seq.desc()).limit(1)).first()
    return _version_record(row, {}) if row else None


def versions(session: Session, posting_id: int, seqs: Sequence[int]) -> list[VersionRecord]:
    """The versions ``seqs`` of a posting, in the order asked; missing ones are left out."""
    statement = _versions_select().where(
        PostingVersion.posting_id == posting_id, PostingVersion.seq.in_(list(seqs))
    )
    by_seq = {row.seq: row for row in session.execute(statement)}
    return [_version_record(by_seq[seq], {}) for seq in seqs if seq in by_seq]


def export_versions(session: Session) -> Iterator[VersionRecord]:
    """Every version of every posting, by posting then seq, streamed in batches.

    Runs on the Core connection with JSON read as text and decoded here (empty lists
    without a parser call): about twice the rows per second of the ORM path.
    """
    statement = _versions_select(raw_json=True).order_by(PostingVersion.posting_id, PostingVersion.seq)
    connection = session.connection().execution_options(yield_per=EXPORT_BATCH)
    for row in connection.execute(statement):
        yield _version_record(row, {})


def export_version_rows(session: Session, batch: int = EXPORT_ROWS_BATCH) -> Iterator[tuple[Any, ...]]:
    """Every version as a plain tuple, by posting then seq: the fast path of `jobtrail export`.

    Values come in EXPORT_VERSION_COLUMNS order (a VersionRecord without its diff), with
    ``observed_at`` as ISO text (UTC) and the JSON fields as JSON text, never decoded (a list
    field is "[]" rather than null; text is as ``json.dumps(value, ensure_ascii=False)`` writes
    it): a writer splices it into its line. About twice the rate of export_versions().
    """
    statement = _versions_select(json_text=True).order_by(PostingVersion.posting_id, PostingVersion.seq)
    for block in _stream(session, statement, batch):
        for row in block:
            values = list(row)
            values[_OBSERVED_AT] = _iso_utc(values[_OBSERVED_AT])
            for index in _JSON_POSITIONS:
                text = values[index]
                if text is None or text == "null":
                    values[index] = "[]" if index in _LIST_POSITIONS else None
                elif "\\u" in text:  # SQLite keeps ASCII escapes; write the characters themselves
                    values[index] = json.dumps(json.loads(text), ensure_ascii=False)
            yield tuple(values)


def _stream(session: Session, statement: Select, batch: int) -> Iterator[Sequence[Sequence[Any]]]:
    """Blocks of the rows of a statement without parameters, as the driver reads them.

    No SQLAlchemy type processing: SQLite hands back stored text (datetimes too, which
    _iso_utc parses faster). PostgreSQL runs it as binary ``COPY (...) TO STDOUT``, rows
    parsed by psycopg: about 1.7x the rows per second of a server-side cursor.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name != "postgresql":
        result = connection.execution_options(stream_results=True, yield_per=batch).exec_driver_sql(sql)
        yield from result.partitions()
        return
    types = [_copy_type(column.type) for column in statement.selected_columns]
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
        f"COPY ({sql}) TO STDOUT (FORMAT BINARY)"
    ) as copy:
        copy.set_types(types)
        rows = copy.rows()
        while block := list(islice(rows, batch)):
            yield block


def _copy_type(column_type: Any) -> str:
    """The PostgreSQL type name psycopg needs to read a column of binary COPY."""
    if isinstance(column_type, BigInteger):
        return "int8"
    if isinstance(column_type, Integer):
        return "int4"
    if isinstance(column_type, DateTime) and column_type.timezone:
        return "timestamptz"
    if isinstance(column_type, String):  # Text, VARCHAR and the JSON cast to text
        return "text"
    raise TypeError(f"no binary COPY type for {column_type!r}")


def _iso_utc(value: str | datetime) -> str:
    """``aware(value).isoformat()`` for a hot loop: SQLite's stored text parsed in C, no
    conversion for a value already at UTC (PostgreSQL's session zone is usually UTC)."""
    if type(value) is str:
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat()


_CONTENT_COLUMNS = CONTENT_FIELDS
_JSON_COLUMNS = JSON_FIELDS
_LIST_COLUMNS = tuple(name for name in JSON_FIELDS if name != "salary")


def _versions_select(raw_json: bool = False, json_text: bool = False) -> Select:
    """Version columns in VersionRecord order; ``raw_json``: JSON as the driver hands it back
    undecoded by SQLAlchemy; ``json_text``: JSON cast to text in SQL (PostgreSQL's driver would
    decode jsonb itself)."""
    def content(name: str) -> Any:
        column = getattr(PostingVersion, name)
        if name not in _JSON_COLUMNS:
            return column
        if json_text:
            return cast(column, Text).label(name)
        return type_coerce(column, Text).label(name) if raw_json else column

    return (
        select(
            PostingVersion.posting_id, PostingVersion.id.label("version_id"), PostingVersion.seq,
            PostingVersion.observed_at, PostingVersion.content_hash,
            Source.name.label("source"), Posting.external_id,
            *(content(name) for name in _CONTENT_COLUMNS),
        )
        .join(Posting, Posting.id == PostingVersion.posting_id)
        .join(Source, Source.id == Posting.source_id)
    )


#: positions in a _versions_select() row, which lists columns in VersionRecord field order
_OBSERVED_AT = 3
_JSON_POSITIONS = tuple(7 + _CONTENT_COLUMNS.index(name) for name in _JSON_COLUMNS)
_LIST_POSITIONS = frozenset(7 + _CONTENT_COLUMNS.index(name) for name in _LIST_COLUMNS)


def _version_record(row: Any, diff: dict[str, Any]) -> VersionRecord:
    """Positional, because exports build a million of these."""
    values = list(row)
    values[_OBSERVED_AT] = aware(values[_OBSERVED_AT])
    for index in _JSON_POSITIONS:
        value = values[index]
        if isinstance(value, str):
            value = [] if value == "[]" else json.loads(value)
        values[index] = [] if value is None and index in _LIST_POSITIONS else value
    return VersionRecord(*values, diff)


def _with_diff(record: VersionRecord, diff: dict[str, Any]) -> VersionRecord:
    values = {name: getattr(record, name) for name in record.__dataclass_fields__}
    values["diff"] = diff
    return VersionRecord(**values)


# --- search ---------------------------------------------------------------------------------

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
    fields = (field,) if field else SEARCH_FIELDS
    ids = candidate_ids(session, phrase, field=field, words=words)
    spans = _phrase_spans(session, ids, fields, PhraseFinder(phrase, words=words))
    found = [(_hit(span.posting, name, span), span.posting) for (_, name), span in spans.items()]
    hits = [hit for hit, posting in found if _wanted(hit, posting, removed, added, since)]
    return sorted(hits, key=lambda hit: (hit.first_at, hit.posting_id, SEARCH_FIELDS.index(hit.field)))


#: a candidate row: posting_id, seq, observed_at, next seq, next observed_at, the _Posting
#: columns after posting_id, then the text fields
_FIRST_TEXT = 11
_BULLET_FIELDS = frozenset(SEARCH_FIELDS) & frozenset(_LIST_COLUMNS)


def _phrase_spans(
    session: Session, ids: Select, fields: Sequence[str], finder: PhraseFinder
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
    session: Session, ids: Select, fields: Sequence[str], *, ends_only: bool = False,
    postings: Sequence[int] | None = None,
) -> list[Any]:
    statement = candidate_select(ids, fields, ends_only=ends_only, postings=postings)
    return list(session.connection().execute(statement).all())


def candidate_select(
    ids: Select, fields: Sequence[str], *, ends_only: bool = False, postings: Sequence[int] | None = None
) -> Select:
    """The versions the index found, by posting then seq, each with its posting and the version after it.

    ``ends_only``: just the first and last of them per posting (window functions);
    ``postings``: just these postings' versions. Lists come as JSON text (CAST), not decoded:
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
               *texts)
        .join(Posting, Posting.id == version.posting_id)
        .join(Source, Source.id == Posting.source_id)
        .outerjoin(after, and_(after.posting_id == version.posting_id, after.seq == version.seq + 1))
        .order_by(version.posting_id, version.seq)
    )
    if not ends_only:
        statement = statement.where(version.id.in_(ids.scalar_subquery()))
        if postings is not None:
            statement = statement.where(version.posting_id.in_(list(postings)))
        return statement
    ranked = (
        select(
            found.id,
            func.row_number().over(partition_by=found.posting_id, order_by=found.seq).label("head"),
            func.count().over(partition_by=found.posting_id).label("found"),  # one sort, not two
        )
        .where(found.id.in_(ids.scalar_subquery()))
        .subquery()
    )
    return statement.join(ranked, ranked.c.id == version.id).where(
        or_(ranked.c.head == 1, ranked.c.head == ranked.c.found)
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


class _Span(NamedTuple):
    posting: _Posting
    first_seq: int
    first_at: datetime
    last_seq: int
    last_at: datetime
    next_seq: int | None
    next_at: datetime | None
    text: str


def _hit(posting: _Posting, name: str, span: _Span) -> SearchHit:
    present = span.last_seq >= posting.latest_seq
    gone = not present and span.next_seq is not None
    return SearchHit(
        posting_id=posting.id, source=posting.source, company=posting.company, title=posting.title,
        url=posting.url, field=name, first_seq=span.first_seq, first_at=aware(span.first_at),
        last_seq=span.last_seq, last_at=aware(span.last_at), present=present,
        removed_seq=span.next_seq if gone else None,
        removed_at=aware(span.next_at) if gone and span.next_at is not None else None, text=span.text,
    )


def _wanted(hit: SearchHit, posting: _Posting, removed: bool, added: bool, since: datetime | None) -> bool:
    if removed and hit.present:
        return False
    if added and hit.first_seq <= 1:
        return False
    if since is None:
        return True
    since = aware(since)
    if removed:
        return hit.removed_at is not None and hit.removed_at >= since
    if added:
        return hit.first_at >= since
    return (hit.removed_at or aware(posting.last_seen)) >= since


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start:start + ID_CHUNK]
