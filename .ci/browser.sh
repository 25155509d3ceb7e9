#!/usr/bin/env bash
# Real headless Chromium for the browser tests: Debian's package at /usr/bin/chromium, driven by
# Playwright's Python client (a [test] extra, installed by .ci/run) — never `playwright install`.
# Idempotent: does nothing when chromium is already there.
set -euo pipefail
command -v chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
chromium --version
