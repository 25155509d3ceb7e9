"""Facts a person reads off a posting's visible text: salary, location, workplace, employment type.

Careers pages put them in a meta line under the title ("Bristol, UK · Full-time ·
£38,000–£44,000 per year"), in labels ("Location: Joliet, IL", a dt/dd or table row
"Salaire : 2 400 € brut mensuel") or in a pay sentence ("The base salary range for this
role is $140,000 - $170,000"). They only fill what structured data left empty.

Amounts are parsed by price-parser (thousands separators in every locale, currency
symbols and codes); ranges, "k" and "+" and the pay interval are read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from price_parser import Price

from jobtrail.crawler.extract.classify import strip_accents, typographic
from jobtrail.crawler.extract.vocabulary import FACT_LABELS
from jobtrail.crawler.items import Salary

#: an amount this large with no interval is a yearly salary (no one earns it per month or hour)
YEARLY_AMOUNT = 10_000


def yearly_by_size(amount: float | None) -> str | None:
    """"year" for an amount only a yearly salary reaches, else None (unknown)."""
    return "year" if amount is not None and amount >= YEARLY_AMOUNT else None


#: a meta line or a label's value longer than this is prose
MAX_FACT_CHARS = 160
#: a label is this short ("Lieu de travail :"); a line without ":" is a label line only this short
MAX_LABEL_CHARS = 32
MAX_LABEL_LINE = 60
#: how many lines from the top of the content may be the meta line
META_LINES = 12

_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "R$": "BRL", "₺": "TRY",
                     "zł": "PLN", "kr": "SEK", "Kč": "CZK", "₽": "RUB", "₩": "KRW", "₪": "ILS"}
_CODES = ("USD EUR GBP BRL MXN CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF RON JPY INR SGD HKD ZAR ARS CLP COP "
          "PEN TRY ILS").split()
_DOLLAR_CODES = {"C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "US$": "USD",
                 "MX$": "MXN", "S$": "SGD", "HK$": "HKD"}
_CODE_ALTERNATIVES = "|".join(_CODES)
_MONEY = re.compile(
    r"(?:(?P<pre>(?:[A-Z]{2})?\$|R\$|[€£¥₹₺₽₩₪]|\b(?:" + _CODE_ALTERNATIVES + r")\b)\s?)?"
    r"(?P<num>\d{1,3}(?:[.,\s'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    r"\s?(?P<k>[kK]\b|k(?=[+\s/–-]))?(?P<plus>\+)?"
    r"(?:\s?(?P<post>[€£$¥₹₺₽₩₪]|zł|kr|Kč|\b(?:" + _CODE_ALTERNATIVES + r")\b|euros?\b|dollars?\b|reais\b|pesos\b))?",
)
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|to|bis|à|a|al|tot|fino a|e|até|and|y|i|et|en|und)\s*$", re.IGNORECASE)
#: "up to £60,000" is a maximum, "from €3,000" a minimum (in the eight languages)
_UP_TO = re.compile(r"(?:up to|max(?:imum)?\.?|bis zu|jusqu'?à|hasta|até|tot maximaal|fino a|fins a)\s*$",
                    re.IGNORECASE)
_FROM = re.compile(r"(?:from|starting at|min(?:imum)?\.?|ab|à partir de|a partir de|desde|vanaf|da|des de)\s*$",
                   re.IGNORECASE)
_INTERVAL_WORDS = (
    ("hour", r"/\s?h(?:ou)?r\b|/\s?h\b|\bper hour\b|\bhourly\b|\ban hour\b|\bp/h\b|\bstunde|\bstundenlohn|"
             r"\bde l'heure\b|/heure|\bpar heure\b|\bhoraire|\bpor hora\b|/hora\b|\bla hora\b|\bper uur\b|/uur\b|"
             r"\bper ora\b|/ora\b|\ball'ora\b|\bhora\b"),
    ("day", r"/\s?day\b|\bper day\b|\bdaily rate\b|\ba day\b|\bpro tag\b|\bpar jour\b|\bpor dia\b|\bpor día\b"),
    ("week", r"/\s?w(?:ee)?k\b|\bper week\b|\bweekly\b|\bpro woche\b|\bpar semaine\b|\bpor semana\b"),
    ("month", r"/\s?mo(?:nth)?\b|\bper month\b|\bmonthly\b|\ba month\b|\bmonat|\bmonatlich|\bmensuel|\bpar mois\b|"
              r"/\s?mois\b|\bal mes\b|\bpor mes\b|/\s?mes\b|\bmensual|\bal mes\b|/\s?m[eê]s\b|\bpor m[eê]s\b|"
              r"\bmensa(?:l|is)\b|\bper maand\b|/\s?maand\b|\bmaandelijks|\bbruto per maand\b|\bmensile|\bal mese\b|"
              r"/\s?mese\b|\bmese\b|\bmes\b|\bmês\b|\bmensili"),
    ("year", r"/\s?y(?:ea)?r\b|\bper year\b|\ba year\b|\bannual|\bannum\b|\bp\.?\s?a\.?(?:\s|$)|\byearly\b|\bjahr|"
             r"\bj[äa]hrlich|\bpar an\b|\bannuel|\b/\s?an\b|\bal año\b|\bpor año\b|\banual|\bper jaar\b|"
             r"\bjaarsalaris|\bjaarlijks|\ball'anno\b|\bannu[oa]\b|\bral\b|\bbruto anual|\bper annum\b|\bl'any\b|"
             r"\ba l'any\b|\banuals?\b|\bpor ano\b|/\s?ano\b|\bao ano\b"),
)
#: words that make a sentence with an amount a pay sentence (not "a €1,500 home office budget")
_PAY_WORDS = re.compile(
    r"\b(?:salary|salaries|pay|compensation|wage|ote|base|gehalt|verg[üu]tung|salaire|r[ée]mun[ée]ration|"
    r"salario|sueldo|retribuci[óo]n|salari|sou|sal[áa]rio|remunera[çc][ãa]o|salaris|stipendio|"
    r"retribuzione|ral)\b",
    re.IGNORECASE,
)
#: _PAY_WORDS without IGNORECASE, for lower-cased text: ~5x faster on the paragraphs of every
#: page; "İ", "ı" and "ſ" are the characters IGNORECASE and lower() disagree on for its letters
#: (checked over all code points), so text holding one gets the case-insensitive search
_PAY_WORDS_LOWER = re.compile(_PAY_WORDS.pattern)
_CASE_ODDITIES = ("\u0130", "\u0131", "\u017f")
_PAY_CUES = re.compile(
    r"\b(?:salary|salaries|pay|paid|compensation|rate|base|range|ote|wage|earn|gehalt|verg[üu]tung|lohn|"
    r"salaire|r[ée]mun[ée]ration|brut|salario|sueldo|retribuci[óo]n|salari|sou|sal[áa]rio|remunera[çc][ãa]o|"
    r"salaris|loon|bruto|stipendio|retribuzione|ral|brutto|gross|€|£|\$)",
    re.IGNORECASE,
)

_LABELS: dict[str, str] = {phrase: fact for fact, phrases in FACT_LABELS.items() for phrase in phrases}
_LABEL_FIRST_WORDS = frozenset(phrase.split()[0] for phrase in _LABELS)

#: one \b before each table's alternatives, not one per alternative: the regex engine then picks
#: a branch by its first letter (~5x faster; every meta piece and title is tested against all)
_WORKPLACE_WORDS = (
    ("hybrid", r"\b(?:hybrid|hybride|h[íi]brid[oa]?\b|ibrid[oa]\b|hibrid\b|hybrid[e]?\b|semi[- ]?presencial)"),
    ("remote", r"\b(?:remote\b|fully remote\b|full[- ]remote\b|remote[- ]first\b|work from home\b|wfh\b|"
               r"100\s?% remote\b|remoto\b|remota\b|en remoto\b|a distancia\b|à distance\b|"
               r"t[ée]l[ée]travail (?:complet|total|à 100)|100\s?% t[ée]l[ée]travail|full t[ée]l[ée]travail|"
               r"fernarbeit|mobiles arbeiten|vollst[äa]ndig remote|teletrabajo\b|teletreball\b|remot\b|"
               r"thuiswerken\b|volledig remote\b|da remoto\b|smart working\b(?! \d)|trabalho remoto\b|"
               r"home office\b(?= ?(?:$|·|\||/|,))|qualquer lugar)"),
    ("onsite", r"\b(?:on[- ]?site\b|in[- ]office\b|in[- ]person\b|on[- ]premises?\b|vor ort\b|pr[ée]sentiel\b|"
               r"sur site\b|presencial\b|presencialment\b|in loco\b|op locatie\b|op kantoor\b|op de werkvloer\b|"
               r"in sede\b|in presenza\b|presso la sede\b|no escrit[óo]rio\b|sur place\b|en magasin\b|"
               r"en boutique\b|en agence\b|na sede\b|im b[üu]ro\b|au bureau\b|en oficina\b|in ufficio\b)"),
)
_EMPLOYMENT_WORDS = (
    ("working-student", r"\b(?:werkstudent|working student\b)"),
    ("internship", r"\b(?:intern(?:ship)?\b|praktikum\b|stage\b|stagiaire\b|pr[áa]cticas\b|pr[àa]ctiques\b|"
                   r"est[áa]gio\b|tirocinio\b|stagista\b|apprenti|alternance\b)"),
    ("part-time", r"\b(?:part[- ]?time\b|teilzeit\b|temps partiel\b|mi-temps\b|media jornada\b|tiempo parcial\b|"
                  r"jornada parcial\b|mitja jornada\b|temps parcial\b|meio per[íi]odo\b|tempo parcial\b|"
                  r"meia jornada\b|deeltijd\b|deeltijds\b|parttime\b|tempo parziale\b|part time\b)"),
    ("contract", r"\b(?:contract(?:or)?\b(?! type)|freelance|freiberuf|ind[ée]pendant\b|freelancer\b|pj\b|zzp\b|"
                 r"partita iva\b|autónomo\b|consultant\b)"),
    ("temporary", r"\b(?:temporary\b|fixed[- ]term\b|befristet\b|cdd\b|temporal\b|fijo discontinuo\b|"
                  r"tempor[áa]rio\b|tijdelijk\b|tempo determinato\b|seasonal\b|saisonnier\b|determinato\b|"
                  r"contrato temporal\b)"),
    ("full-time", r"\b(?:full[- ]?time\b|vollzeit\b|temps plein\b|temps complet\b|jornada completa\b|"
                  r"tiempo completo\b|temps complet\b|tempo integral\b|tempo inteiro\b|per[íi]odo integral\b|"
                  r"voltijd\b|voltijds\b|fulltime\b|tempo pieno\b|full time\b|clt\b|permanent\b|unbefristet\b|cdi\b|"
                  r"indefinido\b|indefinit\b|tempo indeterminato\b|vast\b)"),
)
_WORKPLACE = tuple((value, re.compile(pattern)) for value, pattern in _WORKPLACE_WORDS)
_EMPLOYMENT = tuple((value, re.compile(pattern)) for value, pattern in _EMPLOYMENT_WORDS)
_INTERVALS = tuple((value, re.compile(pattern)) for value, pattern in _INTERVAL_WORDS)
_SEPARATORS = re.compile(r"\s*(?:·|•|\||∙|⋅|/{2}|\s—\s|\s–\s(?!\s*(?:[€$£¥\d]|R\$|[A-Z]{3}\b)))\s*")


#: emoji and symbols that decorate meta items ("📍 Barcelona", "💶 30.000 €")
_DECORATION = re.compile(r"^[^\w$€£¥₹(]+")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_PLACE_MARKERS = frozenset("📍🌍🌎🌏🏢🗺")
#: "Portland, OR", "São Paulo, SP", "Aberdeen, United Kingdom": a place written as a place (its
#: last part a region code or a country, so "Engineering, Platform" is no place)
_PLACE = re.compile(
    r"^[A-ZÀ-Ý][\w'’.-]+(?: [A-ZÀ-Ýa-z][\w'’.-]+){0,3}, (?:[A-Z]{2,3}|(?:[A-ZÀ-Ý][\w'’.-]+ ?){0,2}"
    r"(?:Germany|Deutschland|France|Spain|España|Espanya|Italy|Italia|Portugal|Brazil|Brasil|Netherlands|Nederland|"
    r"Belgium|België|Belgique|Switzerland|Schweiz|Suisse|Svizzera|Austria|Österreich|Ireland|Kingdom|States|"
    r"America|Canada|Mexico|México|Scotland|England|Wales|Poland|Polska|Catalunya|Cataluña|Luxembourg|Denmark|"
    r"Sweden|Norway|Finland|Australia|Zealand|Argentina|Chile|Colombia|Peru|Perú|India|Japan|Singapore))$",
)


@dataclass
class Facts:
    locations: list[str] = field(default_factory=list)
    workplace: str | None = None
    employment_type: str | None = None
    salary: Salary | None = None


def facts_from_lines(lines: Sequence[tuple[str, str]], title: str | None = None) -> Facts:
    """Facts from (kind, text) lines of a posting's content, top first.

    Labels anywhere ("Location: …", a label line and its value line) win; then the meta
    line(s) near the top; a salary may also come from a pay sentence; workplace and
    employment type last from the ``title``.
    """
    facts = Facts()
    _from_labels(lines, facts)
    for kind, text in lines[:META_LINES]:
        if kind == "heading":
            break  # the meta line is above the first section
        if len(text) <= MAX_FACT_CHARS:
            _from_meta(text, facts)
    if facts.salary is None:
        facts.salary = pay_from_lines(lines)
    if title:  # "Ceramics Technician (Part-time)", "Backend Engineer (Remote)"
        facts.workplace = facts.workplace or workplace_from_text(title)
        facts.employment_type = facts.employment_type or employment_from_text(title)
    return facts


def pay_from_lines(lines: Sequence[tuple[str, str]]) -> Salary | None:
    """The salary of the first pay sentence ("The base pay range is $95,000 - $120,000")."""
    for kind, text in lines:
        if kind == "para" and has_pay_word(text):
            found = salary_from_text(text, need_cue=True)
            if found is not None:
                return found
    return None


def has_pay_word(text: str) -> bool:
    """``_PAY_WORDS.search(text)``, faster (see ``_PAY_WORDS_LOWER``)."""
    if any(odd in text for odd in _CASE_ODDITIES):
        return _PAY_WORDS.search(text) is not None
    return _PAY_WORDS_LOWER.search(text.lower()) is not None


def _from_labels(lines: Sequence[tuple[str, str]], facts: Facts) -> None:
    for index, (_, text) in enumerate(lines):
        for label_fact, value in _label_values(text, lines[index + 1][1] if index + 1 < len(lines) else None):
            _set(facts, label_fact, value)


def _label_values(text: str, following: str | None) -> Iterable[tuple[str, str]]:
    """("location", "Joliet, IL") from "Location: Joliet, IL", or from "Location" + the next line."""
    if len(text) > MAX_FACT_CHARS or (len(text) > MAX_LABEL_LINE and ":" not in text[:MAX_LABEL_CHARS]):
        return
    if not _may_hold_label(text):
        return
    for piece in _SEPARATORS.split(text) if ":" in text else [text]:
        label, sep, value = piece.partition(":")
        fact = _LABELS.get(_label_key(label)) if sep else None
        if fact and value.strip():
            yield fact, value.strip()
            continue
        words = piece.split()
        for size in (3, 2, 1):  # "Type Contract (6 months)": a label word then its value
            fact = _LABELS.get(_label_key(" ".join(words[:size])))
            if fact and len(words) > size and not sep:
                yield fact, " ".join(words[size:])
                break
    fact = _LABELS.get(_label_key(text))
    if fact and following and len(following) <= MAX_FACT_CHARS:
        yield fact, following


def _may_hold_label(text: str) -> bool:
    """Cheap test first: some piece of the line starts with a label's first word."""
    return any(_label_key(piece.split(maxsplit=1)[0] if piece.split() else "") in _LABEL_FIRST_WORDS
               for piece in (_SEPARATORS.split(text) if ":" in text else [text]))


