"""Extraction of many files on all cores, in worker processes of our own."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from models.errors import ExtractionError
from models.records import Extraction, Reason

Result = Extraction | tuple[Reason, str]
INLINE_BELOW = 4  # starting workers costs more than reading a handful of files


def extract_one(path: Path) -> Result:
    """Extract a file; a failure comes back as (reason, message), never as an exception."""
    from extractors import extract

    try:
        return extract(path)
    except ExtractionError as e:
        return (e.reason, str(e))
    except Exception as e:  # a bug or a library failing on odd input: keep the trace for the admin
        return (Reason.EXTRACTION_ERROR, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=5)}")


def extract_many(jobs: dict[str, Path], workers: int | None = None) -> Iterator[tuple[str, Result]]:
    """Yield (key, result) for every job, in completion order."""
    workers = workers or os.cpu_count() or 1
    if len(jobs) < INLINE_BELOW or workers == 1:
        for key, path in jobs.items():
            yield key, extract_one(path)
        return
    # spawn, not fork: the caller runs Prefect's threads, and forking a threaded process can hang.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        futures = {pool.submit(extract_one, path): key for key, path in jobs.items()}
        for future in as_completed(futures):
            yield futures[future], future.result()
