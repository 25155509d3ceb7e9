"""A posting page's title and employer, the way a reader finds them.

The title is the main content's heading — not an ``h1`` that holds the site logo in the
header or the company name in the footer. When the page has no such heading, the
``<title>``/``og:title`` is used without its site part (" | Company", " – Company Careers",
" at Company"). The employer is named once: the source's name, JSON-LD's
hiringOrganization, ``og:site_name``, the site part of the title, the logo's alt text.

Read from the page's lxml tree (one XPath pass), before its chrome is cut away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import lxml.etree
from lxml.html import HtmlElement

from jobtrail.crawler.extract.classify import strip_accents
from jobtrail.crawler.extract.sections import one_line

#: a title set in a div or span with an ARIA heading role (no h1 at all)
_ARIA_TITLES = lxml.etree.XPath("//div[@role='heading'][@aria-level='1'] | //span[@role='heading'][@aria-level='1']")
_METAS = lxml.etree.XPath(".//meta[@content][@property or @name] | .//title")
_LOGOS = lxml.etree.XPath(
    "//img[@alt][contains(translate(concat(@class, ' ', @src, ' ', ../@class, ' ', ../../@class),"
    " 'LOGOBRAND', 'logobrand'), 'logo') or contains(translate(concat(@class, ' ', ../@class),"
    " 'BRAND', 'brand'), 'brand')]"
)
_CONTENT_HEADER = lxml.etree.XPath(
    "not(@role='banner') and .//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
    " and not(.//nav or .//ul or .//ol or .//li) and count(.//a) <= 2"
)
#: ancestors that make a heading page chrome, not the posting's
_CHROME_TAGS = frozenset({"header", "nav", "footer", "aside"})
_CHROME_ROLES = frozenset({"banner", "navigation", "contentinfo", "complementary"})
_STRUCTURE = frozenset({"p", "div", "section", "article", "ul", "ol", "li", "table", "h1", "h2", "h3", "h4", "h5",
                        "h6", "dl", "blockquote", "main", "aside", "header", "footer", "nav", "form"})
_LOGO = re.compile(r"logo|brand|site-?title|site-?name|sr-only|visually-?hidden|screen-?reader", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s+(?:\||–|—|-|·|::|»|/|:)\s+")
_AT = re.compile(r"^(?P<title>.+?)\s+(?:at|@|bei|chez|en|em|bij|presso|a)\s+(?P<company>[^|–—·]+)$")
#: a site part that is no company: "Careers", "Jobs", "Stellenangebote"...
_GENERIC = re.compile(
    r"^(?:careers?|jobs?|open (?:positions|roles)|join us|join our team|work with us|we'?re hiring|"
    r"vacancies|vacancy|openings|karriere|jobs? bei|stellenangebote?|stellenanzeige|offene stellen|emplois?|"
    r"offres? d'emploi|carrieres?|recrutement|empleo|ofertas? de empleo|trabaja con nosotros|"
    r"treballa amb nosaltres|feina|carreiras?|vagas?|trabalhe conosco|vacatures?|werken bij|lavora con noi|"
    r"posizioni aperte|carriere|offerte di lavoro|home|"
    r"(?:work|jobs|careers?|karriere|travailler) (?:at|with|bei|chez) .+|"
    r"job (?:details|description|posting|offer)|stellenangebot|offre d'emploi|oferta de empleo|vacature|annuncio)$",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = re.compile(
    r"\s+(?:careers?|jobs|karriere|jobs?portal|carri[eè]res?|empleo|carreiras?|vacatures|carriere|"
    r"recrutement|stellenangebote)$",
    re.IGNORECASE,
)
#: a label before the job title in <title>: "Job: …", "Vacature: …", "Offre d'emploi : …"
_JOB_LABEL = re.compile(
    r"^(?:job(?: opening| offer| posting)?|vacancy|position|opening|stellenangebot|stellenanzeige|vacature|"
    r"offre(?: d'emploi)?|emploi|oferta(?: de (?:empleo|trabajo|treball))?|vaga|annuncio|offerta(?: di lavoro)?)"
    r"\s*:\s*",
    re.IGNORECASE,
)
#: a heading this long is a sentence, not a title
MAX_TITLE_CHARS = 150


@dataclass
class PageHead:
    """What a page says about itself: its <title>, meta tags, headings and logo."""

    metas: dict[str, str] = field(default_factory=dict)  # og:title, og:site_name, title...
    level_one: list[tuple[str, bool]] = field(default_factory=list)  # (text, is chrome) of h1s
    subheadings: list[str] = field(default_factory=list)  # h2/h3 texts outside chrome
    tree: HtmlElement | None = None

    def meta(self, name: str) -> str | None:
        return self.metas.get(name)

    def logo_alt(self) -> str | None:
        """The logo image's alt text (looked up only when nothing else names the company)."""
        logo = next(iter(_LOGOS(self.tree)), None) if self.tree is not None else None
        return (one_line(str(logo.get("alt"))) or None) if logo is not None else None


