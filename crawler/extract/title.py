"""A posting page's title and employer, the way a reader finds them.

The title is the main content's heading — not an ``h1`` that holds the site logo in the
header or the company name in the footer. When the page has no such heading, the
``<title>``/``og:title`` is used without its site part (" | Company", " – Company Careers",
" at Company"). The employer is named once: JSON-LD's hiringOrganization, else
``og:site_name``, else the site part of the title, else the logo's alt text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Tag

from jobtrail.crawler.extract.classify import strip_accents
from jobtrail.crawler.extract.sections import fold, heading_text, is_content_header

#: ancestors that make a heading page chrome, not the posting's
_CHROME_TAGS = frozenset({"header", "nav", "footer", "aside"})
_CHROME_ROLES = frozenset({"banner", "navigation", "contentinfo", "complementary"})
_LOGO = re.compile(r"logo|brand|site-?title|site-?name|sr-only|visually-?hidden|screen-?reader", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s+(?:\||–|—|-|·|::|»|/|:)\s+")
_AT = re.compile(r"^(?P<title>.+?)\s+(?:at|@|bei|chez|en|em|bij|presso|a)\s+(?P<company>[^|–—·]+)$")
#: words of a site part that are no company: "Careers", "Jobs at", "Stellenangebote"...
_GENERIC = re.compile(
    r"^(?:careers?|jobs?|job|open (?:positions|roles)|join us|join our team|work with us|we'?re hiring|"
    r"vacancies|vacancy|openings|karriere|jobs? bei|stellenangebote?|stellenanzeige|offene stellen|emplois?|"
    r"offres? d'emploi|carrieres?|recrutement|empleo|ofertas? de empleo|trabaja con nosotros|treballa amb nosaltres|"
    r"feina|carreiras?|vagas?|trabalhe conosco|vacatures?|werken bij|lavora con noi|posizioni aperte|"
    r"carriere|offerte di lavoro|home)$",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = re.compile(
    r"\s+(?:careers?|jobs|karriere|jobs?portal|carri[eè]res?|empleo|carreiras?|vacatures|carriere|"
    r"recrutement|stellenangebote)$",
    re.IGNORECASE,
)
#: a heading this long is a sentence, not a title
MAX_TITLE_CHARS = 150


def find_title(soup: BeautifulSoup, main: Tag, known: Iterable[str | None] = ()) -> str | None:
    """The posting's own heading: the first h1 (or role=heading level 1) that is not page
    chrome, a logo or the company's name; else a heading in the main content that the
    page's <title> names."""
    names = {_key(name) for name in known if name}
    for heading in _level_one(soup):
        text = heading_text(heading)
        if _is_title(text, names) and not _is_chrome(heading):
            return text
    page_title = title_from_meta(soup, known)
    if page_title:
        wanted = _key(page_title)
        for heading in main.find_all(("h2", "h3")):
            text = heading_text(heading)
            if _key(text) == wanted and not _is_chrome(heading):
                return text
    return None


def title_from_meta(soup: BeautifulSoup, known: Iterable[str | None] = ()) -> str | None:
    """og:title or <title> without the site's part."""
    raw = meta(soup, "og:title") or _first_text(soup, "title")
    return strip_site(raw, known)[0] if raw else None


def strip_site(raw: str, known: Iterable[str | None] = ()) -> tuple[str, str | None]:
    """("Senior Engineer", "Acme") from "Senior Engineer | Acme Careers"; the site part
    goes when it names the company or says "Careers"; the remaining part is the title."""
    names = {_key(name) for name in known if name}
    parts = [part for part in _SEPARATORS.split(fold(raw)) if part]
    company: str | None = None
    while len(parts) > 1 and _is_site_part(parts[-1], names):
        company = company or _company_part(parts[-1])
        parts.pop()
    while len(parts) > 1 and _is_site_part(parts[0], names):
        company = company or _company_part(parts[0])
        parts.pop(0)
    if len(parts) > 1 and not names:
        company = company or _company_part(parts[-1])  # "Title | Site": the last part names the site
        parts.pop()
    title = " – ".join(parts) if len(parts) > 1 else (parts[0] if parts else "")
    at = _AT.match(title)
    if at and (not names or _key(at["company"]) in names or _key(_clean_company(at["company"])) in names):
        title, company = at["title"], company or _clean_company(at["company"])
    return title.strip(), company


