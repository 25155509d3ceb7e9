"""The learned posting-link template of each source (see crawler/extract/discovery.py).

Stored as the JSON text the extractor produced; storage does not interpret it. Written only
after a crawl that confirmed it, replaced when a later crawl learns another one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobtrail.storage.models import DiscoveryTemplate, utcnow


def load_template(session: Session, source_id: int) -> str | None:
    return session.scalar(select(DiscoveryTemplate.template).where(DiscoveryTemplate.source_id == source_id))


def save_template(session: Session, source_id: int, template: str, now: datetime | None = None) -> None:
    row = session.get(DiscoveryTemplate, source_id)
    if row is None:
        session.add(DiscoveryTemplate(source_id=source_id, template=template, learned_at=now or utcnow()))
    elif row.template != template:
        row.template, row.learned_at = template, now or utcnow()
