"""`jobtrail extract`: what jobtrail reads from one saved page, to debug a source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from jobtrail.crawler.items import LIST_FIELDS, Posting
from jobtrail.crawler.sources.config import SourceConfig
from jobtrail.crawler.sources.registry import extract, known_kinds

if TYPE_CHECKING:
    from jobtrail.crawler.extract.sections import Decision

_SCALARS = ("external_id", "url", "department", "employment_type", "workplace", "date_posted", "valid_through")


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the page was saved from (resolves links, gives ids).")
@click.option(
    "--kind", type=click.Choice([*known_kinds(), "auto"]), default="auto", show_default=True,
    help="Source kind to read the page as; auto decides from the URL.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of postings (docs/posting.md).")
@click.option(
    "--explain", is_flag=True,
    help="Also print, per heading and list, which section it went to and why (rule, score).",
)
def extract_command(file: Path, url: str, kind: str, as_json: bool, explain: bool) -> None:
    """Show the postings jobtrail extracts from a saved FILE (HTML or ATS JSON).

    \b
    Example:
      curl -so page.html https://example.com/jobs/123
      jobtrail extract page.html --url https://example.com/jobs/123 --json
      jobtrail extract page.html --url https://example.com/jobs/123 --explain
    """
    from jobtrail.crawler.extract.sections import collect_decisions  # BeautifulSoup: only when extracting

    with collect_decisions() as decisions:
        postings = extract_file(file, url, kind)
    if explain:
        click.echo(render_decisions(decisions), err=as_json)
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in postings], indent=2, ensure_ascii=False))
    elif not postings:
        click.echo(f"no job posting found in {file}")
    else:
        click.echo("\n\n".join(render_posting(p) for p in postings))


def extract_file(file: Path, url: str, kind: str) -> list[Posting]:
    """Postings in a saved file; every failure is one line for the terminal."""
    try:
        body = file.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror or exc}") from None
    from jobtrail.crawler.extract.base import ExtractError  # lxml/BeautifulSoup: only when extracting

    try:
        return extract(body, url, SourceConfig(name="extract", url=url, kind=kind))
    except (ExtractError, ValueError) as exc:
        raise click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def render_decisions(decisions: list[Decision]) -> str:
    """One line per heading or list: where it went and by which rule; lists that stayed in
    the description are marked, so a user sees what jobtrail did not read as a section."""
    lines = [click.style("sections (heading -> field, rule score):", bold=True)]
    for decision in decisions:
        mark = "  ! " if decision.field is None and decision.items else "    "
        lines.append(mark + decision.line())
    if len(lines) == 1:
        lines.append("    (no headings or lists)")
    kept = sum(1 for decision in decisions if decision.field is None and decision.items)
    lines.append(f"  {kept} list(s) stayed in the description" if kept else "  every list went to a section")
    return "\n".join(lines)


def render_posting(posting: Posting) -> str:
    """A posting for the terminal: header, known scalars, then each section's bullets."""
    head = posting.title + (f" — {posting.company}" if posting.company else "")
    lines = [click.style(head, bold=True)]
    lines += [f"  {name.replace('_', ' ')}: {getattr(posting, name)}" for name in _SCALARS if getattr(posting, name)]
    if posting.locations:
        lines.append(f"  locations: {'; '.join(posting.locations)}")
    if posting.salary:
        salary = posting.salary
        span = "–".join(f"{v:g}" for v in dict.fromkeys(v for v in (salary.min, salary.max) if v is not None))
        per = f"per {salary.interval}" if salary.interval else ""
        lines.append(f"  salary: {span} {salary.currency or ''} {per}")
    if posting.description:
        lines.append("  description:")
        lines += [f"    {line}" if line else "" for line in posting.description.splitlines()]
    for name in LIST_FIELDS:
        items = getattr(posting, name)
        if items:
            lines.append(f"  {name.replace('_', ' ')} ({len(items)}):")
            lines += [f"    - {item}" for item in items]
    if posting.related_jobs:
        lines.append(f"  related jobs ({len(posting.related_jobs)}):")
        lines += [f"    - {job.title} <{job.url}>" for job in posting.related_jobs]
    return "\n".join(line.rstrip() for line in lines)


COMMANDS = [extract_command]
