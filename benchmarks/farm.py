"""A synthetic careers farm for benchmarks/crawl.py: companies, listings, heavy posting pages.

Each company has a listing page (links to its postings) and one page per posting of
~50-60 KB, shaped like a real careers site: a header with a mega-menu, an inline app
state blob (``__NEXT_DATA__``-style JSON with the company's whole job list, i18n strings
and feature flags), JSON-LD, the posting itself with headed sections and lists, a
"similar jobs" aside and a big footer. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
from html import escape
from pathlib import Path

WORDS = (
    "platform data cloud product mobile security payments search growth infrastructure analytics design "
    "support sales finance legal people operations marketing research reliability billing identity"
).split()
ROLES = ("Engineer", "Developer", "Analyst", "Designer", "Manager", "Scientist", "Specialist", "Lead")
LEVELS = ("", "Senior ", "Staff ", "Junior ", "Principal ")
CITIES = ("Berlin", "London", "Lisbon", "Warsaw", "Remote", "Paris", "Madrid", "Amsterdam", "Prague")
SKILLS = ("Python", "Go", "Rust", "TypeScript", "SQL", "Kubernetes", "Terraform", "Kafka", "React", "OCaml")
#: the requirement that a "changed" posting rewords
CHANGE_FROM, CHANGE_TO = "3+ years of professional experience", "5+ years of professional experience"


def company_slug(c: int) -> str:
    return f"c{c:04d}"


def posting_path(c: int, p: int) -> str:
    return f"{company_slug(c)}/jobs/{c * 1000 + p}-role.html"


#: farm variants: "default" (the pages above) and "heavy": heavier chrome (a header of 100+
#: navigation links, a 40 KB inline app-state script, ~60 KB a page) and posting bodies whose
#: headings, meta line and bullets vary the way real sites write them (the section classifier's
#: and the visible-facts reader's cost is measured too)
VARIANTS = ("default", "heavy")
#: heavy variant: (section, heading phrasings) in page order; every phrasing maps to its section
HEAVY_HEADINGS = (
    ("responsibilities", ("What you'll do", "A typical week might look like this", "2. Your mission",
                          "WHAT YOU'LL BUILD", "\U0001f680 Day-to-day")),
    ("requirements", ("Requirements", "Sound like you?", "We'd love to meet you if you\u2026",
                      "Skills & experience", "What we need")),
    ("nice_to_have", ("Nice to have", "Bonus points", "It's a plus if you also", "Even better if\u2026",
                      "Nice extras")),
    ("benefits", ("What we offer", "What's in it for you", "Perks & benefits", "Why join us?",
                  "Compensation & benefits")),
)


def generate(root: Path, companies: int, postings: int, seed: int = 7, variant: str = "default") -> None:
    """Write every page of the farm under ``root``."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown farm variant {variant!r}; one of {', '.join(VARIANTS)}")
    rng = random.Random(seed)
    for c in range(companies):
        jobs = [_job(rng, c, p) for p in range(postings)]
        shell = _heavy_shell(rng, c, jobs) if variant == "heavy" else _shell(rng, c, jobs)
        render = _heavy_posting if variant == "heavy" else _posting
        folder = root / company_slug(c) / "jobs"
        folder.mkdir(parents=True, exist_ok=True)
        (root / company_slug(c) / "careers.html").write_text(_listing(c, jobs, shell), encoding="utf-8")
        for p, job in enumerate(jobs):
            (root / posting_path(c, p)).write_text(render(rng, c, job, jobs, shell), encoding="utf-8")


def change_posting(root: Path, c: int, p: int) -> None:
    """Reword one requirement of one posting (the file is rewritten: new mtime, new ETag)."""
    path = root / posting_path(c, p)
    text = path.read_text(encoding="utf-8")
    assert CHANGE_FROM in text, path
    path.write_text(text.replace(CHANGE_FROM, CHANGE_TO, 1), encoding="utf-8")


def _job(rng: random.Random, c: int, p: int) -> dict[str, object]:
    title = f"{rng.choice(LEVELS)}{rng.choice(WORDS).title()} {rng.choice(ROLES)}"
    return {"id": c * 1000 + p, "title": title, "city": rng.choice(CITIES), "team": rng.choice(WORDS).title(),
            "path": "/" + posting_path(c, p)}


