"""`jobtrail run`, `digest`, `deliveries`, `notify test`: alerts from the command line (and cron)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from jobtrail.crawler.cli.context import CliContext, ConfigProblem
from jobtrail.crawler.cli.options import crawl_log_options, json_option, since_option, sources_option, wait_option
from jobtrail.crawler.cli.running import print_summary, report_orphans, run_crawl, run_lock, show_progress
from jobtrail.crawler.sources.config import Config, ConfigError
from jobtrail.pipelines import format as fmt

if TYPE_CHECKING:  # apprise, Jinja2 and SQLAlchemy load when a command runs, not for --help
    from jobtrail.pipelines.alerts import digest
    from jobtrail.pipelines.alerts.config import Channel
    from jobtrail.pipelines.alerts.outbox import DeliveryReport



def _channels(obj: CliContext) -> tuple[Config, tuple[Channel, ...]]:
    """Config and validated channels; any mistake is one clean line, before any work."""
    from jobtrail.pipelines.alerts.config import load_channels

    config = obj.config()
    try:
        return config, load_channels(config)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None


@click.command("run")
@crawl_log_options
@wait_option("Seconds to wait for another run to finish before giving up.")
@sources_option
@click.option("--no-crawl", is_flag=True, help="Only deliver what is pending.")
@click.option("--all", "run_all", is_flag=True, help="Crawl every source, due or not.")
@click.pass_obj
def run_command(obj: CliContext, quiet: bool, verbose: int, debug: bool, wait: float, sources: tuple[str, ...],
                no_crawl: bool, run_all: bool) -> None:
    """Crawl the sources that are due, then deliver every pending alert (made for cron).

    A source with `every = "6h"` (or the [crawl] default) is due that long after its last
    crawl; one without a schedule is crawled by every run. Holds a lock, so an overlapping
    run waits (--wait) or exits with code 75. Exit code 0 when all went well, 1 when a
    source or a delivery failed.

    \b
    Examples:
      jobtrail run
      jobtrail run --all                 # every source, due or not
      jobtrail run --quiet --wait 600
      */15 * * * *  cd /srv/jobtrail && jobtrail run --quiet     # crontab: each source on its schedule
    """
    from jobtrail.pipelines.alerts.outbox import deliver_pending

    config, channels = _channels(obj)
    with run_lock(obj, "run", wait) as sessions:
        chosen = None if no_crawl else (list(sources) or (None if run_all else _due(obj, config, quiet)))
        level = 2 if debug else verbose
        summary = None if chosen == [] or no_crawl else run_crawl(
            obj, chosen, level, progress=show_progress(quiet, False, level))
        report = deliver_pending(sessions, config, channels=channels)
    if summary is not None:
        print_summary(summary, quiet=quiet)
        report_orphans(obj)
    _print_report(report, quiet=quiet)
    crawl_code = summary.exit_code if summary is not None else 0
    raise SystemExit(crawl_code or report.exit_code)


def _due(obj: CliContext, config: Config, quiet: bool) -> list[str]:
    """The sources whose schedule says crawl now; says when the next one is due when none is."""
    from jobtrail.crawler.sources import schedule
    from jobtrail.storage.sources import last_started

    with obj.sessions()() as session:
        last = last_started(session)
    now = datetime.now(UTC)
    due = schedule.due_sources(config, last, now)
    if not due and not quiet:
        upcoming = [(d, s.name) for s in config.sources if (d := schedule.next_due(s, config, last.get(s.name)))]
        if upcoming:
            moment, name = min(upcoming)
            click.echo(f"no source is due; next: {name} in {fmt.duration((moment - now).total_seconds())}")
    return due


def _print_report(report: DeliveryReport, *, quiet: bool) -> None:
    for channel in report.channels:
        if channel.errors or channel.failed:
            detail = f"; {channel.errors[-1]}" if channel.errors else ""
            click.echo(
                f"delivery {channel.channel}: {channel.sent} sent, {channel.retrying} will retry, "
                f"{channel.failed} failed{detail}", err=True,
            )
        elif not quiet and channel.messages:
            click.echo(f"delivery {channel.channel}: {channel.sent} change(s) sent in {channel.messages} message(s)")


@click.command("digest")
@since_option("7d", "Changes since (1d, 12h, 2w or a date).")
@click.option("--to", "to_url", help="Send to this apprise URL instead of the configured channels.")
@click.option("--channel", "channel_names", multiple=True, help="Only this configured channel (repeatable).")
@click.option("--dry-run", is_flag=True, help="Render without sending (see --out).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="With --dry-run: write <channel>.html and <channel>.txt here (default: print the text).")
@click.pass_obj
def digest_command(obj: CliContext, since: str, to_url: str | None, channel_names: tuple[str, ...],
                   dry_run: bool, out: Path | None) -> None:
    """Render (and send) a digest of every change since a moment.

    Reads changes only; the outbox is untouched, so `jobtrail run` still delivers its own.

    \b
    Examples:
      jobtrail digest --since 7d --dry-run --out /tmp/digest
      jobtrail digest --since 1d --to mailto://me@example.com
      jobtrail digest --channel team-mail
    """
    from jobtrail.crawler.cli.output import parse_since
    from jobtrail.pipelines.alerts import digest, send

    config = obj.config(required=False)
    try:
        moment = parse_since(since)
        channels = _pick_channels(config, to_url, channel_names)
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    rendered = digest.build(obj.sessions(), config, channels, moment)
    if dry_run:
        _show_dry_run(rendered, out)
        return
    failed = 0
    for item in rendered:
        result = send.send(item.channel, item.message, fmt=item.fmt)
        if result.ok:
            click.echo(f"{item.channel.name}: sent ({item.postings} postings) to {item.channel.display_url}")
        else:
            failed += 1
            click.echo(f"{item.channel.name}: FAILED: {result.error}", err=True)
    raise SystemExit(1 if failed else 0)


def _pick_channels(config: Config, to_url: str | None, names: tuple[str, ...]) -> list[Channel]:
    from jobtrail.pipelines.alerts.config import adhoc_channel, load_channels

    if to_url:
        return [adhoc_channel(to_url, config.path.parent if config.path else None)]
    channels = [c for c in load_channels(config) if not names or c.name in names]
    unknown = set(names) - {c.name for c in channels}
    if unknown:
        raise ConfigError(f"no [[notify]] channel named {', '.join(sorted(unknown))}")
    if not channels:
        raise ConfigError("no [[notify]] channels configured; use --to APPRISE_URL")
    return channels


def _show_dry_run(rendered: list[digest.RenderedDigest], out: Path | None) -> None:
    from jobtrail.pipelines.alerts import digest

    if out is None:
        for item in rendered:
            click.echo(f"Subject: {item.message.subject}\n\n{item.message.text}")
        return
    for path in digest.write(rendered, out):
        click.echo(f"wrote {path}")


@click.command("deliveries")
@click.option("--all", "show_all", is_flag=True, help="Also list sent deliveries.")
@click.option("--retry", "retry", multiple=True, metavar="ID|all",
              help="Put failed deliveries back in the queue (repeatable, or 'all').")
@json_option
@click.pass_obj
def deliveries_command(obj: CliContext, show_all: bool, retry: tuple[str, ...], as_json: bool) -> None:
    """List pending and failed alert deliveries, and why (URLs masked).

    \b
    Examples:
      jobtrail deliveries
      jobtrail deliveries --retry all        # re-queue failed ones for the next run
      jobtrail deliveries --json
    """
    from jobtrail.pipelines.alerts.outbox import retry_failed
    from jobtrail.storage import outbox

    sessions = obj.sessions()
    if retry:
        ids = None if "all" in retry else [_as_id(value) for value in retry]
        click.echo(f"re-queued {retry_failed(sessions, ids)} failed deliveries")
        return
    statuses = ("pending", "sending", "failed", "sent") if show_all else ("pending", "sending", "failed")
    with sessions() as session:
        rows = outbox.list_deliveries(session, statuses)
    if as_json:
        click.echo(json.dumps([asdict(row) for row in rows], indent=2, default=fmt.json_default))
        return
    if not rows:
        click.echo("no pending or failed deliveries")
    for row in rows:
        when = f" next try {row.next_attempt_at:%Y-%m-%d %H:%M}" if row.next_attempt_at else ""
        click.echo(
            f"#{row.id} {row.status:<8} {row.channel}  change {row.change_id} ({row.change_kind}) "
            f"{row.title}{f' at {row.company}' if row.company else ''}  attempts {row.attempts}{when}"
        )
        if row.last_error:
            click.echo(f"    {row.last_error}")


def _as_id(value: str) -> int:
    try:
        return int(value.lstrip("#"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a delivery id", param_hint="--retry") from None


@click.group("notify")
def notify_group() -> None:
    """Notify channels ([[notify]] in jobtrail.toml)."""


@notify_group.command("test")
@click.argument("name")
@click.pass_obj
def notify_test(obj: CliContext, name: str) -> None:
    """Send a test message to channel NAME; exit 1 (with the reason) when it fails.

    \b
    Example:
      jobtrail notify test team-mail
    """
    from jobtrail.pipelines.alerts import render, send

    _config, channels = _channels(obj)
    channel = next((c for c in channels if c.name == name), None)
    if channel is None:
        known = ", ".join(c.name for c in channels) or "none"
        raise click.ClickException(f"no [[notify]] channel named {name!r} (known: {known})")
    result = send.send(channel, render.render_test(name))
    if not result.ok:
        raise click.ClickException(f"{name}: test message failed: {result.error}")
    click.echo(f"{name}: test message sent to {channel.display_url}")


@notify_group.command("list")
@click.pass_obj
def notify_list(obj: CliContext) -> None:
    """List configured channels (URLs masked).

    \b
    Example:
      jobtrail notify list
    """
    _config, channels = _channels(obj)
    for channel in channels:
        click.echo(f"{channel.name:<20} {channel.mode:<8} on={','.join(sorted(channel.on))}  {channel.display_url}")


COMMANDS = [run_command, digest_command, deliveries_command, notify_group]
