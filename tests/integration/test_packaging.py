"""The wheel is the product: built with pip, installed in a fresh venv, it opens its database.

The wheel is built from a copy of the source tree (the build leaves ``build/`` and ``*.egg-info``
behind), installed with ``--no-deps`` into a venv of its own, and given the already installed
dependencies through a ``.pth`` line pointing at this venv's site-packages, which holds the
dependencies but not the project's source (the editable install there is a hook that only runs
when site-packages is a site directory, and in the fresh venv it is a plain path). Nothing here
touches the network: the build uses the installed setuptools, pip never looks at an index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What a wheel is built from: the packaging files and the packages (see pyproject.toml).
SOURCES = ("pyproject.toml", "README.md", "schema.sql", "bot", "handlers", "storage",
           "integrations")

pytestmark = pytest.mark.packaging


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _pip_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INDEX="1", PIP_NO_INPUT="1")
    return env


def _build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name, follow_symlinks=False)
    dist = tmp / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", dist, source, cwd=tmp, env=_pip_env())
    (wheel,) = dist.glob("leadbot-*.whl")
    return wheel


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    python = venv / "bin" / "python"
    # This venv's pip installs into the fresh one: no pip bootstrap, no index.
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         wheel, cwd=tmp, env=_pip_env())
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                     cwd=tmp).stdout.strip())
    (site / "shared_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


def _clean_env(**extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(extra)
    return env


def test_an_installed_wheel_lists_agents_from_any_folder(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "storage/schema.sql" in names, "the wheel does not carry schema.sql"
        assert archive.read("storage/schema.sql") == (REPO / "schema.sql").read_bytes()
    python = _fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    database = elsewhere / "data" / "bot.sqlite3"
    env = _clean_env(DATABASE_PATH=str(database))

    where = _run(python, "-c", "import bot, storage; print(bot.__file__, storage.__file__)",
                 cwd=elsewhere, env=env).stdout
    assert str(REPO) not in where and str(python.parent.parent) in where

    result = _run(python, "-m", "bot", "agents", "list", cwd=elsewhere, env=env, timeout=60)
    assert "no agents yet" in result.stdout
    assert database.is_file()

    # The place table ships too: a lead's city resolves from the installed copy.
    zone = _run(python, "-c", "from bot.conversation.places import resolve_zone; "
                "print(resolve_zone('Victoria BC'))", cwd=elsewhere, env=env).stdout
    assert zone.strip() == "America/Vancouver"

    # The message catalogs ship as their .po source and are read without a compile step.
    spoken = _run(python, "-c", "from bot.i18n import speaking; from bot.conversation import "
                  "wording\nwith speaking('es'): print(wording.SHOW_TIMES_LABEL)",
                  cwd=elsewhere, env=env).stdout
    assert spoken.strip() == "Ver horarios disponibles"
