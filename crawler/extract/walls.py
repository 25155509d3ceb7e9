"""Pages that stand where a careers page should be: bot challenges, captchas, login, consent, denial.

A wall served with HTTP 200 looks like a page to every extractor: a login form with one
"Forgot your password?" link became a posting ("Sign in to see open roles") and the 40 real
postings then counted missing. So every HTML page is checked first; a wall is never
extracted, never stored, and the crawl that met it judges nothing (status ``blocked``).

Pure: text in, verdict out. Markers are matched on the raw HTML lower-cased once (a
case-insensitive regex over a 60 KB page costs ~10x more); the visible-text measure (one
lxml parse) runs only when a weak marker matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

#: vendor challenge/denial pages: unambiguous markers in their HTML (vendor, what the marker is)
VENDOR_MARKERS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, vendor, re.compile(pattern))  # matched on lower-cased HTML
    for kind, vendor, pattern in (
        ("bot challenge", "Cloudflare", r"cf-browser-verification|window\._cf_chl_opt|/cdn-cgi/challenge-platform/"
                                        r"|cf-error-details|<title>\s*attention required!? \| cloudflare"),
        ("bot challenge", "Akamai", r"errors\.edgesuite\.net|/_sec/cp_challenge/|bm-verify|"
                                    r"you don't have permission to access [^<]{0,200} on this server\."),
        ("bot challenge", "Incapsula", r"_incapsula_resource|incapsula incident id"),
        ("bot challenge", "DataDome", r"captcha-delivery\.com|geo\.captcha-delivery"),
        ("bot challenge", "PerimeterX", r"px-captcha|_pxcaptcha|human-challenge"),
        ("captcha", "reCAPTCHA", r"class=[\"'][^\"']*\bg-recaptcha\b|google\.com/recaptcha/api\.js"),
        ("captcha", "hCaptcha", r"class=[\"'][^\"']*\bh-captcha\b|hcaptcha\.com/1/api\.js"),
        ("captcha", "Turnstile", r"class=[\"'][^\"']*\bcf-turnstile\b|challenges\.cloudflare\.com/turnstile"),
    )
)
#: every vendor marker contains one of these: pages with none of them need no regex pass
_VENDOR_LITERALS = ("cf-", "_cf_chl", "cdn-cgi", "cloudflare", "edgesuite", "cp_challenge", "bm-verify",
                    "permission to access", "incapsula", "captcha", "human-challenge", "turnstile")
#: a password field: a login form (weak on its own; pages carry header login widgets)
PASSWORD_INPUT = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password")
#: title/heading phrases of generic denial and "prove you are human" pages
DENIAL_PHRASES = re.compile(
    r"access denied|access to this page has been denied|request (?:was )?blocked|you have been blocked|"
    r"unusual traffic|are you a (?:robot|human)|verify (?:that )?you are (?:a )?human|not a robot|"
    r"forbidden|checking your browser",
    re.IGNORECASE,
)
#: cookie/consent interstitials: the words, and a button or link that accepts
CONSENT_WORDS = ("cookie", "consent", "your privacy", "datenschutz", "privacidad", "confidentialité")
ACCEPT_CONTROL = re.compile(
    r"<(?:button|a|input)\b[^>]*>?[^<]{0,60}\b(?:accept|agree|allow all|i consent|akzeptieren|accepter|aceptar)\b",
)
#: every ACCEPT_CONTROL match holds one of these words: a page without them skips that search,
#: which backtracks through every link's attributes (~10 ms on a page with a 100-link menu)
_ACCEPT_WORDS = ("accept", "agree", "allow all", "i consent", "akzeptieren", "aceptar")
#: a page with less visible text than this (outside forms) is "nothing but" its wall
SHORT_PAGE_CHARS = 700
JOBPOSTING = re.compile(r"[\"']@type[\"']\s*:\s*\[?\s*[\"'](?:https?://schema\.org/)?jobposting")


@dataclass(frozen=True)
class Wall:
    """What stood in the way; ``reason`` is one line for the crawl summary."""

    kind: str  # bot challenge | captcha | login | consent | access denied
    detail: str

    @property
    def reason(self) -> str:
        return f"{self.kind} ({self.detail})"


def detect_wall(html: str, headers: dict[str, str] | None = None) -> Wall | None:
    """The wall this page is, or None for a page worth extracting.

    ``headers``: response headers, lower-case names (``cf-mitigated: challenge`` says it outright).
    """
    if (headers or {}).get("cf-mitigated", "").lower() == "challenge":
        return Wall("bot challenge", "Cloudflare")
    lowered = html.lower()
    if any(literal in lowered for literal in _VENDOR_LITERALS):  # plain substring checks first: cheap
        for kind, vendor, marker in VENDOR_MARKERS:
            if marker.search(lowered):
                return Wall(kind, vendor)
    if "jobposting" in lowered and JOBPOSTING.search(lowered):  # a JobPosting page is a posting, whatever else
        return None
    return _thin_page_wall(html, lowered)


def _thin_page_wall(html: str, lowered: str) -> Wall | None:
    """Login forms, consent interstitials and denial pages: weak markers, so only on pages with
    little else to read (a careers page with a header login widget is still a careers page)."""
    login = "password" in lowered and PASSWORD_INPUT.search(lowered) is not None  # the word first: cheap
    heading = _title_and_headings(html)
    denied = DENIAL_PHRASES.search(heading) is not None
    consent = (any(word in lowered for word in CONSENT_WORDS) and any(word in lowered for word in _ACCEPT_WORDS)
               and ACCEPT_CONTROL.search(lowered) is not None)
    if not (login or denied or consent):
        return None
    if visible_text_length(html) >= SHORT_PAGE_CHARS:
        return None
    if login:
        return Wall("login", "a sign-in form where the page should be")
    if denied:
        return Wall("access denied", _first_line(DENIAL_PHRASES.search(heading).group(0)))  # type: ignore[union-attr]
    # a listing or posting behind a cookie banner still links its postings or lists its requirements
    if len(_LINKS.findall(lowered)) <= MAX_CONSENT_LINKS and len(_LIST_ITEMS.findall(lowered)) < 3:
        return Wall("consent", "a cookie/consent page to accept first")
    return None


_LIST_ITEMS = re.compile(r"<li\b")
_LINKS = re.compile(r"<a\b[^>]*\bhref\s*=")
#: a consent interstitial links its privacy policy and little else
MAX_CONSENT_LINKS = 4
_HEADINGS = re.compile(r"<(title|h1|h2)\b[^>]*>(.*?)</\1>", re.IGNORECASE | re.DOTALL)


def _title_and_headings(html: str) -> str:
    return " ".join(match.group(2) for match in _HEADINGS.finditer(html[:200_000]))


def visible_text_length(html: str) -> int:
    """Characters of readable text outside forms, scripts and styles."""
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return 0
    etree.strip_elements(tree, "script", "style", "noscript", "template", "form", with_tail=False)
    return len(" ".join(tree.text_content().split()))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
