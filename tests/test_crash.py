"""A writer killed mid-transaction leaves all of a unit of work or none of it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from clinic_app.store import Store
from tests.conftest import Clinic

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from clinic_app import residents as R
from clinic_app.idcard import check_character
from clinic_app.store import Store
from clinic_app.users import find_user
store = Store.open({db!r}, {key!r})
actor = find_user(store.conn, store.clinic_id, "admin")
mode = sys.argv[1]
def person(i):
    first17 = "6321231980" + f"{{(i // 28) % 12 + 1:02d}}{{i % 28 + 1:02d}}" + f"{{i % 1000:03d}}"
    return R.ResidentInput(name="张" + "伟芳娜"[i % 3], id_number=first17 + check_character(first17))
if mode == "pause":
    with store.unit(actor.id, "resident.import") as uow:
        for i in range(300):
            R.insert_resident(uow, R.validate_resident(uow.conn, store.clinic_id, person(i)))
        print("inside", flush=True)
        time.sleep(120)
else:
    for i in range(int(sys.argv[2]), 100000):
        R.add_resident(store, actor, person(i))
        print("committed", i, flush=True)
"""


def _spawn(clinic: Clinic, mode: str, start: int = 0) -> subprocess.Popen[str]:
    code = WRITER.format(root=str(ROOT), db=str(clinic.db), key=str(clinic.key))
    return subprocess.Popen(
        [sys.executable, "-c", code, mode, str(start)],
        stdout=subprocess.PIPE,
        text=True,
        stderr=subprocess.PIPE,
    )


def _consistent(store: Store) -> tuple[int, int, int]:
    residents = store.conn.execute("SELECT count(*) FROM resident").fetchone()[0]
    outbox = store.conn.execute("SELECT count(*) FROM outbox WHERE table_name = 'resident'").fetchone()[0]
    audits = store.conn.execute("SELECT rows FROM audit_log WHERE action LIKE 'resident.%'").fetchall()
    audited = sum(json.loads(r[0])["counts"].get("resident", 0) for r in audits)
    keys = store.conn.execute("SELECT count(DISTINCT resident_id) FROM resident_search_key").fetchone()[0]
    assert residents == outbox == audited == keys, (residents, outbox, audited, keys)
    assert store.integrity() == []
    return residents, outbox, audited


def test_writer_killed_inside_a_transaction_leaves_nothing(clinic: Clinic) -> None:
    clinic.store.close()
    proc = _spawn(clinic, "pause")
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "inside", proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = clinic.reopen()
    assert _consistent(store) == (0, 0, 0)


def test_writer_killed_at_random_points_leaves_whole_actions(clinic: Clinic) -> None:
    clinic.store.close()
    rng = random.Random(20261123)
    before = 0
    for _trial in range(6):
        proc = _spawn(clinic, "loop", before)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("committed"), proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.05, 0.5))
        os.kill(proc.pid, signal.SIGKILL)
        printed = 1 + len([ln for ln in proc.stdout.read().splitlines() if ln.startswith("committed")])
        proc.wait()
        store = Store.open(clinic.db, clinic.key)
        residents, _, _ = _consistent(store)
        store.close()
        # every action reported committed survived; at most one more committed before it could say so
        assert before + printed <= residents <= before + printed + 1
        before = residents
    assert before > 6
    clinic.store = Store.open(clinic.db, clinic.key)
