"""Child process for the crash tests: drain the outbox, optionally SIGKILL itself right after
apprise reports success (before the 'sent' commit). Run as: python -m tests.outbox_child CONFIG DB [--die-after-send]"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from jobtrail.crawler.sources import load_config
from jobtrail.pipelines.alerts import send
from jobtrail.pipelines.alerts.outbox import deliver_pending
from jobtrail.storage.db import open_database


def main(config_path: str, db_url: str, die_after_send: bool) -> None:
    if die_after_send:
        original = send.send

        def send_then_die(*args: Any, **kwargs: Any) -> send.SendResult:
            result = original(*args, **kwargs)
            if result.ok:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        send.send = send_then_die  # type: ignore[assignment]
    _engine, sessions = open_database(db_url)
    deliver_pending(sessions, load_config(config_path))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--die-after-send" in sys.argv[3:])
