"""Identifiers: time-ordered UUIDv7 (RFC 9562) as canonical strings.

Ordering by id is ordering by creation time, which keeps keyset paging and B-tree inserts cheap.
Within one process ids are strictly increasing even inside one millisecond.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_last_rand = 0
_RAND_BITS = 74


def uuid7() -> str:
    global _last_ms, _last_rand
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            # keep the top bit clear so the counter has room to grow within the millisecond
            _last_rand = int.from_bytes(os.urandom(10), "big") >> (80 - _RAND_BITS + 1)
        else:
            _last_rand += 1
            if _last_rand >= 1 << _RAND_BITS:
                _last_ms += 1
                _last_rand = 0
        ms, rand = _last_ms, _last_rand
    rand_a = rand >> 62
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    # str(uuid.UUID(int=value)) without the object: a posting makes one id per journal entry
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


#: Sorts before every other UUID: the lower bound of a walk in id order that has not started.
NIL_UUID = "00000000-0000-0000-0000-000000000000"


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return len(text) == 36
