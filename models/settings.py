"""Settings from the environment (prefix KIPP_), read once into a frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from extractors.limits import Limits
from models.names import DEFAULT_GENERIC


@dataclass(frozen=True, slots=True)
class Settings:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    generic_words: frozenset[str] = DEFAULT_GENERIC
    isolate: bool = True  # extract in limited worker processes; off only to measure what isolation costs
    settle_seconds: float = 1.0  # how long to wait before a second look at files changed just now
    limits: Limits = field(default_factory=Limits)
    taxonomy: Path | None = None  # a replacement for the default themes (e.g. the SDGs)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        kwargs: dict = {}
        if env.get("KIPP_WORKERS"):
            kwargs["workers"] = max(1, int(env["KIPP_WORKERS"]))
        if "KIPP_GENERIC_WORDS" in env:
            kwargs["generic_words"] = frozenset(env["KIPP_GENERIC_WORDS"].lower().split())
        kwargs["limits"] = Limits.from_env(env)
        if env.get("KIPP_TAXONOMY"):
            kwargs["taxonomy"] = Path(env["KIPP_TAXONOMY"])
        if env.get("KIPP_SETTLE_SECONDS"):
            kwargs["settle_seconds"] = float(env["KIPP_SETTLE_SECONDS"])
        if env.get("KIPP_ISOLATE", "").lower() in ("0", "false", "no"):
            kwargs["isolate"] = False
        return cls(**kwargs)
