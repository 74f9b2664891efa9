"""Config.from_env: the contract of DESIGN.md, its defaults and its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Config, load_environment
from bot.errors import ConfigError

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
OPENAI_KEY = "sk-test-openai-key-0123456789"
ZOOM_SECRET = "zoom-client-secret-0123456789"


def service_account(tmp_path: Path, **overrides: object) -> Path:
    """A service-account key file shaped like Google's (the key itself is never parsed here)."""
    data: dict[str, object] = {
        "type": "service_account",
        "project_id": "demo",
        "client_email": "bot@demo.iam.gserviceaccount.com",
        "private_key": "-----BEGIN PRIVATE KEY-----\nMII...\n-----END PRIVATE KEY-----\n",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    data.update(overrides)
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({k: v for k, v in data.items() if v is not None}))
    return path


def test_every_variable_has_the_documented_default() -> None:
    config = Config.from_env({})
    assert config.telegram_bot_token is None  # -> python -m bot starts the console chat
    assert config.telegram_api_base_url == "https://api.telegram.org/bot"
    assert config.admin_telegram_ids == frozenset()
    assert config.database_path == Path("data/bot.sqlite3")
    assert config.openai_api_key is None  # -> the rule-based brain
    assert config.openai_base_url is None  # -> the SDK's default
    assert config.openai_model  # some current small model
    assert config.google_service_account_file is None  # -> the local calendar
    assert config.google_calendar_api_url == "https://www.googleapis.com/calendar/v3"
    assert config.google_delegated_user is None
    assert config.zoom is None  # -> links from MEETING_URL_TEMPLATE
    assert config.zoom_api_url == "https://api.zoom.us/v2"
    assert config.zoom_oauth_url == "https://zoom.us/oauth/token"
    assert config.meeting_url_template.startswith("https://meet.jit.si/")
    assert "{room}" in config.meeting_url_template
    assert config.metrics_port is None
    assert config.log_level == "INFO"
    assert config.app_env == "production"


def test_blank_values_count_as_unset() -> None:
    blank = {name: "  " for name in (
        "TELEGRAM_BOT_TOKEN", "ADMIN_TELEGRAM_IDS", "DATABASE_PATH", "OPENAI_API_KEY",
        "GOOGLE_SERVICE_ACCOUNT_FILE", "ZOOM_ACCOUNT_ID", "METRICS_PORT", "LOG_LEVEL")}
    assert Config.from_env(blank) == Config.from_env({})


def test_every_variable_is_read_when_set(tmp_path: Path) -> None:
    sa = service_account(tmp_path)
    config = Config.from_env({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
        "ADMIN_TELEGRAM_IDS": " 11, 22 ,-33",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
        "OPENAI_API_KEY": OPENAI_KEY,
        "OPENAI_BASE_URL": "http://127.0.0.1:9000/v1",
        "OPENAI_MODEL": "gpt-test",
        "GOOGLE_SERVICE_ACCOUNT_FILE": str(sa),
        "GOOGLE_CALENDAR_API_URL": "http://127.0.0.1:9001/calendar/v3/",
        "GOOGLE_DELEGATED_USER": "owner@example.com",
        "ZOOM_ACCOUNT_ID": "acc", "ZOOM_CLIENT_ID": "cid", "ZOOM_CLIENT_SECRET": ZOOM_SECRET,
        "ZOOM_API_URL": "http://127.0.0.1:9002/v2",
        "ZOOM_OAUTH_URL": "http://127.0.0.1:9002/oauth/token",
        "MEETING_URL_TEMPLATE": "https://meet.example.com/r/{room}",
        "METRICS_PORT": "9464",
        "LOG_LEVEL": "debug",
        "APP_ENV": "Development",
    })
    assert config.telegram_bot_token == TOKEN
    assert config.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert config.admin_telegram_ids == frozenset({11, 22, -33})
    assert config.database_path == tmp_path / "db.sqlite3"
    assert config.openai_api_key == OPENAI_KEY
    assert config.openai_base_url == "http://127.0.0.1:9000/v1"
    assert config.openai_model == "gpt-test"
    assert config.google_service_account_file == sa
    assert config.google_calendar_api_url == "http://127.0.0.1:9001/calendar/v3"
    assert config.google_delegated_user == "owner@example.com"
    assert config.zoom is not None
    assert (config.zoom.account_id, config.zoom.client_id, config.zoom.client_secret) == (
        "acc", "cid", ZOOM_SECRET)
    assert config.zoom_api_url == "http://127.0.0.1:9002/v2"
    assert config.zoom_oauth_url == "http://127.0.0.1:9002/oauth/token"
    assert config.meeting_url_template == "https://meet.example.com/r/{room}"
    assert config.metrics_port == 9464
    assert config.log_level == "DEBUG"
    assert config.app_env == "development"


