"""`jobtrail add URL`: detect the source behind a URL and append it to jobtrail.toml."""

from __future__ import annotations

import re

import click

from jobtrail.crawler.cli.context import CliContext
from jobtrail.crawler.sources.registry import known_kinds

KIND_CHOICES = ["auto", "page", *(kind for kind in known_kinds() if kind not in ("auto", "page"))]


@click.command("add")
@click.argument("url")
@click.option("--name", help="Source name (default: the board or the site's name).")
@click.option("--kind", type=click.Choice(KIND_CHOICES), default="auto", show_default=True,
              help="Source kind; auto detects the ATS from the URL or the page.")
@click.option("--no-check", is_flag=True, help="Do not fetch the API to count postings.")
@click.pass_obj
def add_command(obj: CliContext, url: str, name: str | None, kind: str, no_check: bool) -> None:
    """Add a careers page or ATS board to the config file.

    \b
    Examples:
      jobtrail add https://ahrefs.com/careers       # finds the ATS behind the page
      jobtrail add https://jobs.lever.co/palantir --name palantir
      jobtrail add https://boards.greenhouse.io/acme --no-check
    """
    from jobtrail.crawler.sources.onboard import AddError, append, count_postings, plan

    if not re.match(r"https?://", url):
        raise click.ClickException(f"not an http(s) URL: {url!r}")
    try:
        source = plan(url, name=name, kind=kind)
        click.echo(f"kind:     {source.kind}")
        click.echo(f"board:    {source.board or '-'}")
        if not no_check:
            count, more = count_postings(source)
            click.echo(f"postings: {count}{'+ (more pages)' if more else ''}")
        append(obj.config_path, source)
    except AddError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added source {source.name!r} to {obj.config_path}")


COMMANDS = [add_command]
