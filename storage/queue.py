"""The work queue of a distributed cycle: procrastinate, a PostgreSQL job queue (SKIP LOCKED).

Why procrastinate (docs/scale-out.md has the comparison): PostgreSQL is already the shared
database, so the queue adds no service; a job is fetched with ``FOR UPDATE SKIP LOCKED``;
its ``lock`` runs the jobs of one host one at a time across every machine (politeness);
workers send heartbeats, so a crashed worker's jobs can be found and retried; job rows are
transactional and inspectable with SQL. Ownership of a source is *not* the job: it is the
lease row (storage/leases.py), which the job only asks for.

A job is "crawl these sources of one host in this cycle" (``GROUP_TASK``). Procrastinate's
own tables are installed by ``ensure_schema`` (its shipped schema.sql, under an advisory
lock so that workers starting together on a fresh database do not race).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import jobs
from procrastinate.schema import SchemaManager
from procrastinate.types import JSONValue
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from jobtrail.storage.db import advisory_key, normalize_url

logger = logging.getLogger(__name__)

GROUP_TASK = "jobtrail.crawl_group"
QUEUE = "jobtrail"
#: whether a job is still running under the worker that fetched it
OWN_JOB_SQL = ("SELECT count(*) AS n FROM procrastinate_jobs "
               "WHERE id = %(job_id)s AND status = 'doing' AND worker_id = %(worker_id)s")


@dataclass(frozen=True)
class GroupJob:
    """Arguments of one queued job: some sources of one host, for one cycle."""

    cycle_id: int
    host: str
    source_ids: tuple[int, ...]

    def as_kwargs(self) -> dict[str, JSONValue]:
        return {"cycle_id": self.cycle_id, "host": self.host, "source_ids": list(self.source_ids)}

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> GroupJob:
        return cls(int(kwargs["cycle_id"]), str(kwargs["host"]), tuple(int(i) for i in kwargs["source_ids"]))


def conninfo(db_url: str) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL (options such as search_path are kept)."""
    url = make_url(normalize_url(db_url))
    if url.get_backend_name() != "postgresql":
        raise ValueError("workers and cycles need PostgreSQL (the shared database is also the queue)")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(db_url: str) -> procrastinate.App:
    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(db_url)))


def tolerate_requeued_jobs(app: procrastinate.App) -> None:
    """Finish a job only while it is still this worker's.

    A worker that stalled (stopped, swapped out) past its lease has had its job requeued by
    ``retry_stalled`` and fetched by another worker, under the same job id. procrastinate's
    finish_job checks the id and status only, not the worker: the stalled one, waking up,
    would mark *the other worker's running job* finished (deleting it frees the host's lock
    while that host is still being crawled), or fail with "Job was not found" as an asyncio
    traceback that reads like a database failure once the other worker deleted it. The lease
    already refused the stale writes (one warning per source), so here one info line is enough.
    The check and the finish are two statements: a worker stalling between them is not covered.
    """
    manager = app.job_manager
    finish = manager.finish_job

    async def finish_job(job: jobs.Job, status: jobs.Status, delete_job: bool) -> None:
        if job.worker_id is None:  # not fetched by a worker (never the case for run_worker's jobs)
            await finish(job=job, status=status, delete_job=delete_job)
            return
        ours = await app.connector.execute_query_one_async(
            query=OWN_JOB_SQL, job_id=job.id, worker_id=job.worker_id)
        if not ours["n"]:
            logger.info("job %s was requeued to another worker while this one stalled; its outcome here is dropped",
                        job.id)
            return
        await finish(job=job, status=status, delete_job=delete_job)

    manager.finish_job = finish_job  # type: ignore[method-assign]


def ensure_schema(engine: Engine) -> bool:
    """Install procrastinate's tables once; True when this call installed them."""
    with engine.begin() as connection:
        key = advisory_key(connection, "queue-schema")
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        if connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
            return False
        connection.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))  # no parameters: %% is a literal %
    return True


def lock_for(host: str) -> str:
    """One job of a host runs at a time, on any machine."""
    return f"host:{host}"


async def defer_groups(app: procrastinate.App, jobs: Sequence[GroupJob]) -> int:
    """Queue every group job of a cycle (one round trip per job; a cycle has few hundred to few thousand)."""
    for job in jobs:
        await app.configure_task(GROUP_TASK, queue=QUEUE, lock=lock_for(job.host)).defer_async(**job.as_kwargs())
    return len(jobs)


async def cancel_stale(app: procrastinate.App, keep_cycle: int) -> int:
    """Cancel queued jobs of older cycles, so a killed cycle's leftovers never hold a host's turn."""
    cancelled = 0
    for job in await app.job_manager.list_jobs_async(task=GROUP_TASK, status="todo"):
        if job.id is not None and GroupJob.from_kwargs(job.task_kwargs).cycle_id != keep_cycle:
            cancelled += bool(await app.job_manager.cancel_job_by_id_async(job.id, delete_job=True))
    return cancelled


async def retry_stalled(app: procrastinate.App, seconds_since_heartbeat: float,
                        abandoned: Callable[[GroupJob], bool]) -> int:
    """Requeue jobs whose worker stopped sending heartbeats *and* that ``abandoned`` confirms
    (their leases lapsed): a worker whose event loop is merely busy keeps its leases alive from
    a thread, so it is not robbed of its jobs."""
    requeued = 0
    for job in await app.job_manager.get_stalled_jobs(task_name=GROUP_TASK,
                                                      seconds_since_heartbeat=seconds_since_heartbeat):
        if abandoned(GroupJob.from_kwargs(job.task_kwargs)):
            await app.job_manager.retry_job(job)
            requeued += 1
    return requeued
