"""Logging set-up: one line per event, secrets scrubbed, noisy loggers held at WARNING."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
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


def configure(level: str = "INFO", app_env: str = "production",
              secrets: Iterable[str] = ()) -> None:
    """Configure the root logger for the process (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_leadbot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler._leadbot = True  # type: ignore[attr-defined]
    detail = "%(asctime)s %(levelname)s %(name)s: %(message)s"
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
