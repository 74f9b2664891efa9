"""A throwaway PostgreSQL server for the tests: a temporary cluster on a free loopback port.

``python tools/throwaway_postgres.py -- CMD ...`` starts one, runs CMD with its URL in
``LEADBOT_TEST_POSTGRES_URL``, stops it and returns CMD's exit code. Where no server can be had
(PostgreSQL not installed and not root to install it) it prints one line saying why and runs
CMD without the variable, so those tests skip; with ``CI=true`` it fails instead.

As root it installs ``postgresql postgresql-contrib`` with apt-get when missing, and runs
``initdb``/``pg_ctl`` as the ``postgres`` user (``initdb`` refuses root). The cluster runs with
``fsync=off``: its data is thrown away anyway.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

URL_VARIABLE = "LEADBOT_TEST_POSTGRES_URL"
_USER = "postgres"


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why, in one line."""


@dataclass(frozen=True)
class Server:
    url: str
    data: Path
    bin: Path
    as_user: tuple[str, ...]


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parent.parent.name))
    return Path(versions[-1]).parent if versions else None


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _install() -> None:
    if shutil.which("apt-get") is None:
        raise Unavailable("PostgreSQL is not installed and there is no apt-get to install it")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    for args in (["apt-get", "update", "-q"],
                 ["apt-get", "install", "-y", "-q", "postgresql", "postgresql-contrib"]):
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise Unavailable(f"installing PostgreSQL failed: {' '.join(args)}: {last}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start() -> Server:
    """Start a fresh cluster (installing PostgreSQL first as root if needed)."""
    bindir = _bindir()
    if bindir is None:
        if not _is_root():
            raise Unavailable("PostgreSQL is not installed (and installing it needs root)")
        _install()
        bindir = _bindir()
        if bindir is None:
            raise Unavailable("PostgreSQL was installed but pg_ctl is not found")
    as_user: tuple[str, ...] = ()
    if _is_root():
        runuser = shutil.which("runuser")
        as_user = (runuser, "-u", _USER, "--") if runuser else ("su", _USER, "-c")
    folder = Path(tempfile.mkdtemp(prefix="leadbot-pg-"))
    folder.chmod(0o755)
    data = folder / "data"
    if as_user:
        shutil.chown(folder, _USER)
    port = _free_port()
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    steps = [[str(bindir / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust",
              "-E", "UTF8", "--no-sync", "--locale=C"],
             [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
              str(folder / "log"), "-w", "-t", "60", "start"]]
    for args in steps:
        command = [*as_user, *args] if as_user[-1:] != ("-c",) else \
            [*as_user, " ".join(_quote(a) for a in args)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise Unavailable(f"{Path(args[0]).name} failed: {last}")
    return Server(f"postgresql://{_USER}@127.0.0.1:{port}/postgres", data, bindir, as_user)


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def stop(server: Server) -> None:
    """Stop the cluster at once and delete its files."""
    args = [str(server.bin / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop"]
    command = [*server.as_user, *args] if server.as_user[-1:] != ("-c",) else \
        [*server.as_user, " ".join(_quote(a) for a in args)]
    subprocess.run(command, capture_output=True, check=False)
    shutil.rmtree(server.data.parent, ignore_errors=True)


@contextlib.contextmanager
def running() -> Iterator[Server]:
    server = start()
    try:
        yield server
    finally:
        stop(server)


def main(argv: Sequence[str]) -> int:
    command = list(argv[1:] if argv[:1] == ["--"] else argv)
    if not command:
        print("usage: throwaway_postgres.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    if os.environ.get(URL_VARIABLE):
        return subprocess.call(command)  # a server is given already
    try:
        server = start()
    except Unavailable as why:
        if os.environ.get("CI") == "true":
            print(f"error: PostgreSQL tests cannot run in CI: {why}", file=sys.stderr)
            return 1
        print(f"PostgreSQL tests will skip: {why}", file=sys.stderr)
        return subprocess.call(command)
    try:
        return subprocess.call(command, env=os.environ | {URL_VARIABLE: server.url})
    finally:
        stop(server)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