def _sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS + list(SKILLS) + ["team", "customers", "systems", "quality", "ship"])
             for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _shell(rng: random.Random, c: int, jobs: list[dict[str, object]]) -> dict[str, str]:
    """What every page of a company shares: header, app state, footer."""
    name = f"Company {c}"
    menu = "".join(
        f'<li class="menu__item"><a class="menu__link" href="/{company_slug(c)}/{w}/{k}">{w.title()} {k}</a></li>'
        for w in WORDS for k in range(4)
    )
    header = (f'<header class="site-header"><a class="logo" href="/{company_slug(c)}/">{name}</a>'
              f'<nav class="mega-menu" aria-label="Main"><ul class="menu">{menu}</ul></nav></header>')
    state = {
        "props": {"pageProps": {"company": {"id": c, "name": name, "jobs": jobs}},
                  "i18n": {f"key.{w}.{k}": _sentence(rng, 6) for w in WORDS for k in range(16)},
                  "flags": {f"feature_{k}": k % 3 == 0 for k in range(200)}},
        "buildId": f"build-{rng.randrange(10**9)}", "page": "/careers/[id]",
    }
    app_state = ('<script id="__NEXT_DATA__" type="application/json">'
                 + escape(json.dumps(state), quote=False) + "</script>")
    links = "".join(f'<li><a href="/{company_slug(c)}/about/{w}-{k}">{w.title()} {k}</a></li>'
                    for w in WORDS for k in range(3))
    footer = (f'<footer class="site-footer"><ul class="footer-links">{links}</ul>'
              f"<p>&copy; 2025 {name}. All rights reserved.</p></footer>")
    return {"name": name, "header": header, "app_state": app_state, "footer": footer}


def _page(title: str, shell: dict[str, str], body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta property="og:site_name" content="{shell["name"]}">{head}</head><body>'
            f'{shell["header"]}{body}{shell["footer"]}{shell["app_state"]}</body></html>')


def _listing(c: int, jobs: list[dict[str, object]], shell: dict[str, str]) -> str:
    items = "".join(f'<li class="job"><a href="{job["path"]}">{escape(str(job["title"]))}</a>'
                    f'<span class="loc">{job["city"]}</span></li>' for job in jobs)
    body = f'<main><h1>Open positions at {shell["name"]}</h1><ul class="jobs">{items}</ul></main>'
    return _page(f"Careers - {shell['name']}", shell, body)


def _posting(rng: random.Random, c: int, job: dict[str, object], jobs: list[dict[str, object]],
             shell: dict[str, str]) -> str:
    def bullets(n: int) -> str:
        return "".join(f"<li>{_sentence(rng, 10)}</li>" for _ in range(n))

    skills = rng.sample(SKILLS, 3)
    requirements = (f"<li>{CHANGE_FROM}</li><li>Good knowledge of {skills[0]} or {skills[1]}</li>"
                    f"<li>Experience with {skills[2]} in production</li>{bullets(3)}")
    jsonld = {"@context": "https://schema.org", "@type": "JobPosting", "title": job["title"],
              "identifier": {"@type": "PropertyValue", "value": str(job["id"])},
              "hiringOrganization": {"@type": "Organization", "name": shell["name"]},
              "jobLocation": {"@type": "Place", "address": {"addressLocality": job["city"]}},
              "datePosted": "2025-06-01", "employmentType": "FULL_TIME",
              "description": _sentence(rng, 30)}
    head = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
    about = "".join(f"<p>{_sentence(rng, 40)}</p>" for _ in range(3))
    similar = _similar(rng, job, jobs)
    body = (
        f'<main><article class="posting"><h1>{escape(str(job["title"]))}</h1>'
        f'<p class="meta">{job["team"]} &middot; {job["city"]} &middot; Full-time</p>'
        f"<h2>About the role</h2>{about}"
        f"<h2>What you'll do</h2><ul>{bullets(6)}</ul>"
        f"<h2>Requirements</h2><ul>{requirements}</ul>"
        f"<h2>Nice to have</h2><ul>{bullets(3)}</ul>"
        f"<h2>What we offer</h2><ul>{bullets(5)}</ul>"
        f'<a class="apply" href="/{company_slug(c)}/apply/{job["id"]}">Apply now</a></article></main>'
        f'<aside class="similar"><h2>Similar jobs</h2><ul>{similar}</ul></aside>'
    )
    return _page(f"{job['title']} - {shell['name']}", shell, body, head)


