"""Settings from the environment (prefix KIPP_), read once into a frozen object.

This is the one module that reads KIPP_ variables; the extraction limits live here too, so that the
extractors take their limits from models and models import nothing from extractors.

A plain frozen dataclass rather than pydantic-settings' BaseSettings: BaseSettings reads the
environment on every construction, so `Settings(workers=1)` in a test or a benchmark would take a
developer's KIPP_ variables too; and the one-line messages below need a table of each variable's
kind and minimum either way, which pydantic's errors would only have to be translated back into.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from models.errors import InputError
from models.language import say
from models.names import DEFAULT_GENERIC

# (variable, number type, smallest value allowed): checked before anything reads them, so that a
# typo is one line naming the variable rather than a traceback from deep inside a run.
_NUMBERS: tuple[tuple[str, type, float], ...] = (
    ("KIPP_WORKERS", int, 1),
    ("KIPP_EXTRACT_SECONDS", float, 0.001),
    ("KIPP_EXTRACT_MEMORY_MB", int, 64),
    ("KIPP_OCR_PAGES", int, 0),
    ("KIPP_SETTLE_SECONDS", float, 0),
)
_SWITCH = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


@dataclass(frozen=True, slots=True)
class Limits:
    """Limits that keep one hostile file from exhausting the machine (extractors/ apply them)."""

    seconds: float = 120.0  # work time for one file: the sum over its jobs (a scan's pages may run on several workers)
    memory_mb: int = 1024  # address space of a worker process
    docx_total_mb: int = 200  # all parts of a DOCX, uncompressed
    docx_part_mb: int = 64  # one XML part, uncompressed
    docx_ratio: int = 200  # uncompressed/compressed above which a large part is a bomb
    docx_entries: int = 5000
    pdf_pages: int = 2000
    ocr_pages: int = 12  # the cover and the first pages identify a scan; all 40 pages would cost minutes
    # Characters kept per document. A real proposal has 20-150 thousand; 2 million is a 1,000-page
    # book. A 5 KB PDF of nested forms yields 47 million: only the first max_chars are kept.
    max_chars: int = 2_000_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The limits the KIPP_ variables set, checked as Settings.from_env checks them."""
        return Settings.from_env(env).limits

    def key(self) -> str:
        """These limits as a stable string: the ledger keeps it with every extraction."""
        return json.dumps(asdict(self), sort_keys=True)


def _number(env: Mapping[str, str], name: str, kind: type, minimum: float) -> int | float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise InputError(_must_be(name, raw, kind, minimum)) from None
    if not math.isfinite(value) or value < minimum:
        raise InputError(_must_be(name, raw, kind, minimum))
    return value


def _must_be(name: str, raw: str, kind: type, minimum: float) -> str:
    if kind is int:
        return say(f"{name}={raw!r}: harus bilangan bulat >= {minimum:g} (lihat README, Settings)",
                   f"{name}={raw!r}: must be a whole number >= {minimum:g} (see README, Settings)")
    return say(f"{name}={raw!r}: harus angka >= {minimum:g} (lihat README, Settings)",
               f"{name}={raw!r}: must be a number >= {minimum:g} (see README, Settings)")


# The schemes a PostgreSQL URL may have: libpq's, and SQLAlchemy's name for the driver kipp uses
# (psycopg), read as libpq's. Prefect's postgresql+asyncpg:// is refused: kipp's ledger is not async.
_POSTGRES_SCHEMES = ("postgresql://", "postgresql+psycopg://")


def _database_url(raw: str) -> str:
    """KIPP_DATABASE_URL as libpq reads it; anything but a PostgreSQL URL is one line naming the variable
    (and at most its scheme: the rest may hold a password)."""
    scheme, sep, rest = raw.partition("://")
    if not (sep and rest and f"{scheme}://" in _POSTGRES_SCHEMES and _has_valid_port(raw)):
        given_id, given_en = (f"{scheme}://...", f"{scheme}://...") if sep else ("tanpa skema", "no scheme")
        raise InputError(say(f"KIPP_DATABASE_URL ({given_id}): harus URL PostgreSQL, postgresql://pengguna@host:port/"
                             "basis-data (lihat README, Ledger on PostgreSQL)",
                             f"KIPP_DATABASE_URL ({given_en}): must be a PostgreSQL URL, "
                             "postgresql://user@host:port/database (see README, Ledger on PostgreSQL)"))
    return f"postgresql://{rest}"


def _has_valid_port(url: str) -> bool:
    try:
        port = urlsplit(url).port
    except ValueError:  # not a number from 0 to 65535
        return False
    return port is None or port > 0


@dataclass(frozen=True, slots=True)
class Settings:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    generic_words: frozenset[str] = DEFAULT_GENERIC
    isolate: bool = True  # extract in limited worker processes; off only to measure what isolation costs
    settle_seconds: float = 1.0  # how long to wait before a second look at files changed just now
    limits: Limits = field(default_factory=Limits)
    taxonomy: Path | None = None  # a replacement for the default themes (e.g. the SDGs)
    # The ledger in this PostgreSQL database instead of <out>/ledger.sqlite (models/ledger_postgres.py);
    # kept out of repr: it may hold a password.
    database_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every KIPP_ variable; a bad value raises InputError naming the variable."""
        env = dict(os.environ if env is None else env)
        numbers = {name: _number(env, name, kind, minimum) for name, kind, minimum in _NUMBERS}
        kwargs: dict = {}
        if numbers["KIPP_WORKERS"] is not None:
            kwargs["workers"] = numbers["KIPP_WORKERS"]
        if "KIPP_GENERIC_WORDS" in env:
            kwargs["generic_words"] = frozenset(env["KIPP_GENERIC_WORDS"].lower().split())
        limits = {
            attr: numbers[name]
            for attr, name in (("seconds", "KIPP_EXTRACT_SECONDS"), ("ocr_pages", "KIPP_OCR_PAGES"),
                                ("memory_mb", "KIPP_EXTRACT_MEMORY_MB"))
            if numbers[name] is not None
        }
        if "seconds" in limits:
            limits["seconds"] = float(limits["seconds"])
        kwargs["limits"] = Limits(**limits)
        if env.get("KIPP_TAXONOMY", "").strip():
            kwargs["taxonomy"] = Path(env["KIPP_TAXONOMY"].strip())
        if numbers["KIPP_SETTLE_SECONDS"] is not None:
            kwargs["settle_seconds"] = float(numbers["KIPP_SETTLE_SECONDS"])
        if env.get("KIPP_DATABASE_URL", "").strip():
            kwargs["database_url"] = _database_url(env["KIPP_DATABASE_URL"].strip())
        isolate = env.get("KIPP_ISOLATE", "").strip().lower()
        if isolate:
            if isolate not in _SWITCH:
                raise InputError(say(f"KIPP_ISOLATE={env['KIPP_ISOLATE']!r}: harus 1 atau 0 (lihat README, Settings)",
                                     f"KIPP_ISOLATE={env['KIPP_ISOLATE']!r}: must be 1 or 0 (see README, Settings)"))
            kwargs["isolate"] = _SWITCH[isolate]
        return cls(**kwargs)
