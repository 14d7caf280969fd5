"""The extract step: read every content the ledger has not read yet (or is to read again)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import closing
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

from extractors.sandbox import extract_many
from flows.steps.context import Run
from models.ledger import Ledger
from models.settings import Settings

# (path under its root, the sha256 the scan recorded, that root): what a worker opens, folder by folder.
Job = tuple[Path, str, Path]
Progress = Callable[[int, int], None]

# Told (files read, files to read) before the first file and after each: kipp run's progress bar.
# Set by whoever starts the run; Prefect runs a sync flow and its tasks in the caller's context.
extract_progress: ContextVar[Progress | None] = ContextVar("kipp_extract_progress", default=None)
# Told (OCR pages read, OCR pages found) as scans are found and their pages read, page by page.
ocr_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar("kipp_ocr_progress", default=None)


class Spread(Protocol):
    """Reads `jobs` somewhere else (flows/batches.py: in batches, on a work pool's workers) and returns once
    every result is in `ledger`, saved under `limits_key`, as `save_extractions` saves them here."""

    def __call__(self, ledger: Ledger, jobs: Mapping[str, Job], settings: Settings, limits_key: str | None,
                 progress: Progress) -> None: ...


# Set by a run whose extraction is spread over workers (flows/intake.py's cluster flow); None: read here.
spread_extraction: ContextVar[Spread | None] = ContextVar("kipp_spread_extraction", default=None)


def extract(run: Run) -> None:
    """Each job carries the sha256 the scan recorded: the worker reads the file from one descriptor
    and refuses other bytes (changed_since_scan, read again on the next run). A transient failure
    is kept with the limits it happened under, and read again once they change."""
    run.files_extracted = extract_contents(run.ledger, run.config.inbox, run.hashes, run.settings,
                                           run.settings.limits.key())


def extract_contents(ledger: Ledger, root: Path, hashes: Mapping[str, str], settings: Settings,
                     limits_key: str | None) -> int:
    """Read the contents of `hashes` (path under `root` -> sha256) the ledger lacks; returns how many
    were read. The inbox and the earlier editions' folder go through here alike."""
    pending = ledger.missing_extractions(hashes.values(), limits_key)
    jobs: dict[str, Job] = {}
    for path, sha in sorted(hashes.items()):
        if sha in pending and sha not in jobs:
            jobs[sha] = (Path(path), sha, root)  # the stored path, opened folder by folder
    progress = extract_progress.get() or (lambda done, total: None)
    progress(0, len(jobs))
    spread = spread_extraction.get()
    if spread is not None and jobs:
        spread(ledger, jobs, settings, limits_key, progress)
    else:
        save_extractions(ledger, jobs, settings, limits_key, progress)
    return len(jobs)


def save_extractions(ledger: Ledger, jobs: Mapping[str, Job], settings: Settings, limits_key: str | None,
                     progress: Progress | None = None) -> None:
    """Read `jobs` in this machine's worker processes and save the results as they come, a transaction
    per 64 or per half second (Ledger.save_extractions): an interrupted run keeps what it read; a
    process killed outright (a killed batch) loses at most the 64 results it held, read again later."""
    results = extract_many(jobs, settings.workers, settings.limits, isolate=settings.isolate,
                           ocr_progress=ocr_progress.get())
    # closing(): when the step fails (a progress callback raising, say), what is held is saved then,
    # explicitly, not when the generator happens to be collected.
    with closing(ledger.save_extractions(results, limits_key)) as saved:
        for done, _sha in enumerate(saved, start=1):
            if progress is not None:
                progress(done, len(jobs))
