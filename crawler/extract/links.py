"""Links on a careers listing: which ones are postings, which one is the next page, and
the canonical spelling of every URL comes from jobtrail.crawler.urls (one canonicalizer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from jobtrail.crawler.urls import canonical_url

#: path words under which postings live, in the supported languages (en/de/fr/es/ca/pt/nl/it);
#: they help scoring, they are never required (a segment matches by any of its -/_ words too)
JOB_SEGMENTS = frozenset({
    "job", "jobs", "career", "careers", "position", "positions", "opening", "openings", "vacancy",
    "vacancies", "role", "roles", "opportunities", "join-us", "joinus", "work-with-us", "open-positions",
    "stellen", "stellenangebote", "stellenangebot", "jobangebote", "karriere", "stelle",
    "offres", "offre", "emplois", "emploi", "carrieres", "carriere", "postes", "recrutement",
    "empleos", "empleo", "ofertas", "oferta", "vacantes", "vacante", "trabaja-con-nosotros",
    "ofertes", "feina", "treball", "vagas", "vaga", "carreiras", "empregos", "oportunidades",
    "vacatures", "vacature", "werken-bij", "banen", "offerte-di-lavoro", "lavora-con-noi", "posizioni",
    "lavoro", "offerte",
})
#: path segments that are sections of a careers site (or of any site), not postings
NAV_SEGMENTS = frozenset({
    "teams", "team", "departments", "department", "locations", "location", "offices", "benefits", "culture",
    "life", "faq", "faqs", "search", "all", "about", "values", "students", "university", "internships",
    "apply", "alerts", "login", "signup", "page", "category", "categories", "tags", "tag", "feed", "rss",
    "perks", "blog", "news", "press", "events", "contact", "privacy", "terms", "imprint", "impressum",
    "cookies", "account", "signin", "sign-in", "sign-up", "register", "password", "forgot", "reset",
    "how-we-hire", "hiring-process", "process", "diversity", "mission", "story", "legal", "sitemap",
    "vorteile", "leistungen", "kultur", "ueber-uns", "avantages", "equipe", "valeurs", "beneficios", "equipo",
    "cultura", "valores", "voordelen", "over-ons", "vantaggi", "chi-siamo", "beneficis",
})
#: link texts that are never a job title ("Learn more" in a card whose heading is the title),
#: in the supported languages; compared lowercased, without arrows and trailing punctuation
GENERIC_ANCHORS = frozenset({
    "apply", "apply now", "apply here", "learn more", "read more", "more", "details", "view", "view job",
    "view details", "see more", "view all", "see all", "see all jobs", "view all jobs", "all jobs",
    "next", "previous", "back", "share", "home", "careers", "jobs", "open positions", "here", "click here",
    "view role", "view position", "view opening", "see role", "see details", "more info", "more details",
    "find out more", "see job", "open", "go", "explore",
    "mehr erfahren", "mehr", "mehr lesen", "weiterlesen", "jetzt bewerben", "bewerben", "zur stelle",
    "stelle ansehen", "zum job", "job ansehen", "mehr infos", "ansehen", "weiter",
    "en savoir plus", "postuler", "voir l'offre", "voir l’offre", "voir le poste", "détails", "plus d'infos",
    "lire la suite", "voir", "voir plus", "découvrir",
    "más información", "saber más", "ver más", "ver oferta", "ver la oferta", "postular", "postúlate",
    "inscríbete", "detalles", "aplicar", "ver", "ver detalles",
    "més informació", "veure més", "veure oferta", "veure l'oferta", "detalls", "inscriu-te", "sol·licita",
    "saiba mais", "ver vaga", "candidatar-se", "candidate-se", "detalhes", "ver mais", "mais informações",
    "meer informatie", "lees meer", "bekijk vacature", "solliciteer", "solliciteer nu", "meer", "bekijk",
    "scopri di più", "leggi di più", "candidati", "dettagli", "vedi offerta", "maggiori informazioni", "scopri",
})
#: calls to apply on a posting page (en/de/fr/es/ca/pt/nl/it): what an information page lacks
APPLY_WORDS = frozenset({
    "apply", "apply now", "apply for this job", "apply for this role", "apply for this position", "apply here",
    "bewerben", "jetzt bewerben", "hier bewerben", "postuler", "postuler maintenant", "je postule", "postular",
    "postúlate", "inscríbete", "aplicar", "solicitar", "inscriu-te", "sol·licita", "candidata't",
    "candidatar-se", "candidate-se", "candidatura", "solliciteer", "solliciteer nu", "direct solliciteren",
    "solliciteren", "candidati", "candidati ora", "invia candidatura",
})
ASSET_EXTENSIONS = re.compile(
    r"\.(?:pdf|jpe?g|png|gif|svg|webp|ico|css|js|json|xml|zip|gz|docx?|xlsx?|pptx?|mp4|mp3|woff2?|ttf)$",
    re.IGNORECASE,
)
_SLUG = re.compile(r"^(?=.*[a-z0-9])[\w.~%+-]+$", re.IGNORECASE)
_URL_ID = re.compile(r"^\d{4,}$")
_SLUG_ID = re.compile(r"^(\d{4,})[-_]|[-_](\d{4,})$")
ID_PARAMS = ("gh_jid", "jobId", "jobid", "job_id", "id")


def id_from_url(url: str) -> str | None:
    """An id the URL carries: ?gh_jid=/jobId=/job_id=/id=, else a numeric path segment of 4+ digits."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    for name in ID_PARAMS:
        if params.get(name, "").strip():
            return params[name].strip()
    for segment in reversed([s for s in parts.path.split("/") if s]):
        if _URL_ID.match(segment):
            return segment
        embedded = _SLUG_ID.search(segment)  # /jobs/12345-backend-developer, /jobs/chef-8841
        if embedded:
            return embedded.group(1) or embedded.group(2)
    return None


