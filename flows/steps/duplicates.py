"""The duplicates step: accepted documents against each other and against earlier editions."""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import replace
from pathlib import Path

from flows.steps.context import Run
from flows.steps.extract import extract_contents
from flows.steps.guard import failing_items, set_aside, step_failed
from models.doctype import detect_doc_type
from models.duplicates import (
    FLAGS_VERSION,
    PRIOR_PREFIX,
    DocText,
    DuplicateSettings,
    apply_decisions,
    find_duplicates,
)
from models.inbox import hash_item, scan_inbox
from models.ledger import Ledger, StoredExtraction, open_ledger
from models.records import DocType, Extraction, FileStatus
from models.screening import Screening
from models.settings import Settings

_YEAR = re.compile(r"^(19|20)\d\d$")


def duplicates(run: Run) -> None:
    """Flags with the admins' decisions applied; they never change a document's status. A document
    the comparison fails on is set aside as internal_error, and a comparison that fails as a whole
    leaves the run without flags, never without reports."""
    try:
        run.screening = replace(run.screening, duplicates=flags(run))
        return
    except Exception as exc:  # noqa: BLE001 - find which documents, if any, it fails on
        first = exc
    finally:
        run.forget_texts()
    docs = current_documents(run.screening, run.accepted_texts())
    run.forget_texts()
    failed = failing_items(docs, lambda some: find_duplicates(some, settings=DuplicateSettings(workers=1)))
    if not failed:
        run.screening = step_failed(run.screening, "duplicates", first)
        return
    run.screening = set_aside(run.screening, {d.path: exc for d, exc in failed})
    try:
        run.screening = replace(run.screening, duplicates=flags(run))
    except Exception as exc:  # noqa: BLE001
        run.screening = step_failed(run.screening, "duplicates", exc)
    finally:
        run.forget_texts()


def flags(run: Run) -> tuple:
    """This run's flags, with the admins' decisions applied."""
    current = current_documents(run.screening, run.accepted_texts())
    prior = prior_documents(run.config.prior, run.ledger, run.settings) if run.config.prior else []
    found = find_flags(current, prior, run.paths.duplicates_cache, run.settings.workers)
    return tuple(apply_decisions(found, run.ledger.duplicate_decisions()))


def current_documents(screening: Screening, texts: dict[str, StoredExtraction]) -> list[DocText]:
    """The accepted documents of this run, with their text."""
    docs = []
    for o in screening.documents:
        if o.status is not FileStatus.ACCEPTED or not o.sha256:
            continue
        stored = texts.get(o.sha256)
        if stored and stored.extraction:
            docs.append(DocText(o.path, o.sha256, stored.extraction.text, o.participant_id,
                                o.doc_type, format=stored.extraction.format))
    return docs


def prior_documents(prior: Path, ledger: Ledger, settings: Settings) -> list[DocText]:
    """Earlier editions: a folder of proposals (edition from its first folder, e.g. 2020/), or a
    previous run's ledger.sqlite (edition from that ledger). A folder is scanned, hashed and read as
    the inbox is (no link followed, one descriptor per file); its texts are cached in this run's
    ledger, but its files are never recorded as received."""
    if prior.is_file():
        return _from_ledger(prior)
    hashes = {}
    for item in scan_inbox(prior):
        if item.ignore_reason is None and (hashed := hash_item(prior, item)) is not None and hashed.sha256:
            hashes[hashed.item.path] = hashed.sha256
    extract_contents(ledger, prior, hashes, settings, None)
    stored = ledger.extractions(hashes.values(), with_text=True)
    docs = []
    for path, sha in sorted(hashes.items()):
        ex = stored[sha].extraction if sha in stored else None
        if ex is None:
            continue  # an unreadable archive file can flag nothing
        first = path.split("/")[0]
        edition = first if _YEAR.match(first) else "prior"
        docs.append(_prior_doc(path, sha, ex, edition))
    return docs


def _from_ledger(path: Path) -> list[DocText]:
    with open_ledger(path, Settings(database_url=None)) as old:  # --prior names an earlier run's ledger file
        edition = old.meta("edition") or "prior"
        rows = old.accepted_documents()
        stored = old.extractions({sha for _, sha, _, _ in rows}, with_text=True)
    return [
        DocText(PRIOR_PREFIX + p, sha, stored[sha].extraction.text, pid, DocType(doc_type) if doc_type else None,
                edition=edition,
                format=stored[sha].extraction.format)
        for p, sha, pid, doc_type in rows
        if sha in stored and stored[sha].extraction
    ]


def _prior_doc(path: str, sha: str, ex: Extraction, edition: str) -> DocText:
    doc_type = detect_doc_type(path, ex.cover)
    return DocText(PRIOR_PREFIX + path, sha, ex.text, None, doc_type, edition=edition, format=ex.format)


def find_flags(current: list[DocText], prior: list[DocText], cache: Path, workers: int) -> list:
    """Flags for these documents; reused from the last run (kept in `cache`) when the documents are the same."""
    key = hashlib.sha256(
        repr((FLAGS_VERSION, sorted((d.path, d.sha256, d.participant_id, d.doc_type, d.edition)
                                    for d in current + prior))).encode()
    ).hexdigest()
    try:
        cached_key, found = pickle.loads(cache.read_bytes())
        if cached_key == key:
            return found
    except (FileNotFoundError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        pass
    found = find_duplicates(current, prior, settings=DuplicateSettings(workers=workers))
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps((key, found)))
    tmp.replace(cache)
    return found
