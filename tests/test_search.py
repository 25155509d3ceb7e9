"""Search semantics on SQLite FTS5 and PostgreSQL full-text: phrase vs words, case, fields, removed/added."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from jobtrail.storage import search
from jobtrail.storage.models import Posting, PostingVersion
from jobtrail.storage.search import PhraseFinder, SearchError, fts5_query, matcher
from tests.factories import T0, add_posting, add_source, build_history

CASES = [
    # (id, phrase, options, expected {(posting key, field)})
    ("phrase", "D or C++", {}, {("backend", "requirements"), ("backend2", "requirements")}),
    ("case-insensitive", "d OR c++", {}, {("backend", "requirements"), ("backend2", "requirements")}),
    ("or-is-a-word-not-an-operator", "D or learn", {}, set()),
    ("phrase-order-matters", "C++ or D", {}, set()),
    ("words-any-order", "C++ or D", {"words": True}, {("backend", "requirements"), ("backend2", "requirements")}),
    ("words-must-share-a-line", "experience will", {"words": True}, set()),
    ("symbol-kept", "C", {}, {("data", "requirements")}),
    ("symbol-kept-in-field", "C", {"field": "requirements"}, {("data", "requirements")}),
    ("words-in-field", "learn will", {"field": "requirements", "words": True}, {("data", "requirements")}),
    ("punctuation-between-words", "D or a will", {}, {("data", "requirements")}),
    ("any-field", "degree", {}, {("backend", "requirements"), ("data", "nice_to_have")}),
    ("field-filter", "degree", {"field": "nice_to_have"}, {("data", "nice_to_have")}),
    ("field-filter-no-match", "degree", {"field": "title"}, set()),
    ("description", "crawls the web", {}, {("backend", "description")}),
    ("title", "data engineer", {"field": "title"}, {("data", "title")}),
    ("removed", "degree", {"removed": True}, {("backend", "requirements")}),
    ("removed-reworded-bullet", "some C++", {"removed": True}, {("backend", "requirements")}),
    ("added", "D or C++", {"added": True}, {("backend", "requirements")}),
    ("added-not-original", "degree", {"added": True}, set()),
    ("removed-since-before", "degree", {"removed": True, "since": T0 + timedelta(days=1)},
     {("backend", "requirements")}),
    ("removed-since-after", "degree", {"removed": True, "since": T0 + timedelta(days=30)}, set()),
]


@pytest.fixture
def ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions.begin() as session:
        return build_history(session)


@pytest.mark.parametrize(("phrase", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_search_semantics(sessions, ids, phrase, options, expected) -> None:
    names = {posting_id: key for key, posting_id in ids.items()}
    with sessions() as session:
        hits = search.search(session, phrase, **options)
    assert {(names[hit.posting_id], hit.field) for hit in hits} == expected


@pytest.mark.parametrize(("phrase", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_search_page_is_a_slice_of_search(sessions, ids, phrase, options, expected) -> None:
    """The web page's search (one field: hits built for the page only) pages through search()'s list."""
    with sessions() as session:
        every = search.search(session, phrase, **options)
        pages = [search.search_page(session, phrase, offset=offset, limit=limit, **options)
                 for limit in (1, 2) for offset in range(len(every) + 1)]
    assert {page.total for page in pages} == {len(expected)}
    slices = [every[offset:offset + limit] for limit in (1, 2) for offset in range(len(every) + 1)]
    assert [page.hits for page in pages] == slices


def test_search_page_orders_by_first_appearance(sessions, ids) -> None:
    """"D or C++" came to backend in v2 (T0 + 7 days) and to backend2 later; page 2 of 1 is backend2."""
    with sessions() as session:
        every = search.search(session, "D or C++", field="requirements")
        first = search.search_page(session, "D or C++", field="requirements", offset=0, limit=1)
        second = search.search_page(session, "D or C++", field="requirements", offset=1, limit=1)
        beyond = search.search_page(session, "D or C++", field="requirements", offset=2, limit=1)
    assert [hit.posting_id for hit in every] == [ids["backend"], ids["backend2"]]
    assert (first.hits, second.hits, beyond.hits) == ([every[0]], [every[1]], [])
    assert first.total == second.total == beyond.total == 2


def test_search_page_reads_in_full_when_the_index_matched_only_words(sessions) -> None:
    """"C" indexes as "c", so v1's "Modern C++" is found but does not hold "C"; v2 added "Plain C";
    v3 dropped it. The phrase first appeared in v2 and is gone since v3 (read in full, as search() does)."""
    with sessions.begin() as session:
        source = add_source(session, "lab", "Lab")
        posting = add_posting(session, source, [
            {"requirements": ["Modern C++"]},
            {"requirements": ["Modern C++", "Plain C is fine"]},
            {"requirements": ["Modern C++"]},
        ]).id
    with sessions() as session:
        page = search.search_page(session, "C", field="requirements", removed=True, offset=0, limit=5)
        added = search.search_page(session, "C", field="requirements", added=True, offset=0, limit=5)
        every = search.search(session, "C", field="requirements", removed=True)
    [hit] = page.hits
    assert (hit.posting_id, hit.first_seq, hit.last_seq, hit.removed_seq, hit.text) == (posting, 2, 2, 3, "Plain C is fine")
    assert page.total == 1 and page.hits == every and added.hits == every


def test_search_page_reads_in_full_when_the_last_found_version_lacks_the_phrase(sessions) -> None:
    """v1 and v2 say "Plain C"; v3 only "Modern C++", which the index finds too ("c"). The page's
    span is v1..v2, gone since v3 — not v1..v3."""
    with sessions.begin() as session:
        source = add_source(session, "lab", "Lab")
        posting = add_posting(session, source, [
            {"requirements": ["Plain C is fine"]},
            {"requirements": ["Plain C is fine", "Git"]},
            {"requirements": ["Modern C++"]},
        ]).id
    with sessions() as session:
        page = search.search_page(session, "C", field="requirements", removed=True, offset=0, limit=5)
        every = search.search(session, "C", field="requirements", removed=True)
    [hit] = page.hits
    assert (hit.posting_id, hit.first_seq, hit.last_seq, hit.removed_seq, hit.present) == (posting, 1, 2, 3, False)
    assert hit.text == "Plain C is fine" and page.total == 1 and page.hits == every


def test_hit_says_when_a_phrase_appeared_and_disappeared(sessions, ids) -> None:
    with sessions() as session:
        added = {h.posting_id: h for h in search.search(session, "D or C++")}[ids["backend"]]
        [gone] = search.search(session, "degree", field="requirements", removed=True)
    assert (added.first_seq, added.first_at, added.present) == (2, T0 + timedelta(days=7), True)
    assert added.text == "Knowledge of D or C++ is a plus"
    assert (gone.first_seq, gone.last_seq, gone.present) == (1, 2, False)
    assert (gone.removed_seq, gone.removed_at) == (3, T0 + timedelta(days=14))


def test_index_follows_updates_and_deletes(sessions, ids) -> None:
    with sessions.begin() as session:
        session.execute(update(PostingVersion).where(PostingVersion.posting_id == ids["data"])
                        .values(requirements=["Rust in production"]))
    with sessions() as session:
        assert {h.posting_id for h in search.search(session, "rust in production")} == {ids["data"]}
        assert search.search(session, "C experience") == []
    with sessions.begin() as session:
        session.execute(delete(Posting).where(Posting.id == ids["data"]))
    with sessions() as session:
        assert search.search(session, "rust in production") == []


@pytest.mark.parametrize("phrase", ["++", "  ", "\"*\""])
def test_nothing_to_search_is_a_clear_error(sessions, phrase) -> None:
    with sessions() as session, pytest.raises(SearchError, match="nothing to search"):
        search.search(session, phrase)


def test_unknown_field_is_a_clear_error(sessions) -> None:
    with sessions() as session, pytest.raises(SearchError, match="unknown field"):
        search.search(session, "x", field="salary")


@pytest.mark.parametrize(
    ("phrase", "field", "words", "expected"),
    [
        ("D or C++", None, False, '"D or C"'),
        ('say "NEAR" AND', None, False, '"say NEAR AND"'),
        ("C++ or D", "requirements", True, 'requirements : ("C" AND "or" AND "D")'),
    ],
)
def test_fts5_query_quotes_every_word(phrase, field, words, expected) -> None:
    assert fts5_query(phrase, field, words) == expected


@pytest.mark.parametrize(
    ("phrase", "line", "found"),
    [
        ("D or C++", "Knowledge of d or c++ is a plus", True),
        ("C++", "C or D", False),
        ("C", "C++ only", False),
        ("C#", "C# and F#", True),
        ("degree", "Degrees preferred", False),
        ("cafe", "Café culture", True),
        ("ocaml, d", "OCaml; D and C++", True),
    ],
)
def test_matcher(phrase, line, found) -> None:
    assert matcher(phrase)(line) is found


@pytest.mark.parametrize("field", [None, "requirements"])
def test_span_found_between_versions_the_index_only_seems_to_match(sessions, field) -> None:
    """The index sees "C++" as "c": v1 and v3 are found for "C" but only v2 holds it."""
    with sessions.begin() as session:
        source = add_source(session)
        posting = add_posting(session, source, [
            {"requirements": ["Some C++"]}, {"requirements": ["C experience", "Some C++"]},
            {"requirements": ["Some C++"]}, {"requirements": ["Rust"]},
        ])
    with sessions() as session:
        [hit] = search.search(session, "C", field=field)
    assert (hit.posting_id, hit.field, hit.first_seq, hit.last_seq, hit.text) == (
        posting.id, "requirements", 2, 2, "C experience")
    assert (hit.present, hit.removed_seq, hit.removed_at) == (False, 3, T0 + timedelta(days=14))


@pytest.mark.parametrize(
    ("phrase", "words", "value", "bullets", "line"),
    [
        ("D or C++", False, '["Some D", "or C++ later"]', True, None),  # not across two bullets
        ("D or C++", False, '["x", "Know D or C++!"]', True, "Know D or C++!"),
        ("cafe", False, '["Caf\\u00e9 culture"]', True, "Café culture"),  # JSON escapes decoded
        ("quote", False, '["say \\"quote\\"", "b"]', True, 'say "quote"'),
        ("C", False, '["C++", "C#", "Objective-C"]', True, "Objective-C"),
        ("two words", False, "one\ntwo\nwords", False, None),  # not across lines of text
        ("two words", False, "one\nsay two words", False, "say two words"),
        ("words two", True, '["two", "words"]', True, None),  # words mode: one line holds all
        ("words two", True, '["two", "two words"]', True, "two words"),
        ("rust", False, "[]", True, None),
        ("rust", False, None, True, None),
    ],
)
def test_phrase_finder(phrase, words, value, bullets, line) -> None:
    assert PhraseFinder(phrase, words=words).first_line(value, bullets) == line
