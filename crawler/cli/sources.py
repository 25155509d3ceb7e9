"""`jobtrail sources`: list the sources with how their crawls go; remove and rename them.

A source lives in two places: jobtrail.toml (what to crawl) and the database (what was
stored). This command shows both: configured sources with their schedule and last crawl,
and stored ones no longer configured ("orphaned", or "removed" by `sources remove`).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from jobtrail.crawler.cli.context import CliContext, ConfigProblem
from jobtrail.crawler.cli.options import json_option
from jobtrail.crawler.cli.output import JSON_SCHEMA, echo_json
from jobtrail.crawler.sources import schedule
from jobtrail.crawler.sources.config import Config
from jobtrail.pipelines import format as fmt

if TYPE_CHECKING:
    from jobtrail.storage.sources import SourceStatus


@click.group("sources", invoke_without_command=True)
@json_option
@click.pass_context
def sources_group(ctx: click.Context, as_json: bool) -> None:
    """List the sources (the default), or remove / rename one.

    \b
    Examples:
      jobtrail sources                        # status of every source, next due
      jobtrail sources --json
      jobtrail sources remove oldco --yes     # stop watching; history kept
      jobtrail sources remove oldco --purge --yes
      jobtrail sources rename acme acme-robotics
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command, as_json=as_json)


@sources_group.command("list")
@json_option
@click.pass_obj
def list_command(obj: CliContext, as_json: bool) -> None:
    """Every source: kind, URL, schedule, last crawl, failure streak, open/closed postings, next due.

    \b
    Examples:
      jobtrail sources list
      jobtrail sources list --json | jq '.sources[] | select(.failure_streak > 0)'
    """
    from jobtrail.storage.sources import source_statuses

    config = obj.config(required=False)
    stored: dict[str, SourceStatus] = {}
    if config.sources and obj.database_missing():
        click.echo("(no database yet: nothing crawled; `jobtrail crawl` creates it)", err=True)
    else:
        with obj.sessions()() as session:
            stored = {status.name: status for status in source_statuses(session)}
    rows = source_rows(config, stored, datetime.now(UTC))
    if as_json:
        echo_json({"schema": JSON_SCHEMA, "sources": rows})
        return
    if not rows:
        click.echo(f"No sources: add one to {obj.config_path} (jobtrail add URL).")
        return
    for line in table_lines(rows):
        click.echo(line)


def source_rows(config: Config, stored: dict[str, SourceStatus], now: datetime) -> list[dict[str, Any]]:
    """One dict per source, configured ones first (config order), then stored-only ones."""
    rows = []
    for source in config.sources:
        status = stored.get(source.name)
        last = status.last_started_at if status else None
        due = schedule.next_due(source, config, last)
        every = config.every_for(source)
        rows.append(_row(source.name, source.kind, source.url or source.board, "active", status, every,
                         due, schedule.is_due(source, config, last, now)))
    configured = {source.name for source in config.sources}
    for name, status in stored.items():
        if name not in configured:
            state = "removed" if status.retired_as == "removed" else "orphaned"
            rows.append(_row(name, status.kind, status.url, state, status, None, None, False))
    return rows


def _row(name: str, kind: str, url: str | None, state: str, status: SourceStatus | None, every: float | None,
         due: datetime | None, due_now: bool) -> dict[str, Any]:
    last = None
    if status is not None and status.last_status is not None:
        last = {"started_at": fmt.iso(status.last_started_at), "finished_at": fmt.iso(status.last_finished_at),
                "status": status.last_status, "error": status.last_error,
                "postings_seen": status.last_postings_seen}
    return {
        "name": name, "kind": kind, "url": url, "state": state,
        "every": schedule.describe_every(every) if state == "active" else None,
        "every_seconds": every,
        "last_crawl": last,
        "last_ok_at": fmt.iso(status.last_ok_at) if status else None,
        "failure_streak": status.failure_streak if status else 0,
        "open_postings": status.open_postings if status else 0,
        "closed_postings": status.closed_postings if status else 0,
        "next_due_at": fmt.iso(due), "due_now": due_now,
    }