@pytest.mark.parametrize(("env", "variable"), [
    ({"DEFAULT_TIMEZONE": "Mars/Olympus_Mons"}, "DEFAULT_TIMEZONE"),
    ({"ADMIN_TELEGRAM_IDS": "123,abc"}, "ADMIN_TELEGRAM_IDS"),
    ({"ADMIN_TELEGRAM_IDS": "@someone"}, "ADMIN_TELEGRAM_IDS"),
    ({"ZOOM_ACCOUNT_ID": "acc"}, "ZOOM_CLIENT_ID"),
    ({"ZOOM_ACCOUNT_ID": "acc", "ZOOM_CLIENT_ID": "cid"}, "ZOOM_CLIENT_SECRET"),
    ({"ZOOM_CLIENT_SECRET": ZOOM_SECRET, "ZOOM_CLIENT_ID": "cid"}, "ZOOM_ACCOUNT_ID"),
    ({"METRICS_PORT": "http"}, "METRICS_PORT"),
    ({"METRICS_PORT": "0"}, "METRICS_PORT"),
    ({"METRICS_PORT": "70000"}, "METRICS_PORT"),
    ({"METRICS_PORT": "-1"}, "METRICS_PORT"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"APP_ENV": "staging"}, "APP_ENV"),
    ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "123456:short"}, "TELEGRAM_BOT_TOKEN"),
    ({"MEETING_URL_TEMPLATE": "https://meet.jit.si/fixed-room"}, "MEETING_URL_TEMPLATE"),
    ({"MEETING_URL_TEMPLATE": "meet.jit.si/{room}"}, "MEETING_URL_TEMPLATE"),
    # Any other placeholder would pass start-up and then fail every booking.
    ({"MEETING_URL_TEMPLATE": "https://meet.example.com/{room}/{name}"}, "MEETING_URL_TEMPLATE"),
    ({"MEETING_URL_TEMPLATE": "https://meet.example.com/{}"}, "MEETING_URL_TEMPLATE"),
    ({"MEETING_URL_TEMPLATE": "https://meet.example.com/{room"}, "MEETING_URL_TEMPLATE"),
    ({"MEETING_URL_TEMPLATE": "https://meet.example.com/{room.id}"}, "MEETING_URL_TEMPLATE"),
    ({"TELEGRAM_API_BASE_URL": "api.telegram.org/bot"}, "TELEGRAM_API_BASE_URL"),
    ({"GOOGLE_CALENDAR_API_URL": "ftp://example.com/v3"}, "GOOGLE_CALENDAR_API_URL"),
    ({"ZOOM_API_URL": "localhost:9000"}, "ZOOM_API_URL"),
    ({"ZOOM_OAUTH_URL": "zoom.us/oauth/token"}, "ZOOM_OAUTH_URL"),
    ({"OPENAI_BASE_URL": "127.0.0.1:9000/v1"}, "OPENAI_BASE_URL"),
    ({"GOOGLE_DELEGATED_USER": "not-an-email"}, "GOOGLE_DELEGATED_USER"),
])
def test_a_bad_value_is_refused_in_one_line_naming_the_variable(
    env: dict[str, str], variable: str,
) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env(env)
    text = str(caught.value)
    assert variable in text
    assert "\n" not in text and text.strip() == text


