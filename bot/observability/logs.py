"""Logging set-up: one line per event, secrets scrubbed, noisy loggers held at WARNING.

``LOG_FORMAT=json`` writes each event as one JSON object on one line: ``time`` (UTC, ISO 8601),
``level``, ``logger``, ``message``, and the ids and durations the bot's own lines carry
(``booking lead=3 appointment=9 outcome=booked ms=412.0`` gives ``lead_id``,
``appointment_id``, ``outcome``, ``duration_ms``), so a log store can filter on them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

# Bot API URLs carry the token (https://api.telegram.org/bot<token>/method).
_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


class ScrubSecrets(logging.Filter):
    """Replaces known secrets, bot tokens in URLs and auth headers with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if len(s) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = _TOKEN_IN_URL.sub("bot***", message)
        clean = _BEARER.sub(r"\1 ***", clean)
        for secret in self._secrets:
            clean = clean.replace(secret, "***")
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_text is None:
            # Tracebacks are formatted here once so the secrets in them are scrubbed too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            text = _BEARER.sub(r"\1 ***", _TOKEN_IN_URL.sub("bot***", record.exc_text))
            for secret in self._secrets:
                text = text.replace(secret, "***")
            record.exc_text = text
        return True


# The key=value words of the bot's own lines that become fields, and the fields' names.
_FIELDS = {"lead": "lead_id", "appointment": "appointment_id", "agent": "agent_id",
           "ms": "duration_ms", "outcome": "outcome", "kind": "kind"}
_FIELD_RE = re.compile(r"(?<![\w.])(" + "|".join(_FIELDS) + r")=(-?[\w.]+)")
_EXTRA = ("lead_id", "appointment_id", "agent_id", "chat_id", "update_id", "duration_ms")


def _value(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback goes into ``exception``)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name, "message": message}
        for word, value in _FIELD_RE.findall(message):
            entry.setdefault(_FIELDS[word], _value(value))
        for name in _EXTRA:  # given with extra={...}
            if (value := record.__dict__.get(name)) is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO", app_env: str = "production",
              secrets: Iterable[str] = (), *, log_format: str = "text") -> None:
    """Configure the root logger for the process (idempotent); ``log_format`` text or json."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_leadbot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._leadbot = True  # type: ignore[attr-defined]
    detail = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(detail if app_env == "development"
                                               else "%(asctime)s %(levelname)s %(message)s"))
    scrub = ScrubSecrets(secrets)
    handler.addFilter(scrub)
    root.addHandler(handler)
    # Scrub every record as it is made, so a handler added by anyone else sees no secret either.
    make = logging.getLogRecordFactory()
    make = getattr(make, "_leadbot_inner", make)

    def scrubbed(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        scrub.filter(record)
        return record

    scrubbed._leadbot_inner = make  # type: ignore[attr-defined]
    logging.setLogRecordFactory(scrubbed)
    root.setLevel(level)
    # httpx logs every Bot API URL, token included, at INFO.
    for noisy in ("httpx", "httpcore", "httpx2", "httpcore2", "telegram.ext.ExtBot",
                  "apscheduler", "aiosqlite", "openai", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
