"""`jobtrail init`: write an example jobtrail.toml to start from."""

from __future__ import annotations

from pathlib import Path

import click

from jobtrail.crawler.cli.context import CliContext

EXAMPLE_CONFIG = '''\
# jobtrail.toml — what to watch, and where to keep it.
# Docs: README.md, docs/posting.md

[database]
url = "sqlite:///jobtrail.db"          # or postgresql+psycopg://user@host/db ; env JOBTRAIL_DB_URL overrides

[[sources]]
name = "ahrefs"                        # unique; used in CLI output and filters
url = "https://ahrefs.com/careers"     # a careers listing page, or one posting page
kind = "page"                          # or auto / an ATS kind (greenhouse, lever, ...)
company = "Ahrefs"                     # optional; else taken from the page
link_pattern = "/careers/[^/]+$"       # optional regex for posting links on the listing page
tags = ["backend"]

# [sources.selectors]                  # optional CSS overrides when heuristics fail
# title = "h1.job-title"
# requirements = "section#requirements li"
'''


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
def init_command(obj: CliContext, force: bool) -> None:
    """Write an example config file (default ./jobtrail.toml).

    \b
    Example:
      jobtrail init && $EDITOR jobtrail.toml && jobtrail crawl
    """
    path = Path(obj.config_path)
    if path.exists() and not force:
        raise click.ClickException(f"{path} already exists (use --force to overwrite)")
    path.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    click.echo(f"wrote {path}")


COMMANDS = [init_command]
