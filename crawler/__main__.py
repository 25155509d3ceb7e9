"""`python -m crawler` is `jobtrail` (used where the console script is not on PATH)."""

from crawler.cli import main

main(prog_name="jobtrail")
