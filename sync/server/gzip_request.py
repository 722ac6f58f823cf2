"""Request bodies sent with ``Content-Encoding: gzip`` (DESIGN §5: HTTP + JSON, gzip both ways).

A push of 500 resident rows is ~300 KB of JSON and ~40 KB gzipped: on a village's 2G link that is the
difference between seconds and a minute. Decompression is bounded, so a small body cannot expand into
gigabytes (a "zip bomb"); a body that is not gzip or too large gets a 400/413 error body, never a 500.
"""

import json
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sync.protocol import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 32 * 1024 * 1024  # bytes, after decompression


class GzipRequestMiddleware:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-encoding"]
        encoding = dict(scope["headers"]).get(b"content-encoding", b"").strip().lower()
        if encoding in (b"", b"identity"):
            await self.app(scope, receive, send)
            return
        if encoding != b"gzip":
            await _error(send, 415, "unsupported_encoding", "a request body is sent plain or with gzip")
            return
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        body = bytearray()
        more = True
        try:
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                more = message.get("more_body", False)
                body += inflater.decompress(message.get("body", b""), self.max_body + 1 - len(body))
                if len(body) > self.max_body or inflater.unconsumed_tail:
                    await _error(
                        send, 413, "too_large", f"a request body is at most {self.max_body // 2**20} MB"
                    )
                    return
            if not inflater.eof:
                raise zlib.error("truncated")
        except zlib.error:
            await _error(send, 400, "bad_gzip", "the request body is not complete gzip data")
            return
        headers = [(k, v) for k, v in headers if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def inflated() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app({**scope, "headers": headers}, inflated, send)


async def _error(send: Send, status: int, code: str, message: str) -> None:
    payload = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