def test_a_database_path_that_is_a_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"DATABASE_PATH": str(tmp_path)})
    assert str(caught.value).startswith("DATABASE_PATH: ")
    assert "folder" in str(caught.value) and "\n" not in str(caught.value)


def test_a_database_path_under_home_expands_the_tilde(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = Config.from_env({"DATABASE_PATH": "~/leads/bot.sqlite3"})
    assert config.database_path == tmp_path / "leads" / "bot.sqlite3"


def test_a_missing_service_account_file_names_the_variable_and_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"GOOGLE_SERVICE_ACCOUNT_FILE": str(missing)})
    text = str(caught.value)
    assert text.startswith("GOOGLE_SERVICE_ACCOUNT_FILE")
    assert str(missing) in text and "\n" not in text


@pytest.mark.parametrize("content", [
    "not json at all {",
    json.dumps({"installed": {"client_id": "x"}}),  # an OAuth client file, not a service account
    json.dumps({"type": "authorized_user", "client_email": "a@b", "private_key": "k",
                "token_uri": "https://oauth2.googleapis.com/token"}),
    json.dumps({"type": "service_account", "client_email": "a@b"}),  # no key, no token_uri
])
def test_a_file_that_is_not_a_service_account_key_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "key.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"GOOGLE_SERVICE_ACCOUNT_FILE": str(path)})
    text = str(caught.value)
    assert text.startswith("GOOGLE_SERVICE_ACCOUNT_FILE") and "\n" not in text


def test_secrets_stay_out_of_repr_but_can_be_listed_for_scrubbing() -> None:
    config = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "OPENAI_API_KEY": OPENAI_KEY,
                              "ZOOM_ACCOUNT_ID": "acc", "ZOOM_CLIENT_ID": "cid",
                              "ZOOM_CLIENT_SECRET": ZOOM_SECRET})
    shown = repr(config) + str(config) + repr(config.zoom)
    for secret in (TOKEN, TOKEN.split(":")[1], OPENAI_KEY, ZOOM_SECRET):
        assert secret not in shown
    assert set(config.secrets) == {TOKEN, OPENAI_KEY, ZOOM_SECRET}


def test_the_config_cannot_be_changed_after_start_up() -> None:
    config = Config.from_env({})
    with pytest.raises(AttributeError):
        config.log_level = "DEBUG"  # type: ignore[misc]


def test_load_environment_reads_dotenv_and_the_process_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# operator's settings\n"
        f"TELEGRAM_BOT_TOKEN={TOKEN}\n"
        'AGENCY_NAME="Sunrise Homes"\n'
        "LOG_LEVEL=DEBUG\n"
        "export DATABASE_PATH=/srv/bot/file.sqlite3\n"
    )
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("AGENCY_NAME", raising=False)
    monkeypatch.delenv("DATABASE_PATH", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    values = load_environment(env_file)

    assert values["TELEGRAM_BOT_TOKEN"] == TOKEN
    assert values["AGENCY_NAME"] == "Sunrise Homes"
    assert values["DATABASE_PATH"] == "/srv/bot/file.sqlite3"
    assert values["LOG_LEVEL"] == "WARNING"
    config = Config.from_env(values)
    assert config.telegram_bot_token == TOKEN
    assert config.log_level == "WARNING"
    assert config.agency_name == "Sunrise Homes"


def test_load_environment_without_a_dotenv_file_is_just_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_MODEL", "from-the-shell")
    values = load_environment(tmp_path / "absent.env")
    assert values["OPENAI_MODEL"] == "from-the-shell"
    assert Config.from_env(values).openai_model == "from-the-shell"
