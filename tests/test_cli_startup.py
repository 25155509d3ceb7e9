"""Point 10: `jobtrail --help` must not load the crawl machinery (it took 1-4 s when it did).

Speed itself is measured by benchmarks/startup.py; here we check the cause in a fresh
interpreter: after `--help` (and a command's `--help`), none of the heavy libraries is loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scrapy", "twisted", "sqlalchemy", "alembic", "apprise", "jinja2", "lxml", "bs4", "soupsieve",
         "extruct", "w3lib", "rich")

_PROBE = """
import json, sys
from jobtrail.crawler.cli import main
try:
    main(args=sys.argv[1:], prog_name="jobtrail")
except SystemExit:
    pass
print("\\nLOADED=" + json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


@pytest.mark.parametrize("args", [["--help"], ["crawl", "--help"], ["sources", "--help"], ["history", "--help"]])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=repr(HEAVY)), *args], capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: jobtrail" in result.stdout
    loaded = json.loads(result.stdout.rsplit("LOADED=", 1)[1])
    assert loaded == [], f"`jobtrail {' '.join(args)}` imported {loaded}"
