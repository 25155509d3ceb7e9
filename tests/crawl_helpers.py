"""Run the real `jobtrail` CLI in a subprocess, the way cron does, against test configs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n" + extra_toml, encoding="utf-8")
    return path


def run_cli(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`jobtrail ARGS` in a child process; returns its exit code and output."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("JOBTRAIL_DB_URL", None) if env is None or "JOBTRAIL_DB_URL" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "jobtrail.crawler", *args], capture_output=True, text=True, env=full_env,
        cwd=cwd or REPO, timeout=timeout, stdin=subprocess.DEVNULL,
    )


def run_crawl_cli(config_path: Path, db_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["-c", str(config_path), "--db", db_url, "crawl", *extra])


def rows(db_url: str, model: type) -> list[Any]:
    """Every row of a table, as mappings: what a crawl left in the database."""
    engine = create_engine(db_url)
    with engine.connect() as connection:
        result = list(connection.execute(select(model)).mappings())
    engine.dispose()
    return result
