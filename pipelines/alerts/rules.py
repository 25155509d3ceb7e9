"""Which changes a channel wants: pure functions over (channel, change kind, diff, source).

``on`` lists change kinds (new, changed, closed, reopened), diff field names
(requirements, related_jobs, title, salary, locations, ...) or ``any``. A ``changed``
change matches when one of its diff fields is listed (or ``changed`` itself); a
``reopened`` change matches on ``reopened`` or on a listed field that changed with it.
``sources`` and ``tags`` narrow further; when both are given, both must hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jobtrail.pipelines.alerts.config import Channel


def wants_change(on: frozenset[str], kind: str, diff: Mapping[str, Any] | None) -> bool:
    """Does a channel listening to ``on`` care about a change of ``kind`` with ``diff``?"""
    if "any" in on or kind in on:
        return True
    if kind in ("changed", "reopened"):
        return bool(on.intersection(diff or {}))
    return False


def wants_source(channel: Channel, source: str, source_tags: Iterable[str]) -> bool:
    if channel.sources and source not in channel.sources:
        return False
    return not channel.tags or bool(channel.tags.intersection(source_tags))


def matching_channels(
    channels: Iterable[Channel], kind: str, diff: Mapping[str, Any] | None, source: str,
    source_tags: Iterable[str],
) -> list[Channel]:
    """The channels that owe a delivery for one change."""
    tags = tuple(source_tags)
    return [
        channel for channel in channels
        if wants_source(channel, source, tags) and wants_change(channel.on, kind, diff)
    ]
