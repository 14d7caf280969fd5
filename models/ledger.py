"""The ledger: the single record of every file received, in SQLite, or in PostgreSQL when
KIPP_DATABASE_URL names a database (models/ledger_postgres.py: the same tables and queries).

`files` has one row per inbox path ever seen, with what it was and what was decided about it;
`extractions` caches what was read from each distinct content (by sha256), so a rerun reads
only new or changed files, and later steps (duplicates, themes) reuse the text. `identifications`
caches whose each (path, cover) is under one identifier fingerprint (roster, generic words, code), so
a rerun identifies only new files; it is a cache only, empty after a rebuild and refilled by a run.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import LedgerError, OutputError, os_reason
from models.inbox import hash_fd, hash_item, open_regular
from models.language import say
from models.records import (
    Extraction,
    Identification,
    InboxItem,
    InputFormat,
    JudgeAssignment,
    Outcome,
    Reason,
    Withdrawal,
)
from models.settings import Settings

if TYPE_CHECKING:
    from models.ledger_postgres import PostgresConnection

SCHEMA_VERSION = 2
# Bump when an extractor reads files differently, so that cached extractions are redone.
# 1: pypdf + python-docx; 2: OCR of scans, limits and hostile-file checks.
EXTRACTOR_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT,
    present INTEGER NOT NULL DEFAULT 1,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    status TEXT,
    reason TEXT,
    participant_id TEXT,
    doc_type TEXT,
    match_score REAL,
    detail TEXT,
    copy_of TEXT
);
CREATE TABLE IF NOT EXISTS duplicate_decisions (
    key TEXT PRIMARY KEY,
    decision TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS theme_corrections (
    participant_id TEXT PRIMARY KEY,
    theme TEXT NOT NULL,
    corrected_at TEXT NOT NULL,
    source TEXT NOT NULL
);
-- What `kipp handoff` handed to judges: frozen, never moved by a later run; taken back only when the
-- participant is no longer complete, the judge left the panel or a conflict was declared since.
CREATE TABLE IF NOT EXISTS assignments (
    judge_id TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    expertise_match INTEGER NOT NULL,
    handed_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_reason TEXT,
    PRIMARY KEY (judge_id, participant_id)
);
CREATE TABLE IF NOT EXISTS extractions (
    sha256 TEXT PRIMARY KEY,
    extractor_version INTEGER NOT NULL,
    format TEXT,
    pages INTEGER,
    chars INTEGER,
    cover TEXT,
    text BLOB,
    notes TEXT,
    error_reason TEXT,
    error_detail TEXT,
    extracted_at TEXT NOT NULL,
    ocr_confidence REAL
);
-- Whose each file is, as models.identify worked it out for (path, sha256 of the cover text) under one
-- fingerprint (models.identify.identifier_fingerprint); rows of any other fingerprint are dropped.
CREATE TABLE IF NOT EXISTS identifications (
    fingerprint TEXT NOT NULL,
    path TEXT NOT NULL,
    cover TEXT NOT NULL,
    participant_id TEXT,
    score REAL NOT NULL,
    source TEXT,
    reason TEXT,
    candidates TEXT NOT NULL,
    PRIMARY KEY (fingerprint, path, cover)
);
"""
# -- the judges' scores (kipp scores import) -------------------------------------------------
# Every sheet imported, by the sha256 of its bytes (the same file again is a no-op), and every score it
# gave; a newer sheet from the same judge supersedes the older one, which is kept with superseded_at.
_SCORES_SCHEMA = """
CREATE TABLE IF NOT EXISTS score_sheets (
    sha256 TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    judge_id TEXT NOT NULL,
    packet_id TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    superseded_at TEXT
);
CREATE TABLE IF NOT EXISTS scores (
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    judge_id TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    criterion TEXT NOT NULL,
    value INTEGER NOT NULL,
    superseded_at TEXT,
    PRIMARY KEY (sha256, participant_id, criterion)
);
"""
# -- end of the judges' scores' schema -------------------------------------------------------------

