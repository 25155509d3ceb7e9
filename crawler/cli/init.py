"""`jobtrail init`: write an example jobtrail.toml to start from."""

from __future__ import annotations

from pathlib import Path

import click

from jobtrail.crawler.cli.context import CliContext

EXAMPLE_CONFIG = '''\
# jobtrail.toml — what to watch, and where to keep it.
# Every key: docs/config.md · cron, schedules, filters: docs/operating.md

[database]
url = "sqlite:///jobtrail.db"          # next to this file; or postgresql://user@host/db (env JOBTRAIL_DB_URL wins)

[crawl]
every = "1d"                           # `jobtrail run` crawls each source once a day (a source may set its own)

# A source on your own machine, so nothing is fetched from anyone else until you say so.
# Try it: save a careers page as ./site/careers.html, run `python -m http.server 8000 -d site`,
# then `jobtrail crawl`. Replace it with the careers pages you want to watch.
[[sources]]
name = "local-example"                 # unique; used in output, --source and alerts
url = "http://127.0.0.1:8000/careers.html"   # a careers listing page, or one posting page
kind = "page"                          # read the HTML; "auto" (default) first looks for an ATS behind it
company = "Example Co"                 # optional; else taken from the page
# link_pattern = "/jobs/[^/]+$"        # optional regex: which links on the listing are postings
# every = "6h"                         # crawl this one more often than [crawl] every
# include = { title = ["engineer", "/data (scientist|engineer)/"] }   # keep only these (words or /regex/)
# exclude = { title = ["intern"] }     # ... and never these (never stored)
# ignore = ["Apply before the end of the month."]   # boilerplate cut before hashing

# An applicant-tracking system board is read through its public API (faster and more precise):
# [[sources]]
# name = "northwind"
# kind = "greenhouse"                  # lever, ashby, workable, smartrecruiters, recruitee, personio, workday
# board = "northwind"

# Alerts through apprise (e-mail, Slack, Matrix, webhooks...): docs/alerts.md
# [[notify]]
# name = "team-mail"
# url = "mailtos://${SMTP_USER}:${SMTP_PASS}@smtp.example.com?to=hiring@example.com"
# on = ["requirements", "related_jobs", "new", "closed"]
'''


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
def init_command(obj: CliContext, force: bool) -> None:
    """Write an example config file (default ./jobtrail.toml).

    \b
    Example:
      jobtrail init && $EDITOR jobtrail.toml && jobtrail crawl
      jobtrail -c /srv/jobtrail/jobtrail.toml init
    """
    path = Path(obj.config_path)
    if path.exists() and not force:
        raise click.ClickException(f"{path} already exists (use --force to overwrite)")
    path.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    config = "" if path == Path("jobtrail.toml") else f" -c {path}"
    click.echo(f"wrote {path} (one local example source; nothing is fetched from elsewhere yet)")
    click.echo("next:")
    click.echo(f"  jobtrail{config} add https://boards.greenhouse.io/yourcompany   # add a careers page or ATS board")
    click.echo(f"  jobtrail{config} crawl                 # first crawl: every posting is new")
    click.echo(f"  jobtrail{config} sources               # how it went; later: jobtrail changes --since 1d")


COMMANDS = [init_command]