@lru_cache(maxsize=16384)
def absolute_url(base: str, href: str) -> str:
    """``urljoin(base, href)``, cached: a listing's links are joined by the posting-link reader, the
    paging reader and discovery, and a site repeats its menu on every page (~10 us a join)."""
    return urljoin(base, href)


@lru_cache(maxsize=16384)
def split_url(url: str) -> SplitResult:
    """``urlsplit(url)``, cached (an immutable tuple): discovery and paging split each link several times."""
    return urlsplit(url)


def anchors(root: HtmlElement, base_url: str, *, skip_chrome: bool = False,
            with_text: bool = True) -> Iterator[tuple[str, str]]:
    """(absolute url, anchor text) of every link, resolved against <base href> when present.

    ``root``: the page's lxml root. ``skip_chrome``: leave out links in <nav>, <header> and <footer>
    (site navigation). ``with_text``: False gives "" for every text (a link pattern reads URLs only).
    """
    base = urljoin(base_url, (root.xpath("//base/@href") or [""])[0])
    query = "//a[@href][not(ancestor::nav or ancestor::header or ancestor::footer)]" if skip_chrome else "//a[@href]"
    for anchor in root.xpath(query):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            continue
        text = " ".join(" ".join(_TEXT_NODES(anchor)).split()) if with_text else ""
        yield absolute_url(base, href), text


#: an element's text nodes, its own and its descendants' (what parsel's ``::text`` selects)
_TEXT_NODES = etree.XPath("descendant-or-self::text()")


def posting_links(document: Selector | HtmlElement, page_url: str, pattern: re.Pattern[str] | None = None) -> list[str]:
    """Canonical posting URLs on a listing page, in page order, without duplicates.

    ``document``: the page as a parsel Selector or as its lxml root (the tree the page was parsed
    into once: no second parse). With ``pattern``: every link whose absolute URL it matches
    (re.search). Without: links outside the site navigation, on the same site under a job-ish path
    with a slug or id after it, whose text reads like a title.
    """
    root = document.root if isinstance(document, Selector) else document
    found: dict[str, None] = {}
    page_canonical = canonical_url(page_url)
    for url, text in anchors(root, page_url, skip_chrome=pattern is None, with_text=pattern is None):
        if not url.startswith(("http://", "https://")):
            continue
        canonical = canonical_url(url)  # patterns see the URL without tracking parameters
        wanted = pattern.search(canonical) is not None if pattern else looks_like_posting(url, text, page_url)
        if wanted and canonical != page_canonical:
            found.setdefault(canonical)
    return list(found)


def looks_like_posting(url: str, text: str, page_url: str) -> bool:
    """Heuristic for listings without a link_pattern: same site, job-ish path, title-like text."""
    if not same_site(url, page_url):
        return False
    path = urlsplit(url).path
    if ASSET_EXTENSIONS.search(path):
        return False
    return _job_path(path) and title_like(text)


def same_site(url: str, other: str) -> bool:
    """Both URLs on one site (www. and subdomains count as the same site)."""
    return _same_site(split_url(url).hostname or "", split_url(other).hostname or "")


def _same_site(host: str, other: str) -> bool:
    host, other = host.lower().removeprefix("www."), other.lower().removeprefix("www.")
    return host == other or host.endswith("." + other) or other.endswith("." + host)


def job_word(segment: str) -> bool:
    """A path segment naming postings in a supported language: 'vacatures', 'open-positions', 'jobs_de'."""
    segment = segment.lower()
    return segment in JOB_SEGMENTS or any(word in JOB_SEGMENTS for word in re.split(r"[-_.]", segment))


def nav_word(segment: str) -> bool:
    """A path segment naming a section of a site (benefits, faq, teams, login...), not a posting."""
    segment = segment.lower().rsplit(".", 1)[0] if "." in segment else segment.lower()
    return segment in NAV_SEGMENTS


def _job_path(path: str) -> bool:
    segments = [s for s in path.lower().split("/") if s]
    for index, segment in enumerate(segments[:-1]):
        if segment in JOB_SEGMENTS:
            rest = segments[index + 1:]
            if rest[0] not in NAV_SEGMENTS and rest[0] not in JOB_SEGMENTS and all(map(_SLUG.match, rest)):
                return True
    return False


def title_like(text: str) -> bool:
    """Could be a job title: a few words, with letters, not a generic link text."""
    words = text.split()
    return 0 < len(words) <= 15 and len(text) <= 150 and any(c.isalpha() for c in text) and not is_generic(text)


def is_generic(text: str) -> bool:
    """'Learn more →', 'Mehr erfahren', 'Voir l'offre': link text that names no role."""
    return " ".join(text.lower().split()).strip(" .:!»›→>«‹←<-–—") in GENERIC_ANCHORS



def next_page_url(selector: Selector, page_url: str) -> str | None:
    """The rel="next" link of a paginated listing (<a> or <link>), absolute; None when last."""
    href = selector.xpath(
        "//*[self::a or self::link][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
    ).get()
    if not href or not href.strip() or href.strip().startswith("#"):
        return None
    return canonical_url(urljoin(page_url, href.strip()))
