"""Settings from the environment (prefix KIPP_), read once into a frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from models.names import DEFAULT_GENERIC


@dataclass(frozen=True, slots=True)
class Settings:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    generic_words: frozenset[str] = DEFAULT_GENERIC

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        kwargs: dict = {}
        if env.get("KIPP_WORKERS"):
            kwargs["workers"] = max(1, int(env["KIPP_WORKERS"]))
        if "KIPP_GENERIC_WORDS" in env:
            kwargs["generic_words"] = frozenset(env["KIPP_GENERIC_WORDS"].lower().split())
        return cls(**kwargs)
