"""The deployment files say what README.md > Deploying says: read and parsed, not built.

Docker is not run here; these tests hold the files to their promises: a slim, non-root image
with the SQLite file on a volume, no secret baked in, a HEALTHCHECK on /healthz; compose's bot on
PostgreSQL with a volume and no literal password; a systemd unit that restarts on failure but
not on a bad setting; settings everywhere that the bot's own configuration accepts.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Config
from tests.integration.test_packaging import SOURCES

REPO = Path(__file__).resolve().parents[2]
SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")


def stages() -> list[list[tuple[str, str]]]:
    """Each stage's (instruction, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (REPO / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.strip().startswith("#")]
    stages: list[list[tuple[str, str]]] = []
    for line in lines:
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append((word.upper(), rest.strip()))
    return stages


def dockerfile() -> list[tuple[str, str]]:
    """The final stage: what runs."""
    return stages()[-1]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in dockerfile():
        if word == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(rest))
    return env


def test_the_image_is_slim_non_root_and_keeps_the_database_on_a_volume() -> None:
    steps = dockerfile()
    base = next(rest for word, rest in steps if word == "FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim", base)
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    volume = next(rest for word, rest in steps if word == "VOLUME")
    assert '"/data"' in volume
    assert Path(image_env()["DATABASE_PATH"]).parent == Path("/data")
    assert steps[-2:] == [("ENTRYPOINT", '["python", "-m", "bot"]'), ("CMD", '["run"]')]


def test_the_image_checks_its_health_on_healthz_at_the_metrics_port() -> None:
    health = next(rest for word, rest in dockerfile() if word == "HEALTHCHECK")
    assert "/healthz" in health and "METRICS_PORT" in health
    env = image_env()
    assert env["METRICS_HOST"] == "0.0.0.0"  # reachable from outside the container
    assert Config.from_env(env).metrics_port == int(env["METRICS_PORT"])


def test_no_secret_is_baked_into_the_image_or_its_build_context() -> None:
    text = (REPO / "Dockerfile").read_text()
    for word, rest in dockerfile():
        if word in ("ENV", "ARG"):
            assert not any(s in rest.upper() for s in SECRET_WORDS), rest
    assert ".env" not in re.findall(r"COPY\s+(\S+)", text)
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ".env" in ignored and "data/" in ignored


def test_the_image_is_built_from_what_the_wheel_is_built_from() -> None:
    patterns = [part for stage in stages() for word, rest in stage
                if word == "COPY" and "--from" not in rest for part in rest.split()[:-1]]
    copied = {path.name for pattern in patterns for path in REPO.glob(pattern)}
    assert copied == set(SOURCES)


def compose() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_runs_the_bot_on_postgresql_with_a_volume() -> None:
    data = compose()
    bot, postgres = data["services"]["bot"], data["services"]["postgres"]
    assert bot["build"] == "."
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in bot["environment"]["DATABASE_URL"]
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in data["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_compose_writes_no_secret_only_references_to_env() -> None:
    for service in compose()["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if any(word in name.upper() for word in SECRET_WORDS):
                assert re.fullmatch(r"\$\{[A-Z_]+(:\?[^}]*)?\}", str(value)), name
        url = (service.get("environment") or {}).get("DATABASE_URL", "")
        if url:
            password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
            assert password.startswith("${POSTGRES_PASSWORD")


def test_compose_settings_are_ones_the_bot_accepts() -> None:
    env = {k: str(v) for k, v in compose()["services"]["bot"]["environment"].items()
           if k != "DATABASE_URL"}  # its engine is the PostgreSQL adapter's to read
    config = Config.from_env(image_env() | env)
    assert (config.metrics_host, config.log_format) == ("0.0.0.0", "json")


def test_the_systemd_unit_restarts_on_failure_but_not_on_a_bad_setting() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((REPO / "deploy" / "leadbot.service").read_text())
    service = unit["Service"]
    assert service["User"] not in ("root", "0")
    assert service["ExecStart"].endswith("-m bot run")
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # the exit code of a configuration error
    assert service["KillSignal"] == "SIGTERM"
    assert "EnvironmentFile" in service
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_prometheus_example_scrapes_the_metrics_port_of_each_replica() -> None:
    config = yaml.safe_load((REPO / "deploy" / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    targets = job["static_configs"][0]["targets"]
    assert len(targets) >= 2 and all(t.endswith(":9108") for t in targets)
    assert image_env()["METRICS_PORT"] == "9108"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_prometheus_example() -> None:
    result = subprocess.run(["promtool", "check", "config", "--syntax-only",
                             str(REPO / "deploy" / "prometheus.yml")],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
