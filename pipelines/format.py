"""One way to show a salary, a moment, a location list or a field value — everywhere.

The terminal (crawler/cli), the digest (pipelines/alerts/render.py) and the web pages all
call these, so "70,000–90,000 EUR/year" reads the same in a table, an e-mail and a browser,
and every JSON timestamp is ISO 8601 with ``T`` and an offset. Pure functions, stdlib only:
cheap to import from the CLI's start-up path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

#: what a missing value reads as in a diff ("(none) → 70,000 EUR/year")
NONE = "(none)"


def salary(value: Mapping[str, Any] | None) -> str | None:
    """'70,000–90,000 EUR/year', '60,000 USD', '45/hour'; None when there is no salary at all."""
    if not value:
        return None
    amounts = [value.get("min"), value.get("max")]
    if amounts[0] is not None and amounts[0] == amounts[1]:
        amounts = [amounts[0]]
    span = "\u2013".join(_amount(n) for n in amounts if n is not None)
    currency = value.get("currency") or ""
    interval = value.get("interval")
    text = " ".join(part for part in (span or "?", currency) if part)
    return f"{text}/{interval}" if interval else text


def _amount(number: float | int | str) -> str:
    try:
        number = float(number)
    except (TypeError, ValueError):
        return str(number)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def locations(values: Sequence[str] | None) -> str:
    """'Berlin, Remote (EU)' — the order the posting lists them, duplicates dropped."""
    return ", ".join(dict.fromkeys(v for v in values or () if v))


def utc(moment: datetime) -> datetime:
    """The same instant as an aware UTC datetime (SQLite hands back naive ones, meant as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime | date | None) -> str | None:
    """ISO 8601 for JSON: '2026-03-01T09:30:00+00:00' (always ``T`` and an offset)."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        return moment.isoformat()
    return utc(moment).isoformat()


def when(moment: datetime | None) -> str:
    """Short UTC time for tables and digests: '2026-03-01 09:30'."""
    return utc(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def day(moment: datetime | None) -> str:
    """A date for prose: '2026-03-01' (UTC)."""
    return utc(moment).strftime("%Y-%m-%d") if moment is not None else "-"


def lifecycle(status: str | None, first_seen: datetime | None, last_seen: datetime | None,
              closed_at: datetime | None) -> str:
    """'open since 2026-03-01, last seen 2026-03-05 09:30' or 'closed on 2026-03-05 (open since 2026-03-01)'."""
    if status == "closed":
        return f"closed on {day(closed_at or last_seen)} (open since {day(first_seen)})"
    return f"open since {day(first_seen)}, last seen {when(last_seen)} UTC"


def duration(seconds: float) -> str:
    """'45s', '12m', '6h', '2d 3h' — how long until a source is due, how long a run took."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours}h" + (f" {minutes}m" if minutes else "")
    days, hours = divmod(seconds // 3600, 24)
    return f"{days}d" + (f" {hours}h" if hours else "")


def value(field: str, item: Any) -> str:
    """A field's value in a diff or a table: salaries and locations formatted, never raw JSON."""
    if item is None or item == "" or item == [] or item == {}:
        return NONE
    if field == "salary" and isinstance(item, Mapping):
        return salary(item) or NONE
    if isinstance(item, list):
        return ", ".join(str(v) for v in item)
    if isinstance(item, Mapping):
        return json.dumps(item, ensure_ascii=False, sort_keys=True)
    return str(item)


def json_default(item: Any) -> Any:
    """``json.dumps(default=...)``: datetimes as ISO 8601 with ``T`` and offset, the rest as text."""
    if isinstance(item, datetime | date):
        return iso(item)
    if isinstance(item, set | frozenset | tuple):
        return list(item)
    return str(item)
