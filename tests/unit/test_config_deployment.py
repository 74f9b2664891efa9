"""The deployment settings of DESIGN.md: webhook mode, the monitoring address, the log format."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.errors import ConfigError

URL = "https://bot.example.com/telegram/hook"
SECRET = "webhook-Secret_42"


def test_unset_means_polling_loopback_metrics_and_text_logs() -> None:
    config = Config.from_env({})
    assert config.webhook is None  # long polling
    assert config.metrics_host == "127.0.0.1"
    assert config.log_format == "text"


def test_a_webhook_url_with_its_secret_is_webhook_mode_on_the_default_listen() -> None:
    config = Config.from_env({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": SECRET})
    assert config.webhook is not None
    assert (config.webhook.url, config.webhook.secret) == (URL, SECRET)
    assert (config.webhook.host, config.webhook.port) == ("0.0.0.0", 8443)
    assert config.webhook.path == "telegram/hook"  # the route the server answers


@pytest.mark.parametrize(("listen", "host", "port"), [
    ("127.0.0.1:9000", "127.0.0.1", 9000), ("[::]:8443", "::", 8443),
    ("bot-1.internal:80", "bot-1.internal", 80)])
def test_webhook_listen_is_host_and_port(listen: str, host: str, port: int) -> None:
    config = Config.from_env({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                              "WEBHOOK_LISTEN": listen})
    assert config.webhook is not None
    assert (config.webhook.host, config.webhook.port) == (host, port)


def test_the_webhook_secret_is_kept_out_of_repr_and_scrubbed_from_logs() -> None:
    config = Config.from_env({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": SECRET})
    assert SECRET not in repr(config)
    assert SECRET in config.secrets


def test_metrics_host_and_log_format_are_read() -> None:
    config = Config.from_env({"METRICS_HOST": "0.0.0.0", "LOG_FORMAT": "JSON"})
    assert (config.metrics_host, config.log_format) == ("0.0.0.0", "json")


@pytest.mark.parametrize(("env", "variable"), [
    ({"TELEGRAM_WEBHOOK_URL": URL}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": "has spaces"},
     "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": "x" * 257},
     "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_WEBHOOK_URL": "http://bot.example.com/hook",
      "TELEGRAM_WEBHOOK_SECRET": SECRET}, "TELEGRAM_WEBHOOK_URL"),
    ({"TELEGRAM_WEBHOOK_URL": "bot.example.com/hook", "TELEGRAM_WEBHOOK_SECRET": SECRET},
     "TELEGRAM_WEBHOOK_URL"),
    ({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": SECRET,
      "WEBHOOK_LISTEN": "8443"}, "WEBHOOK_LISTEN"),
    ({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": SECRET,
      "WEBHOOK_LISTEN": "0.0.0.0:99999"}, "WEBHOOK_LISTEN"),
    ({"TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_WEBHOOK_SECRET": SECRET,
      "WEBHOOK_LISTEN": "no such host:80"}, "WEBHOOK_LISTEN"),
    ({"METRICS_HOST": "local host"}, "METRICS_HOST"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
])
def test_a_bad_deployment_value_is_one_line_naming_the_variable(
    env: dict[str, str], variable: str,
) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env(env)
    text = str(caught.value)
    assert text.startswith(f"{variable}:")
    assert "\n" not in text
    assert SECRET not in text and "has spaces" not in text
