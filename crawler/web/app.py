"""The ASGI app: routes (GET/HEAD only), security headers, templates.

Every handler opens one read-only session, calls storage functions, builds a view
(crawler.web.views) and renders a template. There are no write endpoints: any other
method gets 405. Pages carry no JavaScript, so the Content-Security-Policy allows none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlencode

import click
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobtrail.crawler.cli.output import parse_since
from jobtrail.crawler.items import FIELD_ORDER, SEARCH_FIELDS
from jobtrail.crawler.web import feeds, views
from jobtrail.pipelines import format as fmt
from jobtrail.pipelines.alerts.render import MINUS, PLUS, safe_href
from jobtrail.pipelines.diff import diff_postings
from jobtrail.storage import browse, history, search, sources
from jobtrail.storage.search import SearchError, SearchPage

KINDS = ("new", "changed", "closed", "reopened")
#: no scripts, no frames, no plugins; styles and images only from this server
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
#: Host header names accepted when serving on loopback (blocks DNS-rebinding pages)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


@dataclass
class Site:
    """What every handler needs: the session factory, tag → sources, page size."""

    sessions: sessionmaker[Session]
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    page_size: int = 50

    def read(self, work: Callable[[Session], Any]) -> Any:
        with self.sessions() as session:
            return work(session)


class SecurityHeaders:
    """Adds CSP and friends to every response, errors included (pure ASGI, no buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    sessions: sessionmaker[Session], *, tags: Mapping[str, Sequence[str]] | None = None,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS, page_size: int = 50,
) -> Starlette:
    """The app over ``sessions``; ``allowed_hosts`` None accepts any Host header (public binding)."""
    site = Site(sessions, {tag: tuple(names) for tag, names in (tags or {}).items()}, page_size)
    templates = Jinja2Templates(env=_environment())
    render = partial(_page, templates)
    get = ["GET"]
    routes = [
        Route("/", lambda request: RedirectResponse("/changes", status_code=302), methods=get),
        Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", status_code=301), methods=get),
        Route("/changes", partial(changes_page, site, render), methods=get),
        Route("/postings/{posting_id:int}", partial(posting_page, site, render), methods=get),
        Route("/postings/{posting_id:int}/compare", partial(compare_page, site, render), methods=get),
        Route("/search", partial(search_page, site, render), methods=get),
        Route("/sources", partial(sources_page, site, render), methods=get),
        Route("/feeds/changes.{fmt}", partial(feed, site, "changes"), methods=get),
        Route("/feeds/source/{value:path}.{fmt}", partial(feed, site, "source"), methods=get),
        Route("/feeds/tag/{value:path}.{fmt}", partial(feed, site, "tag"), methods=get),
        Route("/feeds/company/{value:path}.{fmt}", partial(feed, site, "company"), methods=get),
        Route("/feeds/posting/{value:int}.{fmt}", partial(feed, site, "posting"), methods=get),
        Mount("/static", StaticFiles(packages=[("jobtrail.crawler.web", "static")]), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if allowed_hosts:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    handlers: dict[Any, Any] = {status: partial(_error, render) for status in (400, 404, 405)}
    handlers[Exception] = partial(_error, render)  # logged by uvicorn; the page names no internals
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jobtrail.crawler.web", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined,
    )
    env.filters["when"] = fmt.when
    env.filters["iso"] = fmt.iso
    env.filters["safe_href"] = safe_href
    env.globals.update(PLUS=PLUS, MINUS=MINUS, KINDS=KINDS, FIELDS=FIELD_ORDER, SEARCH_FIELDS=SEARCH_FIELDS,
                       link=_link)
    return env


def _link(path: str, params: Mapping[str, Any] | None = None, **changes: Any) -> str:
    """``path?query`` from ``params`` with ``changes`` applied (None drops a key); lists repeat."""
    merged = {**(params or {}), **changes}
    pairs = [(key, item) for key, value in merged.items() if value not in (None, "", [], ())
             for item in (value if isinstance(value, list | tuple) else [value])]
    return path + ("?" + urlencode(pairs) if pairs else "")


def _page(templates: Jinja2Templates, request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, name, {"feed_url": None, **context}, status_code=status)


async def _error(render: Callable[..., Response], request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = exc.detail if isinstance(exc, HTTPException) else "Something went wrong reading the database."
    return render(request, "error.html", status=status, status_code=status, detail=detail)


# --- changes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """The changes filter as it appears in a URL (also the feeds' query string)."""

    source: tuple[str, ...] = ()
    tag: str | None = None
    company: str | None = None
    kind: tuple[str, ...] = ()
    field: str | None = None

    @classmethod
    def from_request(cls, request: Request) -> Filters:
        query = request.query_params
        kinds = tuple(k for k in query.getlist("kind") if k)
        bad = [k for k in kinds if k not in KINDS]
        if bad:
            raise HTTPException(400, f"unknown kind {bad[0]!r}; one of: {', '.join(KINDS)}")
        field_name = query.get("field") or None
        if field_name and field_name not in FIELD_ORDER:
            raise HTTPException(400, f"unknown field {field_name!r}; one of: {', '.join(FIELD_ORDER)}")
        return cls(tuple(s for s in query.getlist("source") if s), query.get("tag") or None,
                   query.get("company") or None, kinds, field_name)

    def params(self) -> dict[str, Any]:
        return {"source": list(self.source), "tag": self.tag, "company": self.company, "kind": list(self.kind),
                "field": self.field}

    def storage(self, site: Site, postings: tuple[int, ...] = ()) -> browse.ChangeFilter:
        sources: tuple[str, ...] | None = self.source or None
        if self.tag is not None:
            tagged = site.tags.get(self.tag, ())
            sources = tuple(s for s in tagged if s in self.source) if self.source else tagged
        return browse.ChangeFilter(sources, self.company, self.kind, self.field, postings)


def _before(request: Request) -> int | None:
    value = request.query_params.get("before")
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise HTTPException(400, "before must be a change id")
    return int(value)


def changes_page(site: Site, render: Callable[..., Response], request: Request) -> Response:
    filters, before = Filters.from_request(request), _before(request)

    def work(session: Session) -> tuple[Any, ...]:
        page = browse.recent_changes(session, filters.storage(site), limit=site.page_size, before=before)
        return page, sources.source_names(session)

    page, names = site.read(work)
    items = [(change, *views.change_sections(change)) for change in page.changes]
    params = filters.params()
    return render(request, "changes.html", filters=filters, params=params, items=items, page=page,
                  before=before, sources=names, tags=sorted(site.tags),
                  feed_url=_link("/feeds/changes.atom", params))


# --- a posting ------------------------------------------------------------------------------

def posting_page(site: Site, render: Callable[..., Response], request: Request) -> Response:
    posting_id = request.path_params["posting_id"]

    def work(session: Session) -> tuple[Any, ...]:
        posting = history.get_posting(session, posting_id)
        if posting is None:
            raise HTTPException(404, f"no posting #{posting_id}")
        found = history.history(session, posting_id, diff=diff_postings)
        chain = list(dict.fromkeys(version.posting_id for version in found)) or [posting_id]
        return posting, found, chain, browse.posting_changes(session, chain)

    posting, found, chain, changes = site.read(work)
    current = next((v for v in reversed(found) if v.posting_id == posting_id), None)
    own = [v for v in found if v.posting_id == posting_id]
    return render(request, "posting.html", posting=posting, current=current, versions=own, chain=chain,
                  timeline=views.timeline(found, changes), facts=views.facts(current) if current else [],
                  paragraphs=views.paragraphs(current.description if current else None),
                  related=views.related(current) if current else [], sections=views.TEXT_SECTIONS,
                  field_label=views.field_label, href=safe_href(posting.url),
                  feed_url=f"/feeds/posting/{posting_id}.atom")


def compare_page(site: Site, render: Callable[..., Response], request: Request) -> Response:
    posting_id = request.path_params["posting_id"]
    a, b = _seq(request, "a"), _seq(request, "b")

    def work(session: Session) -> tuple[Any, ...]:
        posting = history.get_posting(session, posting_id)
        if posting is None:
            raise HTTPException(404, f"no posting #{posting_id}")
        old_seq = a if a is not None else max(posting.latest_seq - 1, 1)
        new_seq = b if b is not None else posting.latest_seq
        found = {v.seq: v for v in history.versions(session, posting_id, [old_seq, new_seq])}
        missing = [seq for seq in (old_seq, new_seq) if seq not in found]
        if missing:
            raise HTTPException(404, f"posting #{posting_id} has versions 1..{posting.latest_seq}; "
                                     f"no version {missing[0]}")
        return posting, found[old_seq], found[new_seq]

    posting, old, new = site.read(work)
    return render(request, "compare.html", posting=posting, old=old, new=new, rows=views.compare(old, new),
                  seqs=range(1, posting.latest_seq + 1), feed_url=f"/feeds/posting/{posting_id}.atom")


def _seq(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if not value:
        return None
    if not value.isdigit():
        raise HTTPException(400, f"{name} must be a version number")
    return int(value)


# --- search ---------------------------------------------------------------------------------

def search_page(site: Site, render: Callable[..., Response], request: Request) -> Response:
    query = request.query_params
    form = {"q": query.get("q", ""), "field": query.get("field") or None, "change": query.get("change") or None,
            "since": query.get("since") or None, "words": "1" if query.get("words") else None}
    page = int(query["page"]) if query.get("page", "").isdigit() and int(query["page"]) > 0 else 1
    size = site.page_size
    found, error = SearchPage([], 0), None
    if form["q"].strip():
        try:
            found = site.read(lambda session: _search(session, form, offset=(page - 1) * size, limit=size))
        except (SearchError, click.BadParameter) as exc:
            error = exc.message if isinstance(exc, click.BadParameter) else str(exc)
    return render(request, "search.html", form=form, hits=found.hits, total=found.total, page=page,
                  more=found.total > page * size, error=error)


def _search(session: Session, form: Mapping[str, Any], *, offset: int, limit: int) -> SearchPage:
    """One page of what `jobtrail search` (storage.search.search) finds, with the same options."""
    since = parse_since(form["since"]) if form["since"] else None
    return search.search_page(session, form["q"], offset=offset, limit=limit,
                              field=form["field"] if form["field"] in SEARCH_FIELDS else None,
                              removed=form["change"] == "removed", added=form["change"] == "added",
                              since=since, words=bool(form["words"]))


# --- sources --------------------------------------------------------------------------------

def sources_page(site: Site, render: Callable[..., Response], request: Request) -> Response:
    statuses = site.read(sources.source_statuses)
    tags_of: dict[str, list[str]] = {}
    for tag, names in sorted(site.tags.items()):
        for name in names:
            tags_of.setdefault(name, []).append(tag)
    return render(request, "sources.html", statuses=statuses, tags_of=tags_of)


# --- feeds ----------------------------------------------------------------------------------

def feed(site: Site, scope_kind: str, request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in feeds.FORMATS:
        raise HTTPException(404, "feeds end in .atom or .rss")
    value = request.path_params.get("value")
    filters, title, page_url = _feed_scope(scope_kind, value, request)

    def work(session: Session) -> Any:
        posting, chain = None, ()
        if scope_kind == "posting":
            posting = history.get_posting(session, value)
            if posting is None:
                raise HTTPException(404, f"no posting #{value}")
            chain = tuple(history.repost_chain(session, value))
        page = browse.recent_changes(session, filters.storage(site, chain), limit=site.page_size)
        return page, browse.new_requirements(session, page.changes), posting

    page, requirements, posting = site.read(work)
    if posting is not None:
        title = f"jobtrail: {posting.title}" + (f" at {posting.company}" if posting.company else "")
    base = str(request.base_url).rstrip("/")
    body = feeds.build_feed(page.changes, fmt=fmt, title=title, self_url=str(request.url),
                            page_url=base + page_url, base_url=base, requirements=requirements)
    return Response(body, media_type=feeds.FORMATS[fmt])


def _feed_scope(kind: str, value: Any, request: Request) -> tuple[Filters, str, str]:
    """(filters, feed title, the page it mirrors) for a feed URL."""
    if kind == "source":
        return Filters(source=(value,)), f"jobtrail: changes of source {value}", _link("/changes", source=value)
    if kind == "tag":
        return Filters(tag=value), f"jobtrail: changes tagged {value}", _link("/changes", tag=value)
    if kind == "company":
        return Filters(company=value), f"jobtrail: changes at {value}", _link("/changes", company=value)
    if kind == "posting":
        return Filters(), f"jobtrail: changes of posting #{value}", f"/postings/{value}"
    filters = Filters.from_request(request)
    return filters, "jobtrail: changes", _link("/changes", filters.params())
