"""On-demand digests (`jobtrail digest`): every change since a moment, per channel rules.

Unlike the outbox this reads changes and sends nothing twice-proof: it is a report a
person asks for, so it never touches ``deliveries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from jobtrail.crawler.sources.config import Config
from jobtrail.pipelines.alerts import render, rules, send
from jobtrail.pipelines.alerts.config import Channel
from jobtrail.storage import digest_data


@dataclass(frozen=True)
class RenderedDigest:
    channel: Channel
    message: render.Message
    fmt: str
    postings: int


def for_channel(data: digest_data.DigestData, channel: Channel, config: Config) -> digest_data.DigestData:
    """Only the postings/changes ``channel``'s rules select."""
    tags = {source.name: source.tags for source in config.sources}
    postings = []
    for posting in data.postings:
        if not rules.wants_source(channel, posting.source, tags.get(posting.source, ())):
            continue
        changes = [c for c in posting.changes if rules.wants_change(channel.on, c.kind, c.diff)]
        if changes:
            postings.append(replace(posting, changes=changes))
    return replace(data, postings=postings)


def build(sessions: sessionmaker[Session], config: Config, channels: Sequence[Channel],
          since: datetime) -> list[RenderedDigest]:
    """One rendered digest per channel, fitted to the channel's message size."""
    with sessions() as session:
        data = digest_data.digest_data(session, digest_data.change_ids_since(session, since))
    result = []
    for channel in channels:
        selected = for_channel(data, channel, config)
        target = send.build(channel)
        fmt = send.preferred_format(target, channel)

        def attempt(max_postings: int | None, selected: digest_data.DigestData = selected) -> render.Message:
            return render.render_digest(selected, max_postings=max_postings)

        message = render.fit(attempt, len(selected.postings), send.body_limit(target, channel), fmt)
        result.append(RenderedDigest(channel, message, fmt, len(selected.postings)))
    return result


def write(digests: Sequence[RenderedDigest], out: Path) -> list[Path]:
    """Dry run: ``<channel>.html`` and ``<channel>.txt`` (subject on the text's first line)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for digest in digests:
        stem = "digest" if digest.channel.name == "--to" else _safe_name(digest.channel.name)
        html, text = out / f"{stem}.html", out / f"{stem}.txt"
        html.write_text(digest.message.html, encoding="utf-8")
        text.write_text(f"Subject: {digest.message.subject}\n\n{digest.message.text}", encoding="utf-8")
        written += [html, text]
    return written


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "digest"
