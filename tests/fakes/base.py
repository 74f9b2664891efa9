"""A generic loopback HTTP fake: request recording, in-flight counting and fault injection.

Subclass ``FakeServer``, add routes in ``routes()``, and override ``error_body`` so injected
failures look like the vendor's own errors. Use it as ``async with FakeThing() as fake:``, then
point the client at ``fake.url``.

Fault injection applies to every request whose path contains the given substring:

- ``fail(path, status, times=1, retry_after=None, body=None)``: answer ``status`` (with a
  ``Retry-After`` header when given) for the next ``times`` matching requests (``None``: always);
- ``delay(path, seconds)``: wait before handling each matching request;
- ``hang(path)``: never answer matching requests until the server is closed.

``requests`` records ``Recorded(method, path, query, body)`` for every request, including failed
ones; ``max_in_flight`` is the highest number of requests handled at the same time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple, Self

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Recorded(NamedTuple):
    """One request as the fake received it; ``body`` is parsed JSON, a form dict, or text."""

    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass(slots=True)
class _Fault:
    path: str
    status: int
    times: int | None
    retry_after: float | None
    body: Any


class FakeServer:
    """Base of the loopback fakes; listens on 127.0.0.1 on a free port."""

    def __init__(self) -> None:
        self.url = ""
        self.requests: list[Recorded] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._faults: list[_Fault] = []
        self._delays: dict[str, float] = {}
        self._hangs: set[str] = set()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # -- to override -------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        """Add the fake's routes to ``app``."""

    def error_body(self, status: int, message: str) -> Any:
        """The JSON body of an injected failure, in the vendor's shape."""
        return {"error": {"code": status, "message": message}}

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening; ``url`` is then ``http://127.0.0.1:PORT``."""
        app = web.Application(middlewares=[self._middleware])
        self.routes(app)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Release hanging requests and stop the server."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- fault injection ---------------------------------------------------------------------

    def fail(
        self, path: str, status: int, times: int | None = 1, retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        """Answer ``status`` to the next ``times`` requests whose path contains ``path``."""
        self._faults.append(_Fault(path, status, times, retry_after, body))

    def delay(self, path: str, seconds: float) -> None:
        """Wait ``seconds`` before handling each request whose path contains ``path``."""
        self._delays[path] = seconds

    def hang(self, path: str) -> None:
        """Never answer requests whose path contains ``path`` (until the server closes)."""
        self._hangs.add(path)

    def clear_faults(self) -> None:
        """Remove every failure, delay and hang."""
        self._faults.clear()
        self._delays.clear()
        self._hangs.clear()

    def count(self, method: str, path: str) -> int:
        """How many requests with ``method`` had a path containing ``path``."""
        return sum(1 for r in self.requests if r.method == method and path in r.path)

    # -- machinery ---------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(
            Recorded(request.method, request.path, dict(request.query), await _body(request))
        )
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if any(p in request.path for p in self._hangs):
                await self._closing.wait()
                return web.json_response(self.error_body(503, "closing"), status=503)
            for path, seconds in self._delays.items():
                if path in request.path:
                    await asyncio.sleep(seconds)
            fault = self._take_fault(request.path)
            if fault is not None:
                return self._fault_response(fault)
            return await handler(request)
        finally:
            self.in_flight -= 1

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.path in path and (fault.times is None or fault.times > 0):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _fault_response(self, fault: _Fault) -> web.Response:
        body = fault.body if fault.body is not None else self.error_body(
            fault.status, f"injected failure {fault.status}"
        )
        headers = {}
        if fault.retry_after is not None:
            value = fault.retry_after
            headers["Retry-After"] = str(int(value)) if value == int(value) else str(value)
        return web.json_response(body, status=fault.status, headers=headers)


async def _body(request: web.Request) -> Any:
    if not request.body_exists:
        return None
    raw = await request.read()  # cached by aiohttp, so handlers can read it again
    if request.content_type == "application/json":
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode(errors="replace")
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(await request.post())
    return raw.decode(errors="replace")
