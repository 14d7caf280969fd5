"""Prefect's settings for kipp: its own home, no analytics, and quiet. Call before anything else imports prefect."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
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
# Set by the user, these keep Prefect's flow-run heartbeats (see `flow_run_settings`).
HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


def configure_prefect(state_dir: Path) -> Path:
    """Point Prefect at kipp's own home under state_dir, import what a flow run needs; returns that home."""
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
    from prefect import flow, task  # noqa: F401  (Prefect imports these lazily, on first use)

    # A run's own log lines still go to the API (a Prefect UI shows them), but not to the console: a
    # failing run is kipp's to report, in one line, not Prefect's traceback before it.
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).propagate = False
    # Prefect's queue services (the events and API log workers) say how many items they still send while
    # they drain at exit: progress, not a problem. Their other warnings (a full queue, items dropped) stay.
    for name in ("EventsWorker", "APILogWorker"):
        logging.getLogger(name).addFilter(_still_processing)
    return home


def _still_processing(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Still processing items")


@contextmanager
def flow_run_settings() -> Iterator[None]:
    """Prefect's settings for a flow run that kipp starts in this process (kipp run, handoff, watch).

    Prefect sends a flow run's heartbeat from a thread that sleeps in steps of one second, and the
    engine joins that thread when the run ends: every run waited up to 1 s (0.5-0.9 s measured) after
    its last step. Heartbeats only serve automations that mark a run crashed when they stop, and kipp's
    runs are in the process the user started, which reports its own failure; so they are off, unless
    the user sets PREFECT_FLOWS_HEARTBEAT_FREQUENCY (the environment cannot say "off": it takes a number).
    """
    if any(os.environ.get(name, "").strip() for name in HEARTBEAT_VARIABLES):
        yield
        return
    from prefect.context import SettingsContext, get_settings_context

    # A copy of the current settings with that one field changed (None is a valid value of it):
    # Prefect's temporary_settings validates the whole settings again, 30-50 ms.
    current = get_settings_context()
    flows = current.settings.flows.model_copy(update={"heartbeat_frequency": None})
    with SettingsContext(profile=current.profile, settings=current.settings.model_copy(update={"flows": flows})):
        yield


_FROZEN = False


@contextmanager
def imports_frozen() -> Iterator[None]:
    """Import the modules of a run with the cyclic garbage collector off, then freeze what the imports
    made (gc.freeze): the ~230,000 objects of kipp's, Prefect's and pydantic's modules live as long as
    the process, and the collector went over them again in every collection they were part of (about
    400 collections, 0.4-0.8 s of a `kipp run` with nothing new). Frozen, no collection looks at them;
    what the run makes afterwards is collected as usual. Once per process: a second command in the same
    process (tests) imports nothing new, and freezing again would keep its garbage for good."""
    global _FROZEN
    if _FROZEN:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
        _FROZEN = True
    finally:
        if enabled:
            gc.enable()
