"""Scale-out through scrapy-redis: the queue lives in a real Redis, the crawl result is the same."""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import create_engine, func, select

from jobtrail.storage.models import Posting
from tests.acme_site import acme_source, serve_acme
from tests.crawl_helpers import run_crawl_cli, write_config
from tests.mockserver import MockServer


def count_postings(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Posting))
    engine.dispose()
    return int(count or 0)


def test_crawl_through_redis_scheduler(server: MockServer, sqlite_url: str, redis_url: str, tmp_path: Path) -> None:
    serve_acme(server, 1)
    config = write_config(tmp_path, [acme_source(server)])
    client = redis.Redis.from_url(redis_url)
    before = int(client.info("stats")["total_commands_processed"])

    result = run_crawl_cli(config, sqlite_url, "--redis", redis_url)

    assert result.returncode == 0, result.stderr
    assert count_postings(sqlite_url) == 3
    used = int(client.info("stats")["total_commands_processed"]) - before
    assert used >= 8, f"the scheduler should have queued requests in Redis (saw {used} commands)"
    assert not client.keys("jobtrail:*"), "queue and dupefilter are cleared so the next run refetches"

    again = run_crawl_cli(config, sqlite_url, "--redis", redis_url)
    assert again.returncode == 0, again.stderr
    assert "3" in again.stdout.splitlines()[-1], "the next day's run sees the 3 postings again (unchanged)"


def test_bad_redis_url_is_a_config_error(server: MockServer, sqlite_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, [acme_source(server)])
    result = run_crawl_cli(config, sqlite_url, "--redis", "http://user:pw@127.0.0.1:6379")
    assert result.returncode != 0
    assert "--redis must be a redis:// URL" in result.stderr and "pw" not in result.stderr


def test_two_sources_on_one_page_through_redis(server: MockServer, sqlite_url: str, redis_url: str,
                                               tmp_path: Path) -> None:
    serve_acme(server, 1)
    engineering = {**acme_source(server), "name": "acme-engineering", "link_pattern": r"/jobs/1001-"}
    config = write_config(tmp_path, [engineering, {**acme_source(server), "name": "acme-all"}])
    result = run_crawl_cli(config, sqlite_url, "--redis", redis_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert count_postings(sqlite_url) == 4
