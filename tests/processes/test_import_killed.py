"""SIGKILL of `finbatch import` at ever later moments: each killed run leaves all of the file or
none of it, and the run that finishes, and any run after it, leaves every row exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from finbatch.receivables.models import ARLine, ARTransaction
from tests.conftest import make_tenant
from tests.features.test_cli import finbatch
from tests.support.volume import ledger_ready_tenant

pytestmark = pytest.mark.slow

ROWS = 6_000
HEADER = "kind,external_ref,business_unit_id,customer_code,date,amount,product,quantity,unit_price,applies_to,payment_account\n"


def _write_file(path) -> None:
    """Invoices and, for every fourth, a payment applied to it: rows that depend on each other."""
    with path.open("w") as out:
        out.write(HEADER)
        for n in range(ROWS):
            out.write(f"invoice,INV-{n},MAIN,C{n % 7},2026-03-{n % 28 + 1:02d},,ITEM,1,{n % 90 + 10}.25,,\n")
            if n % 4 == 0:
                out.write(f"payment,PAY-{n},MAIN,C{n % 7},2026-03-28,5.00,,,,INV-{n},1010\n")


def _counts(database, tenant_id: int) -> tuple[int, int]:
    with database.reading() as session:
        transactions = session.execute(select(func.count()).select_from(ARTransaction).where(
            ARTransaction.tenant_id == tenant_id)).scalar_one()
        lines = session.execute(select(func.count()).select_from(ARLine).where(
            ARLine.tenant_id == tenant_id)).scalar_one()
    return transactions, lines


def test_an_import_killed_at_any_moment_is_all_or_nothing(database, database_url, tmp_path):
    tenant = make_tenant(database, "acme")
    ledger_ready_tenant(database, tenant.id)
    path = tmp_path / "transactions.csv"
    _write_file(path)
    everything = (ROWS + ROWS // 4, ROWS)
    env = {**os.environ, "FINBATCH_DATABASE_URL": database_url}

    def start(slug: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "finbatch.cli", "import", str(path),
                                 "--tenant", slug], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    # the kills are spread over the time a whole run takes on this machine, measured on a tenant
    # of its own: fixed delays stopped reaching the import's middle once it got faster
    ledger_ready_tenant(database, make_tenant(database, "probe").id)
    started = time.monotonic()
    probe = start("probe")
    assert probe.wait() == 0, probe.communicate()[1].decode()
    whole = time.monotonic() - started

    kills, delay = 0, 0.4 * whole  # about when the import has begun writing
    while True:
        process = start("acme")
        time.sleep(delay)
        if process.poll() is not None:
            out, err = process.communicate()
            assert process.returncode == 0, err.decode()
            assert json.loads(out)["created"] == ROWS + ROWS // 4
            break
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        left = _counts(database, tenant.id)
        assert left in ((0, 0), everything), f"a run killed after {delay:.1f}s left {left}"
        if left == everything:
            break  # killed between its commit and its exit: the file is in, whole
        delay += whole / 8
    assert kills >= 3, f"the import (about {whole:.1f}s) finished before it could be killed mid-way"
    assert _counts(database, tenant.id) == everything

    again = json.loads(finbatch(database_url, "import", str(path), "--tenant", "acme").stdout)
    assert (again["created"], again["unchanged"]) == (0, ROWS + ROWS // 4)
    assert _counts(database, tenant.id) == everything
