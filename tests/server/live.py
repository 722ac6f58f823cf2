"""A real county server on a loopback port, for tests that need real HTTP and real concurrency."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import uvicorn

from sync.server.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_healthy(
    base: str, process: subprocess.Popen[str] | subprocess.Popen[bytes], seconds: float
) -> bool:
    """Whether a county server started as ``process`` answers ``/health`` at ``base`` within ``seconds`` (False as
    soon as the process has ended)."""
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{base}/health", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False


@contextmanager
def live_server(engine: sa.Engine) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(engine=engine), host="127.0.0.1", port=port, log_level="warning", limit_concurrency=400
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the county server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
