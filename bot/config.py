"""Configuration: a frozen dataclass built from a mapping (the environment plus ``.env``).

``Config.from_env`` never reads ``os.environ`` itself, so tests pass a dict. A bad value raises
``ConfigError`` whose text is one line naming the variable and what is wrong.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.errors import ConfigError
from bot.followups.timing import (
    DEFAULT_QUIET_HOURS,
    DEFAULT_SCHEDULE,
    QuietHours,
    parse_quiet_hours,
    parse_schedule,
)
from bot.qualification import Question, load_questions

DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"
DEFAULT_CALENDAR_API = "https://www.googleapis.com/calendar/v3"
DEFAULT_ZOOM_API = "https://api.zoom.us/v2"
DEFAULT_ZOOM_OAUTH = "https://zoom.us/oauth/token"
DEFAULT_MEETING_TEMPLATE = "https://meet.jit.si/{room}"
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_ENVS = ("development", "production")
_LOG_FORMATS = ("text", "json")
# Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HOST_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0:8443"
DEFAULT_METRICS_HOST = "127.0.0.1"


def load_environment(env_file: Path = Path(".env")) -> dict[str, str]:
    """The process environment over the values of ``.env`` (the environment wins)."""
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(os.environ)
    return values


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = _text(env, name) or default
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name}: must be an http:// or https:// URL, got {value!r}")
    return value.rstrip("/") if name != "TELEGRAM_API_BASE_URL" else value


def _port(env: Mapping[str, str], name: str) -> int | None:
    value = _text(env, name)
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{name}: must be a port number 1-65535, got {value!r}")
    return int(value)


def _ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    value = _text(env, name) or ""
    ids = set()
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if not re.fullmatch(r"-?\d+", part):
            raise ConfigError(f"{name}: {part!r} is not a numeric Telegram user id")
        ids.add(int(part))
    return frozenset(ids)


def _choice(env: Mapping[str, str], name: str, options: tuple[str, ...], default: str) -> str:
    value = _text(env, name) or default
    for option in options:
        if value.lower() == option.lower():
            return option
    raise ConfigError(f"{name}: must be one of {', '.join(options)}, got {value!r}")


def check_timezone(name: str, value: str) -> str:
    """Return ``value`` if it is an IANA zone, else raise ConfigError naming ``name``."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}: unknown time zone {value!r} (use an IANA name such as "
                          f"Europe/Berlin)") from None
    return value


def _service_account(env: Mapping[str, str], name: str) -> Path | None:
    value = _text(env, name)
    if value is None:
        return None
    path = Path(value).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{name}: file {value} does not exist") from None
    except (OSError, ValueError) as err:
        raise ConfigError(f"{name}: cannot read {value} as JSON ({type(err).__name__})") from None
    missing = [k for k in ("client_email", "private_key", "token_uri") if k not in data]
    if data.get("type") != "service_account" or missing:
        raise ConfigError(f"{name}: {value} is not a service-account key file"
                          + (f" (missing {', '.join(missing)})" if missing else ""))
    return path


def _meeting_template(env: Mapping[str, str], name: str) -> str:
    """An http(s) URL whose only placeholder is ``{room}`` (anything else fails every booking)."""
    template = _text(env, name) or DEFAULT_MEETING_TEMPLATE
    problem = f"must be an http(s) URL containing {{room}} and no other placeholder, got " \
              f"{template!r}"
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        template.format(room="x")
    except (ValueError, KeyError, IndexError, AttributeError):
        raise ConfigError(f"{name}: {problem}") from None
    if fields != {"room"} or not template.startswith(("http://", "https://")):
        raise ConfigError(f"{name}: {problem}")
    return template


def _database_path(env: Mapping[str, str], name: str) -> Path:
    """The SQLite file, ``~`` expanded; a folder is refused here rather than by SQLite later."""
    path = Path(_text(env, name) or "data/bot.sqlite3").expanduser()
    if path.is_dir():
        raise ConfigError(f"{name}: {path} is a folder; give the path of a database file, "
                          f"e.g. {path / 'bot.sqlite3'}")
    return path


def _database_url(env: Mapping[str, str], name: str) -> str | None:
    """A ``postgresql://`` URL with a host and a database name (the password stays unlogged)."""
    url = _text(env, name)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname \
            or parts.path in ("", "/"):
        raise ConfigError(f"{name}: must be postgresql://user:password@host:port/database "
                          f"(scheme {parts.scheme or 'missing'!r}, host and database name needed)")
    try:
        parts.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        raise ConfigError(f"{name}: the port is not a number") from None
    return url
