"""Run the real `jobtrail` CLI against test configs: crawls in a subprocess, the way cron does.

Commands that only read or edit the database and the config (``show``, ``changes``,
``sources rename`` ...) run in this process through click's CliRunner: a child's start-up
(~1 s of imports) was most of their cost, and they start no Scrapy reactor, which runs
once per process. Anything that crawls, serves, sends or waits stays a real child process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

REPO = Path(__file__).resolve().parent.parent


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


#: AutoThrottle stays on, as in production, but starts at 50 ms instead of 0.5 s: on loopback it adapts
#: towards 0 anyway, and the start delay cost ~1 s of every small test crawl (more with retries of an
#: unreachable source). Added only to configs without a [crawl] table; those keep theirs as written.
QUICK_START = "\n[crawl]\nautothrottle_start_delay = 0.05\n"


def write_config(tmp_path: Path, sources: list[dict[str, Any]], db_url: str | None = None,
                 extra_toml: str = "", name: str = "jobtrail.toml") -> Path:
    """A jobtrail.toml with these [[sources]] (and anything else appended verbatim)."""
    lines = []
    if db_url:
        lines += ["[database]", f"url = {toml_value(db_url)}", ""]
    for source in sources:
        lines.append("[[sources]]")
        lines += [f"{key} = {toml_value(value)}" for key, value in source.items()]
        lines.append("")
    text = "\n".join(lines) + "\n" + extra_toml
    if not re.search(r"^\s*\[crawl\]", text, re.MULTILINE):
        text += QUICK_START
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


#: commands that start no reactor, server, worker or delivery: safe to run in the test process
IN_PROCESS_COMMANDS = frozenset({"changes", "diff", "export", "history", "search", "show", "sources"})
#: global options that take a value (the command is the first word after them)
_VALUED_OPTIONS = frozenset({"-c", "--config", "--db"})


def command_of(args: list[str]) -> str | None:
    """The subcommand word of ``jobtrail ARGS`` (None for `--help`, `--version` or nothing)."""
    words = iter(args)
    for word in words:
        if word in _VALUED_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def run_cli(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`jobtrail ARGS`; returns its exit code and output, as a child process would give them.

    Read/edit commands (IN_PROCESS_COMMANDS) run in this process; everything else in a child.
    """
    if command_of(args) in IN_PROCESS_COMMANDS:
        return run_cli_in_process(args, env=env, cwd=cwd)
    full_env = {**os.environ, **(env or {})}
    full_env.pop("JOBTRAIL_DB_URL", None) if env is None or "JOBTRAIL_DB_URL" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "jobtrail.crawler", *args], capture_output=True, text=True, env=full_env,
        cwd=cwd or REPO, timeout=timeout, stdin=subprocess.DEVNULL,
    )


def run_cli_in_process(args: list[str], env: dict[str, str] | None = None,
                       cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`jobtrail ARGS` through click's CliRunner, made to look like the child process it replaces.

    Same environment rules as run_cli (JOBTRAIL_DB_URL unset unless ``env`` sets it), same
    working directory, a traceback on stderr and exit code 1 for an uncaught exception; the
    engines the command opened are disposed (a child's would close with it), and the root
    logger is left as it was.
    """
    from click.testing import CliRunner
    from sqlalchemy import Engine, event

    from jobtrail.crawler.cli import main

    overrides: dict[str, str | None] = {"JOBTRAIL_DB_URL": None, **(env or {})}
    engines: list[Engine] = []

    def opened(connection: object) -> None:
        engine = connection.engine  # type: ignore[attr-defined]
        if engine not in engines:
            engines.append(engine)

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    event.listen(Engine, "engine_connect", opened)
    try:
        with contextlib.chdir(cwd or REPO):
            result = CliRunner(env=overrides).invoke(main, args, prog_name="jobtrail", catch_exceptions=True)
    finally:
        event.remove(Engine, "engine_connect", opened)
        for engine in engines:
            engine.dispose()
        root.handlers[:], root.level = handlers, level
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["jobtrail", *args], result.exit_code, result.stdout, stderr)


def run_crawl_cli(config_path: Path, db_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["-c", str(config_path), "--db", db_url, "crawl", *extra])


def rows(db_url: str, model: type) -> list[Any]:
    """Every row of a table, as mappings: what a crawl left in the database."""
    engine = create_engine(db_url)
    with engine.connect() as connection:
        result = list(connection.execute(select(model)).mappings())
    engine.dispose()
    return result
