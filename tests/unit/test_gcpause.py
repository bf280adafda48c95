import gc
import threading

import pytest

from finbatch.kit.gcpause import collector_paused


@pytest.fixture(autouse=True)
def _collector_enabled():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_inside_and_enabled_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_blocks_enable_it_only_when_the_outermost_leaves():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_exception_enables_it_again():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_blocks_in_two_threads_keep_it_paused_until_both_leave():
    first_inside, first_may_leave = threading.Event(), threading.Event()
    seen = []

    def first():
        with collector_paused():
            first_inside.set()
            first_may_leave.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    first_inside.wait(5)
    with collector_paused():
        pass
    seen.append(gc.isenabled())  # the first thread is still inside
    first_may_leave.set()
    thread.join(5)
    assert seen == [False, False]
    assert gc.isenabled()


def test_what_survives_a_block_is_old_and_still_collected():
    gc.collect()
    with collector_paused(promote_survivors=True):
        cycle = []
        cycle.append(cycle)
        survivors = [[] for _ in range(10_000)]
    # in the oldest generation at once, not left for the young collections to walk
    assert any(o is survivors for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0  # nothing left in the permanent generation
    del cycle, survivors
    assert gc.collect() >= 1  # the cycle made inside the block is found by a full collection


def test_survivors_stay_young_unless_a_block_asks():
    gc.collect()
    with collector_paused():
        survivors = [[] for _ in range(1_000)]
    # a plain pause (an API commit's) leaves the young generations as they were
    assert not any(o is survivors for o in gc.get_objects(generation=2))
    with collector_paused(), collector_paused(promote_survivors=True):
        later = [[] for _ in range(1_000)]
    # any block of the pause may ask, the outer one or an inner one
    assert any(o is later for o in gc.get_objects(generation=2))


def test_objects_the_program_froze_stay_frozen():
    frozen = [[] for _ in range(100)]
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        with collector_paused(promote_survivors=True):
            pass
        assert gc.get_freeze_count() == count  # not handed to the oldest generation
    finally:
        gc.unfreeze()
    del frozen
