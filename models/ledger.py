"""The ledger: the single record of every file received, in SQLite.

`files` has one row per inbox path ever seen, with what it was and what was decided about it;
`extractions` caches what was read from each distinct content (by sha256), so a rerun reads
only new or changed files, and later steps (duplicates, themes) reuse the text.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from models.records import Extraction, InboxItem, Outcome, Reason

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
"""
# Columns added after a ledger may already exist: (table, column, type).
_ADDED_COLUMNS = (
    ("extractions", "ocr_confidence", "REAL"),
    ("extractions", "limits", "TEXT"),  # Limits.key() the content was read under
    ("extractions", "retry", "INTEGER"),  # 1: `kipp retry` asked for it to be read again
)
# Failures that say more about the limits or the moment than about the content: read again when
# the limits change or an admin asks (`kipp retry`), never in a loop.
TRANSIENT_REASONS = frozenset({Reason.TIMEOUT, Reason.RESOURCE_LIMIT, Reason.EXTRACTION_CRASHED})
# Failures that say nothing about the recorded content (it was not what was read): read again on
# every run until it is.
UNCACHED_REASONS = frozenset({Reason.CHANGED_SINCE_SCAN, Reason.UNREADABLE})


@dataclass(frozen=True, slots=True)
class StoredExtraction:
    """A cached extraction, or the reason the content could not be read."""

    sha256: str
    extraction: Extraction | None  # its text is "" unless asked for
    chars: int | None
    error_reason: Reason | None
    error_detail: str | None


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        for table, column, kind in _ADDED_COLUMNS:
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        self.db.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- what is in the inbox -------------------------------------------------------------

    def sync_inbox(self, inbox: Path, items: Iterable[InboxItem]) -> dict[str, str]:
        """Record the files now in the inbox and return their sha256 by path.

        A file whose size and mtime are unchanged keeps its recorded hash; any other is hashed.
        Paths that were seen before and are gone are kept, marked as no longer present.
        """
        known = {
            row[0]: row[1:]
            for row in self.db.execute("SELECT path, size, mtime_ns, sha256 FROM files")
        }
        now = _now()
        hashes: dict[str, str] = {}
        rows = []
        for item in items:
            old = known.get(item.path)
            if item.ignore_reason is not None:
                sha = None  # never read: a partial download may still be growing
            elif old and old[0] == item.size and old[1] == item.mtime_ns and old[2]:
                sha = old[2]
            else:
                sha = sha256_file(inbox / item.path)
            if sha:
                hashes[item.path] = sha
            rows.append((item.path, item.size, item.mtime_ns, sha, now, now))
        with self.transaction():
            self.db.execute("UPDATE files SET present = 0")
            self.db.executemany(
                """INSERT INTO files(path, size, mtime_ns, sha256, present, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, 1, ?, ?)
                   ON CONFLICT(path) DO UPDATE SET size=excluded.size, mtime_ns=excluded.mtime_ns,
                   sha256=excluded.sha256, present=1, last_seen=excluded.last_seen""",
                rows,
            )
        return hashes

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
        if isinstance(result, Extraction):
            values = (
                result.format, result.pages, len(result.text), result.cover,
                zlib.compress(result.text.encode("utf-8")), json.dumps(list(result.notes)), None, None,
                result.ocr_confidence,
            )
        else:
            reason, detail = result
            values = (None, None, None, None, None, None, reason.value, detail, None)
        self.db.execute(
            """INSERT OR REPLACE INTO extractions(sha256, extractor_version, format, pages, chars, cover,
               text, notes, error_reason, error_detail, ocr_confidence, limits, retry, extracted_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)""",
            (sha, EXTRACTOR_VERSION, *values, limits_key, _now()),
        )

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
                extraction = Extraction(fmt, text, pages, cover, tuple(json.loads(notes or "[]")), ocr)
                out[sha] = StoredExtraction(sha, extraction, chars, None, None)
        return out

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

    def save_theme_corrections(self, corrections: Mapping[str, str], source: str) -> None:
        now = _now()
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO theme_corrections(participant_id, theme, corrected_at, source) VALUES (?,?,?,?)",
                [(pid, theme, now, source) for pid, theme in corrections.items()],
            )

    def save_duplicate_decision(self, key: str, decision: str, note: str | None = None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO duplicate_decisions(key, decision, decided_at, note) VALUES (?,?,?,?)",
            (key, decision, _now(), note),
        )

    def duplicate_decisions(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, decision FROM duplicate_decisions"))

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

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

    def outcome_rows(self) -> list[dict]:
        cur = self.db.execute("SELECT * FROM files ORDER BY path")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row)) for row in cur]