def _label_key(label: str) -> str:
    if len(label) > MAX_LABEL_CHARS:
        return ""
    if not label.isascii():
        label = strip_accents(typographic(label))
    return " ".join(label.lower().replace(":", " ").split())


def _set(facts: Facts, fact: str, value: str) -> None:
    value = value.strip(" :·|-–")
    if not value:
        return
    if fact == "location" and not facts.locations:
        found = workplace_from_text(value)
        place = _SEPARATORS.split(value)[0].strip()
        if found and facts.workplace is None:
            facts.workplace = found
        if place and not (found and workplace_from_text(place) and len(place.split()) <= 2):
            facts.locations = [place]
    elif fact == "salary" and facts.salary is None:
        facts.salary = salary_from_text(value)
    elif fact == "employment_type" and facts.employment_type is None:
        facts.employment_type = employment_from_text(value)
        facts.workplace = facts.workplace or workplace_from_text(value)
    elif fact == "workplace" and facts.workplace is None:
        facts.workplace = workplace_from_text(value)


def _from_meta(text: str, facts: Facts) -> None:
    """A meta line: "Siena · Ibrido · Tempo pieno · RAL 35.000 - 42.000 €"."""
    pieces = [p for p in _SEPARATORS.split(text) if p.strip()]
    if len(pieces) < 2 and len(text) > 60:
        return
    for piece in pieces:
        if len(piece) > 80:
            continue
        marker = piece.lstrip()[:1]
        piece = _DECORATION.sub("", piece).strip()
        if facts.salary is None and _has_currency(piece) and (found := salary_from_text(piece)) is not None:
            facts.salary = found
        workplace = workplace_from_text(piece)
        employment = employment_from_text(piece)
        if workplace and facts.workplace is None:
            facts.workplace = workplace
        if employment and facts.employment_type is None:
            facts.employment_type = employment
        place = _PARENTHESES.sub("", piece).strip()  # "Denver, CO (Hybrid)"
        if not facts.locations and place and (marker in _PLACE_MARKERS or (
                not (employment or _has_currency(place) or workplace_from_text(place)) and _PLACE.match(place))):
            facts.locations = [place if marker not in _PLACE_MARKERS else piece]


