"""Which section a heading (or a list) introduces: the one section classifier.

People name sections in endless ways ("We'd love to meet you if you…", "Sound like you?",
"2. What we need", "Das bringst du mit", "Ce que nous offrons"). A table of phrases only
knows the phrasings someone listed, so classification works in layers:

1. the vocabulary table (``vocabulary.py``): exact phrases, the high-confidence layer;
2. cue words: the heading's accent-folded tokens are matched against stems
   (``qualif``, ``anforder``, ``requisit``...) and short phrases, each with a weight, in
   eight languages (en, de, fr, es, ca, pt, nl, it); a preference cue ("nice", "bonus",
   "ideally", "von Vorteil", "se valorará", "diferenciais"...) turns requirements into
   nice_to_have; company/process cues ("about us", "how to apply") count against all;
3. a list under a heading neither layer knows is read from its items (years of
   experience, degrees, "proficiency in" → requirements; imperative verbs →
   responsibilities; insurance, PTO, equity → benefits); when no field is clear it
   stays in the description, so nothing is lost.

Every answer is a ``Verdict`` that says which rule decided and with what score, which is
what ``jobtrail extract --explain`` prints.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from jobtrail.crawler.extract.vocabulary import FACT_LABELS, field_for_heading, is_phrase, normalize_heading

#: cue score a heading needs to count as a section
MIN_SCORE = 2.0
#: share of a list's items that must point at one field for the list to count as it
MIN_ITEM_SHARE = 0.6


@dataclass(frozen=True)
class Verdict:
    """A classification: the field (None: description), the rule that decided, its score."""

    field: str | None
    rule: str
    score: float = 0.0
    cues: tuple[str, ...] = ()

    def explain(self) -> str:
        cues = f" [{', '.join(self.cues)}]" if self.cues else ""
        return f"{self.rule} {self.score:.1f}{cues}"


NONE = Verdict(None, "none")

# --- text folding ---------------------------------------------------------------------------

_TYPO = str.maketrans({
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2007": " ",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"',
    "\u00b7": " ", "\u2022": " ", "\u00ba": " ", "\u00aa": " ",
})
_NUMBERING = re.compile(
    r"^\s*(?:(?:step|part|section|teil|etape|paso|pas|parte|stap|fase)\s+)?"
    r"(?:\(?\d{1,2}[.)]|\d{1,2}\s*[-:/]|\(?[ivx]{1,4}[.)]|\(?[a-e]\))\s*",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def typographic(text: str) -> str:
    """Curly quotes, special hyphens and spaces made plain (NFKC first: fullwidth, ligatures)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_TYPO)


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: ASCII symbols and controls (Unicode categories S* and C*) as spaces, for ``clean_heading``
_ASCII_DECORATION = str.maketrans({
    chr(code): " " for code in range(128) if unicodedata.category(chr(code)).startswith(("S", "C"))
})


def clean_heading(text: str) -> str:
    """A heading as words: typography folded, emoji/decoration and numbering ("2.", "IV)") gone."""
    text = typographic(text)
    if text.isascii():  # one table lookup a character instead of a category lookup
        text = text.translate(_ASCII_DECORATION)
    else:
        text = "".join(ch if not unicodedata.category(ch).startswith(("S", "C")) else " " for ch in text)
    text = _NUMBERING.sub("", text)
    return normalize_heading(text)


def is_exact_phrase(text: str) -> bool:
    """The whole line is one phrase of the table (a plain line that says "Requirements")."""
    return is_phrase(normalize_heading(clean_heading(text)))


_ELISION = re.compile(r"\b(qu|[a-z])'(?=[a-z])")
_PLURAL = re.compile(r"'s\b")


