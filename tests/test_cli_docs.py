"""Every command is documented (README or docs/) and its --help shows an example, like sqlite-utils."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from jobtrail.crawler.cli import main

REPO = Path(__file__).resolve().parent.parent
DOCS = (REPO / "README.md").read_text() + "".join(p.read_text() for p in sorted((REPO / "docs").glob("*.md")))


def all_commands(group: click.Group = main, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found += all_commands(command, f"{full} ")
    return found


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=[name for name, _ in all_commands()])
def test_command_is_documented_with_an_example(name: str, command: click.Command) -> None:
    assert f"jobtrail {name}" in DOCS, f"`jobtrail {name}` appears in neither README.md nor docs/"
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    if not isinstance(command, click.Group):
        assert "Example" in result.output, f"`jobtrail {name} --help` shows no example"
