"""History commands: changes, history, diff, search, show, export.

Each parses options, calls one function of storage.history, .search or .export, and prints the records it
returns (terminal, or stable ``--json``); crawler.cli.output does the formatting.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from jobtrail.crawler.cli.context import CliContext
from jobtrail.crawler.cli.options import color_option, json_option, since_option, source_filter_option
from jobtrail.crawler.cli.output import (
    JSON_SCHEMA,
    Style,
    echo_json,
    lazy_module,
    parse_at,
    parse_since,
    render_diff,
    use_color,
    write_csv,
    write_csv_rows,
    write_jsonl,
    write_jsonl_rows,
)
from jobtrail.crawler.items import LIST_FIELDS, SEARCH_FIELDS
from jobtrail.pipelines import format as fmt
from jobtrail.pipelines.diff import diff_postings
from jobtrail.pipelines.format import when
from jobtrail.storage.records import (
    ChangeRecord,
    PostingRecord,
    SearchHit,
    VersionRecord,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from jobtrail.storage import export, history, search
    from jobtrail.storage import sources as stored_sources
else:  # SQLAlchemy loads when a command reads the database, not for --help
    export = lazy_module("jobtrail.storage.export")
    history = lazy_module("jobtrail.storage.history")
    search = lazy_module("jobtrail.storage.search")
    stored_sources = lazy_module("jobtrail.storage.sources")

KINDS = ("new", "changed", "closed", "reopened")


def _read(obj: CliContext, work: Callable[[Session], Any]) -> Any:
    with obj.sessions()() as session:
        return work(session)


def _label(title: str, company: str | None, source: str, posting_id: int) -> str:
    return f"{title} \u2014 {company or '?'} ({source}) #{posting_id}"


# --- changes --------------------------------------------------------------------------------

@click.command("changes")
@since_option("1d", "How far back: 1d, 12h, 2w, or an ISO date.")
@source_filter_option()
@click.option("--company", help="Only this company (any case).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only these kinds (repeatable).")
@json_option
@color_option
@click.pass_obj
def changes_command(
    obj: CliContext, since: str, source: str | None, company: str | None, kinds: tuple[str, ...],
    as_json: bool, no_color: bool,
) -> None:
    """What changed: new, changed, closed and reopened postings, with field diffs.

    \b
    Examples:
      jobtrail changes --since 1d
      jobtrail changes --since 2w --company Ahrefs --kind changed
      jobtrail changes --since 2026-03-01 --json
    """
    start = parse_since(since)
    found = _read(obj, lambda s: _changes(s, start, source, company, kinds))
    if as_json:
        echo_json([change.summary() for change in found])
        return
    if not found:
        click.echo(f"No changes since {when(start)} UTC.")
        return
    style = Style(use_color(no_color))
    for change in found:
        click.echo("\n".join(change_lines(change, style)))


def _changes(session: Session, start: Any, source: str | None, company: str | None,
             kinds: tuple[str, ...]) -> list[ChangeRecord]:
    if source:
        _check_source(session, source)
    return history.changes_since(session, start, source=source, company=company, kinds=kinds)


def _check_source(session: Session, source: str) -> None:
    """An unknown --source is a mistake to report (exit 2), not an empty result."""
    known = stored_sources.source_names(session)
    if source not in known:
        raise click.UsageError(f"no source named {source!r} (known: {', '.join(known) or 'none'})")


def change_lines(change: ChangeRecord, style: Style) -> list[str]:
    versions = f"  v{change.from_seq}\u2192v{change.to_seq}" if change.from_seq and change.to_seq else ""
    label = _label(change.title, change.company, change.source, change.posting_id)
    head = f"{when(change.at)}  {change.kind:<8} {label}"
    lines = [style.heading(head) + style.dim(versions), "  " + style.dim(change.url)]
    return lines + render_diff(change.fields, style, indent="  ") + [""]


# --- history --------------------------------------------------------------------------------

@click.command("history")
@click.argument("query")
@click.option("--company", help="Only postings of this company (any case).")
@source_filter_option("Only postings of this source (its name in jobtrail.toml).")
@json_option
@color_option
@click.pass_obj
def history_command(obj: CliContext, query: str, company: str | None, source: str | None, as_json: bool,
                    no_color: bool) -> None:
    """Every version of a role, oldest first, with what changed between versions.

    QUERY is a posting id, its URL, or words of its title. Reposts (the role closed and
    reappeared under a new URL) are followed, and marked.

    \b
    Examples:
      jobtrail history "Backend Developer" --company Ahrefs
      jobtrail history "Platform Engineer" --source acme
      jobtrail history 42 --json
    """
    posting, found = _read(obj, lambda s: _history_of(s, query, company, source))
    if as_json:
        echo_json({"schema": JSON_SCHEMA, "posting": posting.to_dict(), "chain": _chain(found),
                   "versions": [version.to_dict() for version in found]})
        return
    click.echo("\n".join(history_lines(posting, found, Style(use_color(no_color)))))


def _history_of(session: Session, query: str, company: str | None,
                source: str | None = None) -> tuple[PostingRecord, list[VersionRecord]]:
    matches = history.find_postings(session, query, company)
    if source:
        _check_source(session, source)
        matches = [match for match in matches if match.source == source]
    if not matches:
        raise click.ClickException(f"no posting matches {query!r}" + (f" at {company}" if company else "")
                                   + (f" in source {source}" if source else ""))
    chains = {tuple(history.repost_chain(session, match.id)) for match in matches[:20]}
    if len(matches) > 20 or len(chains) > 1:
        listed = "\n".join(f"  {_label(m.title, m.company, m.source, m.id)}  {m.url}" for m in matches[:20])
        raise click.ClickException(
            f"{len(matches)} postings match {query!r}; pass one id (or --company):\n{listed}"
        )
    return matches[0], history.history(session, matches[0].id, diff=diff_postings)


def _chain(found: list[VersionRecord]) -> list[int]:
    return list(dict.fromkeys(version.posting_id for version in found))


def history_lines(posting: PostingRecord, found: list[VersionRecord], style: Style) -> list[str]:
    chain = _chain(found)
    summary = f"{len(found)} versions"
    if len(chain) > 1:
        path = " \u2192 ".join(f"#{pid}" for pid in chain)
        summary += f" across {len(chain)} postings (reposts followed: {path})"
    state = fmt.lifecycle(posting.status, posting.first_seen, posting.last_seen, posting.closed_at)
    lines = [style.heading(_label(posting.title, posting.company, posting.source, posting.id)),
             f"{summary} \u00b7 {state}"]
    previous: VersionRecord | None = None
    for version in found:
        if previous is not None and previous.posting_id != version.posting_id:
            lines.append(style.heading(
                f"\u2014 reposted as #{version.posting_id} ({version.url}), continuing #{previous.posting_id} \u2014"
            ))
        lines.append("")
        note = "first version" if previous is None else ("no change in tracked fields" if not version.diff else "")
        lines.append(f"{style.heading(f'v{version.seq}')}  {when(version.observed_at)}  #{version.posting_id}"
                     + (f"  {style.dim(note)}" if note else ""))
        lines += render_diff(version.diff, style)
        previous = version
    return lines


# --- diff -----------------------------------------------------------------------------------

@click.command("diff")
@click.argument("posting_id", type=int)
@click.argument("seqs", type=int, nargs=-1)
@json_option
@color_option
@click.pass_obj
def diff_command(obj: CliContext, posting_id: int, seqs: tuple[int, ...], as_json: bool, no_color: bool) -> None:
    """Word-level diff of two versions of a posting (default: the last two).

    \b
    Examples:
      jobtrail diff 42          # previous version -> latest
      jobtrail diff 42 1 3      # version 1 -> version 3
    """
    if len(seqs) not in (0, 2):
        raise click.UsageError("give two version numbers (SEQ_A SEQ_B), or none for the last two")
    old, new = _read(obj, lambda s: _two_versions(s, posting_id, seqs))
    fields = diff_postings(old.posting(), new.posting())
    if as_json:
        echo_json({"schema": JSON_SCHEMA, "posting_id": posting_id, "from": _version_ref(old), "to": _version_ref(new),
                   "fields": fields})
        return
    style = Style(use_color(no_color))
    click.echo(style.heading(f"{_label(new.title, new.company, new.source, posting_id)}: "
                             f"v{old.seq} ({when(old.observed_at)}) \u2192 v{new.seq} ({when(new.observed_at)})"))
    click.echo("\n".join(render_diff(fields, style)) if fields else "  no difference in tracked fields")


def _two_versions(session: Session, posting_id: int, seqs: tuple[int, ...]) -> tuple[VersionRecord, VersionRecord]:
    posting = history.get_posting(session, posting_id)
    if posting is None:
        raise click.ClickException(f"no posting #{posting_id}")
    if not seqs:
        if posting.latest_seq < 2:
            raise click.ClickException(f"posting #{posting_id} has only one version")
        seqs = (posting.latest_seq - 1, posting.latest_seq)
    found = history.versions(session, posting_id, list(seqs))
    missing = sorted(set(seqs) - {version.seq for version in found})
    if missing:
        raise click.ClickException(
            f"posting #{posting_id} has versions 1..{posting.latest_seq}; no version {missing[0]}"
        )
    return found[0], found[-1]


def _version_ref(version: VersionRecord) -> dict[str, Any]:
    return {"seq": version.seq, "observed_at": version.to_dict()["observed_at"]}


# --- search ---------------------------------------------------------------------------------

@click.command("search")
@click.argument("phrase")
@click.option("--field", type=click.Choice(SEARCH_FIELDS), help="Only this field.")
@click.option("--removed", "change", flag_value="removed", help="Only where a change removed it.")
@click.option("--added", "change", flag_value="added", help="Only where a change added it.")
@since_option(None, "Only since then (1d, 90d, 2w, ISO date): removed/added since, or last seen since.")
@click.option("--words", is_flag=True, help="All the words in one bullet, any order, instead of the phrase.")
@json_option
@color_option
@click.pass_obj
def search_command(
    obj: CliContext, phrase: str, field: str | None, change: str | None, since: str | None, words: bool,
    as_json: bool, no_color: bool,
) -> None:
    """Which postings ever contained a phrase: where, since when, and whether it is still there.

    Case-insensitive; words are plain text, never operators ("D or C++" is a phrase).

    \b
    Examples:
      jobtrail search "D or C++"
      jobtrail search "degree" --field requirements --removed --since 90d
    """
    start = parse_since(since) if since else None
    try:
        hits = _read(obj, lambda s: search.search(
            s, phrase, field=field, removed=change == "removed", added=change == "added", since=start, words=words,
        ))
    except search.SearchError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        click.echo(_no_hits(phrase, field, change, since, words))
        return
    style = Style(use_color(no_color))
    for hit in hits:
        click.echo("\n".join(hit_lines(hit, style)))


def _no_hits(phrase: str, field: str | None, change: str | None, since: str | None, words: bool) -> str:
    """Say what was looked for, filters included: "No posting contained" is wrong when --removed hid them."""
    what = f"the words of {phrase!r}" if words else repr(phrase)
    where = f" in {field}" if field else ""
    when_ = f" since {since}" if since else ""
    if change == "removed":
        return f"No posting had {what} removed{where}{when_} (without --removed: every posting that contained it)."
    if change == "added":
        return (f"No posting had {what} added{where} by a change{when_} (without --added: every posting that "
                "contained it).")
    return f"No posting contained {what}{where}{' and was seen' + when_ if since else ''}."


def hit_lines(hit: SearchHit, style: Style) -> list[str]:
    if hit.present and hit.status == "closed":  # the latest version had it, and then the posting closed
        status = f"until it closed on {fmt.day(hit.closed_at or hit.last_seen)}"
    elif hit.present:
        status = "still present"
    else:
        status = f"gone since v{hit.removed_seq} {when(hit.removed_at)}" if hit.removed_at else "gone"
    return [
        f"{style.heading(_label(hit.title, hit.company, hit.source, hit.posting_id))}  [{hit.field}]",
        f"    \u201c{hit.text}\u201d",
        f"    first v{hit.first_seq} {when(hit.first_at)} \u00b7 "
        f"last v{hit.last_seq} {when(hit.last_at)} \u00b7 {status}",
        "",
    ]


# --- show -----------------------------------------------------------------------------------

@click.command("show")
@click.argument("posting_id", type=int)
@click.option("--at", "at", help="As it read then: an ISO date (end of that day) or date-time.")
@json_option
@color_option
@click.pass_obj
def show_command(obj: CliContext, posting_id: int, at: str | None, as_json: bool, no_color: bool) -> None:
    """A posting as it reads now, or as it read on a date.

    \b
    Examples:
      jobtrail show 42
      jobtrail show 42 --at 2026-03-01 --json
    """
    moment = parse_at(at) if at else None
    version, posting = _read(
        obj, lambda s: (history.version_at(s, posting_id, moment), history.get_posting(s, posting_id))
    )
    if posting is None:
        raise click.ClickException(f"no posting #{posting_id}")
    if version is None:
        first = when(posting.first_seen)
        raise click.ClickException(f"posting #{posting_id} was first seen {first} UTC, after {at}")
    if as_json:
        data = version.to_dict()
        data.pop("diff")
        status = posting.to_dict()
        data.update({key: status[key] for key in ("status", "first_seen", "last_seen", "closed_at")})
        echo_json({"schema": JSON_SCHEMA, **data})
        return
    click.echo("\n".join(show_lines(version, posting, Style(use_color(no_color)))))


def show_lines(version: VersionRecord, posting: PostingRecord, style: Style) -> list[str]:
    lines = [
        style.heading(_label(version.title, version.company, version.source, version.posting_id)),
        f"version {version.seq} of {posting.latest_seq}, observed {when(version.observed_at)} UTC \u00b7 "
        + fmt.lifecycle(posting.status, posting.first_seen, posting.last_seen, posting.closed_at),
        version.url,
    ]
    facts = [("Locations", fmt.locations(version.locations)), ("Workplace", version.workplace),
             ("Type", version.employment_type), ("Department", version.department),
             ("Salary", fmt.salary(version.salary)), ("Posted", version.date_posted)]
    lines.append(" \u00b7 ".join(f"{name}: {value}" for name, value in facts if value))
    if version.description:
        lines += ["", version.description]
    for name in LIST_FIELDS:
        items = getattr(version, name)
        if items:
            lines += ["", style.heading(name.replace("_", " ").capitalize() + ":")]
            lines += [f"  \u2022 {item}" for item in items]
    if version.related_jobs:
        lines += ["", style.heading("Related jobs:")]
        lines += [f"  \u2022 {job.get('title')} <{job.get('url')}>" for job in version.related_jobs]
    return lines


# --- export ---------------------------------------------------------------------------------

def __getattr__(name: str) -> Any:
    """VERSION_COLUMNS, the columns of `export --versions`, read from storage when first asked for."""
    if name == "VERSION_COLUMNS":
        return list(export.EXPORT_VERSION_COLUMNS)
    raise AttributeError(name)


CHANGE_COLUMNS = ["change_id", "posting_id", "source", "company", "title", "url", "kind", "at", "from_seq",
                  "to_seq", "fields", "status", "first_seen", "last_seen", "closed_at"]


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--versions", "what", flag_value="versions", default=True, help="Every version (default).")
@click.option("--changes", "what", flag_value="changes", help="Every change, with its field diff.")
@click.pass_obj
def export_command(obj: CliContext, fmt: str, what: str) -> None:
    """Stream every version (or change) to stdout, for pandas, spreadsheets and BI tools.

    CSV cells hold lists and objects as JSON; an empty cell is null.

    \b
    Examples:
      jobtrail export --format jsonl > versions.jsonl
      jobtrail export --format csv --changes > changes.csv
    """
    with obj.sessions()() as session:
        if what == "versions":
            export_versions(session, fmt, sys.stdout)
        else:
            export_rows(_rows(export.export_changes(session), CHANGE_COLUMNS), CHANGE_COLUMNS, fmt, sys.stdout)


def export_versions(session: Session, fmt: str, out: Any) -> int:
    """Every version as CSV or JSONL: plain rows with their stored JSON spliced in (2-3x the record path)."""
    rows = export.export_version_rows(session)
    if fmt == "csv":
        return write_csv_rows(rows, export.EXPORT_VERSION_COLUMNS, out)
    return write_jsonl_rows(rows, export.EXPORT_VERSION_COLUMNS, export.EXPORT_JSON_COLUMNS, out)


def _rows(records: Iterable[VersionRecord | ChangeRecord], columns: list[str]) -> Iterable[dict[str, Any]]:
    for record in records:
        data = record.to_dict()
        yield {name: data[name] for name in columns}


def export_rows(rows: Iterable[dict[str, Any]], columns: list[str], fmt: str, out: Any) -> int:
    return write_csv(rows, columns, out) if fmt == "csv" else write_jsonl(rows, out)


COMMANDS = [changes_command, history_command, diff_command, search_command, show_command, export_command]
