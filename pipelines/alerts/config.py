"""[[notify]] channels: parse, validate with apprise itself, and never show a secret.

Every problem is a ``ConfigError`` naming the file, the channel and the key, raised
before anything is crawled (``jobtrail run`` loads the channels first).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jobtrail.crawler.items import FIELD_ORDER
from jobtrail.crawler.sources.config import Config, ConfigError, named_entry

NOTIFY_KEYS = {"name", "url", "mode", "on", "sources", "tags", "max_attempts", "tag", "unconfirmed"}
MODES = ("digest", "instant")
#: what happens to a message whose send a crash left unconfirmed: sent again with the same identity
#: (never lost; a receiver that dedupes drops the repeat), or held as failed (at most once)
UNCONFIRMED_POLICIES = ("resend", "hold")
KINDS = ("new", "changed", "closed", "reopened")
DEFAULT_ON = ("requirements", "related_jobs", "new", "closed")
#: what a user may write in ``on``: change kinds, diff field names, a few aliases, and "any"
ON_ALIASES = {"location": "locations", "requirement": "requirements", "related": "related_jobs"}
ON_VALUES = frozenset({"any", *KINDS, *FIELD_ORDER, *ON_ALIASES})
DEFAULT_MAX_ATTEMPTS = 5
#: a url that names a file (no scheme, or file://) is an apprise config file (YAML or TEXT)
CONFIG_FILE_SUFFIXES = (".yml", ".yaml", ".txt", ".conf", ".cfg", ".text")

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_QUERY_KEYS = re.compile(r"(pass|secret|token|key|auth|sig|pw|apikey|webhook)", re.IGNORECASE)
#: secrets shorter than this are not scrubbed from free text (too likely to hit ordinary words)
_MIN_SCRUB_LEN = 4


@dataclass(frozen=True)
class Channel:
    """One validated [[notify]] table. ``url`` holds secrets: show ``display_url`` instead."""

    name: str
    url: str = field(repr=False)
    mode: str = "digest"
    on: frozenset[str] = frozenset(DEFAULT_ON)
    sources: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    unconfirmed: str = UNCONFIRMED_POLICIES[0]
    apprise_tags: tuple[str, ...] = ()
    is_config_file: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def display_url(self) -> str:
        return self.url if self.is_config_file else mask_secret_url(self.url)

    def scrub(self, text: str) -> str:
        """``text`` with every secret of this channel (env values, password, the URL) masked."""
        text = text.replace(self.url, self.display_url)
        for secret in sorted(self.secrets, key=len, reverse=True):
            if len(secret) >= _MIN_SCRUB_LEN:
                text = text.replace(secret, "****")
        return text


def load_channels(config: Config) -> tuple[Channel, ...]:
    """Validated channels of ``config`` (empty when there is no [[notify]])."""
    where = str(config.path) if config.path else "<config>"
    base = config.path.parent if config.path else Path.cwd()
    known_sources = {source.name for source in config.sources}
    known_tags = {tag for source in config.sources for tag in source.tags}
    channels: list[Channel] = []
    for index, entry in enumerate(config.notify):
        channel = _parse_channel(entry, index, where, base, known_sources, known_tags)
        if any(existing.name == channel.name for existing in channels):
            raise ConfigError(f"{where}: notify {channel.name!r}: duplicate name")
        channels.append(channel)
    return tuple(channels)


def adhoc_channel(url: str, base: Path | None = None, *, name: str = "--to") -> Channel:
    """A one-off channel for a URL given on the command line (every change, digest mode)."""
    resolved, secrets = _resolve_url(url, name)
    resolved, is_file = _locate(resolved, base or Path.cwd())
    channel = Channel(name=name, url=resolved, on=frozenset({"any"}), is_config_file=is_file, secrets=secrets)
    _check_with_apprise(channel, name)
    return channel


def mask_secret_url(url: str) -> str:
    """``url`` safe to print: apprise's own privacy form when it knows the service, else a
    generic mask (password, userinfo tokens, secret-looking query values, long path tokens)."""
    try:
        import apprise

        service = apprise.Apprise.instantiate(url)
        if service is not None:
            return str(service.url(privacy=True))
    except Exception:  # noqa: BLE001 - masking must never fail
        pass
    return _generic_mask(url)


def _generic_mask(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "****"
    if not parts.scheme or not parts.netloc:
        return "****" if "@" in url or "?" in url else url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.username:
        host = f"{parts.username}{':****' if parts.password else ''}@{host}"
    path = "/".join("****" if len(seg) >= 16 else seg for seg in parts.path.split("/"))
    query = "&".join(
        f"{k}=****" if _SECRET_QUERY_KEYS.search(k) else f"{k}={v}" if v is not None else k
        for k, v in (pair.partition("=")[::2] for pair in parts.query.split("&") if pair)
    )
    return urlunsplit((parts.scheme, host, path, query, ""))


def _parse_channel(
    entry: Any, index: int, where: str, base: Path, known_sources: set[str], known_tags: set[str]
) -> Channel:
    name = named_entry(entry, index, where, "notify")
    label = f"{where}: notify {name!r}"
    unknown = set(entry) - NOTIFY_KEYS
    if unknown:
        raise ConfigError(f"{label}: unknown key(s): {', '.join(sorted(unknown))}")
    mode = entry.get("mode", "digest")
    if mode not in MODES:
        raise ConfigError(f"{label}: 'mode' must be one of {', '.join(MODES)}, got {mode!r}")
    on = _parse_on(entry.get("on", list(DEFAULT_ON)), label)
    sources = _string_set(entry.get("sources", []), label, "sources")
    tags = _string_set(entry.get("tags", []), label, "tags")
    _check_known(sources, known_sources, label, "sources", "source")
    _check_known(tags, known_tags, label, "tags", "tag")
    max_attempts = entry.get("max_attempts", DEFAULT_MAX_ATTEMPTS)
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ConfigError(f"{label}: 'max_attempts' must be a positive integer")
    unconfirmed = entry.get("unconfirmed", UNCONFIRMED_POLICIES[0])
    if unconfirmed not in UNCONFIRMED_POLICIES:
        raise ConfigError(f"{label}: 'unconfirmed' must be one of {', '.join(UNCONFIRMED_POLICIES)}, "
                          f"got {unconfirmed!r}")
    apprise_tag = entry.get("tag", [])
    apprise_tags = (apprise_tag,) if isinstance(apprise_tag, str) else apprise_tag
    if not isinstance(apprise_tags, list | tuple) or not all(isinstance(t, str) for t in apprise_tags):
        raise ConfigError(f"{label}: 'tag' must be a string or a list of strings (apprise tags)")
    url, secrets = _resolve_url(entry.get("url"), label)
    url, is_file = _locate(url, base)
    channel = Channel(
        name=name, url=url, mode=mode, on=on, sources=sources, tags=tags, max_attempts=max_attempts,
        unconfirmed=unconfirmed, apprise_tags=tuple(apprise_tags), is_config_file=is_file, secrets=secrets,
    )
    _check_with_apprise(channel, label)
    return channel


def _parse_on(value: Any, label: str) -> frozenset[str]:
    names = _string_set(value, label, "on")
    if not names:
        raise ConfigError(f"{label}: 'on' is empty; use [\"any\"] for every change")
    bad = names - ON_VALUES
    if bad:
        allowed = ", ".join(sorted(ON_VALUES))
        raise ConfigError(f"{label}: 'on': unknown value(s) {', '.join(sorted(bad))} (one of: {allowed})")
    return frozenset(ON_ALIASES.get(name, name) for name in names)


def _string_set(value: Any, label: str, key: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{label}: {key!r} must be a list of strings")
    return frozenset(v.strip() for v in value if v.strip())


def _check_known(names: frozenset[str], known: set[str], label: str, key: str, what: str) -> None:
    bad = names - known
    if bad:
        listed = ", ".join(sorted(known)) or "none"
        raise ConfigError(f"{label}: {key!r}: unknown {what}(s) {', '.join(sorted(bad))} (known: {listed})")


def _resolve_url(raw: Any, label: str) -> tuple[str, tuple[str, ...]]:
    """Substitute ``${VAR}`` from the environment; the values become secrets to scrub."""
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(f"{label}: missing 'url' (an apprise URL or an apprise config file)")
    secrets: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        value = os.environ.get(match.group(1))
        if value is None:
            raise ConfigError(f"{label}: 'url': environment variable {match.group(1)} is not set")
        secrets.append(value)
        return value

    url = _ENV_REF.sub(substitute, raw.strip())
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        secrets.append(password)
    return url, tuple(secrets)


def _locate(url: str, base: Path) -> tuple[str, bool]:
    """(url or absolute config-file path, whether it is a config file)."""
    if url.startswith("file://"):
        return url[len("file://"):], True
    if "://" in url:
        return url, False
    path = Path(url).expanduser()
    path = path if path.is_absolute() else base / path
    return str(path), True


def _check_with_apprise(channel: Channel, label: str) -> None:
    import apprise

    if channel.is_config_file:
        if not Path(channel.url).is_file():
            raise ConfigError(f"{label}: 'url': apprise config file {channel.url} not found")
        config = apprise.AppriseConfig()
        if not config.add(channel.url) or not config.services():
            raise ConfigError(f"{label}: 'url': {channel.url} holds no valid apprise URL")
        return
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as said:
        service = apprise.Apprise.instantiate(channel.url)
    if service is None:
        # apprise says why in its log ("Invalid ~From~ email specified", "Unparseable URL ...")
        reasons = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
        why = channel.scrub("; ".join(dict.fromkeys(reasons))) if reasons else "no reason given"
        raise ConfigError(
            f"{label}: 'url': apprise does not accept {mask_secret_url(channel.url)}: {why} "
            "(see https://github.com/caronc/apprise/wiki for URL formats)"
        )
