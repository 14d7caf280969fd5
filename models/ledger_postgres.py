"""The ledger on PostgreSQL (KIPP_DATABASE_URL): the connection, what its SQL spells differently, and
the writer lock that machines sharing one database see.

models/ledger.py writes its queries once, in the SQL both databases read (`INSERT ... ON CONFLICT`,
`?` placeholders, SQLite's column types); PostgresConnection takes them as sqlite3's connection does
and turns them into PostgreSQL's. psycopg is imported only when a URL is set: a SQLite ledger never
loads it. Every failure of the database becomes one LedgerError line naming the URL without its
password (exit 5), never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from models.errors import LedgerError
from models.language import say

# Advisory lock keys (two int4): "kipp" and what is locked. Advisory locks belong to one database, so
# these are the ledger database's own: one writer, and one migration at a time.
_KIPP = 0x6B697070
_WRITER = 1
_MIGRATION = 2

# SQLite's column types as PostgreSQL spells them: 64-bit integers (nanosecond times, inode numbers),
# double precision (REAL is 4 bytes there), bytea; and text compared byte by byte, as SQLite does, so
# that every ORDER BY gives the order a SQLite ledger gives whatever the database's collation.
_TYPES = ((re.compile(r"\bINTEGER\b"), "BIGINT"), (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
          (re.compile(r"\bBLOB\b"), "BYTEA"), (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'))


def shown(url: str) -> str:
    """The URL as messages print it: user, host, port and database, never the password."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}@{hostport}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _reason(e: psycopg.Error, url: str) -> str:
    """psycopg's message on one line, with the password blanked should libpq ever echo the URL back."""
    text = " ".join(str(e).split())
    password = urlsplit(url).password or dict(parse_qsl(urlsplit(url).query)).get("password")
    return text.replace(password, "***") if password else text


def connect(url: str, application_name: str) -> psycopg.Connection:
    """A connection in autocommit mode (the ledger says BEGIN itself); one LedgerError line when the
    server cannot be reached or refuses the user."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10, application_name=application_name[:63])
    except psycopg.Error as e:
        raise LedgerError(say(
            f"{shown(url)}: ledger di PostgreSQL tidak dapat dihubungi ({_reason(e, url)}); periksa KIPP_DATABASE_URL, "
            "servernya, nama pengguna dan kata sandinya",
            f"{shown(url)}: the ledger on PostgreSQL cannot be reached ({_reason(e, url)}); check KIPP_DATABASE_URL, "
            "the server, the user name and its password")) from e


@lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresConnection:
    """A psycopg connection used as models/ledger.py uses sqlite3's (SqliteConnection there has the same
    extra members: begin, ddl, columns, has_table, migration)."""

    begin = "BEGIN"  # SQLite's IMMEDIATE: row locks and ON CONFLICT already serialise writers here

    def __init__(self, url: str):
        self.url = url
        self.shown = shown(url)
        self._conn = connect(url, f"kipp ledger (pid {os.getpid()})")

    def execute(self, sql: str, params: Sequence = ()) -> psycopg.Cursor:
        try:
            return self._conn.execute(_placeholders(sql), params) if params else self._conn.execute(sql)
        except psycopg.Error as e:
            raise self._failed(e) from e

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> None:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(_placeholders(sql), rows)
        except psycopg.Error as e:
            raise self._failed(e) from e

    def executescript(self, script: str) -> None:
        self.execute(script)  # without parameters, psycopg sends several statements at once

    def close(self) -> None:
        self._conn.close()

    @staticmethod
    def ddl(script: str) -> str:
        for pattern, spelled in _TYPES:
            script = pattern.sub(spelled, script)
        return script

    def columns(self, table: str) -> set[str]:
        return {row[0] for row in self.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ?", (table,))}

    def has_table(self, table: str) -> bool:
        return self.execute("SELECT to_regclass(?) IS NOT NULL", (table,)).fetchone()[0]

    @contextmanager
    def migration(self) -> Iterator[None]:
        """The schema made or brought up to date in one transaction, one process at a time: two that
        start together (a run and kipp ui, two workers) would otherwise both create the same table."""
        self.execute("BEGIN")
        try:
            self.execute("SELECT pg_advisory_xact_lock(?, ?)", (_KIPP, _MIGRATION))
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def _failed(self, e: psycopg.Error) -> LedgerError:
        return LedgerError(say(f"{self.shown}: ledger di PostgreSQL gagal ({_reason(e, self.url)})",
                               f"{self.shown}: the ledger on PostgreSQL failed ({_reason(e, self.url)})"))


class WriterLock:
    """One writer per ledger database: a session advisory lock, held on a connection of its own while
    the writer runs.

    PostgreSQL drops it when that connection ends, so a writer killed with SIGKILL frees it at once,
    and one whose machine is cut off within about a minute (the server's keepalives, set per session).
    The holder's application_name names it (what, pid, machine) for the one refused.
    """

    def __init__(self, url: str, holder: str):
        self.url = url
        self.holder = holder  # what others are told holds it: what, which process, which machine
        self._conn: psycopg.Connection | None = None

    def acquire(self) -> str | None:
        """Take the lock: None when taken, else who holds it."""
        conn = connect(self.url, self.holder)
        try:
            conn.execute("SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3")
            if conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (_KIPP, _WRITER)).fetchone()[0]:
                self._conn = conn
                return None
            row = conn.execute(
                """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                   WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database
                   WHERE datname = current_database()) AND l.classid::bigint = %s AND l.objid::bigint = %s
                   AND l.objsubid = 2""", (_KIPP, _WRITER)).fetchone()
        except psycopg.Error as e:
            conn.close()
            raise LedgerError(say(f"{shown(self.url)}: kunci penulis di PostgreSQL tidak dapat diambil ({_reason(e, self.url)})",
                                  f"{shown(self.url)}: the writer lock on PostgreSQL cannot be taken "
                                  f"({_reason(e, self.url)})")) from e
        conn.close()
        return (row[0] if row and row[0] else None) or say("proses lain", "another process")

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()  # ends the session, and the lock with it
            self._conn = None
