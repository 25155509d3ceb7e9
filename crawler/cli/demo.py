"""`jobtrail demo`: see a posting change, offline, in a few seconds (benchmarks/startup.py measures it)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click


@click.command("demo")
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the demo config and database here (default: a temporary folder).")
def demo_command(workdir: Path | None) -> None:
    """Serve a small careers site on 127.0.0.1, crawl it, change it, crawl again, show the diff.

    \b
    Examples:
      jobtrail demo
      jobtrail demo --dir ./demo && jobtrail -c demo/jobtrail.toml history "Backend Developer"
    """
    from jobtrail.crawler.demo import run_demo

    if workdir is not None:
        raise SystemExit(run_demo(workdir))
    with tempfile.TemporaryDirectory(prefix="jobtrail-demo-") as tmp:
        raise SystemExit(run_demo(Path(tmp)))


COMMANDS = [demo_command]
