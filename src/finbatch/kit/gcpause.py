"""Pausing Python's cyclic garbage collector around bulk work.

A bulk import keeps every record of its file alive until it commits (it is all-or-nothing) and
allocates millions of small objects meanwhile; each allocation burst makes the collector walk the
objects already alive, again and again, although almost none are garbage (reference counting
frees them). Measured on an import of 10,000 transactions: a quarter of its CPU time. Within
``collector_paused()`` the collector does not run; reference counting still frees everything
without a cycle, and cycles made meanwhile wait for a later collection (a full one, if the block
promotes its survivors: below).

A posting's chunk is the other case: tens of thousands of container objects (sources, legs, rows)
that live until the chunk is written and then die by reference count. Their number alone set the
collector off, and every third or fourth chunk it walked the whole process (the application's
modules, SQLAlchemy's metadata: some 200,000 objects): 0.12–0.26 s of a 0.8–1.1 s posting of
10,000 transactions. Paused for the chunk, nothing is promoted, and once the chunk's objects are
freed the collector's counts are back where they were.

Process-wide and nestable across threads: the collector is paused while at least one block is
inside, and enabled again only if it was enabled when the first one entered; other threads'
cyclic garbage waits for it like the block's own. Jobs whose blocks overlap without a gap (two
postings in one process, chunk after chunk) keep it paused for as long as they do: bounded by the
jobs, not by their chunks.

A block that leaves many objects alive after it (an import's records, read before they are
checked) can ask for them to be handed to the oldest generation when the collector is enabled
again (``promote_survivors``): the next young collection would otherwise walk all of them once
more. It is asked for, not the default, because the hand-off moves every young object of the
process, cyclic garbage of other threads included, where only a full collection looks: fine once
per import, not at every commit of a long-running server. Nor is it done when the program has
frozen objects of its own (``gc.freeze()`` before forking workers, to keep pages shared): the
hand-off would unfreeze them.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_inside = 0
_was_enabled = False
_promote = False


@contextmanager
def collector_paused(*, promote_survivors: bool = False) -> Iterator[None]:
    global _inside, _was_enabled, _promote
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            _promote = False
            gc.disable()
        _inside += 1
        _promote = _promote or promote_survivors
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                # what survived the block is old: hand it to the oldest generation at once
                # (freeze, then unfreeze into it) rather than let the next allocation's young
                # collection walk all of it (30-50 ms after reading 10,000 records); it is
                # collected with that generation, as any long-lived object is
                if _promote and gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