# Columns added after a ledger may already exist: (table, column, type).
_ADDED_COLUMNS = (
    ("extractions", "ocr_confidence", "REAL"),
    ("extractions", "limits", "TEXT"),  # Limits.key() the content was read under
    ("extractions", "retry", "INTEGER"),  # 1: `kipp retry` asked for it to be read again
    ("files", "inode", "INTEGER"),  # with ctime_ns: a same-size replacement with its mtime restored is noticed
    ("files", "ctime_ns", "INTEGER"),
    ("duplicate_decisions", "decided_by", "TEXT"),  # the admin's name, as typed in `kipp ui`; NULL from the CLI
    ("theme_corrections", "decided_by", "TEXT"),
)
# Failures that say more about the limits or the moment than about the content: read again when
# the limits change or an admin asks (`kipp retry`), never in a loop.
TRANSIENT_REASONS = frozenset({Reason.TIMEOUT, Reason.RESOURCE_LIMIT, Reason.EXTRACTION_CRASHED})
# Failures that say nothing about the recorded content (it was not what was read): read again on
# every run until it is.
UNCACHED_REASONS = frozenset({Reason.CHANGED_SINCE_SCAN, Reason.UNREADABLE})


@dataclass(frozen=True, slots=True)
class AdminDecision:
    """One admin's decision as kept: a duplicate flag's verdict (subject: its key) or a theme
    correction (subject: the participant id), with when and by whom."""

    subject: str
    value: str  # "confirmed" | "dismissed", or a theme id
    decided_at: str  # ISO, UTC
    decided_by: str | None  # None: recorded from the command line, or before names were kept
    note: str | None = None


@dataclass(frozen=True, slots=True)
class StoredExtraction:
    """A cached extraction, or the reason the content could not be read."""

    sha256: str
    extraction: Extraction | None  # its text is "" unless asked for
    chars: int | None
    error_reason: Reason | None
    error_detail: str | None


SAVE_SECONDS, SAVE_ROWS = 0.5, 64  # Ledger.save_extractions: a transaction per this many results, or this often
_SAVE_EXTRACTION = """INSERT INTO extractions(sha256, extractor_version, format, pages, chars, cover,
   text, notes, error_reason, error_detail, ocr_confidence, limits, retry, extracted_at)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
   ON CONFLICT(sha256) DO UPDATE SET extractor_version=excluded.extractor_version,
   format=excluded.format, pages=excluded.pages, chars=excluded.chars, cover=excluded.cover,
   text=excluded.text, notes=excluded.notes, error_reason=excluded.error_reason,
   error_detail=excluded.error_detail, ocr_confidence=excluded.ocr_confidence, limits=excluded.limits,
   retry=NULL, extracted_at=excluded.extracted_at"""


