"""The outbox: which changes are owed to which notify channel (filled in by issue #4)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from crawler.config import Config
from storage.models import Change

#: called inside the versioning transaction with the changes just written for a source
ChangeListener = Callable[[Session, Sequence[Change], str], None]


def outbox_listener(config: Config) -> ChangeListener | None:
    """The listener that writes deliveries rows for ``config``'s [[notify]] channels."""
    return None
