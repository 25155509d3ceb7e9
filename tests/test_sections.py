"""The shared section extractor: headings, bullets, description text, related jobs."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from jobtrail.crawler.extract.sections import Sections, apply_sections, extract_sections, plain_text
from jobtrail.crawler.items import Posting, RelatedJob


@pytest.mark.parametrize(
    "heading",
    [
        "<h2>Requirements</h2>",
        "<h5>Requirements</h5>",
        "<p><strong>Requirements</strong></p>",
        "<div> <b>Requirements</b> </div>",
        "<p>Requirements:</p>",
        "<div>Requirements:</div>",
    ],
)
def test_every_heading_style_starts_a_section(heading: str) -> None:
    sections = extract_sections(f"<p>Intro.</p>{heading}<ul><li>Python</li><li>SQL</li></ul>")
    assert sections.requirements == ["Python", "SQL"]
    assert sections.description == "Intro."


@pytest.mark.parametrize(
    "bullets",
    [
        "<p>• Python<br>• SQL</p>",
        "<p>●&nbsp;Python</p><p>●&nbsp;SQL</p>",
        "<p>- Python</p><p>- SQL</p>",
        "<p>* Python<br>*   SQL</p>",
        "<p>– Python<br>– SQL</p>",
        "<li>Python</li><li>SQL</li>",
        "<ol><li> Python </li><li>\nSQL\n</li></ol>",
        "<div>•Python\n•SQL</div>",
    ],
)
def test_every_bullet_style_gives_items(bullets: str) -> None:
    assert extract_sections(f"<h3>What you bring</h3>{bullets}").requirements == ["Python", "SQL"]


def test_mapped_section_without_bullets_takes_each_paragraph() -> None:
    sections = extract_sections("<h2>Benefits</h2><p>Free lunch</p><p>Gym   membership</p>")
    assert sections.benefits == ["Free lunch", "Gym membership"]
    assert sections.description is None


def test_paragraphs_beside_bullets_stay_in_the_description() -> None:
    html = "<h2>Requirements</h2><p>We ask for this:</p><ul><li>Go</li></ul><p>Not every box must be ticked.</p>"
    sections = extract_sections(html)
    assert sections.requirements == ["Go"]
    assert sections.description == "We ask for this:\n\nNot every box must be ticked."


def test_unmapped_sections_keep_heading_and_bullets_in_description() -> None:
    html = (
        "<p>We are   hiring.\n More text.</p><h2>About us</h2><p>We make maps.</p>"
        "<ul><li>Founded 2010</li><li>40 people</li></ul><h2>Responsibilities</h2><ul><li>Draw maps</li></ul>"
    )
    sections = extract_sections(html)
    assert sections.description == (
        "We are hiring. More text.\n\nAbout us\n\nWe make maps.\n\n- Founded 2010\n- 40 people"
    )
    assert sections.responsibilities == ["Draw maps"]


def test_sub_headings_and_lead_ins_do_not_end_a_section() -> None:
    html = (
        "<h2>Requirements</h2><h4>Technical</h4><ul><li>Rust</li></ul><h4>Personal</h4><ul><li>Curiosity</li></ul>"
        "<h2>How we hire</h2><ul><li>Two interviews</li></ul>"
    )
    sections = extract_sections(html)
    assert sections.requirements == ["Rust", "Curiosity"]
    assert sections.description == "How we hire\n\n- Two interviews"  # group labels are no text


def test_whitespace_entities_and_duplicates() -> None:
    html = (
        "<h2>Nice to have</h2><ul><li>C&amp;C++&nbsp;skills</li><li>  </li><li>C&amp;C++ skills</li>"
        "<li>Zero\u200bwidth</li><li>caf&eacute;</li></ul>"
    )
    assert extract_sections(html).nice_to_have == ["C&C++ skills", "Zerowidth", "café"]


def test_related_jobs_are_links_with_absolute_urls() -> None:
    html = (
        "<h2>Related Jobs</h2><ul><li><a href='/jobs/1'>Data Engineer</a></li>"
        "<li><a href='https://other.example/jobs/2'>IT Engineer</a></li><li><a href='/jobs/1'>Data Engineer</a></li>"
        "<li><a href='#'>Top</a></li><li><a href='mailto:x@y.z'>Mail us</a></li></ul>"
    )
    sections = extract_sections(html, "https://example.com/careers/backend")
    assert sections.related_jobs == [
        RelatedJob(title="Data Engineer", url="https://example.com/jobs/1"),
        RelatedJob(title="IT Engineer", url="https://other.example/jobs/2"),
    ]


def test_related_job_cards_take_the_heading_inside_the_link() -> None:
    html = "<h2>Similar jobs</h2><a href='/jobs/9'><h3>QA Lead</h3><p>Remote</p></a>"
    assert extract_sections(html, "https://example.com/").related_jobs == [
        RelatedJob(title="QA Lead", url="https://example.com/jobs/9"),
    ]


def test_page_chrome_is_dropped() -> None:
    html = (
        "<header><h2>Requirements</h2><li>Header item</li></header><nav>Menu</nav><script>var x = 1;</script>"
        "<style>p {}</style><noscript>Enable JS</noscript><form><p>Your name</p></form>"
        "<p>Body text.</p><footer>Footer</footer>"
    )
    sections = extract_sections(html)
    assert sections == Sections(description="Body text.")


def test_drop_selectors_and_title_h1() -> None:
    html = "<h1>Backend Developer</h1><div class='share'>Share on X</div><p>Hello.</p>"
    assert extract_sections(html, drop_selectors=[".share"], title="backend  developer").description == "Hello."
    assert extract_sections(html).description == "Backend Developer\n\nShare on X\n\nHello."


def test_plain_text_input_with_line_structure() -> None:
    text = "We build boats.\n\nRequirements:\n- Sailing\n- Welding\n\nBenefits:\nA boat"
    sections = extract_sections(text)
    assert sections.requirements == ["Sailing", "Welding"]
    assert sections.benefits == ["A boat"]
    assert sections.description == "We build boats."


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "\x00\x01\ufffd", "<ul><li></li></ul>", "<p>\u200b</p>"])
def test_empty_or_junk_input_gives_empty_sections(html: str) -> None:
    assert extract_sections(html) == Sections()


def test_a_lone_angle_bracket_is_text() -> None:
    assert extract_sections("a < b").description == "a < b"


def test_bold_sentence_and_long_colon_lines_are_not_headings() -> None:
    long_line = "We encourage you to apply even if you do not meet every single one of the listed requirements:"
    html = f"<h2>Benefits</h2><ul><li>Bikes</li></ul><p><b>We reply to everyone.</b></p><p>{long_line}</p>"
    sections = extract_sections(html)
    assert sections.benefits == ["Bikes"]
    assert sections.description == f"We reply to everyone.\n\n{long_line}"


def test_plain_text_of_an_element() -> None:
    soup = BeautifulSoup("<div id=d><p>One</p><ul><li>a</li><li>b</li></ul><p>Two<br>Three</p></div>", "lxml")
    assert plain_text(soup.select_one("#d")) == "One\n\n- a\n- b\n\nTwo\n\nThree"


def test_apply_sections_fills_only_empty_fields() -> None:
    posting = Posting(source="s", external_id="1", url="u", title="t", description="Kept", benefits=["Kept"])
    sections = Sections(
        description="New", requirements=["R"], benefits=["B"], related_jobs=[RelatedJob("J", "https://j")],
    )
    apply_sections(posting, sections)
    assert (posting.description, posting.requirements, posting.benefits) == ("Kept", ["R"], ["Kept"])
    assert posting.related_jobs == [RelatedJob("J", "https://j")]
    posting.requirements.append("mutated")
    assert sections.requirements == ["R"]  # lists are copied, not shared


def test_labels_inside_lists_scope_the_items_after_them() -> None:
    html = (
        "<h2>What you bring</h2><ul><li>Go</li><li><b>Nice to have:</b></li><li>Rust</li></ul>"
        "<h3>Skills</h3><ul><li>Must have:<ul><li>SQL</li></ul></li><li>Bonus<ul><li>dbt</li></ul></li>"
        "<li>Preferred: Airflow</li></ul>"
    )
    sections = extract_sections(html)
    assert sections.requirements == ["Go", "SQL"]
    assert sections.nice_to_have == ["Rust", "dbt", "Preferred: Airflow"]
    assert sections.description is None  # labels are structure, not text


def test_unknown_heading_lists_are_read_from_items_or_kept() -> None:
    html = (
        "<h2>Before day one</h2><ul><li>3+ years with Terraform</li><li>A degree in physics</li></ul>"
        "<h2>Where we work</h2><ul><li>Leeds</li><li>Bristol</li></ul>"
    )
    sections = extract_sections(html)
    assert sections.requirements == ["3+ years with Terraform", "A degree in physics"]
    assert sections.description == "Before day one\n\nWhere we work\n\n- Leeds\n- Bristol"
    assert [(d.heading, d.field, d.how.split()[0].rstrip(";")) for d in sections.decisions] == [
        ("Before day one", "requirements", "items"), ("Where we work", None, "none"),
    ]


def test_prose_under_a_section_is_description() -> None:
    prose = ("We care about curiosity more than certificates. Tell us what you built and why it mattered to "
             "the people who used it, even if it was small.")
    sections = extract_sections(f"<h2>Requirements</h2><p>{prose}</p><p>Python</p><p>Patience</p>")
    assert sections.requirements == ["Python", "Patience"]
    assert sections.description == prose


def test_a_weak_heading_gives_way_to_what_its_items_clearly_say() -> None:
    html = "<h3>Extras</h3><ul><li>Free lunch on Fridays</li><li>Private health insurance</li></ul>"
    sections = extract_sections(html)
    assert (sections.benefits, sections.nice_to_have) == (["Free lunch on Fridays", "Private health insurance"], [])
    html = "<h3>Extras</h3><ul><li>Experience with Kafka</li><li>Knowledge of Rust</li></ul>"
    assert extract_sections(html).nice_to_have == ["Experience with Kafka", "Knowledge of Rust"]