def read_head(tree: HtmlElement | None) -> PageHead:
    """The page's self-description, read once from its lxml tree (before its chrome is cut)."""
    head = PageHead(tree=tree)
    if tree is None:
        return head
    page_head = tree.find("head")
    for element in _METAS(page_head if page_head is not None else tree):
        key = "title" if element.tag == "title" else str(element.get("property") or element.get("name")).lower()
        value = one_line(element.text_content() if element.tag == "title" else str(element.get("content")))
        if value:
            head.metas.setdefault(key, value)
    for heading in tree.iter("h1", "h2", "h3"):
        text = heading_text(heading)
        if not text:
            continue
        if heading.tag != "h1":
            if not _is_chrome(heading):
                head.subheadings.append(text)
        else:
            head.level_one.append((text, _is_chrome(heading)))
    if all(chrome for _, chrome in head.level_one):  # no h1 of its own: a div that says it is one
        head.level_one += [(text, _is_chrome(element)) for element in _ARIA_TITLES(tree)
                           if (text := heading_text(element))]
    return head


def heading_text(element: HtmlElement) -> str:
    """A heading's own text: what comes before any block inside it (unclosed <h1> swallows pages)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in _STRUCTURE:
            break
        parts.append(child.text_content() if isinstance(child.tag, str) else "")
        parts.append(child.tail or "")
    return one_line("".join(parts))


def find_title(head: PageHead, known: Iterable[str | None] = ()) -> str | None:
    """The posting's own heading: the first h1 (or role=heading level 1) that is not page
    chrome, a logo or the company's name; else an h2/h3 that the page's <title> names."""
    names = {_key(name) for name in known if name}
    for text, chrome in head.level_one:
        if not chrome and _is_title(text, names):
            return text
    page_title = title_from_meta(head, known)
    if page_title:
        wanted = _key(page_title)
        return next((text for text in head.subheadings if _key(text) == wanted), None)
    return None


def title_from_meta(head: PageHead, known: Iterable[str | None] = ()) -> str | None:
    """og:title or <title> without the site's part."""
    raw = head.meta("og:title") or head.meta("title")
    return strip_site(raw, known)[0] or None if raw else None


def strip_site(raw: str, known: Iterable[str | None] = ()) -> tuple[str, str | None]:
    """("Senior Engineer", "Acme") from "Senior Engineer | Acme Careers"; a site part goes when
    it names the company or says "Careers"; with no company known the last part is the site."""
    names = {_key(name) for name in known if name}
    parts = [part for part in _SEPARATORS.split(one_line(raw)) if part]
    company: str | None = None
    while len(parts) > 1 and _is_site_part(parts[-1], names):
        company = company or _company_part(parts[-1])
        parts.pop()
    while len(parts) > 1 and _is_site_part(parts[0], names):
        company = company or _company_part(parts[0])
        parts.pop(0)
    if len(parts) > 1 and not names:
        company = company or _company_part(parts[-1])
        parts.pop()
    title = " – ".join(parts) if len(parts) > 1 else (parts[0] if parts else "")
    title = _JOB_LABEL.sub("", title) or title  # "Vacature: Monteur" -> "Monteur"
    at = _AT.match(title)
    if at and (not names or _key(_clean_company(at["company"])) in names):
        title, company = at["title"], company or _clean_company(at["company"])
    return title.strip(), company


def company_name(head: PageHead, structured: str | None, source: str | None) -> str | None:
    """One employer name: the source's, JSON-LD's, og:site_name, the title's site part, the logo."""
    for name in (source, structured, head.meta("og:site_name"), head.meta("application-name")):
        if name:
            return _clean_company(name)
    raw = head.meta("og:title") or head.meta("title")
    company = strip_site(raw)[1] if raw else None
    if company:
        return company
    alt = head.logo_alt()
    return _clean_company(re.sub(r"\s+logo$", "", alt, flags=re.IGNORECASE)) if alt else None


def _is_title(text: str, names: set[str]) -> bool:
    if len(text) > MAX_TITLE_CHARS:
        return False
    key = _key(text)
    return key not in names and not _GENERIC.match(key)


def _is_chrome(heading: HtmlElement) -> bool:
    """Inside header/nav/footer/aside (or their ARIA roles), a logo link, or a hidden brand."""
    if _LOGO.search(f"{heading.get('class') or ''} {heading.get('id') or ''}"):
        return True
    for ancestor in heading.iterancestors():
        if ancestor.get("role") in _CHROME_ROLES:
            return True
        if ancestor.tag in _CHROME_TAGS and not (ancestor.tag == "header" and _CONTENT_HEADER(ancestor)):
            return True
        if ancestor.tag == "a" and (_LOGO.search(str(ancestor.get("class") or "")) or str(
                ancestor.get("href") or "").strip() in ("/", "./", "#")):
            return True
    return False


def _is_site_part(part: str, names: set[str]) -> bool:
    key = _key(part)
    return bool(_GENERIC.match(key)) or key in names or _key(_clean_company(part)) in names or any(
        key.startswith(name + " ") or key.endswith(" " + name) for name in names)


def _company_part(part: str) -> str | None:
    return None if _GENERIC.match(_key(part)) else (_clean_company(part) or None)


def _clean_company(name: str) -> str:
    """"Acme Careers" -> "Acme"; "Jobs at Acme" -> "Acme"."""
    name = one_line(name)
    name = re.sub(r"^(?:careers?|jobs?)\s+(?:at|@|bei|chez|en|em|bij|presso)\s+", "", name, flags=re.IGNORECASE)
    return _COMPANY_SUFFIX.sub("", name).strip(" |-–—·")


def _key(text: str) -> str:
    return " ".join(strip_accents(one_line(text)).casefold().split())
