"""ATS detection: from ATS URLs, and from saved careers pages that embed or link to a board."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobtrail.crawler.sources.detect import Detection, api_url, detect_source, detect_url, kind_from_url, source_api_url

PAGES = Path(__file__).parent / "fixtures" / "detect"
CAREERS = "https://www.example.com/careers"


@pytest.mark.parametrize(
    ("page", "kind", "board", "api"),
    [
        ("greenhouse-embed.html", "greenhouse", "northwind",
         "https://boards-api.greenhouse.io/v1/boards/northwind/jobs?content=true&pay_transparency=true"),
        ("greenhouse-iframe-escaped.html", "greenhouse", "brightlabs",
         "https://boards-api.greenhouse.io/v1/boards/brightlabs/jobs?content=true&pay_transparency=true"),
        ("lever-links.html", "lever", "kestrel", "https://api.lever.co/v0/postings/kestrel?mode=json&skip=0&limit=100"),
        ("lever-eu.html", "lever", "fjordpay", "https://api.eu.lever.co/v0/postings/fjordpay?mode=json&skip=0&limit=100"),
        ("ashby-embed.html", "ashby", "lumen", "https://api.ashbyhq.com/posting-api/job-board/lumen?includeCompensation=true"),
        ("workable.html", "workable", "harbourline",
         "https://apply.workable.com/api/v1/widget/accounts/harbourline?details=true"),
        ("smartrecruiters.html", "smartrecruiters", "VelaMobility",
         "https://api.smartrecruiters.com/v1/companies/VelaMobility/postings?limit=100&offset=0"),
        ("recruitee.html", "recruitee", "brightfield", "https://brightfield.recruitee.com/api/offers/"),
        ("personio.html", "personio", "alpenblick", "https://alpenblick.jobs.personio.de/xml?language=en"),
        ("workday.html", "workday", "granite.wd5/Careers",
         "https://granite.wd5.myworkdayjobs.com/wday/cxs/granite/Careers/jobs"),
        ("mixed.html", "greenhouse", "northwind",
         "https://boards-api.greenhouse.io/v1/boards/northwind/jobs?content=true&pay_transparency=true"),
    ],
)
def test_detects_the_board_a_careers_page_embeds(page: str, kind: str, board: str, api: str) -> None:
    html = (PAGES / page).read_text(encoding="utf-8")
    assert detect_source(CAREERS, html) == Detection(kind, board, api)


def test_a_page_without_an_ats_is_a_page_source() -> None:
    html = (PAGES / "plain-careers.html").read_text(encoding="utf-8")
    assert detect_source(CAREERS, html) == Detection("page", None, CAREERS)
    assert detect_source(CAREERS, None) == Detection("page", None, CAREERS)
    assert detect_source(CAREERS, "<html><body><p>unclosed <a href='//") == Detection("page", None, CAREERS)


@pytest.mark.parametrize(
    ("url", "kind", "board"),
    [
        ("https://boards.greenhouse.io/northwind", "greenhouse", "northwind"),
        ("https://job-boards.greenhouse.io/northwind/jobs/4012345", "greenhouse", "northwind"),
        ("https://boards-api.greenhouse.io/v1/boards/northwind/jobs", "greenhouse", "northwind"),
        ("https://jobs.lever.co/palantir", "lever", "palantir"),
        ("https://jobs.lever.co/palantir/5c1a8f3e-2b7d-4e0a-9d51-7a0f6c3b2e11/apply", "lever", "palantir"),
        ("https://api.eu.lever.co/v0/postings/fjordpay?mode=json", "lever", "fjordpay"),
        ("https://jobs.ashbyhq.com/lumen/0b7c2f1e-5d44-4a7b-b0a3-3f1d2e8c9a01", "ashby", "lumen"),
        ("https://apply.workable.com/harbourline/j/4F1C2A9B7E/", "workable", "harbourline"),
        ("https://harbourline.workable.com/", "workable", "harbourline"),
        ("https://careers.smartrecruiters.com/VelaMobility", "smartrecruiters", "VelaMobility"),
        ("https://api.smartrecruiters.com/v1/companies/VelaMobility/postings", "smartrecruiters", "VelaMobility"),
        ("https://brightfield.recruitee.com/o/backend-developer-php", "recruitee", "brightfield"),
        ("https://alpenblick.jobs.personio.com/job/1198432", "personio", "alpenblick"),
        ("https://granite.wd5.myworkdayjobs.com/Careers", "workday", "granite.wd5/Careers"),
        ("https://granite.wd1.myworkdayjobs.com/wday/cxs/granite/Careers/jobs", "workday", "granite.wd1/Careers"),
    ],
)
def test_detects_ats_urls(url: str, kind: str, board: str) -> None:
    found = detect_url(url)
    assert found is not None and (found.kind, found.board) == (kind, board)
    assert kind_from_url(url) == kind


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/careers", "https://apply.workable.com/j/4F1C2A9B7E", "https://www.recruitee.com/",
        "https://greenhouse.io/blog", "not a url", "", "https://[broken/",
    ],
)
def test_other_urls_are_not_ats(url: str) -> None:
    assert detect_url(url) is None
    assert kind_from_url(url) is None


def test_personio_keeps_its_domain() -> None:
    found = detect_url("https://alpenblick.jobs.personio.com/")
    assert found is not None and found.api_url == "https://alpenblick.jobs.personio.com/xml?language=en"


def test_source_api_url_prefers_board_then_public_url_then_url_as_is() -> None:
    assert source_api_url("ashby", None, "lumen") == api_url("ashby", "lumen")
    assert source_api_url("lever", "https://jobs.eu.lever.co/fjordpay", None).startswith("https://api.eu.lever.co/")
    local = "http://127.0.0.1:8080/v1/boards/acme/jobs?content=true"
    assert source_api_url("greenhouse", local, None) == local
    with pytest.raises(ValueError, match="tenant.wd5/SiteName"):
        api_url("workday", "granite")