def _extraction_row(sha: str, result: Extraction | tuple[Reason, str], limits_key: str | None) -> tuple:
    if isinstance(result, Extraction):
        values = (
            result.format, result.pages, len(result.text), result.cover,
            zlib.compress(result.text.encode("utf-8")), json.dumps(list(result.notes)), None, None,
            result.ocr_confidence,
        )
    else:
        reason, detail = result
        values = (None, None, None, None, None, None, reason.value, detail, None)
    return (sha, EXTRACTOR_VERSION, *values, limits_key, _now())


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """The sha256 of a regular file, read through one descriptor that follows no link and never blocks.

    Raises OSError for a link (ELOOP), a FIFO, socket or device (NotRegularFile), or a file gone.
    """
    with open_regular(path.parent, path.name) as (fd, _):
        return hash_fd(fd, chunk)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection with what the ledger asks of either database (models/ledger_postgres.py has
    PostgreSQL's): how a writing transaction begins, the column types, the columns and tables there are."""

    begin = "BEGIN IMMEDIATE"  # take the write lock now, not at the first write (no deadlock between two writers)

    @staticmethod
    def ddl(script: str) -> str:
        return script  # the schema is written in SQLite's types

    def columns(self, table: str) -> set[str]:
        return {row[0] for row in self.execute("SELECT name FROM pragma_table_info(?)", (table,))}

    def has_table(self, table: str) -> bool:
        return self.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone() is not None

    @contextmanager
    def migration(self) -> Iterator[None]:
        yield  # each statement waits for the file's lock (timeout 30 s); executescript commits by itself


class Ledger:
    """The ledger in the SQLite file `path`, or with `database_url` in that PostgreSQL database (the file
    is then not touched): the same tables, queries and answers. Open it with open_ledger, which takes
    the URL from the settings, so that no caller picks a backend by itself."""

    def __init__(self, path: Path, database_url: str | None = None):
        self.db: SqliteConnection | PostgresConnection
        if database_url:
            from models.ledger_postgres import PostgresConnection

            self.db = PostgresConnection(database_url)
            self.path: Path | str = self.db.shown  # what messages name: the URL without its password
            try:
                self._open()
            except BaseException:
                self.db.close()
                raise
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(say(f"{path.parent}: folder keluaran tidak dapat dibuat ({os_reason(e)})",
                                  f"{path.parent}: the output folder cannot be made ({os_reason(e)})")) from e
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, factory=SqliteConnection)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._open()
        except sqlite3.Error as e:
            self.db.close()
            raise ledger_error(path, e) from e

    def _open(self) -> None:
        """Make the tables, or bring an older ledger's up to date (SCHEMA_VERSION, _ADDED_COLUMNS)."""
        with self.db.migration():
            _read_meta(self.path, self.db)
            self.db.executescript(self.db.ddl(_SCHEMA))
            self.db.executescript(self.db.ddl(_SCORES_SCHEMA))
            for table, column, kind in _ADDED_COLUMNS:
                if column not in self.db.columns(table):
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {self.db.ddl(kind)}")
            self.db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                            (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute(self.db.begin)
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- what is in the inbox -------------------------------------------------------------

    def sync_inbox(self, inbox: Path, items: Iterable[InboxItem]) -> tuple[list[InboxItem], dict[str, str]]:
        """Record the entries now in the inbox; return them as hashed and their sha256 by path.

        A file keeps its recorded hash only when size, mtime, inode and ctime are all unchanged (a
        file replaced in place with `touch -r` keeps its mtime, never its ctime); any doubt re-hashes.
        Hashing opens the file once, without following links, and records what that descriptor
        showed: a file gone meanwhile is left out (and, if seen before, becomes removed_from_inbox);
        one that became a link, FIFO or socket, or cannot be read, gets its reason instead.
        Paths that were seen before and are gone are kept, marked as no longer present.
        """
        known = {
            row[0]: row[1:]
            for row in self.db.execute("SELECT path, size, mtime_ns, inode, ctime_ns, sha256 FROM files")
        }
        now = _now()
        hashes: dict[str, str] = {}
        kept: list[InboxItem] = []
        rows = []
        for item in items:
            old = known.get(item.path)
            sha = None  # never read: a partial download may still be growing
            if item.ignore_reason is None:
                if old and old[-1] and tuple(old[:4]) == (item.size, item.mtime_ns, item.inode, item.ctime_ns):
                    sha = old[-1]
                else:
                    hashed = hash_item(inbox, item)
                    if hashed is None:
                        continue  # gone between the scan and the hash: it was never there
                    item, sha = hashed.item, hashed.sha256
            if sha:
                hashes[item.path] = sha
            kept.append(item)
            rows.append((item.path, item.size, item.mtime_ns, item.inode, item.ctime_ns, sha, now, now))
        with self.transaction():
            self.db.execute("UPDATE files SET present = 0")
            self.db.executemany(
                """INSERT INTO files(path, size, mtime_ns, inode, ctime_ns, sha256, present, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
                   ON CONFLICT(path) DO UPDATE SET size=excluded.size, mtime_ns=excluded.mtime_ns,
                   inode=excluded.inode, ctime_ns=excluded.ctime_ns,
                   sha256=excluded.sha256, present=1, last_seen=excluded.last_seen""",
                rows,
            )
        return kept, hashes

    def removed_paths(self) -> list[tuple[str, str | None, int]]:
        """Files recorded earlier that are no longer in the inbox: (path, sha256, size)."""
        return list(self.db.execute("SELECT path, sha256, size FROM files WHERE present = 0 ORDER BY path"))

    # -- extraction cache -----------------------------------------------------------------

    def missing_extractions(self, hashes: Iterable[str], limits_key: str | None = None) -> set[str]:
        """The contents to read: never read by this extractor version, marked by `kipp retry`, read
        when the file was not the recorded content, or failed transiently under other limits than
        `limits_key` (when given)."""
        wanted = set(hashes)
        transient = sorted(r.value for r in TRANSIENT_REASONS)
        uncached = sorted(r.value for r in UNCACHED_REASONS)
        have = set()
        for sha, reason, limits, retry in self.db.execute(
            "SELECT sha256, error_reason, limits, retry FROM extractions WHERE extractor_version = ?",
            (EXTRACTOR_VERSION,),
        ):
            if retry or reason in uncached:
                continue
            if limits_key is not None and reason in transient and limits != limits_key:
                continue
            have.add(sha)
        return wanted - have

    def save_extraction(
        self, sha: str, result: Extraction | tuple[Reason, str], limits_key: str | None = None
    ) -> None:
        self.db.execute(_SAVE_EXTRACTION, _extraction_row(sha, result, limits_key))

    def save_extractions(
        self, results: Iterable[tuple[str, Extraction | tuple[Reason, str]]], limits_key: str | None = None,
        seconds: float = SAVE_SECONDS, rows: int = SAVE_ROWS,
    ) -> Iterator[str]:
        """Save results as they come, several to a transaction; yields each one's sha256 once it is held.

        A transaction each cost the main process more than the text's compression, on cores the
        extraction workers fill. Results wait in memory (never in an open transaction: the pool may
        wait minutes for a slow file, and other writers must not wait on us) until `rows` of them
        are held or the first of them is `seconds` old when the next arrives; the rest are saved
        when the results end, fail or are abandoned (an interrupted run keeps what it read). Only a
        process killed outright loses the results held, at most `rows`: the next run reads them again."""
        held: list[tuple] = []
        since = 0.0
        try:
            for sha, result in results:
                if not held:
                    since = time.monotonic()
                held.append(_extraction_row(sha, result, limits_key))
                if len(held) >= rows or time.monotonic() - since >= seconds:
                    self._save_rows(held)
                    held = []
                yield sha
        finally:
            if held:
                self._save_rows(held)

    def _save_rows(self, rows: list[tuple]) -> None:
        with self.transaction():
            self.db.executemany(_SAVE_EXTRACTION, rows)

    def mark_for_retry(self, reasons: Iterable[Reason]) -> int:
        """Mark the cached failures of these reasons to be read again on the next run; how many."""
        codes = sorted({Reason(r).value for r in reasons})
        if not codes:
            return 0
        marks = ",".join("?" * len(codes))
        with self.transaction():
            cur = self.db.execute(
                f"UPDATE extractions SET retry = 1 WHERE error_reason IN ({marks}) AND extractor_version = ?",
                (*codes, EXTRACTOR_VERSION),
            )
        return cur.rowcount

    def extractions(self, hashes: Iterable[str], with_text: bool = False) -> dict[str, StoredExtraction]:
        """Cached extractions by sha256; the full text only when asked for (it is the bulk)."""
        out: dict[str, StoredExtraction] = {}
        text_col = "text" if with_text else "NULL"
        wanted = list(set(hashes))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"""SELECT sha256, format, pages, chars, cover, {text_col}, notes, error_reason, error_detail,
                    ocr_confidence FROM extractions WHERE sha256 IN ({marks}) AND extractor_version = ?""",
                [*chunk, EXTRACTOR_VERSION],
            ):
                sha, fmt, pages, chars, cover, blob, notes, err, detail, ocr = row
                if err:
                    out[sha] = StoredExtraction(sha, None, None, Reason(err), detail)
                    continue
                text = zlib.decompress(blob).decode("utf-8") if blob is not None else ""
                extraction = Extraction(InputFormat(fmt), text, pages, cover, tuple(json.loads(notes or "[]")), ocr)
                out[sha] = StoredExtraction(sha, extraction, chars, None, None)
        return out

    # -- identifications kept across runs -------------------------------------------------

    def identifications(self, fingerprint: str) -> dict[tuple[str, str], Identification]:
        """(path, cover key) -> the identification worked out under this fingerprint."""
        return {
            (path, cover): Identification(pid, score, source, Reason(reason) if reason else None,
                                          tuple(json.loads(candidates)))
            for path, cover, pid, score, source, reason, candidates in self.db.execute(
                """SELECT path, cover, participant_id, score, source, reason, candidates FROM identifications
                   WHERE fingerprint = ?""", (fingerprint,))
        }

    def save_identifications(self, fingerprint: str, found: Mapping[tuple[str, str], Identification]) -> None:
        """Keep what was worked out under `fingerprint`; what any other fingerprint left is dropped."""
        stale = self.db.execute("SELECT 1 FROM identifications WHERE fingerprint != ? LIMIT 1",
                                (fingerprint,)).fetchone()
        if not found and not stale:
            return
        with self.transaction():
            if stale:
                self.db.execute("DELETE FROM identifications WHERE fingerprint != ?", (fingerprint,))
            self.db.executemany(
                """INSERT INTO identifications(fingerprint, path, cover, participant_id, score, source,
                   reason, candidates) VALUES (?,?,?,?,?,?,?,?)
                   ON CONFLICT(fingerprint, path, cover) DO UPDATE SET participant_id=excluded.participant_id,
                   score=excluded.score, source=excluded.source, reason=excluded.reason,
                   candidates=excluded.candidates""",
                [(fingerprint, path, cover, i.participant_id, i.score, i.source,
                  i.reason.value if i.reason else None, json.dumps(list(i.candidates)))
                 for (path, cover), i in found.items()],
            )

    # -- decisions ------------------------------------------------------------------------

    def record_outcomes(self, outcomes: Iterable[Outcome]) -> None:
        rows = [
            (
                o.status.value, o.reason.value if o.reason else None, o.participant_id,
                o.doc_type.value if o.doc_type else None, o.match_score, o.detail, o.copy_of, o.path,
            )
            for o in outcomes
        ]
        with self.transaction():
            self.db.executemany(
                """UPDATE files SET status=?, reason=?, participant_id=?, doc_type=?, match_score=?,
                   detail=?, copy_of=? WHERE path=?""",
                rows,
            )

    # -- admins' decisions, kept across runs ---------------------------------------------

    def save_theme_corrections(self, corrections: Mapping[str, str], source: str, by: str | None = None) -> None:
        """One short transaction: `kipp ui` writes here while a `kipp run` may hold the same ledger."""
        now = _now()
        with self.transaction():
            self.db.executemany(
                """INSERT INTO theme_corrections(participant_id, theme, corrected_at, source, decided_by)
                   VALUES (?,?,?,?,?) ON CONFLICT(participant_id) DO UPDATE SET theme=excluded.theme,
                   corrected_at=excluded.corrected_at, source=excluded.source, decided_by=excluded.decided_by""",
                [(pid, theme, now, source, by) for pid, theme in corrections.items()],
            )

    def save_duplicate_decision(self, key: str, decision: str, note: str | None = None, by: str | None = None) -> None:
        self.db.execute(
            """INSERT INTO duplicate_decisions(key, decision, decided_at, note, decided_by) VALUES (?,?,?,?,?)
               ON CONFLICT(key) DO UPDATE SET decision=excluded.decision, decided_at=excluded.decided_at,
               note=excluded.note, decided_by=excluded.decided_by""",
            (key, decision, _now(), note, by),
        )

    def duplicate_decisions(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, decision FROM duplicate_decisions"))

    def duplicate_decision_records(self) -> dict[str, AdminDecision]:
        """Every duplicate verdict with when and by whom, by key."""
        return {row[0]: AdminDecision(*row) for row in self.db.execute(
            "SELECT key, decision, decided_at, decided_by, note FROM duplicate_decisions")}

    def theme_correction_records(self) -> dict[str, AdminDecision]:
        """Every theme correction with when and by whom (its source, a CSV file or `cli`, as the note)."""
        return {row[0]: AdminDecision(*row) for row in self.db.execute(
            "SELECT participant_id, theme, corrected_at, decided_by, source FROM theme_corrections")}

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                        (key, value))

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def accepted_documents(self) -> list[tuple[str, str, str | None, str | None]]:
        """(path, sha256, participant_id, doc_type) of every present accepted file."""
        return list(self.db.execute(
            "SELECT path, sha256, participant_id, doc_type FROM files WHERE status='accepted' AND present=1 ORDER BY path"
        ))

    def theme_corrections(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT participant_id, theme FROM theme_corrections ORDER BY participant_id"))

    def accepted_sha(self, participant_id: str, doc_type: str) -> str | None:
        """The content that counts for a participant's document, as last decided."""
        row = self.db.execute(
            "SELECT sha256 FROM files WHERE participant_id=? AND doc_type=? AND status='accepted' AND present=1",
            (participant_id, doc_type),
        ).fetchone()
        return row[0] if row else None

    # -- the hand-off to judges -------------------------------------------------------------

    def frozen_assignments(self) -> dict[tuple[str, str], str]:
        """(judge_id, participant_id) -> handed_at of every assignment handed out and not taken back."""
        return {(j, p): at for j, p, at in self.db.execute(
            "SELECT judge_id, participant_id, handed_at FROM assignments WHERE withdrawn_at IS NULL ORDER BY 1, 2")}

    def record_handoff(self, new: Iterable[JudgeAssignment], withdrawn: Iterable[Withdrawal], handed_at: str,
                       panel: str) -> None:
        """Freeze what was handed out now, take back what was withdrawn, and keep the panel it was
        handed to (JSON): one transaction, so a hand-off is recorded whole or not at all."""
        with self.transaction():
            self.db.executemany(
                "UPDATE assignments SET withdrawn_at=?, withdrawn_reason=? WHERE judge_id=? AND participant_id=?",
                [(handed_at, w.reason, w.judge_id, w.participant_id) for w in withdrawn])
            self.db.executemany(
                """INSERT INTO assignments(judge_id, participant_id, expertise_match, handed_at) VALUES (?,?,?,?)
                   ON CONFLICT(judge_id, participant_id) DO UPDATE SET expertise_match=excluded.expertise_match,
                   handed_at=excluded.handed_at, withdrawn_at=NULL, withdrawn_reason=NULL""",
                [(a.judge_id, a.participant_id, int(a.expertise_match), handed_at) for a in new])
            self.set_meta("panel", panel)
            self.set_meta("handed_at", handed_at)

    def withdrawals(self) -> list[tuple[str, str, str, str]]:
        """(judge_id, participant_id, withdrawn_at, reason) of every assignment taken back, oldest first."""
        return list(self.db.execute(
            "SELECT judge_id, participant_id, withdrawn_at, withdrawn_reason FROM assignments "
            "WHERE withdrawn_at IS NOT NULL ORDER BY withdrawn_at, judge_id, participant_id"))

    # -- the judges' scores (kipp scores import) ---------------------------------------------

    def score_sheet(self, sha256: str) -> tuple[str, str, str, str | None] | None:
        """(source, judge_id, imported_at, superseded_at) of a sheet imported before, by its sha256."""
        return self.db.execute("SELECT source, judge_id, imported_at, superseded_at FROM score_sheets WHERE sha256=?",
                               (sha256,)).fetchone()

    def record_score_sheets(self, sheets: Iterable[tuple[str, str, str, str, Iterable[tuple[str, str, int]]]]) -> str:
        """Record sheets (source, sha256, judge_id, packet_id, [(participant_id, criterion, value)]) in one
        transaction; each supersedes the judge's sheet imported before it (kept). Returns imported_at."""
        now = _now()
        with self.transaction():
            for source, sha, judge, packet, scores in sheets:
                for table in ("score_sheets", "scores"):
                    self.db.execute(f"UPDATE {table} SET superseded_at=? WHERE judge_id=? AND superseded_at IS NULL",
                                    (now, judge))
                self.db.execute("INSERT INTO score_sheets(sha256, source, judge_id, packet_id, imported_at) "
                                "VALUES (?,?,?,?,?)", (sha, source, judge, packet, now))
                self.db.executemany(
                    "INSERT INTO scores(sha256, source, imported_at, judge_id, participant_id, criterion, value) "
                    "VALUES (?,?,?,?,?,?,?)", [(sha, source, now, judge, p, c, v) for p, c, v in scores])
        return now

    def current_scores(self) -> list[tuple[str, str, str, int]]:
        """(judge_id, participant_id, criterion, value) of every judge's latest sheet."""
        return list(self.db.execute("SELECT judge_id, participant_id, criterion, value FROM scores "
                                    "WHERE superseded_at IS NULL ORDER BY 1, 2, 3"))

    def score_sheet_records(self) -> list[dict]:
        """Every sheet imported, oldest first, superseded ones included (the audit)."""
        cur = self.db.execute("SELECT source, sha256, judge_id, packet_id, imported_at, superseded_at, "
                              "(SELECT COUNT(DISTINCT participant_id) FROM scores s WHERE s.sha256 = score_sheets.sha256) "
                              "AS proposals FROM score_sheets ORDER BY imported_at, judge_id, source")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row)) for row in cur]

    # -- end of the judges' scores ---------------------------------------------------------

    def outcome_rows(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM files ORDER BY path")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row)) for row in cur]


# -- opening, checking and rebuilding the ledger file ------------------------------------------

_OUTPUT_FAILURES = ("disk is full", "readonly", "unable to open", "disk i/o")


def ledger_error(path: Path, e: sqlite3.Error) -> OutputError | LedgerError:
    """The error to raise when SQLite refuses the ledger: the disk or folder (exit 4), or the file itself (exit 5)."""
    text = str(e)
    if "disk is full" in text.lower() or ("disk i/o" in text.lower() and _disk_full(path.parent)):
        return OutputError(say(f"{path.parent}: disk penuh, ledger tidak dapat ditulis ({text}); "
                               "kosongkan ruang disk lalu ulangi; laporan sebelumnya tetap utuh",
                               f"{path.parent}: the disk is full, the ledger cannot be written ({text}); "
                               "free some disk space and try again; the earlier reports stay whole"))
    if any(k in text.lower() for k in _OUTPUT_FAILURES):
        return OutputError(say(f"{path}: ledger tidak dapat ditulis ({text}); periksa izin dan ruang folder {path.parent}",
                               f"{path}: the ledger cannot be written ({text}); check the permissions and the space "
                               f"of the folder {path.parent}"))
    if "locked" in text.lower() or "busy" in text.lower():
        return LedgerError(say(f"{path}: ledger sedang dikunci proses lain ({text}); coba lagi sebentar lagi",
                               f"{path}: the ledger is locked by another process ({text}); try again in a moment"))
    return LedgerError(say(
        f"{path}: ledger rusak atau terpotong ({text}). Keputusan admin tersimpan di dalamnya: jalankan "
        f"`kipp ledger rebuild --out {path.parent}` (ledger lama disalin sebagai cadangan dulu, koreksi tema dan "
        "keputusan duplikat diselamatkan, lalu kipp run membaca ulang kotak masuk)",
        f"{path}: the ledger is damaged or truncated ({text}). It holds the admins' decisions: run "
        f"`kipp ledger rebuild --out {path.parent}` (the old ledger is first copied as a backup, theme corrections "
        "and duplicate decisions are saved, then kipp run reads the inbox again)",
    ))


def _disk_full(folder: Path) -> bool:
    """SQLite reports a full disk as an I/O error when its shared-memory file cannot grow."""
    try:
        stat = os.statvfs(folder)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < 1 << 20


def _read_meta(where: Path | str, db: SqliteConnection | PostgresConnection) -> dict[str, str]:
    """The ledger's meta ({} before its first run); a ledger written by a newer kipp is refused."""
    meta = dict(db.execute("SELECT key, value FROM meta")) if db.has_table("meta") else {}
    version = str(meta.get("schema_version", ""))
    if version.isdigit() and int(version) > SCHEMA_VERSION:
        other_id, other_en = (("folder --out lain", "another --out folder") if isinstance(where, Path)
                              else ("basis data lain (KIPP_DATABASE_URL)", "another database (KIPP_DATABASE_URL)"))
        raise LedgerError(say(f"{where}: ledger ini dibuat oleh kipp yang lebih baru (skema {version}, kipp ini "
                              f"{SCHEMA_VERSION}); perbarui kipp, atau pakai {other_id}",
                              f"{where}: this ledger was written by a newer kipp (schema {version}, this kipp "
                              f"{SCHEMA_VERSION}); update kipp, or use {other_en}"))
    return meta


def open_ledger(path: Path, settings: Settings) -> Ledger:
    """The ledger of the output folder whose SQLite file is `path`: in the PostgreSQL database of
    `settings.database_url` (KIPP_DATABASE_URL) when one is set, else in that file. Every opening goes
    through here, so one command cannot use both."""
    if settings.database_url:
        return Ledger(path, database_url=settings.database_url)
    return Ledger(path)


def ledger_exists(path: Path, settings: Settings) -> bool:
    """An earlier run left a ledger here: the file, or kipp's tables in the PostgreSQL database."""
    if not settings.database_url:
        return path.is_file()
    from models.ledger_postgres import PostgresConnection

    db = PostgresConnection(settings.database_url)
    try:
        return db.has_table("meta")
    finally:
        db.close()


def check_ledger(path: Path, settings: Settings) -> dict[str, str]:
    """Refuse a corrupt, truncated or newer ledger before a run touches it; returns its meta ({} when none yet).

    On SQLite, `PRAGMA quick_check` reads every page once (about 15 ms for 9 MB), so a truncated file is
    found here rather than halfway through a run. On PostgreSQL, the server keeps its pages whole: the
    check is that it answers, lets the user in, and holds no newer schema.
    """
    if settings.database_url:
        from models.ledger_postgres import PostgresConnection

        pg = PostgresConnection(settings.database_url)
        try:
            return _read_meta(pg.shown, pg)
        finally:
            pg.close()
    if not path.exists():
        return {}
    try:
        db = sqlite3.connect(path, timeout=30, factory=SqliteConnection)
    except sqlite3.Error as e:
        raise ledger_error(path, e) from e
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise ledger_error(path, sqlite3.DatabaseError("; ".join(str(p) for p in problems[:3])))
        return _read_meta(path, db)
    except sqlite3.Error as e:
        raise ledger_error(path, e) from e
    finally:
        db.close()


# What a rebuild keeps: admins' decisions first, then the history of files received (their decisions
# are recomputed by the next run, and their text is read again from the inbox).
_SALVAGE: dict[str, tuple[str, ...]] = {
    "theme_corrections": ("participant_id", "theme", "corrected_at", "source", "decided_by"),
    "duplicate_decisions": ("key", "decision", "decided_at", "note", "decided_by"),
    "assignments": ("judge_id", "participant_id", "expertise_match", "handed_at", "withdrawn_at", "withdrawn_reason"),
    "files": ("path", "size", "mtime_ns", "sha256", "present", "first_seen", "last_seen"),
    # the judges' scores: what judges gave cannot be read again from anywhere
    "score_sheets": ("sha256", "source", "judge_id", "packet_id", "imported_at", "superseded_at"),
    "scores": ("sha256", "source", "imported_at", "judge_id", "participant_id", "criterion", "value", "superseded_at"),
    "meta": ("key", "value"),
}


@dataclass(frozen=True, slots=True)
class Rebuild:
    """What `rebuild_ledger` did: where the old file went and how many rows of each table it kept."""

    backup: Path
    kept: dict[str, int]
    complete: dict[str, bool]  # False: the table could not be read to its end (or at all)


def rebuild_ledger(path: Path) -> Rebuild:
    """Copy the ledger to a dated backup, then replace it by a fresh one holding what could be read of it."""
    if not path.exists():
        raise LedgerError(say(f"{path}: tidak ada ledger untuk dibangun ulang", f"{path}: there is no ledger to rebuild"))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.stem}.cadangan-{stamp}{path.suffix}")
    companions = [s for s in ("-wal", "-journal") if Path(f"{path}{s}").exists()]
    try:
        for suffix in ("", *companions):
            shutil.copy2(f"{path}{suffix}", f"{backup}{suffix}")
    except OSError as e:
        raise OutputError(say(f"{backup}: cadangan ledger tidak dapat ditulis ({e.strerror}); ledger lama tidak diubah",
                              f"{backup}: the ledger's backup cannot be written ({e.strerror}); the old ledger is "
                              "unchanged")) from e
    rows, complete = _salvage(path, companions)
    fresh = path.with_name(path.name + ".baru")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    with Ledger(fresh) as new, new.transaction():
        for table, (cols, read) in rows.items():
            data = [r for r in read if not (table == "meta" and r[0] == "schema_version")]
            if not data:
                continue
            marks = ",".join("?" * len(cols))
            new.db.executemany(f"INSERT OR IGNORE INTO {table}({','.join(cols)}) VALUES ({marks})", data)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    fresh.replace(path)
    return Rebuild(backup, {t: len(read) for t, (_, read) in rows.items()}, complete)


