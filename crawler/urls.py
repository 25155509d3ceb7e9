"""The one canonical spelling of a URL: a posting's identity must not depend on how we got there.

Listing links, a posting's own ``url``, its related jobs and the ``external_id`` derived from a
URL all go through ``canonical_url``, so ``?utm_source=...`` or a fragment never makes a posting
"new", and the stored ``url`` always equals the URL its identity was taken from. Imports nothing
of the project.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: query parameters that only say where a visitor came from (compared case-insensitively)
TRACKING_PARAMS = frozenset({
    "gclid", "fbclid", "msclkid", "gh_src", "source", "src", "ref", "referrer", "trk", "mc_cid", "mc_eid",
})
#: prefixes of tracking parameters: utm_*, HubSpot's _hsenc/_hsmi/..., Lever's lever-source[]
TRACKING_PREFIXES = ("utm_", "_hs", "lever-source")
#: tracking names that some sites also use for the posting's id
_AMBIGUOUS_PARAMS = frozenset({"ref", "source"})


@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """The URL without fragment and tracking parameters, query sorted, host lower-case.

    Cached (bounded): a site's pages link to the same postings over and over, and w3lib's
    canonicalization costs ~25 us a call.
    """
    url, _ = urldefrag(url.strip())
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking(key, value)]
    cleaned = urlunsplit(parts._replace(query=urlencode(query)))
    return canonicalize_url(cleaned, keep_fragments=False)


def is_tracking(key: str, value: str = "") -> bool:
    """Whether a query parameter only tracks the visitor (never selects content).

    "ref"/"source" track with a word value ("ref=hn"); with an id ("ref=CVL-2026-038") they
    select the posting on some sites.
    """
    lowered = key.lower()
    if lowered in _AMBIGUOUS_PARAMS and any(ch.isdigit() for ch in value):
        return False
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)
