"""A loopback fake of OpenAI's ``POST /v1/chat/completions``, plain JSON and SSE streaming.

It answers in the shapes the ``openai`` SDK parses (``chat.completion`` and
``chat.completion.chunk``), checks the bearer key, and records each accepted request's JSON body
in ``bodies`` (``requests`` holds every request, as ``FakeServer`` records them). Faults come from
``FakeServer``: ``fail(FakeOpenAI.PATH, 500)``, ``delay(FakeOpenAI.PATH, 0.1)``,
``hang(FakeOpenAI.PATH)``. Point the SDK at it with
``AsyncOpenAI(api_key="test-key", base_url=f"{fake.url}/v1", max_retries=0)``.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer

DEFAULT_TEXT = "Happy to help! When would suit you for a short call?"

ToolSpec = tuple[str, dict[str, Any] | str]
"""A scripted tool call: its name and arguments, as a dict or a raw (maybe malformed) string."""


@dataclass(frozen=True, slots=True)
class ScriptedReply:
    """One queued answer: text and/or tool calls, or a raw JSON body sent as is."""

    text: str | None = None
    tool_calls: tuple[ToolSpec, ...] = ()
    raw: Any = None


class FakeOpenAI(FakeServer):
    """The fake chat completions server; use as ``async with FakeOpenAI() as fake``."""

    PATH = "/v1/chat/completions"

    def __init__(self, api_key: str = "test-key", *, chunk_chars: int = 7) -> None:
        super().__init__()
        self.api_key = api_key
        self.chunk_chars = chunk_chars
        """Streamed text and tool arguments are split into pieces this long."""
        self.bodies: list[dict[str, Any]] = []
        self._replies: deque[ScriptedReply] = deque()
        self._ids = itertools.count(1)

    def routes(self, app: web.Application) -> None:
        """Serve chat completions, and the model lookup ``doctor`` uses."""
        app.router.add_post(self.PATH, self._completions)
        app.router.add_get("/v1/models/{model}", self._model)

    async def _model(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response(self.error_body(401, "Incorrect API key provided."),
                                     status=401)
        return web.json_response({"id": request.match_info["model"], "object": "model",
                                  "created": 0, "owned_by": "fake"})

    def error_body(self, status: int, message: str) -> Any:
        """OpenAI's error shape."""
        return {"error": {"message": message, "type": "server_error" if status >= 500
                          else "invalid_request_error", "param": None, "code": None}}

    # -- scripting -------------------------------------------------------------------------

    def script(self, reply_text: str | None = None,
               tool_calls: list[ToolSpec] | None = None) -> None:
        """Queue one answer; when the queue is empty the fake answers ``DEFAULT_TEXT``."""
        self._replies.append(ScriptedReply(reply_text, tuple(tool_calls or ())))

    def script_raw(self, body: Any) -> None:
        """Queue one 200 answer whose JSON body is exactly ``body`` (for malformed cases)."""
        self._replies.append(ScriptedReply(raw=body))

    # -- serving ---------------------------------------------------------------------------

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response(
                {"error": {"message": "Incorrect API key provided.",
                           "type": "invalid_request_error", "param": None,
                           "code": "invalid_api_key"}}, status=401)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response(self.error_body(400, "We could not parse the JSON body."),
                                     status=400)
        self.bodies.append(body)
        reply = self._replies.popleft() if self._replies else ScriptedReply(DEFAULT_TEXT)
        if reply.raw is not None:
            return web.json_response(reply.raw)
        model = str(body.get("model", "fake-model"))
        if body.get("stream"):
            return await self._stream(request, reply, model)
        return web.json_response(self._completion(reply, model))

    def _completion(self, reply: ScriptedReply, model: str) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text, "refusal": None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": f"call_{next(self._ids)}", "type": "function",
                 "function": {"name": name, "arguments": _arguments(args)}}
                for name, args in reply.tool_calls
            ]
        return {
            "id": f"chatcmpl-fake{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }

    async def _stream(self, request: web.Request, reply: ScriptedReply,
                      model: str) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)
        chunk_id = f"chatcmpl-fake{next(self._ids)}"
        created = int(time.time())

        async def send(delta: dict[str, Any], finish: str | None = None) -> None:
            chunk = {"id": chunk_id, "object": "chat.completion.chunk", "created": created,
                     "model": model, "choices": [{"index": 0, "delta": delta,
                                                  "logprobs": None, "finish_reason": finish}]}
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send({"role": "assistant", "content": "", "refusal": None})
        for piece in self._pieces(reply.text or ""):
            await send({"content": piece})
        for index, (name, args) in enumerate(reply.tool_calls):
            await send({"tool_calls": [{"index": index, "id": f"call_{next(self._ids)}",
                                        "type": "function",
                                        "function": {"name": name, "arguments": ""}}]})
            for piece in self._pieces(_arguments(args)):
                await send({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        await send({}, "tool_calls" if reply.tool_calls else "stop")
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    def _pieces(self, text: str) -> list[str]:
        size = max(1, self.chunk_chars)
        return [text[i:i + size] for i in range(0, len(text), size)]


def _arguments(args: dict[str, Any] | str) -> str:
    return args if isinstance(args, str) else json.dumps(args)
