"""Settings from the environment (prefix KIPP_), read once into a frozen object."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from extractors.limits import Limits
from models.errors import InputError
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


def _number(env: Mapping[str, str], name: str, kind: type, minimum: float) -> int | float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    what = "bilangan bulat" if kind is int else "angka"
    try:
        value = kind(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r}: harus {what} >= {minimum:g} (lihat README, Settings)") from None
    if not math.isfinite(value) or value < minimum:
        raise InputError(f"{name}={raw!r}: harus {what} >= {minimum:g} (lihat README, Settings)")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    generic_words: frozenset[str] = DEFAULT_GENERIC
    isolate: bool = True  # extract in limited worker processes; off only to measure what isolation costs
    settle_seconds: float = 1.0  # how long to wait before a second look at files changed just now
    limits: Limits = field(default_factory=Limits)
    taxonomy: Path | None = None  # a replacement for the default themes (e.g. the SDGs)

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
        kwargs["limits"] = Limits.from_env(env)  # its numbers were checked above
        if env.get("KIPP_TAXONOMY", "").strip():
            kwargs["taxonomy"] = Path(env["KIPP_TAXONOMY"].strip())
        if numbers["KIPP_SETTLE_SECONDS"] is not None:
            kwargs["settle_seconds"] = float(numbers["KIPP_SETTLE_SECONDS"])
        isolate = env.get("KIPP_ISOLATE", "").strip().lower()
        if isolate:
            if isolate not in _SWITCH:
                raise InputError(f"KIPP_ISOLATE={env['KIPP_ISOLATE']!r}: harus 1 atau 0 (lihat README, Settings)")
            kwargs["isolate"] = _SWITCH[isolate]
        return cls(**kwargs)
