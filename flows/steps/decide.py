"""The decide step: identify, type and version every file, and record each one's outcome.

Identifications are kept in the ledger under the identifier's fingerprint (roster, generic words,
matching code): a file whose path and cover were identified before under the same fingerprint is not
identified again, and with nothing new the Identifier is not even built. The same holds for each
file's document type (by path and cover) and for which short texts are blank (by content and its
extraction), kept in the ledger's meta under the digest of the code that decided them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import models
import models.screening as screening_module  # detect_doc_type looked up there at call time (tests inject faults)
from flows.steps.context import Run
from models.identify import CachingIdentifier, cover_key, identifier_fingerprint
from models.ledger import Ledger
from models.records import DocType
from models.screening import MIN_TEXT_CHARS, is_blank, screen
from models.sources import source_digest

DOC_TYPES = "doc_types"  # ledger meta: {"code": ..., "types": {path \x1f cover key: doc type or ""}}
BLANK_CHECKED = "blank_checked"  # ledger meta: {"code": ..., "blank": {sha:chars:ocr: true|false}}


def decide(run: Run) -> None:
    ledger = run.ledger
    extractions = ledger.extractions(run.hashes.values())
    generic = run.settings.generic_words
    fingerprint = identifier_fingerprint(run.roster, generic)
    identifier = CachingIdentifier(run.roster, generic, ledger.identifications(fingerprint), fingerprint)
    doc_types = CachingDocTypes(_load(ledger, DOC_TYPES, "types"))
    run.screening = screen(run.items, run.hashes, extractions, run.roster, ledger.removed_paths(), identifier,
                           blank=blank_contents(ledger, extractions), doc_types=doc_types)
    ledger.save_identifications(fingerprint, identifier.new)
    if doc_types.changed:
        ledger.set_meta(DOC_TYPES, json.dumps({"code": _code_digest(), "types": doc_types.used}))
    ledger.record_outcomes(run.screening.documents)
    ledger.set_meta("edition", run.config.edition)


class CachingDocTypes:
    """models.screening's detect_doc_type, answered from the last runs for a (path, cover) seen before;
    `used` is what this run asked (what the ledger keeps), `changed` whether that differs from `known`."""

    def __init__(self, known: dict[str, str]):
        valid = {"", *(t.value for t in DocType)}
        self.known = {k: v for k, v in known.items() if v in valid}
        self.used: dict[str, str] = {}
        self.worked_out = 0

    def __call__(self, path: str, cover: str) -> DocType | None:
        key = f"{path}\x1f{cover_key(cover)}"
        found = self.known.get(key)
        if found is None:
            doc_type = screening_module.detect_doc_type(path, cover)
            found = doc_type.value if doc_type else ""
            self.worked_out += 1
        self.used[key] = found
        return DocType(found) if found else None

    @property
    def changed(self) -> bool:
        return bool(self.worked_out) or self.used.keys() != self.known.keys()


# A text this long has enough letters in words unless it is nearly all digits and dots: only
# shorter ones are read back from the ledger to be counted.
_BLANK_SUSPECT_CHARS = 20 * MIN_TEXT_CHARS


def blank_contents(ledger: Ledger, extractions: dict) -> set[str]:
    """The sha256 of every read content without readable text (see models.screening.is_blank); a
    content counted on an earlier run (the same sha256, length and OCR confidence) is not read again."""
    known = _load(ledger, BLANK_CHECKED, "blank")
    keys = {sha: f"{sha}:{s.chars}:{s.extraction.ocr_confidence}" for sha, s in extractions.items()
            if s.extraction is not None and (s.chars or 0) < _BLANK_SUSPECT_CHARS}
    answers = {key: known[key] for key in keys.values() if isinstance(known.get(key), bool)}
    texts = ledger.extractions([sha for sha, key in keys.items() if key not in answers], with_text=True)
    for sha, s in texts.items():
        if s.extraction is not None:
            answers[keys[sha]] = is_blank(s.extraction.text, s.extraction.ocr_confidence)
    if answers.keys() != known.keys():
        ledger.set_meta(BLANK_CHECKED, json.dumps({"code": _code_digest(), "blank": answers}))
    return {sha for sha, key in keys.items() if answers.get(key)}


def _load(ledger: Ledger, meta_key: str, field: str) -> dict:
    """What the ledger's meta keeps under `meta_key`, when the code that decided it is this one."""
    try:
        kept = json.loads(ledger.meta(meta_key) or "{}")
    except ValueError:
        return {}
    if not isinstance(kept, dict) or kept.get("code") != _code_digest() or not isinstance(kept.get(field), dict):
        return {}
    return kept[field]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """The code that types a file and tells a blank text: another kipp decides anew."""
    root = Path(models.__file__).parent
    return source_digest(root / name for name in ("doctype.py", "names.py", "screening.py", "records.py"))[:16]
