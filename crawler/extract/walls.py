"""Pages that stand where a careers page should be: bot challenges, captchas, login, consent, denial.

A wall served with HTTP 200 looks like a page to every extractor: a login form with one
"Forgot your password?" link became a posting ("Sign in to see open roles") and the 40 real
postings then counted missing. So every HTML page is checked first; a wall is never
extracted, never stored, and the crawl that met it judges nothing (status ``blocked``).

Pure: text in, verdict out. Markers are matched on the raw HTML lower-cased once (a
case-insensitive regex over a 60 KB page costs ~10x more); the visible-text measure (one
lxml parse) runs only when a weak marker matched.

Most pages are no wall, and each scan of a 60 KB page costs ~40 us: so a page is first
screened on its UTF-8 bytes lower-cased (~5x cheaper than ``str.lower`` of a page with any
non-Latin-1 character) by a few passes for words every marker contains, grouped by first
letter into one regex each; the markers themselves run on the lower-cased text only when
such a word is there. The screen never misses: every marker needs one of its words, and the
bytes lower-case every ASCII letter as ``str.lower`` does, unless the page holds one of the
two characters whose ``str.lower`` is ASCII (U+0130, U+212A): such a page skips the screen.
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
    screen = _Screen(html)
    if screen.vendor():
        for kind, vendor, marker in VENDOR_MARKERS:
            if marker.search(screen.lowered):
                return Wall(kind, vendor)
    return _thin_page_wall(html, screen)


class _Screen:
    """Which marker words a page holds (see the module docstring); ``lowered``: the page's
    ``str.lower()``, made only when a marker has to run."""

    def __init__(self, html: str) -> None:
        self.html = html
        #: None when a character lower-cases to ASCII only in ``str.lower``: then every word may be there
        self.bytes: bytes | None = None
        if html.isascii() or not any(char in html for char in _TO_ASCII):
            self.bytes = html.encode("utf-8", "replace").lower()
        self.c_words: set[bytes] = set(_C_WORDS.findall(self.bytes)) if self.bytes is not None else set()
        self.p_words: set[bytes] = set(_P_WORDS.findall(self.bytes)) if self.bytes is not None else set()
        self._lowered: str | None = None

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.html.lower()
        return self._lowered

    def vendor(self) -> bool:
        """Whether a vendor marker may match: each holds one of these words."""
        if self.bytes is None:
            return True
        return (bool(self.c_words & _VENDOR_C_WORDS) or b"permission to access" in self.p_words
                or b"edgesuite" in self.bytes or b"bm-verify" in self.bytes)

    def login(self) -> bool:
        """A password field on the page (the exact test; the screen says when to run it)."""
        if self.bytes is not None and b"password" not in self.p_words:
            return False
        return "password" in self.lowered and PASSWORD_INPUT.search(self.lowered) is not None

    def consent(self) -> bool:
        """A consent word and a control that accepts (the exact test; the screen says when to run it)."""
        if self.bytes is not None and not (
            (self.c_words & _CONSENT_C_WORDS or b"privac" in self.p_words)
            and (_ACCEPT_A_WORDS.search(self.bytes) or b"consent" in self.c_words and b"i consent" in self.bytes)
        ):
            return False
        lowered = self.lowered
        return (any(word in lowered for word in CONSENT_WORDS) and any(word in lowered for word in _ACCEPT_WORDS)
                and ACCEPT_CONTROL.search(lowered) is not None)


#: the characters whose ``str.lower()`` is or holds an ASCII letter (U+0130 İ, U+212A Kelvin sign)
_TO_ASCII = ("\u0130", "\u212a")
#: screen words starting with c, found in one pass ("capsula" of incapsula, "chutz" of datenschutz)
_C_WORDS = re.compile(rb"c(?:aptcha|hallenge|f-|f_chl|loudflare|apsula|ookie|onsent|onfidentialit|hutz)")
_P_WORDS = re.compile(rb"p(?:ermission to access|assword|rivac)")
#: every vendor marker holds one of these, "permission to access", "edgesuite" or "bm-verify"
_VENDOR_C_WORDS = frozenset({b"captcha", b"challenge", b"cf-", b"cf_chl", b"cloudflare", b"capsula"})
#: every CONSENT_WORDS word holds one of these or "privac"
_CONSENT_C_WORDS = frozenset({b"cookie", b"consent", b"confidentialit", b"chutz"})
#: every _ACCEPT_WORDS word but "i consent" holds one of these
_ACCEPT_A_WORDS = re.compile(rb"a(?:ccept|gree|llow all|kzeptieren|ceptar)")


def _thin_page_wall(html: str, screen: _Screen) -> Wall | None:
    """Login forms, consent interstitials and denial pages: weak markers, so only on pages with
    little else to read (a careers page with a header login widget is still a careers page)."""
    login = screen.login()
    heading = _title_and_headings(html)
    denied = DENIAL_PHRASES.search(heading) is not None
    consent = screen.consent()
    if not (login or denied or consent):
        return None
    lowered = screen.lowered
    if "jobposting" in lowered and JOBPOSTING.search(lowered):  # a JobPosting page is a posting, whatever else
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
