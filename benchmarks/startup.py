"""`jobtrail --help` and `jobtrail demo` wall time, next to a bare interpreter start.

    python benchmarks/startup.py            # 7 runs of each --help, 1 demo
    python benchmarks/startup.py --no-demo  # start-up only

Prints the median wall time of each command and its ratio to `python -c pass` measured in
the same run (targets: `jobtrail --help` under 0.5 s; the demo within what README says).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "jobtrail --help": [sys.executable, "-m", "jobtrail.crawler", "--help"],
    "jobtrail crawl --help": [sys.executable, "-m", "jobtrail.crawler", "crawl", "--help"],
}


def wall(command: list[str], cwd: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                   stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    baseline = None
    for name, command in COMMANDS.items():
        median = statistics.median(wall(command) for _ in range(args.runs))
        baseline = baseline or median
        print(f"{name:<28} {median:6.3f} s   x{median / baseline:5.1f}")
    if not args.no_demo:
        with tempfile.TemporaryDirectory() as tmp:
            seconds = wall([sys.executable, "-m", "jobtrail.crawler", "demo"], cwd=tmp)
        print(f"{'jobtrail demo':<28} {seconds:6.3f} s   x{seconds / baseline:5.1f}")


if __name__ == "__main__":
    main()
