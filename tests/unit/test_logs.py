"""Logging: secrets never reach the output; noisy libraries are held at WARNING."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.observability.logs import ScrubSecrets, configure

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TOKEN_URL = f"https://api.telegram.org/bot{TOKEN}/getMe"
SECRET = "sk-live-9f8e7d6c5b4a"
NOISY = ("httpx", "httpcore", "apscheduler", "aiosqlite", "openai")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure() changes process-wide state: put it back after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in NOISY}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def scrubbed_logger(secrets: tuple[str, ...] = ()) -> tuple[logging.Logger, io.StringIO]:
    """A private logger writing through ScrubSecrets into a buffer."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(ScrubSecrets(secrets))
    logger = logging.getLogger(f"test.scrub.{id(out)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, out


def test_a_bot_token_in_a_url_is_scrubbed() -> None:
    log, out = scrubbed_logger()
    log.info("HTTP Request: POST %s \"HTTP/1.1 200 OK\"", TOKEN_URL)
    text = out.getvalue()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert "https://api.telegram.org/bot" in text and "/getMe" in text  # the rest stays useful


def test_a_file_download_url_with_the_token_is_scrubbed() -> None:
    log, out = scrubbed_logger()
    log.warning(f"download failed: https://api.telegram.org/file/bot{TOKEN}/photos/1.jpg")
    assert TOKEN.split(":")[1] not in out.getvalue()


@pytest.mark.parametrize("header", ["Authorization: Bearer xyzSECRETtoken.42",
                                    "authorization: bearer xyzSECRETtoken.42",
                                    "Authorization: Basic eHl6U0VDUkVUdG9rZW4uNDI="])
def test_an_authorization_header_is_scrubbed(header: str) -> None:
    log, out = scrubbed_logger()
    log.debug("request headers: {'%s'}", header)
    text = out.getvalue()
    assert "xyzSECRETtoken" not in text and "eHl6U0VDUkVUdG9rZW4uNDI=" not in text
    assert "***" in text


def test_a_configured_secret_is_scrubbed_wherever_it_appears() -> None:
    log, out = scrubbed_logger((SECRET,))
    log.error("openai said: invalid key %s (key=%r)", SECRET, SECRET)
    text = out.getvalue()
    assert SECRET not in text
    assert text.count("***") == 2


def test_a_secret_in_a_traceback_is_scrubbed() -> None:
    log, out = scrubbed_logger((SECRET,))
    try:
        raise RuntimeError(f"GET {TOKEN_URL} failed with key {SECRET}")
    except RuntimeError:
        log.exception("call failed")
    text = out.getvalue()
    assert "Traceback" in text and "RuntimeError" in text
    assert SECRET not in text and TOKEN.split(":")[1] not in text


def test_an_innocent_line_is_left_alone() -> None:
    log, out = scrubbed_logger((SECRET,))
    log.info("lead %d booked agent %s at %s", 42, "Alex", "2027-03-14T10:00:00-04:00")
    assert out.getvalue() == "INFO lead 42 booked agent Alex at 2027-03-14T10:00:00-04:00\n"


def test_configure_scrubs_the_root_output(
    restore_logging: None, capsys: pytest.CaptureFixture[str],
) -> None:
    configure("INFO", "production", secrets=(SECRET, TOKEN))
    logging.getLogger("handlers.telegram").info("polling %s with %s", TOKEN_URL, SECRET)
    logging.getLogger("integrations.zoom").info("sent Authorization: Bearer xyzSECRETtoken.42")
    err = capsys.readouterr().err
    assert "polling" in err and "sent Authorization" in err
    for leaked in (TOKEN, TOKEN.split(":")[1], SECRET, "xyzSECRETtoken"):
        assert leaked not in err


def test_configure_holds_httpx_at_warning_even_in_debug(
    restore_logging: None, capsys: pytest.CaptureFixture[str],
) -> None:
    configure("DEBUG", "development")
    for name in NOISY:
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    logging.getLogger("httpx").info("HTTP Request: POST %s", TOKEN_URL)
    logging.getLogger("bot.conversation.service").debug("detail is shown in development")
    err = capsys.readouterr().err
    assert "HTTP Request" not in err
    assert "detail is shown in development" in err
    assert "bot.conversation.service" in err  # development lines name their logger


def test_configure_twice_does_not_duplicate_lines(
    restore_logging: None, capsys: pytest.CaptureFixture[str],
) -> None:
    configure("INFO")
    configure("INFO")
    logging.getLogger("bot.app").warning("only once")
    assert capsys.readouterr().err.count("only once") == 1


def test_a_handler_added_by_someone_else_sees_no_secret_either() -> None:
    configure("DEBUG", "production", secrets=["s3cr3t-value-42"])
    seen: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger = logging.getLogger("somebody.else")
    capture = Capture()
    logger.addHandler(capture)
    try:
        logger.warning("calling https://api.telegram.org/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "/getMe with %s", "s3cr3t-value-42")
    finally:
        logger.removeHandler(capture)
    assert seen and "s3cr3t-value-42" not in seen[0] and "ABCDEFGHIJ" not in seen[0]


def json_lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_json_format_is_one_object_per_line_with_ids_and_durations(
    restore_logging: None, capsys: pytest.CaptureFixture[str],
) -> None:
    configure("INFO", "production", log_format="json")
    logging.getLogger("bot.booking.service").info(
        "booking lead=%d appointment=%d outcome=booked ms=%.1f", 12, 34, 412.25)
    logging.getLogger("bot.conversation.service").info("turn lead=%d kind=%s replies=%d ms=%.1f",
                                                       12, "text", 1, 3.5)
    first, second = json_lines(capsys.readouterr().err)
    assert first["level"] == "INFO" and first["logger"] == "bot.booking.service"
    assert first["message"] == "booking lead=12 appointment=34 outcome=booked ms=412.2"
    assert (first["lead_id"], first["appointment_id"], first["duration_ms"]) == (12, 34, 412.2)
    assert first["outcome"] == "booked"
    assert str(first["time"]).endswith("Z") and "T" in str(first["time"])
    assert (second["lead_id"], second["duration_ms"], second["kind"]) == (12, 3.5, "text")
    assert "appointment_id" not in second


def test_json_format_keeps_a_traceback_inside_its_one_line_and_scrubbed(
    restore_logging: None, capsys: pytest.CaptureFixture[str],
) -> None:
    configure("INFO", "production", secrets=(SECRET, TOKEN), log_format="json")
    try:
        raise RuntimeError(f"GET {TOKEN_URL} failed with key {SECRET}")
    except RuntimeError:
        logging.getLogger("handlers.application").exception("handler error: %s", SECRET)
    err = capsys.readouterr().err
    (entry,) = json_lines(err)  # the traceback did not break the one-object-per-line rule
    assert entry["level"] == "ERROR" and entry["message"] == "handler error: ***"
    assert "RuntimeError" in str(entry["exception"])
    for leaked in (SECRET, TOKEN.split(":")[1]):
        assert leaked not in err


def test_json_format_takes_ids_given_as_extra(
    restore_logging: None, capsys: pytest.CaptureFixture[str],
) -> None:
    configure("INFO", log_format="json")
    logging.getLogger("handlers.lead").info("reply sent", extra={"chat_id": 5, "update_id": 9})
    (entry,) = json_lines(capsys.readouterr().err)
    assert (entry["chat_id"], entry["update_id"]) == (5, 9)
