"""`jobtrail` command line: a thin layer over crawler, pipelines and storage.

Each module in this package defines ``COMMANDS`` (click commands); they are found and
registered here, so adding a command is adding a module. Commands parse options, call
one function, and format its result (terminal, or ``--json``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from jobtrail.crawler.cli.context import CliContext
from jobtrail.crawler.settings import JOBTRAIL_CONFIG


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c", "--config", "config_path", default=JOBTRAIL_CONFIG, envvar="JOBTRAIL_CONFIG",
    show_default=True, help="Path of the config file.",
)
@click.option("--db", "db_url", envvar="JOBTRAIL_DB_URL", help="Database URL (overrides the config file).")
@click.version_option(package_name="jobtrail")
@click.pass_context
def main(ctx: click.Context, config_path: str, db_url: str | None) -> None:
    """Watch careers pages; keep every version of each posting; report what changed.

    \b
    Examples:
      jobtrail demo                      # a posting changes, offline (~5 s)
      jobtrail init && jobtrail crawl    # crawl the sources in ./jobtrail.toml
      jobtrail changes --since 1d        # what changed since yesterday
    """
    ctx.obj = CliContext(config_path=config_path, db_url=db_url)


def _register_commands() -> None:
    package = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in {"context", "options", "output", "running"}:  # helpers, not commands
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register_commands()
