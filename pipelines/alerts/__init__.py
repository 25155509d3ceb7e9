"""Alerts: notify rules, the delivery outbox, digest rendering, sending through apprise."""
