"""A fault-injecting HTTP proxy of our own on loopback: 500s (before or after the server acted), connection
resets, truncated bodies and slow answers, chosen per request by a seeded plan, then clean once the plan runs
out. One request per connection (it answers `Connection: close`)."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FAULTS = ("ok", "500_before", "500_after", "reset_before", "reset_after", "truncate", "slow")


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head + (await reader.readexactly(length) if length else b"")


def _close_header(message: bytes) -> bytes:
    head, _, body = message.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class FaultProxy:
    def __init__(self, upstream_port: int, faulty_requests: int, seed: int) -> None:
        self.upstream_port = upstream_port
        self.remaining = faulty_requests
        self.rng = random.Random(seed)
        self.seen: list[str] = []
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fault = "ok"
        if self.remaining > 0:
            self.remaining -= 1
            fault = self.rng.choice(FAULTS)
        self.seen.append(fault)
        try:
            request = await _read_message(reader)
            if fault == "500_before":
                writer.write(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                return
            if fault == "reset_before":
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            up_writer.write(request)
            await up_writer.drain()
            response = await _read_message(up_reader)
            up_writer.close()
            if fault == "500_after":  # the server acted; the answer is lost
                writer.write(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            elif fault == "reset_after":
                return
            elif fault == "truncate":
                writer.write(_close_header(response)[: max(1, len(response) // 2)])
            else:
                if fault == "slow":
                    await asyncio.sleep(0.3)
                writer.write(_close_header(response))
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @contextmanager
    def running(self) -> Iterator[str]:
        loop = asyncio.new_event_loop()
        started = threading.Event()
        server_box: list[asyncio.base_events.Server] = []

        def run() -> None:
            asyncio.set_event_loop(loop)

            async def start() -> None:
                server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
                self.port = server.sockets[0].getsockname()[1]
                server_box.append(server)
                started.set()

            loop.run_until_complete(start())
            loop.run_forever()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        started.wait(10)
        try:
            yield f"http://127.0.0.1:{self.port}"
        finally:
            loop.call_soon_threadsafe(server_box[0].close)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
