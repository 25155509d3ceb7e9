"""Asking history questions from Python (a notebook, a script) through jobtrail.storage.history and .search.

    python examples/notebook.py sqlite:///jobtrail.db "D or C++"

Try it on the demo's database: `jobtrail demo --dir demo` then
`python examples/notebook.py sqlite:///demo/demo.db "D or C++"`.
"""

from __future__ import annotations

import sys

from jobtrail.pipelines.diff import diff_postings
from jobtrail.storage import history, search
from jobtrail.storage.db import open_database


def main(db_url: str, phrase: str) -> None:
    _, sessions = open_database(db_url)
    with sessions() as session:
        for hit in search.search(session, phrase):
            state = "still there" if hit.present else f"gone since {hit.removed_at:%Y-%m-%d}"
            print(f"posting {hit.posting_id}: {hit.field} says {phrase!r} since "
                  f"{hit.first_at:%Y-%m-%d %H:%M} (v{hit.first_seq}), {state}")
            for version in history.history(session, hit.posting_id, diff=diff_postings):
                changed = ", ".join(version.diff) or "-"
                print(f"  v{version.seq} {version.observed_at:%Y-%m-%d %H:%M} changed: {changed}")


if __name__ == "__main__":
    db_url = sys.argv[1] if len(sys.argv) > 1 else "sqlite:///jobtrail.db"
    main(db_url, sys.argv[2] if len(sys.argv) > 2 else "D or C++")
