"""A throw-away PostgreSQL cluster on loopback, for the tests, the demo and
the load benchmark: initdb into a directory, start on 127.0.0.1 at a free
port (no unix socket), stop and remove on exit. As root it runs the server
as the `postgres` system user, since PostgreSQL refuses to run as root."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from typing import List, Optional

DEFAULT_BIN = "/usr/lib/postgresql/15/bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _searchable_by_all(path: str) -> bool:
    path = os.path.abspath(path)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        up = os.path.dirname(path)
        if up == path:
            return True
        path = up


class TempPostgres:
    def __init__(self, parent: Optional[str] = None, bindir: Optional[str] = None) -> None:
        self.bindir = bindir or os.environ.get("CUSTOS_PG_BIN", DEFAULT_BIN)
        if not os.path.isfile(os.path.join(self.bindir, "initdb")):
            raise RuntimeError("PostgreSQL server binaries not found in %s (scripts/deps installs "
                               "postgresql-15)" % self.bindir)
        if parent:
            os.makedirs(parent, exist_ok=True)
            if os.geteuid() == 0 and not _searchable_by_all(parent):
                parent = None              # the postgres user could not reach it: use the system tmp
        self.dir = tempfile.mkdtemp(prefix="pg-", dir=parent)
        self.data = os.path.join(self.dir, "data")
        self.port = 0
        self._as: List[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chmod(self.dir, 0o755)      # every parent must be searchable by postgres too
            os.makedirs(self.data, mode=0o700)
            os.chown(self.data, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        r = subprocess.run(self._as + [os.path.join(self.bindir, args[0])] + list(args[1:]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")
        if r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (args[0], r.returncode, r.stderr.decode(errors="replace")))

    @property
    def dsn(self) -> str:
        return "host=127.0.0.1 port=%d dbname=postgres user=postgres" % self.port

    def start(self) -> "TempPostgres":
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        self.port = _free_port()
        opts = ("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories='' -c fsync=off "
                "-c max_connections=200 -c shared_buffers=64MB" % self.port)
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.data, "server.log"),
                  "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        if self.port:
            try:
                self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
            finally:
                self.port = 0
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "TempPostgres":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
