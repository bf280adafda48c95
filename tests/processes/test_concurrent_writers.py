"""Writers in several processes on one database: two API servers taking writes from sixteen
clients while `finbatch import` holds the write lock for a whole file. On SQLite they queue on
the write lock (BEGIN IMMEDIATE and a busy timeout), so no "database is locked" ever reaches a
client as a 500; on PostgreSQL row locks order them. Every write lands once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from finbatch.receivables.models import ARTransaction
from tests.conftest import make_tenant
from tests.support.books import Books
from tests.support.processes import Server
from tests.support.volume import ledger_ready_tenant

pytestmark = pytest.mark.slow

CLIENTS = 16
WRITES_PER_CLIENT = 12
IMPORTED = 3_000


def test_writers_in_several_processes_all_land_without_a_server_error(database, database_url,
                                                                      tmp_path):
    tenant = make_tenant(database, "acme")
    ledger_ready_tenant(database, tenant.id)
    path = tmp_path / "import.csv"
    path.write_text("kind,external_ref,business_unit_id,customer_code,date,product,quantity,unit_price\n"
                    + "".join(f"invoice,IMP-{n},MAIN,C{n % 20},2026-04-02,X,1,3.50\n"
                              for n in range(IMPORTED)))
    servers = [Server(database_url, tmp_path / f"server{n}.log").start() for n in range(2)]
    statuses: list[tuple[int, str]] = []
    try:
        with httpx.Client(base_url=servers[0].base_url, timeout=90) as client:
            customer = Books(client, tenant.headers()).customer("Ada")

        def write(n: int) -> None:
            server = servers[n % 2]
            with httpx.Client(base_url=server.base_url, timeout=90) as client:
                for k in range(WRITES_PER_CLIENT):
                    response = client.post("/v1/invoices", headers=tenant.headers(), json={
                        "customer_id": customer, "date": "2026-04-03",
                        "description": f"client {n} write {k}", "lines": [{"unit_price": "1.00"}]})
                    statuses.append((response.status_code, response.text[:300]))

        importer = subprocess.Popen(
            [sys.executable, "-m", "finbatch.cli", "import", str(path), "--tenant", "acme"],
            env={**os.environ, "FINBATCH_DATABASE_URL": database_url},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threads = [threading.Thread(target=write, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        out, err = importer.communicate(timeout=300)
    finally:
        for server in servers:
            server.stop()

    failures = [s for s in statuses if s[0] != 201]
    assert not failures, failures[:5]
    assert len(statuses) == CLIENTS * WRITES_PER_CLIENT
    assert importer.returncode == 0, err.decode()
    assert json.loads(out)["created"] == IMPORTED
    with database.reading() as session:
        stored = session.execute(select(func.count()).select_from(ARTransaction).where(
            ARTransaction.tenant_id == tenant.id)).scalar_one()
    assert stored == IMPORTED + CLIENTS * WRITES_PER_CLIENT
    for server in servers:
        assert "Traceback" not in server.log.read_text()