def company_name(soup: BeautifulSoup, structured: str | None, source: str | None) -> str | None:
    """One employer name: the source's, JSON-LD's, og:site_name, the title's site part, the logo."""
    for name in (source, structured, meta(soup, "og:site_name"), meta(soup, "application-name")):
        if name:
            return _clean_company(name)
    raw = meta(soup, "og:title") or _first_text(soup, "title")
    if raw:
        _, company = strip_site(raw)
        if company:
            return company
    return _logo_alt(soup)


def meta(soup: BeautifulSoup, prop: str) -> str | None:
    found = soup.find("meta", attrs={"property": prop}) or soup.find("meta", attrs={"name": prop})
    content = found.get("content") if isinstance(found, Tag) else None
    return (fold(str(content)) or None) if content else None


def _first_text(root: Tag, css: str) -> str | None:
    found = root.find(css)
    return (fold(found.get_text(" ")) or None) if isinstance(found, Tag) else None


def _level_one(soup: BeautifulSoup) -> list[Tag]:
    return [tag for tag in soup.find_all(True) if tag.name == "h1" or (
        tag.get("role") == "heading" and str(tag.get("aria-level", "")).strip() == "1")]


def _is_title(text: str, names: set[str]) -> bool:
    if not text or len(text) > MAX_TITLE_CHARS:
        return False
    key = _key(text)
    return key not in names and not _GENERIC.match(key)


def _is_chrome(tag: Tag) -> bool:
    """Inside header/nav/footer/aside (or their ARIA roles), or a logo/hidden brand heading."""
    for element in [tag, *tag.parents]:
        if not isinstance(element, Tag):
            continue
        classes = element.get("class")
        marker = " ".join(classes) if isinstance(classes, list) else str(classes or "")
        if element is tag or element.name == "a":
            if _LOGO.search(marker + " " + str(element.get("id") or "")):
                return True
            if element.name == "a" and str(element.get("href") or "").strip() in ("/", "./", "#"):
                return True
        if element.get("role") in _CHROME_ROLES:
            return True
        if element.name in _CHROME_TAGS and not (element.name == "header" and is_content_header(element)):
            return True
    return _only_image(tag)


def _only_image(tag: Tag) -> bool:
    return not fold(tag.get_text(" ")) or (tag.find("img") is not None and len(fold(tag.get_text(" "))) < 3)


def _is_site_part(part: str, names: set[str]) -> bool:
    key = _key(part)
    return bool(_GENERIC.match(key)) or key in names or _key(_clean_company(part)) in names or any(
        name and (key.startswith(name + " ") or key.endswith(" " + name)) for name in names)


def _company_part(part: str) -> str | None:
    key = _key(part)
    if _GENERIC.match(key):
        return None
    return _clean_company(part) or None


def _clean_company(name: str) -> str:
    """"Acme Careers" -> "Acme"; "Jobs at Acme" -> "Acme"."""
    name = fold(name)
    name = re.sub(r"^(?:careers?|jobs?)\s+(?:at|@|bei|chez|en|em|bij|presso)\s+", "", name, flags=re.IGNORECASE)
    return _COMPANY_SUFFIX.sub("", name).strip(" |-–—·")


def _logo_alt(soup: BeautifulSoup) -> str | None:
    for img in soup.find_all("img", alt=True):
        marker = " ".join(str(v) for v in (img.get("class") or [])) + str(img.get("src") or "")
        if _LOGO.search(marker) or any(_LOGO.search(" ".join(p.get("class") or []) if isinstance(
                p.get("class"), list) else str(p.get("class") or "")) for p in img.parents if isinstance(p, Tag)):
            alt = fold(str(img["alt"]))
            if alt and len(alt) <= 80:
                return _clean_company(re.sub(r"\s+logo$", "", alt, flags=re.IGNORECASE))
    return None


def _key(text: str) -> str:
    return " ".join(strip_accents(fold(text)).casefold().split())
