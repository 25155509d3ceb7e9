"""Which source kind sits behind a URL or a careers page (ATS auto-detection).

Pure functions, no network: the caller fetches the page. The knowledge of each ATS's
public hosts and API URLs lives here, in one table, so the adapters (``start``), the
``auto`` kind and ``jobtrail add`` all agree on what a board is.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit


@dataclass(frozen=True)
class Detection:
    kind: str  # an ATS kind, or "page"
    board: str | None  # the ATS's board token (None for "page")
    api_url: str  # the first URL to fetch: the public API, or the page itself


#: ATS kinds in the order they are tried
ATS_KINDS: tuple[str, ...] = (
    "greenhouse", "lever", "ashby", "workable", "smartrecruiters", "recruitee", "personio", "workday",
)

#: what a host/path matcher finds: (board, extra api_url arguments), or None
_Match = tuple[str, dict[str, object]] | None

_TOKEN = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"


#: public API URL of each ATS board ({b}: the board token; {eu}: ".eu" for Lever's EU instance)
API_URLS: dict[str, str] = {
    "greenhouse": "https://boards-api.greenhouse.io/v1/boards/{b}/jobs?content=true&pay_transparency=true",
    "lever": "https://api{eu}.lever.co/v0/postings/{b}?mode=json&skip=0&limit=100",
    "ashby": "https://api.ashbyhq.com/posting-api/job-board/{b}?includeCompensation=true",
    "workable": "https://apply.workable.com/api/v1/widget/accounts/{b}?details=true",
    "smartrecruiters": "https://api.smartrecruiters.com/v1/companies/{b}/postings?limit=100&offset=0",
    "recruitee": "https://{b}.recruitee.com/api/offers/",
    "personio": "https://{b}.jobs.personio.{tld}/xml?language=en",
}


def api_url(kind: str, board: str, *, eu: bool = False, tld: str = "de") -> str:
    """The public API URL of a board (first page where the API pages)."""
    if kind == "workday":
        return _workday_api(board)
    if kind not in API_URLS:
        raise ValueError(f"{kind!r} is not an ATS kind with a board")
    return API_URLS[kind].format(b=quote(board, safe=""), eu=".eu" if eu else "", tld=tld)


def _workday_api(board: str, scheme: str = "https", host: str | None = None) -> str:
    """Workday boards are "tenant.wdN/site" (as in tenant.wdN.myworkdayjobs.com/site)."""
    match = re.fullmatch(r"([A-Za-z0-9\-]+)\.(wd\d+)/([^/?#]+)", board)
    if not match:
        raise ValueError(f"workday board must look like 'tenant.wd5/SiteName', got {board!r}")
    tenant, wd, site = match.groups()
    host = host or f"{tenant}.{wd}.myworkdayjobs.com"
    return f"{scheme}://{host}/wday/cxs/{tenant}/{site}/jobs"


def source_api_url(kind: str, url: str | None, board: str | None) -> str:
    """Where a configured source of this kind starts: its board's API, or its URL as is.

    ``board`` wins; a public board URL of the same kind is turned into its API URL; any
    other URL (an API URL, a test server on 127.0.0.1) is used unchanged.
    """
    if board:
        return api_url(kind, board)
    if not url:
        raise ValueError(f"a {kind} source needs 'board' or 'url'")
    found = detect_url(url)
    return found.api_url if found and found.kind == kind else url


# --- from one URL ------------------------------------------------------------------------------

def _greenhouse(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    if host == "boards-api.greenhouse.io" or host.endswith(".greenhouse.io") and "api" in host:
        m = re.match(rf"/v1/boards/({_TOKEN})", path)
        return (m[1], {}) if m else None
    if not re.fullmatch(r"(job-)?boards(\.eu)?\.greenhouse\.io", host):
        return None
    if path.startswith("/embed/"):
        token = (query.get("for") or [None])[0]
        return (token, {}) if token and re.fullmatch(_TOKEN, token) else None
    m = re.match(rf"/({_TOKEN})", path)
    return (m[1], {}) if m else None


def _lever(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    m_host = re.fullmatch(r"(jobs|api)(\.eu)?\.lever\.co", host)
    if not m_host:
        return None
    pattern = rf"/v0/postings/({_TOKEN})" if m_host[1] == "api" else rf"/({_TOKEN})"
    m = re.match(pattern, path)
    return (m[1], {"eu": bool(m_host[2])}) if m else None


def _ashby(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    if host == "jobs.ashbyhq.com":
        m = re.match(r"/([^/?#]+)", path)
    elif host == "api.ashbyhq.com":
        m = re.match(r"/posting-api/job-board/([^/?#]+)", path)
    else:
        return None
    return (m[1], {}) if m and m[1] != "api" else None


def _workable(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    if host == "apply.workable.com":
        m = re.match(rf"/api/v\d/(?:widget/)?accounts/({_TOKEN})", path) or re.match(rf"/({_TOKEN})", path)
        return (m[1], {}) if m and m[1] not in {"api", "j"} else None
    m = re.fullmatch(r"([a-z0-9\-]+)\.workable\.com", host)
    return (m[1], {}) if m and m[1] not in {"www", "apply", "jobs", "help", "resources"} else None


def _smartrecruiters(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    if host in {"careers.smartrecruiters.com", "jobs.smartrecruiters.com"}:
        m = re.match(rf"/({_TOKEN})", path)
    elif host == "api.smartrecruiters.com":
        m = re.match(rf"/v1/companies/({_TOKEN})", path)
    else:
        return None
    return (m[1], {}) if m and m[1].lower() not in {"oneclick-ui", "sr-jobs"} else None


def _recruitee(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    m = re.fullmatch(r"([a-z0-9\-]+)\.recruitee\.com", host)
    return (m[1], {}) if m and m[1] not in {"www", "api", "app", "blog", "support", "help"} else None


def _personio(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    m = re.fullmatch(r"([a-z0-9\-]+)\.jobs\.personio\.(de|com)", host)
    return (m[1], {"tld": m[2]}) if m else None


def _workday(host: str, path: str, query: dict[str, list[str]]) -> _Match:
    m_host = re.fullmatch(r"([a-z0-9\-]+)\.(wd\d+)\.myworkdayjobs\.com", host)
    if not m_host:
        return None
    m = re.match(r"/wday/cxs/[^/]+/([^/?#]+)", path) or re.match(
        r"/(?:[a-z]{2}-[A-Z]{2}/)?([^/?#]+)", path
    )
    if not m or m[1] in {"wday", "job"}:
        return None
    return f"{m_host[1]}.{m_host[2]}/{m[1]}", {}


_MATCHERS: dict[str, Callable[[str, str, dict[str, list[str]]], _Match]] = {
    "greenhouse": _greenhouse, "lever": _lever, "ashby": _ashby, "workable": _workable,
    "smartrecruiters": _smartrecruiters, "recruitee": _recruitee, "personio": _personio,
    "workday": _workday,
}


def detect_url(url: str) -> Detection | None:
    """The ATS board a URL belongs to (public board, posting or API URL); None when unknown."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    query = parse_qs(parts.query)
    for kind, matcher in _MATCHERS.items():
        found = matcher(host, parts.path, query)
        if found:
            board, extra = found
            return Detection(kind, board, api_url(kind, board, **extra))  # type: ignore[arg-type]
    m = re.match(r"/wday/cxs/([^/]+)/([^/?#]+)", parts.path)  # a Workday API path on any host
    if m and parts.hostname:
        return Detection("workday", f"{m[1]}/{m[2]}", f"{parts.scheme}://{parts.netloc}{m[0]}/jobs")
    return None


def kind_from_url(url: str) -> str | None:
    """The ATS kind a URL belongs to, from its host and path alone; None when unknown."""
    found = detect_url(url)
    return found.kind if found else None


# --- from a careers page -----------------------------------------------------------------------

_URL_IN_HTML = re.compile(r"""(?:https?:)?//[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?::\d+)?[^\s"'<>()\\]*""")


def detect_source(url: str, html: str | None = None) -> Detection:
    """The source behind ``url``: an ATS from the URL itself, else from an ATS the page
    embeds or links to (the board seen most often wins), else the page itself."""
    found = detect_url(url)
    if found:
        return found
    if html:
        hits = [hit for hit in map(detect_url, _urls_in(html)) if hit is not None]
        if hits:
            best, _ = Counter(hits).most_common(1)[0]
            return best
    return Detection("page", None, url)


def _urls_in(html: str) -> list[str]:
    urls = []
    for raw in _URL_IN_HTML.findall(html):
        raw = html_lib.unescape(raw)
        urls.append("https:" + raw if raw.startswith("//") else raw)
    return urls
