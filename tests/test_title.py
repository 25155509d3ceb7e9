"""The posting's title and company on plain pages: the main heading, never the logo."""

from __future__ import annotations

import pytest

from jobtrail.crawler.extract.document import parse_document
from jobtrail.crawler.extract.title import company_name, find_title, read_head, strip_site, title_from_meta


def head_of(body: str, head: str = "") -> object:
    return read_head(parse_document(f"<html><head>{head}</head><body>{body}</body></html>"))


def test_logo_and_footer_h1_are_not_the_title() -> None:
    head = head_of('<header><a href="/"><h1>Acme</h1></a><nav><a href="/a">A</a></nav></header>'
                   "<main><h1>Data Engineer</h1></main><footer><h1>Acme Ltd</h1></footer>")
    assert find_title(head, ["Acme"]) == "Data Engineer"


def test_hidden_brand_h1_falls_back_to_the_h2_the_title_tag_names() -> None:
    head = head_of('<h1 class="sr-only">Nimbus</h1><main><h2>Platform Engineer</h2><h2>Benefits</h2></main>',
                   "<title>Platform Engineer \u2013 Nimbus</title>")
    assert find_title(head, ["Nimbus"]) == "Platform Engineer"


def test_aria_heading_is_a_title() -> None:
    assert find_title(head_of('<div role="heading" aria-level="1">Field Technician</div>')) == "Field Technician"


@pytest.mark.parametrize(
    ("raw", "known", "title", "company"),
    [
        ("Senior Engineer | Acme Careers", [], "Senior Engineer", "Acme"),
        ("Careers - Chef de partie - Bistro Lune", ["Bistro Lune"], "Chef de partie", "Bistro Lune"),
        ("ML Research Engineer at Driftwood Labs", [], "ML Research Engineer", "Driftwood Labs"),
        ("Registered Nurse \u2013 Night Shift \u2013 Ironbark Health", ["Ironbark Health"],
         "Registered Nurse \u2013 Night Shift", "Ironbark Health"),
        ("Backend Engineer", [], "Backend Engineer", None),
    ],
)
def test_site_part_of_a_title(raw: str, known: list[str], title: str, company: str | None) -> None:
    assert strip_site(raw, known) == (title, company)


def test_one_company_name() -> None:
    head = head_of("", '<meta property="og:site_name" content="Tinderbox Careers"><title>X | Tinder</title>')
    assert company_name(head, None, None) == "Tinderbox"
    assert company_name(head, "Tinderbox Analytics Ltd", None) == "Tinderbox Analytics Ltd"
    assert company_name(head, "Tinderbox Analytics Ltd", "Tinderbox") == "Tinderbox"
    assert title_from_meta(head_of("", "<title>Welder | Keelhaul</title>"), ["Keelhaul"]) == "Welder"
