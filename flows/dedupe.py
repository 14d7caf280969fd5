"""The duplicates step: accepted documents against each other and against earlier editions."""

from __future__ import annotations

import hashlib
import pickle
import re
from pathlib import Path

from extractors.sandbox import extract_many
from models.doctype import detect_doc_type
from models.duplicates import FLAGS_VERSION, PRIOR_PREFIX, DocText, DuplicateSettings, apply_decisions, find_duplicates
from models.inbox import scan_inbox
from models.ledger import Ledger, sha256_file
from models.records import Extraction

CACHE_NAME = "duplicates.pickle"
_YEAR = re.compile(r"^(19|20)\d\d$")


def current_documents(ledger: Ledger, screening) -> list[DocText]:
    """The accepted documents of this run, with their text."""
    accepted = [o for o in screening.documents if o.status.value == "accepted" and o.sha256]
    texts = ledger.extractions({o.sha256 for o in accepted}, with_text=True)
    docs = []
    for o in accepted:
        stored = texts.get(o.sha256)
        if stored and stored.extraction:
            docs.append(DocText(o.path, o.sha256, stored.extraction.text, o.participant_id,
                                o.doc_type.value if o.doc_type else None, format=stored.extraction.format))
    return docs


def prior_documents(prior: Path, ledger: Ledger, settings) -> list[DocText]:
    """Earlier editions: a folder of proposals (edition from its first folder, e.g. 2020/), or a
    previous run's ledger.sqlite (edition from that ledger)."""
    if prior.is_file():
        return _from_ledger(prior)
    items = [i for i in scan_inbox(prior) if i.ignore_reason is None]
    hashes = {i.path: sha256_file(prior / i.path) for i in items}
    missing = ledger.missing_extractions(hashes.values())
    jobs = {sha: prior / path for path, sha in hashes.items() if sha in missing}
    for sha, result in extract_many(jobs, settings.workers, settings.limits, isolate=settings.isolate):
        ledger.save_extraction(sha, result)  # a cache of what was read; prior files are not received
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
    with Ledger(path) as old:
        edition = old.meta("edition") or "prior"
        rows = old.accepted_documents()
        stored = old.extractions({sha for _, sha, _, _ in rows}, with_text=True)
    return [
        DocText(PRIOR_PREFIX + p, sha, stored[sha].extraction.text, pid, doc_type, edition=edition,
                format=stored[sha].extraction.format)
        for p, sha, pid, doc_type in rows
        if sha in stored and stored[sha].extraction
    ]


def _prior_doc(path: str, sha: str, ex: Extraction, edition: str) -> DocText:
    doc_type = detect_doc_type(path, ex.cover)
    return DocText(PRIOR_PREFIX + path, sha, ex.text, None, doc_type.value if doc_type else None,
                   edition=edition, format=ex.format)


def find_flags(current: list[DocText], prior: list[DocText], out: Path, workers: int) -> list:
    """Flags for these documents; reused from the last run when the documents are the same."""
    key = hashlib.sha256(
        repr((FLAGS_VERSION, sorted((d.path, d.sha256, d.participant_id, d.doc_type, d.edition)
                                    for d in current + prior))).encode()
    ).hexdigest()
    cache = out / ".kipp" / CACHE_NAME
    try:
        cached_key, flags = pickle.loads(cache.read_bytes())
        if cached_key == key:
            return flags
    except (FileNotFoundError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        pass
    flags = find_duplicates(current, prior, settings=DuplicateSettings(workers=workers))
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps((key, flags)))
    tmp.replace(cache)
    return flags


def flag_duplicates(config, ledger: Ledger, screening) -> tuple:
    """Flags with the admins' decisions applied; they never change a document's status."""
    current = current_documents(ledger, screening)
    prior = prior_documents(config.prior, ledger, config.settings) if config.prior else []
    flags = find_flags(current, prior, config.out, config.settings.workers)
    return tuple(apply_decisions(flags, ledger.duplicate_decisions()))
