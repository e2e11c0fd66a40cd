"""The two back ends of the receiver: PostgreSQL (psycopg 3) for service,
SQLite for the embedded default. Both take the same SQL, written with %s
parameter markers; the service code never sees which one it talks to.

Connections are per thread (FastAPI runs sync work in a thread pool), so the
service itself keeps no state between requests: more instances on the same
database serve more devices."""
import contextlib
import os
import sqlite3
import threading
import time
from importlib import resources
from typing import Any, Iterator, List, Optional, Sequence

PARTITIONS = 8


class Database:
    """Run migrations once, then hand out per-thread transactions."""

    kind = ""
    lock_suffix = ""        # appended to a SELECT that must lock its row

    def __init__(self) -> None:
        self._local = threading.local()

    def _connect(self):
        raise NotImplementedError

    def _conn(self):
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._local.conn = self._connect()
        return c

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Tx"]:
        conn = self._conn()
        tx = Tx(self, conn)
        try:
            self._begin(conn)
            yield tx
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def _begin(self, conn) -> None:
        pass

    def migrate(self) -> int:
        """Apply every migration not yet recorded; return the schema version."""
        with self.transaction() as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, "
                       "applied_at bigint NOT NULL)")
            done = {r[0] for r in tx.all("SELECT version FROM schema_migration")}
            pkg = resources.files(__package__).joinpath("migrations", self.kind)
            names = sorted(p.name for p in pkg.iterdir() if p.name.endswith(".sql"))
            for name in names:
                version = int(name.split("_", 1)[0])
                if version in done:
                    continue
                sql = pkg.joinpath(name).read_text()
                sql = sql.replace("{partitions_minus_one}", str(PARTITIONS - 1))
                sql = sql.replace("{partitions}", str(PARTITIONS))
                self._script(tx, sql)
                tx.execute("INSERT INTO schema_migration VALUES (%s, %s)", (version, int(time.time())))
            return max([int(n.split("_", 1)[0]) for n in names] or [0])

    def _script(self, tx: "Tx", sql: str) -> None:
        tx.cur.execute(sql)


class Tx:
    def __init__(self, db: Database, conn) -> None:
        self.db = db
        self.cur = conn.cursor()

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.db.kind == "sqlite" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.cur.execute(self._sql(sql), tuple(params))
        return self.cur.rowcount

    def one(self, sql: str, params: Sequence[Any] = ()) -> Optional[tuple]:
        self.cur.execute(self._sql(sql), tuple(params))
        row = self.cur.fetchone()
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) if row else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> List[tuple]:
        self.cur.execute(self._sql(sql), tuple(params))
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in self.cur.fetchall()]


class Postgres(Database):
    kind = "postgresql"
    lock_suffix = " FOR UPDATE"

    def __init__(self, dsn: str) -> None:
        super().__init__()
        import psycopg  # imported here so that the SQLite default needs no psycopg
        self._psycopg = psycopg
        self.dsn = dsn

    def _connect(self):
        return self._psycopg.connect(self.dsn, autocommit=False)


class SQLite(Database):
    kind = "sqlite"

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def _connect(self):
        c = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        c.execute("PRAGMA journal_mode=WAL")
        return _SQLiteConn(c)

    def _begin(self, conn) -> None:
        conn.raw.execute("BEGIN IMMEDIATE")   # one writer at a time: the row lock of PostgreSQL

    def _script(self, tx: Tx, sql: str) -> None:
        body = "\n".join(l for l in sql.splitlines() if not l.strip().startswith("--"))
        for stmt in body.split(";"):
            if stmt.strip():
                tx.cur.execute(stmt)


class _SQLiteConn:
    """sqlite3 in autocommit mode with explicit BEGIN, so that BEGIN IMMEDIATE works."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def cursor(self):
        return self.raw.cursor()

    def commit(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("ROLLBACK")


def open_database(url: str) -> Database:
    """postgresql://... (or a libpq key=value DSN) or sqlite:///path."""
    if url.startswith("sqlite:///"):
        return SQLite(url[len("sqlite:///"):])
    if url.startswith(("postgresql://", "postgres://", "host=", "dbname=")):
        return Postgres(url)
    raise ValueError("database url must be postgresql://... or sqlite:///PATH")


def from_environment() -> Database:
    return open_database(os.environ.get("CUSTOS_FLEET_DB", "sqlite:///custos-fleet.db"))
