"""The scan step: list the inbox, wait for files still being written, record and hash what is there."""

from __future__ import annotations

from flows.steps.context import Run
from models.inbox import scan_inbox, settle


def scan(run: Run) -> None:
    config = run.config
    items = scan_inbox(config.inbox)
    if run.settings.settle_seconds > 0:
        items = settle(config.inbox, items, wait=run.settings.settle_seconds)
    run.items, run.hashes = run.ledger.sync_inbox(config.inbox, items)