@lru_cache(maxsize=4096)  # pure; a site's meta lines and titles repeat
def workplace_from_text(text: str) -> str | None:
    """remote / hybrid / onsite from words in eight languages ("Híbrido", "Op locatie", "Vor Ort")."""
    return _first_value(_WORKPLACE, text)


@lru_cache(maxsize=4096)  # pure; a site's meta lines and titles repeat
def employment_from_text(text: str) -> str | None:
    """full-time / part-time / contract / temporary / internship / working-student."""
    return _first_value(_EMPLOYMENT, text)


def _first_value(table: Sequence[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    lowered = typographic(text).lower()
    return next((value for value, pattern in table if pattern.search(lowered)), None)


def salary_from_text(text: str, *, need_cue: bool = False) -> Salary | None:
    """A salary from text: "$120K–$150K", "€70.000 - €90.000 / year", "USD 54/hr", "$150k+"."""
    text = typographic(text)
    matches = list(_MONEY.finditer(text))
    index = next((i for i, m in enumerate(matches) if (_priced(m) and _is_amount(m)) or (
        i + 1 < len(matches) and _priced(matches[i + 1]) and _joined(text, m, matches[i + 1]))), None)
    if index is None:
        if need_cue:
            return None
        index = next((i for i, m in enumerate(matches) if _is_amount(m)), None)
        if index is None:
            return None
    first = matches[index]
    low = _value(first)
    high: float | None = low
    span = [first]
    if index + 1 < len(matches) and _joined(text, first, matches[index + 1]):
        second = matches[index + 1]
        span.append(second)
        high = _value(second, k=bool(first["k"]) or bool(second["k"]))
        if first["k"] is None and second["k"] and low is not None and low < 1000:
            low *= 1000  # "$120-150K", "45-55 k€"
    before = text[:first.start()]
    if span[-1]["plus"] or first["plus"] or (len(span) == 1 and _FROM.search(before)):
        high = None
    elif len(span) == 1 and _UP_TO.search(before):
        low = None
    currencies = [c for m in span if (c := _currency(m))] or [c for m in matches if (c := _currency(m))]
    currency = next((c for c in currencies if c in _CODES and c != "USD"), currencies[0] if currencies else None)
    if (low is None and high is None) or (currency is None and not _PAY_CUES.search(text)):
        return None
    size = low if low is not None else high
    return Salary(min=low, max=high, currency=currency, interval=_interval(text, first, size or 0.0))


def _priced(match: re.Match[str]) -> bool:
    return bool(match["pre"] or match["post"])


def _joined(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    return bool(_RANGE_JOIN.match(text[first.end():second.start()]))


def _is_amount(match: re.Match[str]) -> bool:
    number = match["num"]
    return bool(number) and (match["pre"] or match["post"] or match["k"] or len(number.replace(" ", "")) >= 3)


def _has_currency(piece: str) -> bool:
    return any((m["pre"] or m["post"]) for m in _MONEY.finditer(typographic(piece)))


def _value(match: re.Match[str], *, k: bool | None = None) -> float | None:
    price = Price.fromstring(match["num"].replace(" ", "").replace("’", "").replace("'", ""))
    if price.amount is None:
        return None
    amount = price.amount * (Decimal(1000) if (match["k"] if k is None else k) else 1)
    return float(amount)


def _currency(match: re.Match[str]) -> str | None:
    """ISO code of an amount's currency; a written code wins over a symbol ("$45,000 MXN")."""
    for raw in sorted((match["pre"], match["post"]), key=lambda r: not (r and r.strip().upper() in _CODES)):
        if not raw:
            continue
        raw = raw.strip()
        if raw.upper() in _CODES:
            return raw.upper()
        if raw in _DOLLAR_CODES:
            return _DOLLAR_CODES[raw]
        if raw.lower().startswith("euro"):
            return "EUR"
        if raw.lower().startswith("dollar"):
            return "USD"
        if raw.lower() == "reais":
            return "BRL"
        if raw.lower() == "pesos":
            return "MXN"
        price = Price.fromstring(raw + "1")
        symbol = price.currency or raw
        if symbol in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[symbol]
    return None


def _interval(text: str, first: re.Match[str], low: float) -> str | None:
    found = _first_value(_INTERVALS, text)
    if found:
        return found
    if first["k"]:
        return "year"  # "$120K–$150K"
    return yearly_by_size(low)
