"""A real, throw-away PostgreSQL server for the tests.

Uses Debian's server binaries (/usr/lib/postgresql/<version>/bin): `initdb`
into a temporary directory, `pg_ctl start` on a free local TCP port with
trust authentication, `pg_ctl stop` and removal afterwards. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` system
user (or `nobody`) on a data directory that user owns.

    with PostgresServer() as server:
        store = open_store(server.url)
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Optional

SERVER_USERS = ("postgres", "nobody")


def find_bin_dir() -> Optional[str]:
    """The newest installed server's bin directory, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                        key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0)
    return os.path.dirname(candidates[-1]) if candidates else (
        os.path.dirname(shutil.which("pg_ctl")) if shutil.which("pg_ctl") else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> Optional[pwd.struct_passwd]:
    """The unprivileged account to run the server as when we are root."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


class PostgresServer:
    """Start on enter, stop and delete on exit. `url` names database `postgres`."""

    def __init__(self, bin_dir: Optional[str] = None) -> None:
        self.bin_dir = bin_dir or find_bin_dir()
        if not self.bin_dir:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.user = _server_user()
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix="crosswire-pg-")
        self.data = os.path.join(self.tmp, "data")
        self.role = self.user.pw_name if self.user else pwd.getpwuid(os.getuid()).pw_name
        self.url = f"postgresql://{self.role}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [os.path.join(self.bin_dir, args[0]), *args[1:]]
        kwargs = {}
        if self.user:
            uid, gid = self.user.pw_uid, self.user.pw_gid

            def demote() -> None:
                os.setgid(gid)
                os.setuid(uid)
            kwargs["preexec_fn"] = demote
        env = dict(os.environ, LC_ALL="C", LANG="C")
        return subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=self.tmp,
                              **kwargs)

    def start(self) -> "PostgresServer":
        if self.user:
            os.chmod(self.tmp, 0o755)
            os.chown(self.tmp, self.user.pw_uid, self.user.pw_gid)
        self._run("initdb", "-D", self.data, "-U", self.role, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.tmp} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.tmp, "log"), "-o", options, "-w",
                  "-t", "60", "start")
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not start on port {self.port}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """A fresh database on this server; returns its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