def table_lines(rows: list[dict[str, Any]]) -> list[str]:
    width = max(12, *(len(row["name"]) for row in rows))
    lines = [f"{'source':<{width}} {'kind':<15} {'every':<9} {'last crawl':<16} {'status':<8} "
             f"{'open':>5} {'closed':>6}  next due"]
    now = datetime.now(UTC)
    for row in rows:
        last = row["last_crawl"]
        when = fmt.when(datetime.fromisoformat(last["started_at"])) if last else "never"
        status = last["status"] if last else "-"
        lines.append(
            f"{row['name']:<{width}} {row['kind']:<15} {row['every'] or '-':<9} {when:<16} {status:<8} "
            f"{row['open_postings']:>5} {row['closed_postings']:>6}  {_due_text(row, now)}"
        )
        if row["url"]:
            lines.append(f"{'':<{width}}   {row['url']}")
        if row["state"] != "active":
            lines.append(f"{'':<{width}}   {row['state']}: not in the config; history kept "
                         f"(`jobtrail sources remove {row['name']} --purge` deletes it)")
        elif row["failure_streak"]:
            reason = ((last or {}).get("error") or "no reason recorded").splitlines()[0]
            lines.append(f"{'':<{width}}   failed {row['failure_streak']} run(s) in a row: {reason}")
    return lines


def _due_text(row: dict[str, Any], now: datetime) -> str:
    if row["state"] != "active":
        return "-"
    if row["due_now"] or row["next_due_at"] is None:
        return "now"
    return f"in {fmt.duration((datetime.fromisoformat(row['next_due_at']) - now).total_seconds())}"


# --- remove ---------------------------------------------------------------------------------

@sources_group.command("remove")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Also delete its postings, versions, changes and crawl history.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask (needed without a terminal, e.g. in cron).")
@click.pass_obj
def remove_command(obj: CliContext, name: str, purge: bool, yes: bool) -> None:
    """Stop watching a source: out of jobtrail.toml, its history kept (or deleted with --purge).

    \b
    Examples:
      jobtrail sources remove oldco                 # asks first
      jobtrail sources remove oldco --purge --yes
    """
    from jobtrail.storage.db import transaction
    from jobtrail.storage.sources import SourceError, remove_source, source_names

    config = obj.config(required=False)
    in_config = any(source.name == name for source in config.sources)
    sessions = obj.sessions()
    with sessions() as session:
        in_db = name in source_names(session)
    if not in_config and not in_db:
        raise ConfigProblem(f"no source named {name!r} in {obj.config_path} or the database")
    what = "delete it and everything it stored" if purge else "keep its history"
    _confirm(yes, f"Remove source {name!r} ({what})?")
    if in_db:
        try:
            with transaction(sessions) as session:
                postings = remove_source(session, name, purge=purge)
        except SourceError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"deleted source {name!r} and its {postings} postings" if purge else
                   f"removed source {name!r}; its {postings} postings are kept (listed as removed)")
    if in_config and config.path is not None:
        from jobtrail.crawler.sources.edit import remove_from_file

        _report_edit(remove_from_file(config.path, name), f"a crawl would watch {name!r} again")


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigProblem("refusing without --yes: there is no terminal to ask")
    if not click.confirm(question, default=False):
        raise click.Abort()


def _report_edit(edit: Any, risk: str) -> None:
    if edit.done:
        click.echo(edit.message)
    else:
        click.echo(f"{edit.message}\nuntil then, {risk}", err=True)


# --- rename ---------------------------------------------------------------------------------

@sources_group.command("rename")
@click.argument("old")
@click.argument("new")
@click.pass_obj
def rename_command(obj: CliContext, old: str, new: str) -> None:
    """Rename a source: its history follows; jobtrail.toml is edited when that is safe.

    Renaming only in the config would store every posting again under the new name.

    \b
    Example:
      jobtrail sources rename acme acme-robotics
    """
    from jobtrail.storage.db import transaction
    from jobtrail.storage.sources import SourceError, rename_source, source_names

    config = obj.config(required=False)
    names = {source.name for source in config.sources}
    if new in names and old in names:
        raise ConfigProblem(f"{config.path} already has a source named {new!r}")
    sessions = obj.sessions()
    with sessions() as session:
        in_db = old in source_names(session)
    if not in_db and old not in names:
        raise ConfigProblem(f"no source named {old!r} in {obj.config_path} or the database")
    if in_db:
        try:
            with transaction(sessions) as session:
                rename_source(session, old, new)
        except SourceError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"renamed source {old!r} to {new!r} in the database (history kept)")
    if old in names and config.path is not None:
        from jobtrail.crawler.sources.edit import rename_in_file

        _report_edit(rename_in_file(Path(config.path), old, new),
                     f"a crawl would store {old!r}'s postings again as a new source")


COMMANDS = [sources_group]
