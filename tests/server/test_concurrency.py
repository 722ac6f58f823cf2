"""A pull never skips a committed change, even while many pushes commit at once."""

from __future__ import annotations

import threading
from typing import Any

import requests

from clinic_app.ids import uuid7
from sync.server import service

from .conftest import HEADERS, County
from .live import live_server

DEVICES = 6
BATCHES = 15
BATCH_SIZE = 10


def _enroll(base: str, county: County, clinic: str, name: str) -> dict[str, str]:
    code = county.admin(service.make_enroll_code, clinic)
    r = requests.post(f"{base}/api/v1/enroll", json={"code": code, "device_name": name, "app_version": "0.1.0"},
                      headers=HEADERS, timeout=30)  # fmt: skip
    r.raise_for_status()
    return {**HEADERS, "Authorization": f"Bearer {r.json()['token']}"}


def test_concurrent_pushes_while_pulling_lose_and_repeat_nothing(county: County) -> None:
    with live_server(county.engine) as base:
        pushers = [_enroll(base, county, "A01", f"A-{i}") for i in range(DEVICES)]
        noise = _enroll(base, county, "B01", "B-1")
        reader = _enroll(base, county, "A01", "A-reader")
        pushed: list[str] = []
        errors: list[str] = []
        lock = threading.Lock()
        done = threading.Event()

        def push_all(headers: dict[str, str]) -> None:
            session = requests.Session()
            for _ in range(BATCHES):
                rows = [
                    {"id": uuid7(), "action": "test", "summary": "x", "rows": "{}"} for _ in range(BATCH_SIZE)
                ]
                body = {"mutations": [{"mutation_id": uuid7(), "table": "audit_log", "op": "upsert", "row_id": r["id"],
                                       "base_version": 0, "fields": r} for r in rows]}  # fmt: skip
                r = session.post(f"{base}/api/v1/push", json=body, headers=headers, timeout=60)
                if r.status_code != 200 or any(x["status"] != "applied" for x in r.json()["results"]):
                    errors.append(r.text[:200])
                    return
                if headers is not noise:
                    with lock:
                        pushed.extend(x["id"] for x in rows)

        pulled: list[str] = []

        def pull_loop() -> None:
            session = requests.Session()
            cursor = None
            while True:
                finished = done.is_set()  # read before the pull: a pull after the last commit ends the loop
                params: dict[str, Any] = {"limit": 37, **({"cursor": cursor} if cursor else {})}
                r = session.get(f"{base}/api/v1/pull", params=params, headers=reader, timeout=60)
                if r.status_code != 200:
                    errors.append(r.text[:200])
                    return
                body = r.json()
                pulled.extend(c["row_id"] for c in body["changes"] if c["table"] == "audit_log")
                cursor = body["cursor"]
                if finished and not body["has_more"]:
                    return

        threads = [threading.Thread(target=push_all, args=(h,)) for h in [*pushers, noise]]
        puller = threading.Thread(target=pull_loop)
        puller.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        puller.join(timeout=120)
    assert not errors, errors[:3]
    assert len(pushed) == DEVICES * BATCHES * BATCH_SIZE
    assert len(pulled) == len(set(pulled)), "a change arrived twice"
    assert set(pulled) == set(pushed), f"{len(set(pushed) - set(pulled))} committed changes were skipped"