def _salvage(path: Path, companions: list[str]) -> tuple[dict[str, tuple[tuple[str, ...], list[tuple]]], dict[str, bool]]:
    """Read every row that can still be read, from a scratch copy (never from the backup, never in place):
    per table, the columns it had and its rows.

    A truncated file is padded back to the size its header declares: the missing pages read as
    damaged, and every table stored before them can be read again. A ledger written before a table or
    a column existed has nothing of it to lose: the table counts as read whole.
    """
    rows: dict[str, tuple[tuple[str, ...], list[tuple]]] = {t: (cols, []) for t, cols in _SALVAGE.items()}
    complete = {t: False for t in _SALVAGE}
    with tempfile.TemporaryDirectory(prefix="kipp-salvage-") as tmp:
        work = Path(tmp) / "ledger.sqlite"
        for suffix in ("", *companions):
            shutil.copyfile(f"{path}{suffix}", f"{work}{suffix}")
        _pad_to_declared_size(work)
        db = sqlite3.connect(work)
        try:
            for table, wanted in _SALVAGE.items():
                try:
                    have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                except sqlite3.Error:
                    have = set(wanted)  # the schema itself is damaged: try every column
                cols = tuple(c for c in wanted if c in have)
                rows[table] = (cols, rows[table][1])
                if not cols:
                    complete[table] = True  # not in this ledger (written before it existed)
                    continue
                try:
                    for row in db.execute(f"SELECT {','.join(cols)} FROM {table}"):
                        rows[table][1].append(tuple(row))
                    complete[table] = True
                except sqlite3.Error:
                    pass  # keep the rows read before the damage
        finally:
            db.close()
    return rows, complete


def _pad_to_declared_size(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return
    page = struct.unpack(">H", head[16:18])[0]
    page = 65536 if page == 1 else page
    declared = struct.unpack(">I", head[28:32])[0] * page
    if declared > path.stat().st_size:
        with path.open("r+b") as fh:
            fh.truncate(declared)
