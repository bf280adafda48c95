"""Every golden request/response file of the Rhythm dialect, on each storage engine."""

from __future__ import annotations

import pytest

from tests.dialects.rhythm.golden import cases, mismatches, run_case


@pytest.mark.parametrize("name", cases())
def test_golden(client, database, name):
    observed = run_case(client, database, name)
    problems = mismatches(name, observed)
    assert not problems, "\n\n".join(problems)
