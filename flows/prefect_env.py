"""Prefect's settings for kipp: its own home, no analytics, and quiet. Call before anything else imports prefect."""

from __future__ import annotations

import logging
import os
from pathlib import Path

# Prefect reads these once, at import; a user's own environment still wins.
_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",  # a cold start on 2 busy cores can pass 20 s
    "PREFECT_LOGGING_LEVEL": "WARNING",  # no INFO line per task run
    "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "0.5",
    "PREFECT_TASKS_REFRESH_CACHE": "false",
    "PREFECT_UI_ENABLED": "false",
}


def configure_prefect(state_dir: Path) -> Path:
    """Point Prefect at kipp's own home under state_dir; returns that home."""
    home = Path(os.environ.get("PREFECT_HOME") or (state_dir / "prefect")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_MEMO_STORE_PATH", str(home / "memo_store.toml"))
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
    # SQLite busy retries and the server's start-up chatter are the engine's business, not the user's.
    for name in ("prefect.server", "prefect._internal", "uvicorn", "uvicorn.error", "sqlalchemy", "alembic"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    import prefect  # noqa: F401  (sets up Prefect's logging, which the lines below adjust)

    # A run's own log lines still go to the API (a Prefect UI shows them), but not to the console: a
    # failing run is kipp's to report, in one line, not Prefect's traceback before it.
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).propagate = False
    return home
