"""Recruitee careers API: one request, every offer, requirements as their own HTML.

``GET https://{company}.recruitee.com/api/offers/`` -> ``{"offers": [...]}``.
``description`` and ``requirements`` are separate HTML fields: the requirements field
is the requirements section even when it carries no heading of its own.
"""

from __future__ import annotations

import re
from typing import Any

from jobtrail.crawler.extract import ats
from jobtrail.crawler.extract.base import ExtractError, Page, Parsed
from jobtrail.crawler.items import Posting
from jobtrail.crawler.sources.config import SourceConfig


class Recruitee(ats.ApiKind):
    key = "recruitee"
    api_template = "https://{b}.recruitee.com/api/offers/"

    def match_board(self, host: str, path: str, query: dict[str, list[str]]) -> ats.BoardMatch:
        m = re.fullmatch(r"([a-z0-9\-]+)\.recruitee\.com", host)
        return (m[1], {}) if m and m[1] not in {"www", "api", "app", "blog", "support", "help"} else None

    def parse(self, page: Page, source: SourceConfig) -> Parsed:
        data = ats.require(ats.read_json(page, self.key), self.key, "expected an object with 'offers'")
        if "offer" in data and isinstance(data["offer"], dict):  # one saved offer
            return Parsed(postings=[posting(data["offer"], source)])
        offers = ats.require(data.get("offers"), self.key, "'offers' is not a list", list)
        return Parsed(postings=[posting(offer, source) for offer in ats.items(offers)])


def posting(offer: dict[str, Any], source: SourceConfig) -> Posting:
    if offer.get("id") is None or not ats.text(offer.get("title")):
        raise ExtractError("recruitee: an offer without 'id' or 'title'")
    places = [ats.place(loc.get("city"), loc.get("state"), loc.get("country"))
              for loc in ats.items(offer.get("locations"))]
    pay = ats.obj(offer.get("salary"))
    result = Posting(
        source=source.name,
        external_id=str(offer["id"]),
        url=ats.text(offer.get("careers_url")) or "",
        title=ats.text(offer["title"]) or "",
        company=source.company or ats.text(offer.get("company_name")),
        locations=ats.unique(places or [offer.get("location") or ats.place(offer.get("city"), offer.get("country"))]),
        department=ats.text(offer.get("department")),
        employment_type=ats.employment_type(offer.get("employment_type_code")),
        workplace=_workplace(offer),
        salary=ats.salary(pay.get("min"), pay.get("max"), pay.get("currency"), pay.get("period")),
        date_posted=ats.iso_date(offer.get("published_at") or offer.get("created_at")),
    )
    ats.add_html(result, offer.get("description"))
    ats.add_section(result, None, offer.get("requirements"), default="requirements")
    return result


def _workplace(offer: dict[str, Any]) -> str | None:
    if offer.get("hybrid") is True:
        return "hybrid"
    if offer.get("remote") is True:
        return "remote"
    return "onsite" if offer.get("on_site") is True else None


KIND = Recruitee()
