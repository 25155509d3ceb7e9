"""Which posting field a section heading introduces: the one vocabulary table.

Every extractor (careers pages and ATS descriptions alike) maps headings through
``field_for_heading``, so teaching jobtrail a new phrasing is one line here.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: field -> heading phrases, already normalized (lower case, straight apostrophes, no ":")
VOCABULARY: dict[str, tuple[str, ...]] = {
    "requirements": (
        "requirements", "basic requirements", "minimum requirements", "job requirements", "key requirements",
        "qualifications", "basic qualifications", "minimum qualifications", "required qualifications",
        "required skills", "skills", "skills and experience", "experience", "what you bring",
        "what you'll bring", "what you will bring", "what we're looking for", "what we are looking for",
        "what we look for", "who you are", "about you", "you have", "you are", "you'll have",
        "you will have", "you should have", "your profile", "your skills", "the ideal candidate",
        "the ideal candidate is expected to", "ideal candidate", "must have", "must-have", "must haves",
        "must-haves", "what you need", "what you'll need", "what you will need", "what it takes",
        "is this you", "profile", "qualifikationen", "ihr profil", "dein profil", "das bringst du mit",
        "das bringen sie mit", "anforderungen", "votre profil", "profil recherché",
    ),
    "nice_to_have": (
        "nice to have", "nice-to-have", "nice to haves", "nice-to-haves", "preferred qualifications",
        "preferred skills", "preferred", "bonus points", "bonus", "a plus", "it's a plus", "pluses",
        "extra credit", "even better if", "it would be great if", "good to have", "desirable",
        "wünschenswert", "von vorteil", "idealerweise", "plus",
    ),
    "responsibilities": (
        "responsibilities", "key responsibilities", "roles and responsibilities", "your responsibilities",
        "job responsibilities",
        "what you'll do", "what you will do", "what you'll be doing", "what you will be doing",
        "what you do", "your role", "the role", "role", "your mission", "the job", "duties", "you will", "you'll",
        "a day in the life",
        "your tasks", "tasks", "what the job involves", "day to day", "day-to-day", "in this role you will",
        "ihre aufgaben", "deine aufgaben", "aufgaben", "das erwartet dich", "vos missions", "missions",
    ),
    "benefits": (
        "benefits", "perks", "perks and benefits", "benefits and perks", "we offer", "what we offer",
        "what we provide", "what you get", "what you'll get", "what you will get", "why join us",
        "why us", "why you'll love working here", "compensation and benefits", "our offer",
        "wir bieten", "was wir bieten", "unser angebot", "das bieten wir", "avantages",
    ),
    "related_jobs": (
        "related jobs", "related positions", "related roles", "related openings", "similar jobs",
        "similar positions", "similar roles", "other openings", "other jobs", "other positions",
        "other roles", "more jobs", "more openings", "more positions", "open positions", "open roles",
        "you may also like", "weitere stellen", "ähnliche stellen",
    ),
}

#: labels of facts (accent-free, lower case): "Location:", "Salaire :", "Contrato:"; never section headings
FACT_LABELS: dict[str, tuple[str, ...]] = {
    "location": (
        "location", "locations", "where", "based in", "office", "city", "place", "standort", "ort", "arbeitsort",
        "einsatzort", "lieu", "localisation", "lieu de travail", "ville", "ubicacion", "localizacion", "lugar",
        "lugar de trabajo", "ciudad", "ubicacio", "lloc", "lloc de treball", "localitat", "localizacao", "local",
        "local de trabalho", "cidade", "locatie", "plaats", "standplaats", "werklocatie", "sede", "luogo",
        "localita", "sede di lavoro", "citta", "job location",
    ),
    "salary": (
        "salary", "pay", "compensation", "rate", "pay range", "salary range", "base salary", "wage",
        "remuneration", "gehalt", "vergutung", "salaire", "salario", "sueldo", "retribucion", "salari", "sou",
        "remuneracao", "salaris", "stipendio", "retribuzione", "ral", "hourly rate", "day rate",
    ),
    "employment_type": (
        "type", "job type", "employment type", "employment", "contract", "contract type", "commitment",
        "schedule", "hours", "anstellungsart", "beschaftigungsart", "vertragsart", "arbeitszeit", "vertrag",
        "contrat", "type de contrat", "temps de travail", "contrato", "tipo de contrato", "jornada",
        "tipus de contracte", "contracte", "regime", "regime de trabalho", "dienstverband", "contracttype",
        "uren", "contratto", "tipo di contratto", "orario", "tipo de jornada", "dedicacion", "umfang",
        "beschaftigungsumfang", "stellenumfang", "arbeitszeitmodell", "anstellung", "werktijden", "dienstverband",
    ),
    "workplace": (
        "workplace", "work model", "work mode", "remote", "arbeitsmodell", "mode de travail", "teletravail",
        "modalidad", "modalitat", "modalidade", "modelo de trabalho", "werkplek", "werkvorm",
        "modalita di lavoro", "modalita", "workplace type", "location type",
    ),
}
#: phrases too short or common to match as a heading's start ("Plus, we ..." is no section)
EXACT_ONLY: frozenset[str] = frozenset({
    "plus", "role", "experience", "profile", "bonus", "preferred", "tasks", "missions", "the job",
    "you are", "aufgaben", "ideal candidate", "desirable", "you will", "you'll",
})

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$")


def normalize_heading(text: str) -> str:
    """Lower case, straight apostrophes, folded spaces, no decoration or trailing ':'."""
    text = " ".join(text.translate(_APOSTROPHES).split()).lower()
    return _EDGE_JUNK.sub("", text)


@lru_cache(maxsize=1)
def _phrase_table() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    exact = {phrase: name for name, phrases in VOCABULARY.items() for phrase in phrases}
    prefixes = [(phrase, name) for phrase, name in exact.items() if phrase not in EXACT_ONLY]
    longest_first = tuple(sorted(prefixes, key=lambda item: -len(item[0])))
    return exact, longest_first


def is_phrase(heading: str) -> bool:
    """A normalized heading is exactly one phrase of the table (see classify.is_exact_phrase)."""
    return heading in _phrase_table()[0]


def field_for_heading(text: str) -> str | None:
    """The Posting field a heading introduces, or None when it is not a known section.

    Exact phrases win; otherwise the longest phrase the heading starts with (on a word
    boundary), so "Requirements for this role" is still requirements.
    """
    heading = normalize_heading(text)
    if not heading:
        return None
    exact, longest_first = _phrase_table()
    if heading in exact:
        return exact[heading]
    for phrase, name in longest_first:
        if heading.startswith(phrase) and not heading[len(phrase)].isalnum():
            return name
    return None
