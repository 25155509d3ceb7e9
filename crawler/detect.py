"""Which source kind sits behind a URL or a careers page (ATS auto-detection)."""

from __future__ import annotations


def kind_from_url(url: str) -> str | None:
    """The ATS kind a URL belongs to, from its host and path alone; None when unknown."""
    return None
