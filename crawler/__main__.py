"""`python -m jobtrail.crawler` is `jobtrail` (used where the console script is not on PATH)."""

from jobtrail.crawler.cli import main

main(prog_name="jobtrail")
