"""The AR batch lifecycle (SPEC §4): the one table every status change is checked against,
whichever API asked for it (a native action, a Rhythm PATCH of ``/status``, YM's POST, a job).

| from                   | to         | action            |
|------------------------|------------|-------------------|
| (new)                  | open       | create            |
| open                   | closed     | close             |
| closed                 | open       | reopen (not if posted since it was closed) |
| closed                 | verified   | verify            |
| closed, verified, error| posting    | post              |
| posting                | posted     | finish_posting    |
| posting                | error      | fail_posting      |
| posted                 | downloaded | download          |
| posted, downloaded     | closed     | unpost            |
| any but posting        | archived   | archive           |
"""

from __future__ import annotations

from finbatch.kit.errors import InvalidTransition

STATUSES = ("open", "closed", "verified", "posting", "posted", "downloaded", "error", "archived")

#: action → (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "close": (frozenset({"open"}), "closed"),
    "reopen": (frozenset({"closed"}), "open"),
    "verify": (frozenset({"closed"}), "verified"),
    "post": (frozenset({"closed", "verified", "error"}), "posting"),
    "finish_posting": (frozenset({"posting"}), "posted"),
    "fail_posting": (frozenset({"posting"}), "error"),
    "download": (frozenset({"posted"}), "downloaded"),
    "unpost": (frozenset({"posted", "downloaded"}), "closed"),
    "archive": (frozenset(set(STATUSES) - {"posting", "archived"}), "archived"),
}

#: Statuses in which a batch refuses every field change (Rhythm's ``sys_locked``): posted and
#: archived (SPEC §4), and likewise a downloaded batch (posted, then exported) and one whose
#: posting is running (its journal is being written from it). Lifecycle actions still apply.
LOCKED = frozenset({"posting", "posted", "downloaded", "archived"})
#: Statuses whose batch accepts transactions being added, moved out, edited or deleted.
EDITABLE = frozenset({"open"})


def is_locked(status: str) -> bool:
    return status in LOCKED


def target_of(action: str) -> str:
    return ACTIONS[action][1]


def check(action: str, current: str) -> str:
    """The status ``action`` leads to from ``current``; ``InvalidTransition`` (409) naming both
    states when the table does not allow it."""
    sources, target = ACTIONS[action]
    if current not in sources:
        raise InvalidTransition(
            f"cannot {action.replace('_', ' ')} a batch that is {current}: "
            f"{current} → {target} is not an allowed transition",
            extra={"from_status": current, "to_status": target})
    return target


def action_for(current: str, requested: str) -> str:
    """The action that moves a batch from ``current`` to ``requested`` (for APIs that set a
    status directly, like a Rhythm PATCH); ``InvalidTransition`` when no action does."""
    for action, (sources, target) in ACTIONS.items():
        if target == requested and current in sources and action not in _INTERNAL:
            return action
    raise InvalidTransition(
        f"a batch cannot go from {current} to {requested}: {current} → {requested} is not an "
        f"allowed transition", extra={"from_status": current, "to_status": requested})


#: Actions only the posting and export engines take (a client cannot set these statuses).
_INTERNAL = frozenset({"finish_posting", "fail_posting"})