def _similar(rng: random.Random, job: dict[str, object], jobs: list[dict[str, object]]) -> str:
    return "".join(f'<li><a href="{other["path"]}">{escape(str(other["title"]))}</a></li>'
                   for other in rng.sample(jobs, min(6, len(jobs))) if other is not job)


def _heavy_shell(rng: random.Random, c: int, jobs: list[dict[str, object]]) -> dict[str, str]:
    """The default shell with a 120-link mega-menu and a ~40 KB app state."""
    shell = _shell(rng, c, jobs)
    name = shell["name"]
    menu = "".join(
        f'<li class="menu__item"><a class="menu__link" href="/{company_slug(c)}/{w}/{k}">{w.title()} {k}</a></li>'
        for w in WORDS for k in range(6)
    )
    shell["header"] = (f'<header class="site-header"><a class="logo" href="/{company_slug(c)}/"><h1 class="sr-only">'
                       f'{name}</h1></a><nav class="mega-menu" aria-label="Main"><ul class="menu">{menu}</ul></nav>'
                       "</header>")
    state = {
        "props": {"pageProps": {"company": {"id": c, "name": name, "jobs": jobs}},
                  "i18n": {f"key.{w}.{k}": _sentence(rng, 7) for w in WORDS for k in range(19)},
                  "flags": {f"feature_{k}": k % 3 == 0 for k in range(300)}},
        "buildId": f"build-{rng.randrange(10**9)}", "page": "/careers/[id]",
    }
    shell["app_state"] = ('<script id="__NEXT_DATA__" type="application/json">'
                          + escape(json.dumps(state), quote=False) + "</script>")
    return shell


def _heavy_posting(rng: random.Random, c: int, job: dict[str, object], jobs: list[dict[str, object]],
                   shell: dict[str, str]) -> str:
    """A posting page of the heavy variant: varied headings (h2, bold paragraphs, plain lead lines),
    a meta line with workplace, type and a salary range, and no JSON-LD to lean on."""
    def bullets(n: int) -> str:
        return "".join(f"<li>{_sentence(rng, 10)}</li>" for _ in range(n))

    skills = rng.sample(SKILLS, 3)
    lists = {
        "responsibilities": bullets(6),
        "requirements": (f"<li>{CHANGE_FROM}</li><li>Good knowledge of {skills[0]} or {skills[1]}</li>"
                         f"<li>Experience with {skills[2]} in production</li>{bullets(3)}"),
        "nice_to_have": bullets(3),
        "benefits": bullets(5),
    }
    body_sections = ""
    for index, (section, phrasings) in enumerate(HEAVY_HEADINGS):
        heading = escape(rng.choice(phrasings))
        style = (index + int(job["id"])) % 3  # type: ignore[call-overload]
        if style == 0:
            body_sections += f"<h2>{heading}</h2><ul>{lists[section]}</ul>"
        elif style == 1:
            body_sections += f"<p><strong>{heading}</strong></p><ul>{lists[section]}</ul>"
        else:
            body_sections += (f'<div class="section"><h3 class="section__title">{heading}</h3>'
                              f"<ul>{lists[section]}</ul></div>")
    low = rng.randrange(50, 120) * 1000
    workplace = rng.choice(("Remote", "Hybrid", "On-site"))
    about = "".join(f"<p>{_sentence(rng, 40)}</p>" for _ in range(3))
    similar = _similar(rng, job, jobs)
    body = (
        f'<main><article class="posting"><h1>{escape(str(job["title"]))}</h1>'
        f'<p class="meta">{job["city"]} &middot; {workplace} &middot; Full-time &middot; '
        f"\u20ac{low:,} \u2013 \u20ac{low + 20000:,} per year</p>"
        f"{about}{body_sections}"
        f'<a class="apply" href="/{company_slug(c)}/apply/{job["id"]}">Apply now</a></article></main>'
        f'<aside class="similar"><h2>Similar jobs</h2><ul>{similar}</ul></aside>'
    )
    return _page(f"{job['title']} | {shell['name']} Careers", shell, body)
