"""The decide step: identify, type and version every file, and record each one's outcome."""

from __future__ import annotations

from flows.steps.context import Run
from models.identify import Identifier
from models.ledger import Ledger
from models.screening import MIN_TEXT_CHARS, is_blank, screen


def decide(run: Run) -> None:
    ledger = run.ledger
    extractions = ledger.extractions(run.hashes.values())
    identifier = Identifier(run.roster, run.settings.generic_words)
    run.screening = screen(run.items, run.hashes, extractions, run.roster, ledger.removed_paths(), identifier,
                           blank=blank_contents(ledger, extractions))
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
