"""Click option bundles shared by the commands: one definition of each flag's name and help.

Used as decorators (``@json_option``, ``@crawl_log_options``...), so every command that takes
``--json`` or ``--source`` spells and explains it the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: ``--json``: the command's result as JSON instead of text (docs/json.md)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text (docs/json.md).")
#: ``--no-color``
color_option = click.option("--no-color", is_flag=True, help="No ANSI colors (also when NO_COLOR is set).")
#: ``-s/--source`` (repeatable) for the commands that crawl
sources_option = click.option("-s", "--source", "sources", multiple=True, help="Only this source (repeatable).")


def source_filter_option(help: str = "Only this source (its name in jobtrail.toml).") -> Callable[[F], F]:
    """``--source NAME``: narrow what a read command shows to one source."""
    return click.option("--source", help=help)


def since_option(default: str | None, help: str) -> Callable[[F], F]:
    """``--since``: a duration (1d, 12h, 2w) or an ISO date; parsed by output.parse_since."""
    return click.option("--since", default=default, show_default=default is not None, help=help)


def wait_option(help: str = "Seconds to wait for an overlapping run to finish (else exit 75).") -> Callable[[F], F]:
    """``--wait SECONDS`` for the commands that take the run lock."""
    return click.option("--wait", type=float, default=0, show_default=True, help=help)


def crawl_log_options(command: F) -> F:
    """``-q/--quiet``, ``-v/--verbose`` and ``--debug``: how much a crawling command prints (cron-friendly)."""
    for option in reversed((
        click.option("-q", "--quiet", is_flag=True,
                     help="Print nothing when all is well; problems on stderr (for cron)."),
        click.option("-v", "--verbose", count=True, help="Scrapy's log and tracebacks: -v INFO, -vv DEBUG."),
        click.option("--debug", is_flag=True, help="Same as -vv."),
    )):
        command = option(command)
    return command
