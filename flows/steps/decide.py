"""The decide step: identify, type and version every file, and record each one's outcome.

Identifications are kept in the ledger under the identifier's fingerprint (roster, generic words,
matching code): a file whose path and cover were identified before under the same fingerprint is not
identified again, and with nothing new the Identifier is not even built.
"""

from __future__ import annotations

from flows.steps.context import Run
from models.identify import CachingIdentifier, identifier_fingerprint
from models.ledger import Ledger
from models.screening import MIN_TEXT_CHARS, is_blank, screen


def decide(run: Run) -> None:
    ledger = run.ledger
    extractions = ledger.extractions(run.hashes.values())
    generic = run.settings.generic_words
    fingerprint = identifier_fingerprint(run.roster, generic)
    identifier = CachingIdentifier(run.roster, generic, ledger.identifications(fingerprint), fingerprint)
    run.screening = screen(run.items, run.hashes, extractions, run.roster, ledger.removed_paths(), identifier,
                           blank=blank_contents(ledger, extractions))
    ledger.save_identifications(fingerprint, identifier.new)
    ledger.record_outcomes(run.screening.documents)
    ledger.set_meta("edition", run.config.edition)


# A text this long has enough letters in words unless it is nearly all digits and dots: only
# shorter ones are read back from the ledger to be counted.
_BLANK_SUSPECT_CHARS = 20 * MIN_TEXT_CHARS


def blank_contents(ledger: Ledger, extractions: dict) -> set[str]:
    """The sha256 of every read content without readable text (see models.screening.is_blank)."""
    suspects = [sha for sha, s in extractions.items()
                if s.extraction is not None and (s.chars or 0) < _BLANK_SUSPECT_CHARS]
    texts = ledger.extractions(suspects, with_text=True)
    return {sha for sha, s in texts.items()
            if s.extraction is not None and is_blank(s.extraction.text, s.extraction.ocr_confidence)}
