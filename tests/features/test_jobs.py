"""The job queue: claiming, leases, retries, failures (in one process; see tests/processes for
real workers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from finbatch import counters
from finbatch.jobs import queue
from finbatch.jobs.handlers import Worker
from finbatch.jobs.models import Job
from finbatch.jobs.probe import counter_name
from finbatch.jobs.worker import register
from finbatch.kit.clock import clock


def _enqueue(database, tenant, kind="probe", **kw) -> str:
    with database.unit_of_work() as session:
        return queue.enqueue(session, tenant_id=tenant.id, kind=kind, payload={}, actor="test", **kw).id


def _job(database, tenant, job_id) -> Job:
    with database.reading() as session:
        return session.get(Job, (tenant.id, job_id))


def test_a_job_runs_once_and_records_its_result(client, database, tenant):
    job_id = _enqueue(database, tenant)
    assert Worker(database, name="w1").drain() == 1
    job = _job(database, tenant, job_id)
    assert (job.status, job.attempts, job.progress_done) == ("succeeded", 1, 1)
    assert job.result["execution"] == 1 and job.locked_by == "w1" and job.finished_at
    got = client.get(f"/v1/jobs/{job_id}", headers=tenant.headers("viewer")).json()
    assert got["status"] == "succeeded" and got["progress"] == {"done": 1, "total": 1}


def test_a_job_enqueued_in_a_rolled_back_transaction_does_not_exist(database, tenant):
    try:
        with database.unit_of_work() as session:
            queue.enqueue(session, tenant_id=tenant.id, kind="probe", payload={}, actor="t")
            raise RuntimeError("the state change failed")
    except RuntimeError:
        pass
    assert Worker(database).drain() == 0


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease(database, tenant):
    job_id = _enqueue(database, tenant)
    start = datetime.now(UTC)
    with clock.freeze(start):
        with database.unit_of_work() as session:  # a worker claims it, then dies
            assert queue.claim(session, "dead-worker", lease=timedelta(seconds=30)).id == job_id
        assert Worker(database, name="w2").drain() == 0  # the lease still holds
        clock.advance(timedelta(seconds=31))
        assert Worker(database, name="w2").drain() == 1
    job = _job(database, tenant, job_id)
    assert (job.status, job.attempts, job.locked_by) == ("succeeded", 2, "w2")
    with database.reading() as session:
        assert counters.current(session, tenant.id, counter_name(job_id)) == 1


def test_a_worker_that_lost_its_lease_cannot_finish_the_job(database, tenant):
    job_id = _enqueue(database, tenant)
    with database.unit_of_work() as session:
        job = queue.claim(session, "slow", lease=timedelta(seconds=30))
    with database.unit_of_work() as session:  # another worker took over
        session.get(Job, (tenant.id, job_id)).locked_by = "fast"
    with database.unit_of_work() as session:
        assert queue.finish(session, job, "slow", {"x": 1}) is False
        assert queue.heartbeat(session, job, "slow") is False
        assert queue.record_progress(session, job, "slow", done=5) is False
    assert _job(database, tenant, job_id).status == "running"


class Flaky:
    calls = 0

    def run(self, ctx):
        Flaky.calls += 1
        if Flaky.calls < 3:
            raise ConnectionError("database went away")
        return {"calls": Flaky.calls}

    def give_up(self, ctx, error):
        raise AssertionError("not expected")


class Doomed:
    gave_up: list[str] = []

    def run(self, ctx):
        raise ValueError("always broken")

    def give_up(self, ctx, error):
        Doomed.gave_up.append(error)


def test_transient_failures_are_retried_with_backoff_then_succeed(database, tenant):
    Flaky.calls = 0
    register("flaky", Flaky())
    job_id = _enqueue(database, tenant, kind="flaky")
    start = datetime.now(UTC)
    with clock.freeze(start):
        worker = Worker(database, kinds=["flaky"])
        assert worker.drain() == 1
        job = _job(database, tenant, job_id)
        assert (job.status, job.attempts) == ("queued", 1)
        assert "database went away" in job.last_error and job.run_after > start
        for _ in range(2):
            clock.advance(timedelta(minutes=10))
            worker.drain()
    job = _job(database, tenant, job_id)
    assert (job.status, job.attempts, job.result) == ("succeeded", 3, {"calls": 3})


def test_a_job_that_keeps_failing_is_given_up_on(database, tenant):
    Doomed.gave_up = []
    register("doomed", Doomed())
    job_id = _enqueue(database, tenant, kind="doomed", max_attempts=2)
    with clock.freeze(datetime.now(UTC)):
        worker = Worker(database, kinds=["doomed"])
        worker.drain()
        clock.advance(timedelta(minutes=10))
        worker.drain()
    job = _job(database, tenant, job_id)
    assert (job.status, job.attempts) == ("failed", 2)
    assert Doomed.gave_up and "always broken" in Doomed.gave_up[-1]


def test_every_job_kind_has_a_handler_in_worker_processes():
    """Job kinds are registered by importing their feature; a worker process imports
    finbatch.jobs.handlers only, so every kind must be reachable from there."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "from finbatch.jobs.handlers import HANDLERS; "
                          "print(' '.join(sorted(HANDLERS)))"], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["export", "post_ap_batch", "post_batch", "probe", "unpost_batch"]