DEFAULT_QUIET = QuietHours(time(21), time(9))


def _follow_ups(env: Mapping[str, str]) -> tuple[tuple[timedelta, ...], QuietHours | None]:
    """FOLLOW_UP_SCHEDULE and QUIET_HOURS, each bad value named in one line."""
    try:
        schedule = parse_schedule(_text(env, "FOLLOW_UP_SCHEDULE") or DEFAULT_SCHEDULE)
    except ValueError as err:
        raise ConfigError(f"FOLLOW_UP_SCHEDULE: {err}") from None
    try:
        quiet = parse_quiet_hours(_text(env, "QUIET_HOURS") or DEFAULT_QUIET_HOURS)
    except ValueError as err:
        raise ConfigError(f"QUIET_HOURS: {err}") from None
    return schedule, quiet


def _events_webhook(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """EVENTS_WEBHOOK_URL and its secret; a secret without a URL is a mistake worth naming."""
    url = _url(env, "EVENTS_WEBHOOK_URL", "") if _text(env, "EVENTS_WEBHOOK_URL") else None
    secret = _text(env, "EVENTS_WEBHOOK_SECRET")
    if secret is not None and url is None:
        raise ConfigError("EVENTS_WEBHOOK_SECRET: set, but EVENTS_WEBHOOK_URL is not")
    return url, secret


def _questions(env: Mapping[str, str]) -> tuple[Question, ...]:
    """QUALIFICATION_FILE's questions; none when unset."""
    value = _text(env, "QUALIFICATION_FILE")
    if value is None:
        return ()
    try:
        return load_questions(Path(value).expanduser())
    except ValueError as err:
        raise ConfigError(f"QUALIFICATION_FILE: {err}") from None


@dataclass(frozen=True, slots=True)
class ZoomCredentials:
    """The server-to-server OAuth app's three values."""

    account_id: str
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting of the bot; secrets are kept out of ``repr``."""

    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API
    webhook: Webhook | None = None
    """Set: webhook mode (TELEGRAM_WEBHOOK_URL); None: long polling."""
    admin_telegram_ids: frozenset[int] = frozenset()
    database_path: Path = Path("data/bot.sqlite3")
    database_url: str | None = field(default=None, repr=False)
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    google_service_account_file: Path | None = None
    google_calendar_api_url: str = DEFAULT_CALENDAR_API
    google_delegated_user: str | None = None
    zoom: ZoomCredentials | None = None
    zoom_api_url: str = DEFAULT_ZOOM_API
    zoom_oauth_url: str = DEFAULT_ZOOM_OAUTH
    meeting_url_template: str = DEFAULT_MEETING_TEMPLATE
    metrics_port: int | None = None
    metrics_host: str = DEFAULT_METRICS_HOST
    log_level: str = "INFO"
    log_format: str = "text"
    app_env: str = "production"
    agency_name: str = ""
    default_timezone: str = "UTC"
    follow_up_schedule: tuple[timedelta, ...] = (timedelta(hours=6), timedelta(days=1),
                                                 timedelta(days=3))
    quiet_hours: QuietHours | None = DEFAULT_QUIET
    events_webhook_url: str | None = None
    events_webhook_secret: str | None = field(default=None, repr=False)
    qualification: tuple[Question, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Build and validate the configuration from a mapping of variables."""
        token = _text(env, "TELEGRAM_BOT_TOKEN")
        if token is not None and not _TOKEN_RE.match(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN: does not look like a bot token "
                              "(digits, a colon, then the secret from @BotFather)")
        zoom_values = {n: _text(env, n) for n in
                       ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")}
        given = [n for n, v in zoom_values.items() if v]
        if given and len(given) < 3:
            missing = [n for n, v in zoom_values.items() if not v]
            raise ConfigError(f"{missing[0]}: Zoom needs all three of ZOOM_ACCOUNT_ID, "
                              f"ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET ({', '.join(given)} set)")
        zoom = ZoomCredentials(*(v or "" for v in zoom_values.values())) if given else None
        template = _meeting_template(env, "MEETING_URL_TEMPLATE")
        delegated = _text(env, "GOOGLE_DELEGATED_USER")
        schedule, quiet = _follow_ups(env)
        webhook_url, webhook_secret = _events_webhook(env)
        if delegated is not None and "@" not in delegated:
            raise ConfigError(f"GOOGLE_DELEGATED_USER: must be an email address, got {delegated!r}")
        return cls(
            telegram_bot_token=token,
            telegram_api_base_url=_url(env, "TELEGRAM_API_BASE_URL", DEFAULT_TELEGRAM_API),
            webhook=_webhook(env),
            admin_telegram_ids=_ids(env, "ADMIN_TELEGRAM_IDS"),
            database_path=_database_path(env, "DATABASE_PATH"),
            database_url=_database_url(env, "DATABASE_URL"),
            openai_api_key=_text(env, "OPENAI_API_KEY"),
            openai_base_url=(_url(env, "OPENAI_BASE_URL", "") if _text(env, "OPENAI_BASE_URL")
                             else None),
            openai_model=_text(env, "OPENAI_MODEL") or DEFAULT_OPENAI_MODEL,
            google_service_account_file=_service_account(env, "GOOGLE_SERVICE_ACCOUNT_FILE"),
            google_calendar_api_url=_url(env, "GOOGLE_CALENDAR_API_URL", DEFAULT_CALENDAR_API),
            google_delegated_user=delegated,
            zoom=zoom,
            zoom_api_url=_url(env, "ZOOM_API_URL", DEFAULT_ZOOM_API),
            zoom_oauth_url=_url(env, "ZOOM_OAUTH_URL", DEFAULT_ZOOM_OAUTH),
            meeting_url_template=template,
            metrics_port=_port(env, "METRICS_PORT"),
            metrics_host=_host("METRICS_HOST", _text(env, "METRICS_HOST") or DEFAULT_METRICS_HOST),
            log_level=_choice(env, "LOG_LEVEL", _LOG_LEVELS, "INFO"),
            log_format=_choice(env, "LOG_FORMAT", _LOG_FORMATS, "text"),
            app_env=_choice(env, "APP_ENV", _ENVS, "production"),
            agency_name=_text(env, "AGENCY_NAME") or "",
            default_timezone=check_timezone("DEFAULT_TIMEZONE",
                                            _text(env, "DEFAULT_TIMEZONE") or "UTC"),
            follow_up_schedule=schedule,
            quiet_hours=quiet,
            events_webhook_url=webhook_url,
            events_webhook_secret=webhook_secret,
            qualification=_questions(env),
        )

    @property
    def database(self) -> Path | str:
        """Where the data lives: the PostgreSQL URL when given, else the SQLite file."""
        return self.database_url or self.database_path

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value, so logging can scrub them if one ever slips into a message."""
        values = [self.telegram_bot_token, self.openai_api_key,
                  self.zoom.client_secret if self.zoom else None,
                  urlsplit(self.database_url).password if self.database_url else None,
                  self.webhook.secret if self.webhook else None, self.events_webhook_secret]
        return tuple(v for v in values if v)


def _host(name: str, value: str) -> str:
    """An IP address (IPv6 with or without brackets) or a host name."""
    bare = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    if not _HOST_RE.match(bare):
        raise ConfigError(f"{name}: must be an IP address or a host name, got {value!r}")
    return bare


def _listen(env: Mapping[str, str], name: str, default: str) -> tuple[str, int]:
    """``host:port`` (``[::]:8443`` for IPv6) as a pair."""
    value = _text(env, name) or default
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name}: must be host:port with a port 1-65535, e.g. "
                          f"{default}, got {value!r}")
    return _host(name, host), int(port)


def _webhook(env: Mapping[str, str]) -> Webhook | None:
    """Webhook mode when ``TELEGRAM_WEBHOOK_URL`` is set; its secret is then required."""
    url = _text(env, "TELEGRAM_WEBHOOK_URL")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError("TELEGRAM_WEBHOOK_URL: must be the public https:// URL Telegram "
                          f"posts updates to (no query), got {url!r}")
    secret = _text(env, "TELEGRAM_WEBHOOK_SECRET")
    rule = "1-256 characters of A-Z, a-z, 0-9, _ and -"
    if secret is None:
        raise ConfigError(f"TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL "
                          f"({rule})")
    if not _WEBHOOK_SECRET_RE.match(secret):
        raise ConfigError(f"TELEGRAM_WEBHOOK_SECRET: must be {rule}")
    host, port = _listen(env, "WEBHOOK_LISTEN", DEFAULT_WEBHOOK_LISTEN)
    return Webhook(url=url, secret=secret, host=host, port=port, path=parts.path.strip("/"))


@dataclass(frozen=True, slots=True)
class Webhook:
    """Webhook mode: Telegram posts to ``url``; this process listens on ``host:port``."""

    url: str
    secret: str = field(repr=False)
    host: str
    port: int
    path: str
    """The URL's path without slashes: the route the server answers (a proxy keeps it)."""