def fold_key(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces: what cues are matched against."""
    text = _ELISION.sub(r"\1 ", strip_accents(clean_heading(text)))  # "t'oferim", "l'offre"
    text = _PLURAL.sub("", re.sub(r"\bpre-(?=[a-z])", "pre", text))  # "pré-requisitos", "pré's"
    words = _TOKEN.findall(text.replace("-", " ").replace("/", " "))
    return " ".join(words)


# --- cue tables -----------------------------------------------------------------------------
# Each cue: a stem a token starts with, or (with a space) a phrase found on word boundaries.
# "=" before a cue means the token must be exactly it. Weights: 3 decides alone, 2 nearly,
# 1 only together with another cue. Phrasings are common headings in the eight languages.

_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "requirements": (
        ("requir", 3), ("qualif", 3), ("skill", 2), ("experien", 2), ("profil", 3), ("looking for", 3),
        ("look for", 2), ("herken", 3), ("jezelf", 2), ("great match", 3), ("match if", 2.5), ("=match", 1.5),
        ("who you'll be", 3),
        ("right person", 3), ("will have", 1.5), ("=toolkit", 2), ("begeisterst", 3), ("auszeichnet", 3),
        ("te faut", 3), ("esperem", 3), ("verwacht", 3), ("person specification", 3), ("specification", 2),
        ("about the candidate", 3),
        ("formacion", 2), ("formacao", 2), ("formazione", 2), ("formacio", 2), ("opleiding", 2), ("ausbildung", 2),
        ("=idiomas", 2), ("=sprachen", 2), ("=langues", 2), ("=talen", 2), ("=lingue", 2), ("=idiomes", 2),
        ("=languages", 2), ("nodig", 2.5), ("jij hebt", 2.5), ("aspettiamo", 3), ("candidato ideale", 3),
        ("candidato ideal", 3), ("candidata ideal", 3), ("voce tem", 2), ("demanem", 3), ("obrigat", 2.5),
        ("we expect", 3), ("expect from", 3), ("=successful", 2), ("for you if", 3),
        ("role for you", 3), ("passt zu", 3), ("vous avez", 2.5), ("tu as", 2.5), ("du hast", 2.5), ("je hebt", 2.5),
        ("savoir faire", 2.5), ("savoir etre", 2.5), ("precis", 2.5), ("zoeken wij", 3), ("zoeken we", 3),
        ("we're after", 3), ("we are after", 3), ("bring", 2), ("=you have", 2), ("you'll have", 2),
        ("you will have", 2),
        ("you have", 1.5), ("who you are", 3), ("about you", 3), ("you are", 2), ("are you", 2),
        ("need", 1.5), ("we need", 3), ("you need", 2.5), ("you'll need", 3), ("you will need", 3), ("must", 2.5),
        ("competen", 2), ("ideal candidate", 3), ("candidate", 1.5),
        ("thrive", 2), ("like you", 3), ("is this you", 3), ("if you", 2), ("background", 2),
        ("education", 2), ("knowledge", 2), ("what it takes", 3), ("prerequisit", 3), ("criteria", 2),
        ("expect from you", 3), ("succeed", 2), ("essential", 2.5), ("=ingredients", 2), ("capabilit", 2),
        ("=fit", 1), ("be a fit", 3), ("fit if", 2.5), ("good fit", 3), ("right fit", 3), ("should have", 2),
        ("what we value", 2.5), ("we value", 2),
        # de
        ("anforder", 3), ("voraussetzung", 3), ("mitbring", 3), ("bringst", 2.5), ("bringen sie", 2.5),
        ("kenntnis", 2), ("erfahrung", 2), ("fahigkeit", 2), ("kompetenz", 2), ("erwarten", 2),
        ("zeichnet dich", 3), ("uberzeugst", 3), ("uberzeugen", 2.5), ("zeichnet sie", 3), ("wen wir suchen", 3),
        ("wir suchen", 2), ("=du", 0.5),
        ("qualifikation", 3), ("muss", 2), ("von dir", 2), ("von ihnen", 2), ("=wunschen", 2),
        # fr
        ("exigence", 3), ("requis", 3), ("prerequis", 3), ("recherch", 2.5), ("=vous", 0.5), ("qui es tu", 3),
        ("qui etes vous", 3), ("vous etes", 3), ("tu es", 2.5), ("du bist", 2.5), ("sie sind", 2),
        ("jij bent", 2.5), ("je bent", 2.5), ("tu sei", 2.5), ("eres", 1.5), ("apport", 2), ("connaissance", 2),
        ("savoir", 1.5), ("attendons", 2.5),
        ("formation", 1), ("=tu", 0.5), ("=es", 0.5),
        # es / ca / pt / it
        ("requisit", 3), ("buscamos", 3), ("busquem", 3), ("cerquem", 3), ("procuramos", 3), ("cerchiamo", 3),
        ("necesit", 2), ("necessit", 2), ("conocimiento", 2), ("coneixement", 2), ("conhecimento", 2),
        ("conoscenz", 2), ("habilidad", 2), ("habilitat", 2), ("esperienz", 2), ("imprescindible", 3),
        ("indispensab", 3), ("aportas", 2), ("aportes", 2), ("=perfil", 3), ("=perfilo", 3), ("profilo", 3),
        ("chi sei", 3), ("quien eres", 3), ("qui ets", 3), ("quem es", 3), ("quem voce e", 3),
        ("que pedimos", 3), ("que demanem", 3), ("esperamos", 2), ("titolo di studio", 2),
        # nl
        ("=eisen", 3), ("functie eisen", 3), ("vereist", 3), ("vragen", 2), ("wie ben jij", 3), ("wie jij bent", 3),
        ("profiel", 3), ("meebreng", 3), ("breng je mee", 3), ("neem je mee", 3), ("kennis", 2), ("ervaring", 2),
        ("vaardig", 2), ("wij zoeken", 2.5), ("we zoeken", 2.5), ("zoeken", 1.5),
    ),
    "nice_to_have": (
        ("nice", 3), ("bonus", 3), ("=plus", 3), ("=pluses", 3), ("prefer", 3), ("desir", 3), ("ideally", 3),
        ("not required", 4), ("optional", 3), ("extra", 2), ("even better", 3), ("would be great", 3),
        ("great if", 2.5), ("good to have", 3), ("advantage", 3), ("an asset", 3), ("=assets", 2.5),
        ("brownie", 3), ("sumara", 3), ("fera la difference", 4), ("faire la difference", 4),
        ("make the difference", 3), ("seria legal", 4), ("legal se", 3), ("mais valia", 4), ("ventaja", 2),
        ("una ventaja", 4), ("un vantaggio", 4), ("an advantage", 4), ("um diferencial", 3),
        ("vantaggio", 3), ("considerara", 2), ("considerado", 1.5), ("preferib", 3), ("preferiv", 3),
        ("leuk als", 3), ("=ook", 2), ("gerne gesehen", 4), ("kein muss", 5), ("a favor", 2.5),
        ("otimo se", 3), ("mooi als", 3),
        ("is mooi", 2.5), ("great to have", 3), ("suma puntos", 3), ("=puntos", 1.5), ("love to see", 3),
        ("love it if", 3), ("stand out", 3), ("set you apart", 4),
        ("sets you apart", 4), ("=apart", 2), ("would be nice", 3), ("would help", 2.5), ("helpful", 2.5),
        ("not a must", 4), ("=also", 2), ("added", 1), ("differentiat", 2), ("be excited", 2.5),
        ("schon ware", 4), ("ware schon", 4), ("ware toll", 4), ("ware super", 4), ("=toll", 1),
        # de
        ("wunschenswert", 3), ("von vorteil", 4), ("idealerweise", 3), ("pluspunkt", 3), ("gerne", 1.5),
        ("optional", 3),
        # fr
        ("atout", 3), ("souhait", 3), ("apprecie", 3), ("un plus", 3), ("serait", 1), ("bienvenu", 2.5),
        # es / ca / pt / it
        ("valorara", 3), ("valorable", 3), ("=valoramos", 3), ("=valorem", 3), ("=valorarem", 3),
        ("valorar", 3), ("se valora", 3), ("es valora", 3), ("deseab", 3), ("desitjab", 3),
        ("diferencia", 3), ("desejav", 3), ("valoriz", 3), ("idealement", 3), ("idealment", 3), ("preferenzial", 3),
        ("gradit", 3), ("apprezzat", 3),
        ("costituisce", 1.5), ("=suma", 1.5), ("=punt", 1), ("pontos extra", 3),
        # nl
        ("=pre", 3), ("pluspunt", 3), ("aanbeveling", 3), ("gewenst", 3), ("mooi meegenomen", 4),
        ("meegenomen", 3),
    ),
    "responsibilities": (
        ("responsib", 3), ("essential functions", 4), ("function", 2.5), ("you'll do", 3), ("you will do", 3),
        ("you'd do", 3), ("you do", 2.5),
        ("you'll be doing", 3), ("you will be doing", 3), ("be doing", 2.5), ("=role", 2), ("duties", 3),
        ("=duty", 3), ("task", 3), ("day to day", 3), ("daily", 2), ("mission", 2), ("impact", 2),
        ("accountab", 2.5), ("work on", 2), ("typical", 2.5), ("houdt de functie in", 4), ("functie in", 3),
        ("day in the life", 4), ("job looks like", 3),
        ("your week", 2.5), ("in this job", 2), ("machst", 2.5), ("alltag", 2.5), ("=papel", 2), ("wat doe je", 3),
        ("jouw dag", 2.5), ("week looks like", 3), ("day looks like", 3),
        ("first months", 3), ("first 90 days", 3), ("first weeks", 3), ("dich erwartet", 2.5), ("bewegst", 3),
        ("tun wirst", 3), ("=wirst", 1.5), ("in this role", 2),
        ("=job", 1), ("you'll own", 3), ("you will own", 3), ("involve", 2), ("day look like", 3),
        ("week look like", 3), ("what you'll", 1), ("what you will", 1), ("your work", 2), ("challenge", 2.5),
        ("scope", 1.5), ("expect to", 1.5), ("the work", 2.5), ("get done", 4), ("the position", 1.5), ("=position", 1),
        # de
        ("aufgabe", 3), ("verantwort", 3), ("tatigkeit", 3), ("=rolle", 2), ("erwartet dich", 2),
        ("erwartet sie", 2), ("was du tust", 3), ("du machst", 2.5), ("dein job", 2), ("ihr job", 2),
        ("deine mission", 3), ("einsatzgebiet", 3), ("wirst du", 1),
        # fr
        ("responsab", 3), ("taches", 3), ("=tache", 3), ("ferez", 3), ("feras", 3), ("quotidien", 2.5),
        ("=poste", 2), ("=missions", 3), ("=mission", 2.5), ("=votre role", 2),
        # es / ca / pt / it
        ("funcion", 3), ("funcoes", 3), ("funcio", 3), ("tarea", 3), ("tasqu", 3), ("haras", 3), ("faras", 3),
        ("=rol", 2), ("dia a dia", 3), ("mision", 2.5), ("missio", 2.5), ("atividad", 3), ("atribuic", 3),
        ("vai fazer", 3), ("vais fazer", 3), ("=fazer", 1.5), ("vas a hacer", 3), ("desafio", 2), ("reto", 1.5),
        ("mansion", 3), ("attivit", 3),
        ("compit", 3), ("farai", 3), ("ruolo", 2), ("occuper", 3), ("=lo que haras", 3),
        # nl
        ("=taken", 3), ("=taak", 3), ("ga je doen", 3), ("gaat doen", 3), ("je gaat", 1.5), ("=doen", 1.5),
        ("werkzaamheden", 3), ("=rol", 2),
        ("functieomschrijving", 2), ("je dag", 2),
    ),
    "benefits": (
        ("benefi", 3), ("perk", 3), ("offer", 3), ("=get", 1.5), ("you'll get", 2.5), ("you get", 2.5),
        ("compensat", 2.5), ("why join", 3), ("why us", 3), ("why work", 3), ("in it for you", 3),
        ("=reward", 2), ("rewards", 2.5), ("salary", 2), ("package", 2), ("=pay", 1.5), ("provide", 2.5),
        ("we give", 2), ("you'll love", 2), ("=why", 2), ("we've got you", 3), ("look after", 2),
        ("take care", 2), ("=extras", 1), ("=ahead", 0), ("life at", 2), ("work with us", 1), ("=us", 0.5),
        ("treat", 1), ("=total", 0.5), ("wellbeing", 2), ("well being", 2),
        # de
        ("bieten", 3), ("angebot", 3), ("=vorteile", 3), ("deine vorteile", 3), ("ihre vorteile", 3),
        ("leistungen", 2.5), ("freuen", 2.5), ("warum wir", 3), ("gehalt", 2), ("verguetung", 2),
        ("vergutung", 2),
        # fr
        ("avantage", 3), ("offr", 3), ("proposons", 3), ("pourquoi", 1.5), ("plus du poste", 5), ("les plus du", 4),
        ("rejoindre", 1.5), ("pourquoi nous", 3),
        ("por que nosotros", 3),
        ("perche noi", 3), ("lavorare con noi", 3), ("geben", 3), ("=geven", 3), ("you'll find", 3),
        ("encontrar", 3), ("encontraras", 3), ("trobaras", 3), ("trobar", 2.5), ("troveras", 3), ("trouveras", 3),
        ("regalia", 3), ("bei uns erwartet", 4), ("trabajar con nosotros", 3),
        ("juntar", 2.5), ("=porque", 1.5), ("unirti", 2.5), ("unirte", 2.5), ("waarom wij", 3), ("waarom", 1.5),
        ("per que nosaltres", 3),
        ("por que nos", 3),
        ("remuneration", 2.5),
        # es / ca / pt / it
        ("ofrec", 3), ("oferim", 3), ("oferec", 3), ("offriam", 3), ("=ventajas", 3), ("vantag", 3),
        ("avantatg", 3), ("vantagg", 3), ("por que", 1.5), ("per que", 1.5), ("por que unirte", 3),
        ("retribuc", 2.5), ("retribuzion", 2.5), ("remunerac", 2.5), ("=salario", 2), ("pacchetto", 2),
        ("te damos", 3), ("prestacion", 3), ("perche", 1.5), ("=ofrece", 3),
        # nl
        ("bieden", 3), ("arbeidsvoorwaarden", 3), ("voorwaarden", 2.5), ("krijg", 2.5), ("voordelen", 3),
        ("=salaris", 2), ("aanbod", 3),
    ),
    "related_jobs": (
        ("related", 2), ("similar", 2), ("=other", 1), ("=more", 1), ("=open", 1), ("you may also", 3),
        ("also like", 2), ("like this", 2), ("you might also like", 4), ("you may also like", 4), ("explore", 1),
        ("interessier", 2),
        ("interest you", 2), ("might also", 2),
        ("=auch", 1), ("=also", 1), ("=interesse", 1), ("podrian", 1), ("pourraient", 1),
        ("weitere", 1), ("ahnlich", 2), ("offene", 1), ("autres", 1), ("similaire", 2), ("=otras", 1),
        ("=otros", 1), ("similar", 2), ("relacionad", 2), ("=outras", 1), ("semelhant", 2), ("=andere", 1),
        ("vergelijkbar", 2), ("=meer", 1), ("=altre", 1), ("=altri", 1), ("simili", 2), ("=altres", 1),
        ("similars", 2), ("relacionat", 2), ("aperte", 1), ("abiert", 1), ("oberta", 1),
    ),
    "description": (
        ("about us", 3), ("about the company", 3), ("about the team", 3), ("who we are", 3), ("our story", 3),
        ("company", 1.5), ("how to apply", 4), ("=apply", 2.5), ("application", 2), ("hiring process", 4),
        ("interview", 3), ("next steps", 3), ("how we hire", 4), ("=hiring", 2), ("process", 2),
        ("equal opportunit", 4), ("diversity", 2),
        ("inclusion", 2), ("our values", 3), ("=values", 2), ("our team", 2), ("the team", 1.5),
        ("about the role", 1.5), ("summary", 2), ("overview", 2), ("=location", 2), ("=note", 2),
        ("what we do", 3), ("our mission", 3), ("=about", 1.5), ("help you", 5), ("you'll learn", 3),
        ("you will learn", 3), ("we'll teach", 3), ("we will teach", 3), ("will train", 3), ("we'll train", 3),
        ("uber uns", 3), ("wer wir sind", 3), ("bewerbung", 3), ("bewerbungsprozess", 4), ("kontakt", 3),
        ("a propos", 3), ("qui sommes nous", 3), ("processus", 3), ("candidature", 3), ("postuler", 3),
        ("sobre nosotros", 3), ("quienes somos", 3), ("proceso", 2.5), ("sobre nos", 3), ("qui som", 3),
        ("processo", 2.5), ("over ons", 3), ("wie zijn wij", 3), ("wie wij zijn", 3), ("sollicit", 3),
        ("procedure", 2.5), ("chi siamo", 3), ("candidatura", 3), ("selezione", 3),
    ),
}

#: nouns that make a relation cue ("other", "similar") a list of jobs
_JOB_NOUNS = (
    "job", "role", "opening", "position", "vacanc", "opportunit", "career", "stelle", "offre", "poste", "empleo",
    "oferta", "vaga", "vacature", "posizion", "annunc", "oportunidad", "lavor", "feina", "ofert", "vagas",
    "positie", "funktion", "openstaand", "offert", "vacant", "functie",
)
#: labels that group a section's items without changing the section ("Technical", "Languages"...)
SUBGROUP_LABELS = frozenset(fold_key(label) for label in (
    "technical", "technical skills", "tech", "hard skills", "soft skills", "skills", "education", "languages",
    "language", "certifications", "certificates", "certification", "licenses", "licences", "physical",
    "physical demands", "attributes", "personal", "personal qualities", "personal skills", "mindset", "tools",
    "experience", "knowledge", "core", "general", "other", "others", "personality", "values", "work style",
    "fachlich", "fachliche kompetenzen", "personlich", "personliche kompetenzen", "sprachen", "ausbildung",
    "technisch", "soft skills", "sonstiges", "techniques", "savoir etre", "savoir faire", "langues",
    "formation", "diplomes", "tecnicos", "idiomas", "formacion", "educacion", "personales", "idiomes",
    "formacio", "tecnics", "formacao", "comportamentais", "talen", "opleiding", "persoonlijk", "lingue",
    "formazione", "tecniche", "competenze trasversali", "competenze tecniche", "experiencia", "esperienza",
    "ervaring", "erfahrung", "experience", "competences", "competencias", "competencies",
))


_FACT_LABEL_KEYS = frozenset(label for labels in FACT_LABELS.values() for label in labels)


@lru_cache(maxsize=4096)
def classify_heading(text: str) -> Verdict:
    """The section a heading introduces (cached: pages repeat the same headings)."""
    cleaned = clean_heading(text)
    if not cleaned:
        return NONE
    field = field_for_heading(cleaned)
    if field is not None and is_exact_phrase(cleaned):
        return Verdict(field, "vocabulary", 9.0)
    key = fold_key(cleaned)
    if key in _FACT_LABEL_KEYS:
        return Verdict(None, "against", 5.0, ("fact label",))  # "Salary:", "Location", "Contrat :"
    cues = _by_cues(key)
    if field is not None and cues.rule != "against" and (cues.field in (None, field) or cues.score < 2.5):
        return Verdict(field, "vocabulary", 6.0)  # the heading starts with a known phrase
    return cues


def _by_cues(key: str) -> Verdict:
    if not key:
        return NONE
    scores, hits = _score(key)
    relation = scores.pop("related_jobs", 0.0)
    if relation >= 4 or (relation and any(token.startswith(_JOB_NOUNS) for token in key.split())):
        return Verdict("related_jobs", "cues", relation + 2, tuple(hits["related_jobs"]))
    against = scores.pop("description", 0.0)
    preference = scores.pop("nice_to_have", 0.0)
    if against and against >= max([preference, *scores.values()]):
        return Verdict(None, "against", against, tuple(hits["description"]))
    benefits = scores.get("benefits", 0.0)
    if preference >= MIN_SCORE and (benefits < MIN_SCORE or preference >= benefits + MIN_SCORE):
        # a preference modifies the requirements ("nice extras", "bonus if you", "von Vorteil")
        return Verdict("nice_to_have", "cues", preference + scores.get("requirements", 0.0),
                       tuple(hits["nice_to_have"] + hits["requirements"]))
    if not scores:
        return NONE
    best = max(scores, key=lambda name: scores[name])
    ranked = sorted(scores.values(), reverse=True)
    margin = ranked[0] - (ranked[1] if len(ranked) > 1 else 0.0)
    if ranked[0] < MIN_SCORE or margin < 1.0:
        return Verdict(None, "cues", ranked[0], tuple(hits[best]))
    return Verdict(best, "cues", ranked[0], tuple(hits[best]))


#: "What you'll build", "You will own": the future of a verb that is not having or getting
_YOU_WILL_DO = re.compile(
    r"\b(?:you'll|you will|you'd|you would)(?: be)? (?!bring|need|have|get|love|learn|gain|enjoy|receive|"
    r"be\b|join|find|like|thrive|fit|help)[a-z]+",
)


def _score(key: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    tokens = set(key.split())
    padded = f" {key} "
    scores: dict[str, float] = {}
    hits: dict[str, list[str]] = {name: [] for name in _CUES}
    if _YOU_WILL_DO.search(key):
        scores["responsibilities"] = 2.0
        hits["responsibilities"].append("you'll <verb>")
    for cue in sorted(_matching_cues(tokens, padded)):
        scores[cue.field] = scores.get(cue.field, 0.0) + cue.weight
        hits[cue.field].append(cue.text)
    return scores, hits


@dataclass(frozen=True, order=True)
class _Cue:
    order: int  # position in _CUES: hits are listed in table order
    field: str
    text: str
    weight: float


def _matching_cues(tokens: set[str], padded: str) -> set[_Cue]:
    """Cues found in a heading: a token starting with a stem, a whole word, a phrase (indexed:
    a heading costs a few dict lookups per token, not one test per cue)."""
    stems, words, phrases = _cue_index()
    found: set[_Cue] = set()
    for token in tokens:
        found.update(words.get(token, ()))
        for end in range(1, len(token) + 1):
            found.update(stems.get(token[:end], ()))
    found.update(cue for search, cue in phrases if search in padded)
    return found


@lru_cache(maxsize=1)
def _cue_index() -> tuple[dict[str, list[_Cue]], dict[str, list[_Cue]], list[tuple[str, _Cue]]]:
    stems: dict[str, list[_Cue]] = {}
    words: dict[str, list[_Cue]] = {}
    phrases: list[tuple[str, _Cue]] = []
    order = 0
    for name, cues in _CUES.items():
        for raw, weight in cues:
            exact, text = raw.startswith("="), raw.lstrip("=")
            cue = _Cue(order, name, text, weight)
            order += 1
            if " " in text:
                phrases.append((f" {text} " if exact else f" {text}", cue))
            else:
                (words if exact else stems).setdefault(text, []).append(cue)
    return stems, words, phrases


def is_subgroup_label(text: str) -> bool:
    """A label that groups items inside a section ("Technical", "Languages", "Ausbildung")."""
    return fold_key(text) in SUBGROUP_LABELS


# --- inline preference markers --------------------------------------------------------------

_PREFERENCE_PREFIX = re.compile(
    r"^\s*[(\[]?\s*(?:nice[\s-]to[\s-]haves?|bonus(?:\s+points?)?|preferred|preferable|desired|desirable|"
    r"optional|ideally|a plus|plus|wunschenswert|von vorteil|idealerweise|optional|atout|souhaite|"
    r"souhaitable|apprecie|un plus|valorable|se valorara|es valorara|deseable|desitjable|diferencial|"
    r"desejavel|preferenziale|preferibile|preferible|preferivel|gradito|pre|pluspunt)\s*[)\]]?\s*(?::|–|—|-|\)|\]|,)\s*",
    re.IGNORECASE,
)
_PREFERENCE_PAREN = re.compile(
    r"[(\[]\s*(?:nice[\s-]to[\s-]have|bonus|preferred|optional|a plus|plus|desirable|desired|ideally|"
    r"not required|von vorteil|wunschenswert|optional|atout|souhaite|apprecie|un plus|valorable|deseable|"
    r"desitjable|diferencial|desejavel|preferenziale|preferibile|preferible|preferivel|gradito|pre|pluspunt|"
    r"is a plus)\s*[)\]]\s*[.!]?\s*$",
    re.IGNORECASE,
)


def has_preference_marker(item: str) -> bool:
    """An item marked as optional by itself: "Preferred: …", "Bonus – …", "… (nice to have)"."""
    folded = strip_accents(typographic(item))
    return bool(_PREFERENCE_PREFIX.match(folded) or _PREFERENCE_PAREN.search(folded))


# --- lists under unknown headings -----------------------------------------------------------
#
# Item patterns are searched in every item of every unnamed list (~1 ms a page as one "\b" per
# alternative): one "\b" before the group lets the engine reject a position with one test and
# pick a branch by its first letter, which IGNORECASE would prevent; so they match lower-case
# text (``item_field`` lowers it), the stems found mid-word standing first, outside the group.

_REQ_ITEM = re.compile(
    r"erfahrung|kenntnis|\b(?:"
    r"\d+\s*\+?\s*(?:-\s*\d+\s*)?\+?\s*(?:years?|yrs?|jahre?n?|ans|anos|anys|jaar|anni|annees)\b|"
    r"(?:one|two|three|four|five|six|seven|eight|ten|several|multiple)\s+years?\b|"
    r"experience\s+(?:with|in|of|as|building|running|using)\b|proficien|familiar|knowledge of\b|"
    r"understanding of\b|degree\b|bachelor|master'?s\b|ph\.?d\b|bsc\b|msc\b|fluen|"
    r"ability to\b|able to\b|certif|licen[cs]e\b|comfortable (?:with|in)\b|track record\b|"
    r"background in\b|expertise\b|skills?\b|strong\b|solid\b|hands-on\b|experienced\b|"
    r"studium|ausbildung|abgeschlossen|fliessend|sicher(?:er|e)? umgang|"
    r"experience\b|maitrise|connaissance|diplome|bac\s*\+|experiencia|conocimiento|"
    r"titulacion|licenciatura|grado en\b|dominio\b|experiencia|coneixement|titulacio|"
    r"domini\b|conhecimento|formacao|graduacao|fluencia|ervaring|kennis\b|opleiding|"
    r"hbo\b|wo\b|beheersing|vloeiend|esperienza|conoscenza|laurea|padronanza|capacita"
    r")",
)
#: what only a requirement says: years of experience, degrees, fluency, licences
_STRONG_REQ_ITEM = re.compile(
    r"erfahrung|kenntnis|begeisterung|\b(?:"
    r"\d+\s*\+?\s*(?:-\s*\d+\s*)?\+?\s*(?:years?|yrs?|jahre?n?|ans|anos|anys|jaar|anni|annees)\b|"
    r"degree\b|bachelor|master'?s\b|ph\.?d\b|bsc\b|msc\b|fluen|proficien|familiar|"
    r"experience (?:with|in|of)\b|knowledge of\b|certifi|licen[cs]e[ds]?\b|studium|abgeschlossen|"
    r"diplom|laurea|titulacio|licenciatura|graduacao|hbo\b|fliessend|vloeiend|"
    r"ausbildung|bereitschaft"
    r")",
)
_BENEFIT_ITEM = re.compile(
    r"gratis|gratuit|kostenlos|\b(?:"
    r"free\b|gratuito|insurance|health|medical|dental|vision\b|"
    r"pto\b|vacation|holiday|paid time off|"
    r"leave\b|pension|40[13]\s*\(?[kb]\)?|equity|stock|options\b|bonus|salary|budget|"
    r"allowance|stipend|gym\b|wellness|wellbeing|lunch|meals?\b|days? off\b|retreat|"
    r"cycle|bike|discount|commut|childcare|parental|flexible|remote|home office|"
    r"sabbatical|days? (?:of|per)\b|competitive|urlaub|gehalt|vergutung|altersvorsorge|"
    r"homeoffice|jobrad|weiterbildung|zuschuss|mutuelle|conges|teletravail|tickets? resto|"
    r"prime\b|rtt\b|salaire|seguro|vacaciones|teletrabajo|salario|retribucion|"
    r"assegurança|assegurance|vacances|teletreball|plano de saude|vale\b|ferias|bonus|"
    r"pensioen|vakantie|salaris|thuiswerk|reiskosten|leaseauto|buoni pasto|welfare|"
    r"assicurazion|ferie\b|smart working|ral\b|premio"
    r")",
)
#: first words that make an item a task ("Build…", "Own…", "Entwicklung…", "Développer…")
_TASK_VERBS = frozenset((
    "build analyse analyze architect assist audit automate coach collaborate communicate conduct contribute "
    "coordinate create debug define deliver deploy design develop document drive educate ensure establish "
    "evaluate execute facilitate guide handle help identify implement improve inspect investigate keep lead "
    "maintain make manage mentor migrate monitor negotiate operate optimise optimize organise organize own "
    "pair partner perform plan prepare present prioritize process produce prototype provide rebuild "
    "recruit refactor report represent research resolve respond review run scale schedule serve set "
    "shape ship solve source speak storyboard support take test track train translate triage troubleshoot "
    "turn update work write answer greet cook clean deliver drive sell negotiate teach care administer "
    "coordinate process promote grow launch"
).split())
#: "Du baust…", "Je beantwoordt…", "Tu développeras…", "You'll lead…" (not "you have", "du bist")
_PRONOUN_TASK = re.compile(
    r"^(?:du|je|jij|tu|vous|you'll|you will|sie|ty)\s+(?!hast|bist|hebt|bent|heeft|as|es|avez|etes|have|are|"
    r"haben|sind|sprichst|spreekt|parles|parlez|kannst|kan|can|beheers|beherrschst|verfugst|besitzt|"
    r"bringst|denkst|arbeitest gerne|magst|liebst|hast)[a-z]+",
)
_ROMANCE_INFINITIVE = re.compile(r"^[a-z]{4,}(?:ar|er|ir|re|are|ere|ire)$")
_ENGLISH_ER = frozenset("master other either under computer never after over rather better ever".split())
_GERMAN_TASK = re.compile(r"^[a-z]{4,}(?:ung|ierung)$")


def classify_items(items: Sequence[str]) -> Verdict:
    """The field a list of items reads as, or None when no field is clear (then: description)."""
    if not items:
        return NONE
    votes = {"requirements": 0, "responsibilities": 0, "benefits": 0}
    for item in items:
        field = item_field(item)
        if field:
            votes[field] += 1
    best = max(votes, key=lambda name: votes[name])
    share = votes[best] / len(items)
    if votes[best] >= min(2, len(items)) and share >= MIN_ITEM_SHARE:
        return Verdict(best, "items", round(share, 2), (f"{votes[best]}/{len(items)} items",))
    return Verdict(None, "items", round(share, 2), (f"{votes[best]}/{len(items)} items",))


def item_field(item: str) -> str | None:
    """What one item reads as: a requirement, a task or a benefit (None: can't tell)."""
    folded = strip_accents(typographic(item)).lower()
    first = (_TOKEN.findall(folded) or [""])[0]
    if _STRONG_REQ_ITEM.search(folded):  # "Speak fluent German": the fluency decides, not the verb
        return "requirements"
    if _is_task_word(first) or _PRONOUN_TASK.match(folded):
        return "responsibilities"
    # "ı" is the one letter left after lower() that case-insensitive matching read as "i"
    words = folded.replace("ı", "i")
    if _BENEFIT_ITEM.search(words) and not _REQ_ITEM.search(words):
        return "benefits"
    if _REQ_ITEM.search(words):
        return "requirements"
    return None


def _is_task_word(word: str) -> bool:
    if word in _TASK_VERBS or (word.endswith("s") and word[:-1] in _TASK_VERBS):
        return True
    if word.endswith("ing") and (word[:-3] in _TASK_VERBS or word[:-3] + "e" in _TASK_VERBS):
        return True
    if _GERMAN_TASK.match(word):
        return True
    return bool(_ROMANCE_INFINITIVE.match(word)) and word not in _ENGLISH_ER
