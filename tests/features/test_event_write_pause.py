"""Writing a commit's change events pauses the process-wide cyclic collector only for a bulk
write (an import's), and only once the tenant's events counter is held: an API commit of a few
events waiting on that lock must not hold the collector off for every thread."""

from __future__ import annotations

import gc
from contextlib import contextmanager

import pytest

from finbatch import counters
from finbatch.events import service as events
from finbatch.events.models import Event


@pytest.fixture
def steps(monkeypatch):
    seen: list[str] = []
    allocate = counters.allocate

    def allocating(*args, **kwargs):
        seen.append("allocate")
        return allocate(*args, **kwargs)

    paused = events.collector_paused

    @contextmanager
    def pausing():
        seen.append("pause")
        with paused():
            assert not gc.isenabled()
            yield

    monkeypatch.setattr(counters, "allocate", allocating)
    monkeypatch.setattr(events, "collector_paused", pausing)
    monkeypatch.setattr(events, "BULK_EVENTS", 5)
    return seen


def _commit_events(database, tenant, count: int) -> None:
    with database.unit_of_work() as session:
        for n in range(count):
            events.record_change(session, tenant_id=tenant.id, type="created",
                                 record_kind="probe", record_id=f"r{n}", actor="test", data=None)


def _written(database) -> int:
    with database.reading() as session:
        return session.query(Event).filter_by(record_kind="probe").count()


def test_a_few_events_are_written_with_the_collector_running(database, tenant, steps):
    gc.enable()
    _commit_events(database, tenant, 4)
    assert steps == ["allocate"]
    assert gc.isenabled() and _written(database) == 4


def test_a_bulk_write_pauses_it_after_the_counter_is_held(database, tenant, steps):
    gc.enable()
    _commit_events(database, tenant, 5)
    assert steps == ["allocate", "pause"]
    assert gc.isenabled() and _written(database) == 5
