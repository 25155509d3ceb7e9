"""pipelines/format.py: the one way salaries, moments and locations read everywhere."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from jobtrail.pipelines import format as fmt


@pytest.mark.parametrize(("salary", "expected"), [
    ({"min": 70000, "max": 90000, "currency": "EUR", "interval": "year"}, "70,000\u201390,000 EUR/year"),
    ({"min": 60000, "currency": "USD"}, "60,000 USD"),
    ({"max": 45.5, "interval": "hour"}, "45.50/hour"),
    ({"min": 5000, "max": 5000, "currency": "GBP", "interval": "month"}, "5,000 GBP/month"),
    ({"currency": "CHF"}, "? CHF"),
    (None, None),
    ({}, None),
])
def test_salary(salary: dict | None, expected: str | None) -> None:
    assert fmt.salary(salary) == expected


def test_value_formats_salary_and_lists_never_raw_json() -> None:
    assert fmt.value("salary", {"min": 1200, "max": 1500, "currency": "EUR", "interval": "month"}) == \
        "1,200\u20131,500 EUR/month"
    assert fmt.value("locations", ["Lyon", "Remote"]) == "Lyon, Remote"
    assert fmt.value("title", None) == "(none)"


def test_locations_keep_order_and_drop_duplicates() -> None:
    assert fmt.locations(["Oslo", "", "Bergen", "Oslo"]) == "Oslo, Bergen"


def test_iso_always_has_t_and_offset() -> None:
    naive = datetime(2026, 3, 1, 9, 30)  # SQLite hands these back; they are UTC
    assert fmt.iso(naive) == "2026-03-01T09:30:00+00:00"
    plus_two = datetime(2026, 3, 1, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    assert fmt.iso(plus_two) == "2026-03-01T09:30:00+00:00"
    assert fmt.iso(None) is None
    assert json.loads(json.dumps({"at": naive}, default=fmt.json_default)) == {"at": "2026-03-01T09:30:00+00:00"}
    assert fmt.json_default(date(2026, 3, 1)) == "2026-03-01"


def test_when_and_duration() -> None:
    assert fmt.when(datetime(2026, 3, 1, 9, 30, 59, tzinfo=UTC)) == "2026-03-01 09:30"
    assert fmt.when(None) == "-"
    assert [fmt.duration(s) for s in (5, 600, 3600 * 6 + 60 * 5, 86400 * 2 + 3600 * 3)] == \
        ["5s", "10m", "6h 5m", "2d 3h"]
