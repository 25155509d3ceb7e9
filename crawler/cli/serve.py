"""`jobtrail serve`: the read-only web pages and feeds (crawler/web), served by uvicorn."""

from __future__ import annotations

import ipaddress
import socket

import click

from jobtrail.crawler import settings
from jobtrail.crawler.cli.context import CliContext, ConfigProblem


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and "localhost": only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: the system picks one), so the URL printed is the real one."""
    family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def tags_by_name(obj: CliContext) -> dict[str, tuple[str, ...]]:
    """tag -> source names, from jobtrail.toml (tags live in the config, not the database)."""
    found: dict[str, list[str]] = {}
    for source in obj.config(required=False).sources:
        for tag in source.tags:
            found.setdefault(tag, []).append(source.name)
    return {tag: tuple(names) for tag, names in found.items()}


@click.command("serve")
@click.option("--host", default=settings.JOBTRAIL_WEB_HOST, show_default=True,
              help="Address to listen on. Anything but loopback needs --public.")
@click.option("--port", default=settings.JOBTRAIL_WEB_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (0: any free port; the URL is printed).")
@click.option("--public", is_flag=True,
              help="Allow a non-loopback --host: everyone who can reach it can read the whole database.")
@click.option("--page-size", default=settings.JOBTRAIL_WEB_PAGE_SIZE, show_default=True, type=click.IntRange(1, 500),
              help="Changes, search hits and feed entries per page.")
@click.pass_obj
def serve_command(obj: CliContext, host: str, port: int, public: bool, page_size: int) -> None:
    """Read what changed in a browser, and follow it in a feed reader (read-only).

    Pages: /changes (filter by source, tag, company, kind, field), /postings/ID (text,
    status, timeline, any two versions side by side), /search, /sources. Atom/RSS feeds:
    /feeds/changes.atom (same filters), /feeds/source/NAME.atom, /feeds/tag/TAG.atom,
    /feeds/company/NAME.atom, /feeds/posting/ID.atom (.rss for RSS 2.0).

    \b
    Examples:
      jobtrail serve                              # http://127.0.0.1:8080/
      jobtrail serve --port 9000 --db sqlite:///jobtrail.db
      jobtrail serve --host 0.0.0.0 --public      # on the network: anyone there can read it
    """
    import uvicorn

    from jobtrail.crawler.web.app import LOOPBACK_HOSTS, create_app

    loopback = is_loopback(host)
    if not loopback and not public:
        raise ConfigProblem(f"--host {host} is not a loopback address: anyone who can reach it could read "
                            "every posting and source; pass --public to allow it")
    tags = tags_by_name(obj)
    sessions = obj.read_only_sessions()
    app = create_app(sessions, tags=tags, allowed_hosts=LOOPBACK_HOSTS if loopback else None,
                     page_size=page_size)
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    if not loopback:
        click.echo(f"warning: serving on {host}, not loopback: every posting and source is readable by anyone "
                   "who can reach this address (no login)", err=True)
    shown = host if ":" not in host or host.startswith("[") else f"[{host}]"
    click.echo(f"Serving http://{shown}:{sock.getsockname()[1]}/ (read-only). Ctrl-C stops.")
    config = uvicorn.Config(app, log_level="warning", server_header=False, proxy_headers=False, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


COMMANDS = [serve_command]
