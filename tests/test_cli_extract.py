"""`jobtrail extract`: the saved-page debugging command, run for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from jobtrail.crawler.cli import main

PAGE_CASES = Path(__file__).parent / "fixtures" / "page"
SEED_LIKE = PAGE_CASES / "ahrefs_backend_developer"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["extract", *args])
    return result.exit_code, result.output


def seed_url() -> str:
    return (SEED_LIKE / "url.txt").read_text().strip()


def test_json_output_is_the_documented_record() -> None:
    code, output = run(str(SEED_LIKE / "input.html"), "--url", seed_url(), "--json")
    assert code == 0, output
    expected = json.loads((SEED_LIKE / "expected.json").read_text(encoding="utf-8"))
    for posting in expected:
        posting["source"] = "extract"
    assert json.loads(output) == expected


def test_summary_lists_each_section() -> None:
    code, output = run(str(SEED_LIKE / "input.html"), "--url", seed_url(), "--kind", "page")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "Backend Developer — Ahrefs"
    assert "  requirements (8):" in lines and "    - Proficiency in OCaml" in lines
    assert "  benefits (5):" in lines
    assert "    - Data Engineer <https://ahrefs.example/careers/data-engineer>" in lines


def test_page_without_posting() -> None:
    page = PAGE_CASES / "no_posting" / "input.html"
    assert run(str(page), "--url", "https://quietharbor.example/x") == (0, f"no job posting found in {page}\n")
    code, output = run(str(page), "--url", "https://quietharbor.example/x", "--json")
    assert (code, json.loads(output)) == (0, [])


def test_missing_file_is_one_line_error(tmp_path: Path) -> None:
    code, output = run(str(tmp_path / "nope.html"), "--url", "https://example.com/jobs/1")
    assert code == 1
    assert output == f"Error: cannot read {tmp_path / 'nope.html'}: No such file or directory\n"


def test_unknown_kind_is_a_usage_error() -> None:
    code, output = run(str(SEED_LIKE / "input.html"), "--url", seed_url(), "--kind", "nonsense")
    assert code == 2 and "'page'" in output and "'auto'" in output


def test_help_shows_an_example() -> None:
    code, output = run("--help")
    assert code == 0 and "jobtrail extract page.html --url https://example.com/jobs/123 --json" in output


def test_console_script_runs_as_a_subprocess() -> None:
    case = PAGE_CASES / "non_utf8"
    url = (case / "url.txt").read_text().strip()
    done = subprocess.run(
        [sys.executable, "-c", "from jobtrail.crawler.cli import main; main()",
         "extract", str(case / "input.html"), "--url", url, "--json"],
        capture_output=True, text=True, encoding="utf-8", check=False, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["title"] == "Chef de cuisine – Café Lumière"


def test_explain_says_where_each_heading_went_and_why(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Welder | Ironmoor</title></head><body><main><h1>Welder</h1>"
        "<p>Ironmoor builds bridges and walkways out of weathering steel for rail operators.</p>"
        "<h2>Sound like you?</h2><ul><li>3 years of MIG welding</li><li>A valid forklift licence</li></ul>"
        "<h2>The small print</h2><ul><li>Hard hats on site</li><li>Boots provided</li></ul>"
        "</main></body></html>",
        encoding="utf-8",
    )
    code, output = run(str(page), "--url", "https://ironmoor.example/jobs/7", "--kind", "page", "--explain")
    assert code == 0, output
    assert "'Sound like you?' -> requirements (cues 3.0 [like you], 2 items)" in output
    assert "  ! 'The small print' -> description (" in output  # a list no rule claimed: kept, and flagged
    assert "1 list(s) stayed in the description" in output
    assert "  requirements (2):" in output
