"""A loopback fake of the Telegram Bot API, good enough for the real python-telegram-bot.

Point PTB at it with ``ApplicationBuilder().token(fake.token).base_url(f"{fake.url}/bot")
.base_file_url(f"{fake.url}/file/bot")``. Tests inject updates (``push_text``, ``push_callback``,
...), read what the bot sent (``sent``, ``wait_for``, ``calls``) and script faults (``fail``,
``delay``, ``conflict_polling``, ``block``). Every request is recorded in ``requests``.

Webhook mode: after the bot's ``setWebhook`` (recorded in ``webhook``), pushed updates are not
served to ``getUpdates`` (which answers 409, as Telegram does) but kept for the test, which
posts them where a load balancer would (``post_update``) with the secret token Telegram adds.

Outbound records (``sent``) are dicts with: method, chat_id, message_id, text (the caption for
files), reply_markup (decoded dict or None), parse_mode, filename and content (uploads), params.
Unknown methods are recorded and answered ``true``, except other ``send*`` methods, which get a
Message so PTB can parse the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

Params = dict[str, Any]
Record = dict[str, Any]
_T = TypeVar("_T")

DEFAULT_TOKEN = "123456:TEST-fake-token"
# Form fields that are plain strings on the wire; every other field is JSON-decoded, which turns
# "42" into 42 and reply_markup's JSON text into a dict, as Telegram itself reads them.
_TEXT_FIELDS = frozenset(
    {"text", "caption", "callback_query_id", "parse_mode", "action", "title", "description",
     "url", "emoji", "question", "phone_number", "first_name", "last_name", "vcard", "address",
     "inline_message_id", "language_code", "name", "short_description", "secret_token"}
)
_MAX_TEXT = 4096
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user",
    404: "Not Found", 409: _CONFLICT, 500: "Internal Server Error", 502: "Bad Gateway",
}


class _ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


@dataclass
class _Fault:
    status: int
    remaining: int
    description: str
    retry_after: int | None


@dataclass
class _Queued:
    update: dict[str, Any]
    forced: bool = False  # a redelivery: served even though its id lies below the offset
    delivered: bool = False


def _error_body(err: _ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
    if err.retry_after is not None:
        body["parameters"] = {"retry_after": err.retry_after}
    return web.json_response(body, status=err.status)


def _decode(name: str, value: str) -> Any:
    if name in _TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/") or len(text) < 2:
        return []
    command = text.split(maxsplit=1)[0]
    # Telegram counts entity offsets in UTF-16 code units.
    return [{"type": "bot_command", "offset": 0,
             "length": len(command.encode("utf-16-le")) // 2}]


def _inline_only(markup: Any) -> dict[str, Any] | None:
    # A sent Message carries reply_markup only for inline keyboards, as on Telegram.
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


class FakeTelegram:
    """A Bot API server on 127.0.0.1 that serves one bot token and records everything."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_username: str = "fake_test_bot",
                 bot_first_name: str = "Test Bot",
                 now: Callable[[], float] = time.time) -> None:
        self.token = token
        self._now = now  # message dates; pass the test clock to keep them consistent
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id, "is_bot": True, "first_name": bot_first_name,
            "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
        }
        self.requests: list[tuple[str, Params]] = []
        self.commands: list[dict[str, Any]] = []
        self.unauthorized_requests = 0
        self.webhook: Params | None = None
        """The last ``setWebhook``'s parameters (url, secret_token, ...) until deleteWebhook."""
        self._outbound: list[Record] = []
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._callbacks: set[str] = set()
        self._history: dict[int, dict[str, Any]] = {}
        self._queue: list[_Queued] = []
        self._faults: dict[str, _Fault] = {}
        self._delays: dict[str, float] = {}
        self._blocked: set[int] = set()
        self._conflict = False
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(4_000_000_000_000_001)
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._methods: dict[str, Callable[[Params], Any]] = {
            "getme": lambda _p: self.bot_user,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": lambda _p: {"url": (self.webhook or {}).get("url", ""),
                                          "has_custom_certificate": False,
                                          "pending_update_count": len(self._queue)},
            "sendmessage": self._send_message,
            "senddocument": lambda p: self._send_file("sendDocument", "document", p),
            "sendphoto": lambda p: self._send_file("sendPhoto", "photo", p),
            "editmessagetext": self._edit_text,
            "editmessagereplymarkup": self._edit_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback,
            "sendchataction": lambda p: self._chat_of(p) is not None,
            "setmycommands": self._set_commands,
            "getmycommands": lambda _p: self.commands,
            "getchat": self._get_chat,
            "copymessage": self._copy_message,
        }

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        """Start serving on a free loopback port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """Wake pending long polls and delays, then stop the server."""
        self._closing.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The server's root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._port}"

    # -- injecting updates -------------------------------------------------------------------

    def continue_after(self, update_id: int) -> None:
        """Number the next updates after ``update_id``, as Telegram does for a bot restarted
        against a fresh fake (the database remembers the ids it handled)."""
        self._update_ids = itertools.count(max(next(self._update_ids), update_id + 1))

    def push_raw(self, update: dict[str, Any]) -> int:
        """Queue an update as given; an ``update_id`` is assigned when missing."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        else:  # keep later assigned ids above a caller's own
            self._update_ids = itertools.count(max(next(self._update_ids), update["update_id"] + 1))
        self._history[update["update_id"]] = update
        if self.webhook is None:  # with a webhook, the test posts it (post_update)
            self._queue.append(_Queued(update))
        self._notify()
        return int(update["update_id"])

    async def post_update(self, url: str, update_id: int, *,
                          secret: str | None = None, header: bool = True) -> int:
        """POST a pushed update to ``url`` as Telegram's webhook delivery does; the status.

        The secret token is the one the bot set with ``setWebhook`` unless ``secret`` is
        given; ``header=False`` sends none.
        """
        headers = {}
        if header:
            token = secret if secret is not None else (self.webhook or {}).get("secret_token")
            if token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(token)
        async with aiohttp.ClientSession() as session, session.post(
                url, json=self._history[update_id], headers=headers) as response:
            await response.read()
            return response.status

    def push_text(self, user_id: int, text: str, *, chat_id: int | None = None,
                  first_name: str | None = None, last_name: str | None = None,
                  username: str | None = None, language_code: str | None = None,
                  reply_to: int | None = None) -> int:
        """Queue a text message from a user; a leading ``/command`` gets its entity;
        ``reply_to``: a Telegram reply to that message of the chat."""
        self._profile(user_id, first_name, last_name, username, language_code)
        content: dict[str, Any] = {"text": text}
        if entities := _command_entities(text):
            content["entities"] = entities
        return self._push_message(user_id, chat_id, self._replying(user_id, chat_id, reply_to,
                                                                   content))

    def _replying(self, user_id: int, chat_id: int | None, reply_to: int | None,
                  content: dict[str, Any]) -> dict[str, Any]:
        if reply_to is None:
            return content
        chat = user_id if chat_id is None else chat_id
        original = self._messages.get((chat, reply_to))
        if original is None:
            raise KeyError(f"no message {reply_to} in chat {chat}")
        return {**content, "reply_to_message": dict(original)}

    def push_command(self, user_id: int, command: str, **profile: Any) -> int:
        """Queue a ``/command`` message (with its bot_command entity)."""
        if not command.startswith("/"):
            raise ValueError(f"a command starts with '/': {command!r}")
        return self.push_text(user_id, command, **profile)

    def push_callback(self, user_id: int, data: str, *, message_id: int | None = None,
                      chat_id: int | None = None) -> str:
        """Queue a button tap on a bot message (the chat's last one by default); return its id."""
        chat = user_id if chat_id is None else chat_id
        message = self._bot_message_for_callback(chat, message_id)
        callback_id = str(next(self._callback_ids))
        self._callbacks.add(callback_id)
        self.push_raw({"callback_query": {
            "id": callback_id, "from": self._user(user_id), "message": dict(message),
            "chat_instance": f"ci{chat}", "data": data,
        }})
        return callback_id

    def push_contact(self, user_id: int, phone: str, *, contact_user_id: int | None = None,
                     first_name: str = "Ann", last_name: str | None = None,
                     chat_id: int | None = None) -> int:
        """Queue a shared contact; ``contact_user_id`` None means the sender's own, 0 means none."""
        contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        owner = user_id if contact_user_id is None else contact_user_id
        if owner:
            contact["user_id"] = owner
        return self._push_message(user_id, chat_id, {"contact": contact})

    def push_sticker(self, user_id: int, *, emoji: str = "👍", chat_id: int | None = None) -> int:
        """Queue a sticker message."""
        n = next(self._message_ids)
        sticker = {"file_id": f"sticker{n}", "file_unique_id": f"us{n}", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "type": "regular",
                   "emoji": emoji}
        return self._push_message(user_id, chat_id, {"sticker": sticker})

    def push_photo(self, user_id: int, *, caption: str | None = None,
                   chat_id: int | None = None, reply_to: int | None = None) -> int:
        """Queue a photo message (two sizes, as Telegram sends)."""
        n = next(self._message_ids)
        photo = [{"file_id": f"photo{n}s", "file_unique_id": f"ups{n}", "width": 90,
                  "height": 90, "file_size": 1200},
                 {"file_id": f"photo{n}m", "file_unique_id": f"upm{n}", "width": 800,
                  "height": 800, "file_size": 64000}]
        content: dict[str, Any] = {"photo": photo}
        if caption is not None:
            content["caption"] = caption
        return self._push_message(user_id, chat_id, self._replying(user_id, chat_id, reply_to,
                                                                   content))

    def push_voice(self, user_id: int, *, duration: int = 3, chat_id: int | None = None) -> int:
        """Queue a voice message."""
        n = next(self._message_ids)
        voice = {"file_id": f"voice{n}", "file_unique_id": f"uv{n}", "duration": duration,
                 "mime_type": "audio/ogg", "file_size": 4000}
        return self._push_message(user_id, chat_id, {"voice": voice})

    def push_location(self, user_id: int, lat: float, lon: float, *,
                      chat_id: int | None = None) -> int:
        """Queue a location message."""
        return self._push_message(user_id, chat_id,
                                  {"location": {"latitude": lat, "longitude": lon}})

    def push_document(self, user_id: int, *, file_name: str = "file.pdf",
                      mime_type: str = "application/pdf", caption: str | None = None,
                      chat_id: int | None = None) -> int:
        """Queue a document message."""
        n = next(self._message_ids)
        content: dict[str, Any] = {"document": {
            "file_id": f"doc{n}", "file_unique_id": f"ud{n}", "file_name": file_name,
            "mime_type": mime_type, "file_size": 2048}}
        if caption is not None:
            content["caption"] = caption
        return self._push_message(user_id, chat_id, content)

    def push_edit(self, user_id: int, message_id: int, text: str, *,
                  chat_id: int | None = None) -> int:
        """Queue an ``edited_message``: the user's message ``message_id`` with a new text (or
        caption, for a message that had one)."""
        chat = user_id if chat_id is None else chat_id
        current = self._existing(chat, message_id, "edit")
        field = "caption" if "caption" in current else "text"
        edited = {**current, field: text, "edit_date": int(self._now())}
        edited.pop("entities", None)
        if field == "text" and (entities := _command_entities(text)):
            edited["entities"] = entities
        self._messages[(chat, message_id)] = edited
        return self.push_raw({"edited_message": edited})

    def pushed(self, update_id: int) -> dict[str, Any]:
        """The update queued under ``update_id`` (e.g. to learn a pushed message's id)."""
        return self._history[update_id]

    def redeliver(self, update_id: int) -> None:
        """Serve an already delivered update again, with the same update_id."""
        self._queue.append(_Queued(self._history[update_id], forced=True))
        self._notify()

    @property
    def pending(self) -> list[int]:
        """Ids of queued updates the bot has not confirmed yet."""
        return [q.update["update_id"] for q in self._queue]

    # -- records -----------------------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[Record]:
        """Messages the bot sent or edited, oldest first, optionally for one chat."""
        return [r for r in self._outbound if chat_id is None or r["chat_id"] == chat_id]

    def calls(self, method: str) -> list[Params]:
        """Parameters of every request to ``method`` (case-insensitive), oldest first."""
        return [p for m, p in self.requests if m.lower() == method.lower()]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The message as the user sees it now (after edits), or None if deleted/unknown."""
        return self._messages.get((chat_id, message_id))

    def mark(self) -> int:
        """A position in the outbound record; pass it as ``after`` to ignore older messages."""
        return len(self._outbound)

    # A timeout argument (ASYNC109) keeps test lines short and the dump in the error message.
    async def wait_for(self, predicate: Callable[[Record], bool], timeout: float = 5.0, *,  # noqa: ASYNC109
                       after: int = 0) -> Record:
        """The first outbound message (from index ``after``) matching ``predicate``."""
        def find() -> Record | None:
            return next((r for r in self._outbound[after:] if predicate(r)), None)
        return await self._wait(find, timeout, "no matching message")

    async def wait_for_text(self, chat_id: int, substring: str, timeout: float = 5.0, *,  # noqa: ASYNC109
                            after: int = 0) -> Record:
        """The first outbound message to ``chat_id`` whose text or caption has ``substring``."""
        return await self.wait_for(
            lambda r: r["chat_id"] == chat_id and substring in (r["text"] or ""),
            timeout, after=after)

    async def wait_for_call(self, method: str, predicate: Callable[[Params], bool] | None = None,
                            timeout: float = 5.0) -> Params:  # noqa: ASYNC109
        """The parameters of the first request to ``method`` matching ``predicate``."""
        def find() -> Params | None:
            return next((p for p in self.calls(method) if predicate is None or predicate(p)),
                        None)
        return await self._wait(find, timeout, f"no matching {method} call")

    # -- faults ------------------------------------------------------------------------------

    def fail(self, method: str, status: int = 500, times: int = 1, description: str | None = None,
             retry_after: int | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with an error."""
        if description is None:
            description = (f"Too Many Requests: retry after {retry_after or 1}" if status == 429
                           else _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}"))
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults[method.lower()] = _Fault(status, times, description, retry_after)

    def delay(self, method: str, seconds: float) -> None:
        """Hold every answer to ``method`` for ``seconds`` (0 removes the delay)."""
        self._delays[method.lower()] = seconds

    def conflict_polling(self, enabled: bool = True) -> None:
        """Make getUpdates answer 409 Conflict, as when a second bot instance polls."""
        self._conflict = enabled

    def block(self, chat_id: int) -> None:
        """Answer 403 to anything sent to ``chat_id``, as when the user blocked the bot."""
        self._blocked.add(chat_id)

    # -- HTTP --------------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error_body(_ApiError(404, "Not Found"))

    async def _handle(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"].encode(), self.token.encode()):
            self.unauthorized_requests += 1
            return _error_body(_ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params = await self._read_params(request)
        self.requests.append((method, params))
        self._notify()
        key = method.lower()
        if seconds := self._delays.get(key):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)
        fault = self._faults.get(key)
        result: Any
        try:
            if fault is not None and fault.remaining > 0:
                fault.remaining -= 1
                raise _ApiError(fault.status, fault.description, fault.retry_after)
            if key == "getupdates":
                result = await self._get_updates(params, request)
            elif key in self._methods:
                result = self._methods[key](params)
            elif key.startswith("send") and key != "sendmediagroup":
                result = self._send_other(method, params)
            else:
                result = True
        except _ApiError as err:
            return _error_body(err)
        self._notify()
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _read_params(request: web.Request) -> Params:
        params: Params = {k: _decode(k, v) for k, v in request.query.items()}
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = {"filename": value.filename, "content": value.file.read(),
                                "content_type": value.content_type}
            elif isinstance(value, str):
                params[name] = _decode(name, value)
        return params

    # -- methods -----------------------------------------------------------------------------

    async def _get_updates(self, params: Params, request: web.Request) -> list[dict[str, Any]]:
        if self._conflict:
            raise _ApiError(409, _CONFLICT)
        if self.webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                 "active; use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._queue = [q for q in self._queue if not (
                q.update["update_id"] < offset and (q.delivered or not q.forced))]
        allowed = params.get("allowed_updates")
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            if allowed:  # Telegram drops kinds the bot did not ask for
                self._queue = [q for q in self._queue if any(k in q.update for k in allowed)]
            batch = self._take_batch(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._closing.is_set():
                break
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        # A poll the bot gave up on (it went away) must not use up a redelivery.
        if request.transport is not None and not request.transport.is_closing():
            for q in batch:
                q.delivered = True
        return [q.update for q in batch]

    def _take_batch(self, limit: int) -> list[_Queued]:
        # A redelivered update goes out alone: PTB sets offset = last id + 1, and a lower id
        # after a higher one in one batch would un-confirm the higher one.
        batch: list[_Queued] = []
        for q in self._queue:
            if q.forced:
                return batch or [q]
            batch.append(q)
            if len(batch) >= limit:
                break
        return batch

    def _delete_webhook(self, params: Params) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = None
        return True

    def _set_webhook(self, params: Params) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided "
                                 "for webhook")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook = dict(params)
        return True

    def _send_message(self, params: Params) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        text = params.get("text")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(str(text)) > _MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        message = self._store_bot_message(chat_id, {"text": str(text)}, params)
        self._record("sendMessage", chat_id, message["message_id"], str(text), params)
        return message

    def _send_file(self, method: str, field: str, params: Params) -> dict[str, Any]:
        chat_id = self._chat_of(params)
        upload = params.get(field)
        if upload is None:
            raise _ApiError(400, f"Bad Request: there is no {field} in the request")
        n = next(self._message_ids)
        filename = upload.get("filename") if isinstance(upload, dict) else None
        content = upload.get("content") if isinstance(upload, dict) else None
        size = len(content) if content is not None else 0
        file_info = {"file_id": f"{field}{n}", "file_unique_id": f"u{field}{n}", "file_size": size}
        body: dict[str, Any] = (
            {"photo": [{**file_info, "width": 800, "height": 600}]} if field == "photo"
            else {field: {**file_info, "file_name": filename or "file"}})
        caption = params.get("caption")
        if caption is not None:
            body["caption"] = str(caption)
        message = self._store_bot_message(chat_id, body, params)
        record = self._record(method, chat_id, message["message_id"], caption, params)
        record.update(filename=filename, content=content)
        return message

    def _send_other(self, method: str, params: Params) -> dict[str, Any]:
        # sendLocation, sendVoice, ...: PTB parses a Message from any send* answer.
        chat_id = self._chat_of(params)
        caption = params.get("caption")
        body = {} if caption is None else {"caption": str(caption)}
        message = self._store_bot_message(chat_id, body, params)
        self._record(method, chat_id, message["message_id"], caption, params)
        return message

    def _copy_message(self, params: Params) -> dict[str, Any]:
        """copyMessage: the original's content (a new caption replaces its own) in another
        chat; recorded with the original's kinds of content under ``copied``."""
        chat_id = self._chat_of(params)
        source = (int(params.get("from_chat_id", 0)), int(params.get("message_id", 0)))
        original = self._messages.get(source)
        if original is None:
            raise _ApiError(400, "Bad Request: message to copy not found")
        kinds = ("text", "photo", "document", "voice", "video", "sticker", "audio", "caption")
        body = {k: original[k] for k in kinds if k in original}
        if "caption" in params:
            body["caption"] = str(params["caption"])
        message = self._store_bot_message(chat_id, body, params)
        record = self._record("copyMessage", chat_id, message["message_id"],
                              body.get("text", body.get("caption")), params)
        record["copied"] = sorted(k for k in body if k != "caption")
        return {"message_id": message["message_id"]}

    def _edit_text(self, params: Params) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        chat_id, message_id = self._chat_of(params), params.get("message_id")
        text = str(params.get("text") or "")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        current = self._existing(chat_id, message_id, "edit")
        markup = _inline_only(params.get("reply_markup"))
        if current.get("text") == text and current.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        self._replace(current, text=text, reply_markup=markup)
        self._record("editMessageText", chat_id, current["message_id"], text, params)
        return current

    def _edit_markup(self, params: Params) -> dict[str, Any] | bool:
        if "inline_message_id" in params:
            return True
        current = self._existing(self._chat_of(params), params.get("message_id"), "edit")
        markup = _inline_only(params.get("reply_markup"))
        if current.get("reply_markup") == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        self._replace(current, reply_markup=markup)
        return current

    def _delete_message(self, params: Params) -> bool:
        current = self._existing(self._chat_of(params), params.get("message_id"), "delete")
        del self._messages[(current["chat"]["id"], current["message_id"])]
        return True

    def _answer_callback(self, params: Params) -> bool:
        if params.get("callback_query_id") not in self._callbacks:
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired "
                                 "or query ID is invalid")
        return True

    def _set_commands(self, params: Params) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands = commands
        return True

    def _get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._chat(self._chat_of(params))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
            "premium_subscription": False, "gifts_from_channels": False}}

    # -- helpers -----------------------------------------------------------------------------

    def _chat_of(self, params: Params) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _existing(self, chat_id: int, message_id: Any, verb: str) -> dict[str, Any]:
        current = self._messages.get((chat_id, message_id)) if isinstance(message_id, int) else None
        if current is None:
            raise _ApiError(400, f"Bad Request: message to {verb} not found")
        return current

    def _replace(self, message: dict[str, Any], **changes: Any) -> None:
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(self._now())

    def _profile(self, user_id: int, first_name: str | None, last_name: str | None,
                 username: str | None, language_code: str | None) -> None:
        user = self._user(user_id)
        for key, value in (("first_name", first_name), ("last_name", last_name),
                           ("username", username), ("language_code", language_code)):
            if value is not None:
                user[key] = value

    def _user(self, user_id: int) -> dict[str, Any]:
        return self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"})

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}
        user = self._user(chat_id)
        return {"id": chat_id, "type": "private",
                **{k: user[k] for k in ("first_name", "last_name", "username") if k in user}}

    def _push_message(self, user_id: int, chat_id: int | None, content: dict[str, Any]) -> int:
        chat = user_id if chat_id is None else chat_id
        message = {"message_id": next(self._message_ids), "date": int(self._now()),
                   "chat": self._chat(chat), "from": dict(self._user(user_id)), **content}
        self._messages[(chat, message["message_id"])] = message
        return self.push_raw({"message": message})

    def _store_bot_message(self, chat_id: int, body: dict[str, Any],
                           params: Params) -> dict[str, Any]:
        message = {"message_id": next(self._message_ids), "date": int(self._now()),
                   "chat": self._chat(chat_id), "from": self.bot_user, **body}
        if markup := _inline_only(params.get("reply_markup")):
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _bot_message_for_callback(self, chat_id: int, message_id: int | None) -> dict[str, Any]:
        if message_id is not None:
            found = self._messages.get((chat_id, message_id))
            if found is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            return found
        ours = [m for (c, _), m in self._messages.items()
                if c == chat_id and m["from"].get("id") == self.bot_id]
        if ours:
            return ours[-1]
        return self._store_bot_message(chat_id, {"text": "(earlier message)"}, {})

    def _record(self, method: str, chat_id: int, message_id: int, text: Any,
                params: Params) -> Record:
        record: Record = {
            "method": method, "chat_id": chat_id, "message_id": message_id,
            "text": None if text is None else str(text),
            "reply_markup": params.get("reply_markup"), "parse_mode": params.get("parse_mode"),
            "filename": None, "content": None, "params": params,
        }
        self._outbound.append(record)
        return record

    def _notify(self) -> None:
        # Wake every waiter (long polls, wait_for) and arm a fresh event for the next change.
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, find: Callable[[], _T | None], timeout: float, what: str) -> _T:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while (found := find()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{what} within {timeout}s; {self._dump()}")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
        return found

    def _dump(self) -> str:
        if not self._outbound:
            calls = ", ".join(m for m, _ in self.requests[-10:]) or "none"
            return f"the bot sent nothing (last requests: {calls})"
        lines = [f"  {r['method']} chat={r['chat_id']} id={r['message_id']} text={r['text']!r}"
                 + (f" markup={json.dumps(r['reply_markup'])}" if r["reply_markup"] else "")
                 + (f" file={r['filename']!r}" if r["filename"] else "")
                 for r in self._outbound]
        return "the bot sent:\n" + "\n".join(lines)
