"""`jobtrail demo` is the first thing a newcomer runs: it must show the seed change."""

from __future__ import annotations

from pathlib import Path

from tests.crawl_helpers import run_cli


def test_demo_shows_the_seed_change(tmp_path: Path) -> None:
    result = run_cli(["demo", "--dir", str(tmp_path / "demo")], env={"NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "OCaml with some {+D and+} C++" in out, "the stack line's word diff"
    assert "+ Proficiency in OCaml" in out
    assert "+ Knowledge of D or C++ is a plus" in out
    assert "related_jobs:" in out and "+ Security Engineer Ubuntu" in out
    assert "About us" not in out.split("$ jobtrail changes", 1)[1].split("description:", 1)[0], (
        "an empty 'We offer:' section must not swallow the next heading's paragraphs"
    )
    assert (tmp_path / "demo" / "demo.db").exists()
    history = run_cli(["-c", str(tmp_path / "demo" / "jobtrail.toml"), "history", "Backend Developer",
                       "--company", "Ahrefs"])
    assert history.returncode == 0, history.stderr
    assert "v2" in history.stdout and "Proficiency in OCaml" in history.stdout
