"""The decision about every inbox file, and the completeness of every participant."""

from __future__ import annotations

import re
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from models.doctype import detect_doc_type
from models.identify import CachingIdentifier, Identifier
from models.ledger import StoredExtraction
from models.records import (
    DocType,
    FileStatus,
    InboxItem,
    Judging,
    Outcome,
    ParticipantResult,
    ParticipantStatus,
    Reason,
)
from models.roster import Roster
from models.scores.scoring import Scoring

T = TypeVar("T")

# A document with fewer letters in words than this has no content an admin or a judge can read:
# a real proposal has tens of thousands, its cover page alone about a hundred.
MIN_TEXT_CHARS = 200
# OCR whose mean word confidence is under this read noise, not words (a blank or black page).
MIN_OCR_CONFIDENCE = 25.0
_WORD = re.compile(r"[^\W\d_]{2,}")
SCAN_WITHOUT_OCR = "pindaian dibaca tanpa OCR: isinya belum diperiksa; pasang OCR atau periksa manual"


@dataclass(frozen=True, slots=True)
class StepError:
    """A whole step that failed (not one file): the run went on without what it would have added."""

    step: str  # "themes", "duplicates", "reports"
    detail: str  # the trace, for a developer


@dataclass(frozen=True, slots=True)
class Screening:
    documents: tuple[Outcome, ...]
    participants: tuple[ParticipantResult, ...]
    duplicates: tuple = ()  # DuplicateFlag records (models/duplicates/), most severe first
    errors: tuple[StepError, ...] = field(default=())
    judging: Judging | None = None  # with a panel of judges (--judges, or the one of the last hand-off)
    scoring: Scoring | None = None  # the judges' scores back and the ranking (kipp scores import)

    @property
    def internal_errors(self) -> int:
        """Files kipp itself failed on, and steps that failed as a whole; the run exits non-zero."""
        return sum(1 for o in self.documents if o.reason is Reason.INTERNAL_ERROR) + len(self.errors)


def readable_chars(text: str) -> int:
    """Letters in words of two letters or more: what is left of a text once numbering, dots,
    table rules and OCR specks are set aside."""
    return sum(len(w) for w in _WORD.findall(text))


def is_blank(text: str, ocr_confidence: float | None = None) -> bool:
    """No readable content: too few letters in words, or OCR that read only noise."""
    if ocr_confidence is not None and ocr_confidence < MIN_OCR_CONFIDENCE:
        return True
    # readable_chars(text) < MIN_TEXT_CHARS, counted only as far as the answer needs: a proposal
    # reaches it in its first lines, and every run asks again for thousands of texts.
    letters = 0
    for word in _WORD.finditer(text):
        letters += len(word.group())
        if letters >= MIN_TEXT_CHARS:
            return False
    return True


def trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=8)).strip()


def internal_error(item_path: str, sha: str | None, size: int, exc: BaseException,
                   participant_id: str | None = None, doc_type: DocType | None = None) -> Outcome:
    """What a file becomes when kipp itself fails on it: quarantined, with the trace for a developer."""
    # The path itself may be what failed (a name that is not text): it is shown escaped.
    safe_path = item_path.encode("utf-8", "backslashreplace").decode("utf-8")
    return Outcome(
        safe_path, sha, size, FileStatus.QUARANTINED, Reason.INTERNAL_ERROR, participant_id=participant_id,
        doc_type=doc_type, detail=f"{Reason.INTERNAL_ERROR.label}\n{trace(exc)}",
    )


def decide_file(
    item: InboxItem, sha: str | None, stored: StoredExtraction | None, identifier: Identifier | CachingIdentifier,
    blank: bool = False, doc_types: Callable[[str, str], DocType | None] | None = None,
) -> Outcome:
    """The state of one file, before resubmissions and copies are sorted out.

    `blank` says the file's text has no readable content (see is_blank); it is known by the caller,
    which holds the texts. `doc_types`: detect_doc_type (None), or one that remembers its answers.
    """
    detect = doc_types or detect_doc_type
    base = Outcome(item.path, sha, item.size, FileStatus.IGNORED, item.ignore_reason)
    if item.ignore_reason is not None:
        state = item.ignore_reason.state
        if state is FileStatus.IGNORED:
            return replace(base, detail=item.ignore_reason.label)
        # Never read (unreadable, a bad name), but its name may still say whose it is.
        ident = identifier.identify(item.path)
        return replace(base, status=state, participant_id=ident.participant_id,
                       doc_type=detect(item.path, ""), match_score=round(ident.score, 1),
                       detail=item.ignore_reason.label)
    if stored is None:
        raise ValueError(f"{item.path}: no extraction recorded for sha256 {sha}")
    if stored.extraction is None:
        # Unreadable, but its name may still say whose it is, so the admin can ask for a new file.
        ident = identifier.identify(item.path)
        return replace(
            base,
            status=FileStatus.QUARANTINED,
            reason=stored.error_reason,
            participant_id=ident.participant_id,
            doc_type=detect(item.path, ""),
            match_score=round(ident.score, 1),
            detail=stored.error_detail,
        )
    ex = stored.extraction
    ident = identifier.identify(item.path, ex.cover)
    doc_type = detect(item.path, ex.cover)
    notes = "; ".join(ex.notes) or None
    read = replace(
        base,
        participant_id=ident.participant_id,
        doc_type=doc_type,
        pages=ex.pages,
        chars=stored.chars,
        match_score=round(ident.score, 1),
        format=ex.format,
        detail=notes,
        ocr_confidence=ex.ocr_confidence,
    )
    if blank and not _scan_without_ocr(ex.notes):
        # Whose it is still shows (from the name), so the admin can ask for a readable file.
        return replace(read, status=FileStatus.QUARANTINED, reason=Reason.NO_TEXT,
                       detail=_joined(Reason.NO_TEXT.label, notes))
    if ident.participant_id is None:
        assert ident.reason is not None
        detail = ident.reason.label
        if ident.candidates:
            names = ", ".join(_name(identifier.roster, pid) for pid in ident.candidates)
            detail = f"{detail}: {names}"
        # A scan read without OCR keeps its hint: installing OCR may be what identifies it.
        return replace(read, status=FileStatus.QUARANTINED, reason=ident.reason, detail=_joined(detail, notes))
    if doc_type is None:
        return replace(
            read, status=FileStatus.QUARANTINED, reason=Reason.UNKNOWN_DOC_TYPE,
            detail=_joined(Reason.UNKNOWN_DOC_TYPE.label, notes),
        )
    review = SCAN_WITHOUT_OCR if _scan_without_ocr(ex.notes) else None
    return replace(read, status=FileStatus.ACCEPTED, reason=None, review=review)


def _scan_without_ocr(notes: tuple[str, ...]) -> bool:
    """A PDF without a text layer that no OCR read: its content is unknown, not known to be blank."""
    return "no_text_layer" in notes and not any(n.startswith("ocr:") for n in notes)


def _joined(first: str, rest: str | None) -> str:
    return f"{first}; {rest}" if rest else first


def resolve_versions(outcomes: list[Outcome], mtimes: Mapping[str, int]) -> list[Outcome]:
    """Per participant and type, the newest file counts; older ones are superseded, copies ignored."""
    groups: dict[tuple[str, DocType], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.status is FileStatus.ACCEPTED and o.participant_id and o.doc_type:
            groups[(o.participant_id, o.doc_type)].append(o)
    changed: dict[str, Outcome] = {}
    for group in groups.values():
        if len(group) == 1:
            continue
        # Newest first; an identical copy points at the earliest file with those bytes.
        group.sort(key=lambda o: (-mtimes[o.path], o.path))
        first_with: dict[str | None, Outcome] = {}
        for o in sorted(group, key=lambda o: (mtimes[o.path], o.path)):
            first_with.setdefault(o.sha256, o)
        current = first_with[group[0].sha256]
        for o in group:
            if o is current:
                continue
            if o.sha256 == current.sha256:
                changed[o.path] = replace(
                    o, status=FileStatus.IGNORED, reason=Reason.IDENTICAL_COPY, copy_of=current.path,
                    detail=f"{Reason.IDENTICAL_COPY.label}: {current.path}",
                )
            else:
                changed[o.path] = replace(
                    o, status=FileStatus.SUPERSEDED, reason=Reason.NEWER_VERSION, copy_of=current.path,
                    detail=f"{Reason.NEWER_VERSION.label}: {current.path}",
                )
    return [changed.get(o.path, o) for o in outcomes]


def completeness(roster: Roster, outcomes: Iterable[Outcome]) -> list[ParticipantResult]:
    current: dict[tuple[str, DocType], str] = {}
    history: dict[str, list[str]] = defaultdict(list)
    review: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        if o.participant_id and o.doc_type:
            if o.status is FileStatus.ACCEPTED:
                current[(o.participant_id, o.doc_type)] = o.path
                if o.review:
                    review[o.participant_id].append(f"{o.path}: {o.review}")
            elif o.status is FileStatus.SUPERSEDED:
                history[o.participant_id].append(o.path)
    results = []
    for p in roster:
        inovasi = current.get((p.id, DocType.INOVASI))
        kinerja = current.get((p.id, DocType.KINERJA))
        if inovasi and kinerja:
            status = ParticipantStatus.COMPLETE
        elif kinerja:
            status = ParticipantStatus.MISSING_INOVASI
        elif inovasi:
            status = ParticipantStatus.MISSING_KINERJA
        else:
            status = ParticipantStatus.MISSING_BOTH
        results.append(ParticipantResult(p, status, inovasi, kinerja, tuple(sorted(history[p.id])),
                                         review=tuple(sorted(review[p.id]))))
    return results


def screen(
    items: list[InboxItem],
    hashes: Mapping[str, str],
    extractions: Mapping[str, StoredExtraction],
    roster: Roster,
    removed: Iterable[tuple[str, str | None, int]] = (),
    identifier: Identifier | CachingIdentifier | None = None,
    blank: Iterable[str] = (),
    doc_types: Callable[[str, str], DocType | None] | None = None,
) -> Screening:
    """Decide every file and every participant's completeness; pure, and cheap enough to redo each run.

    `blank` holds the sha256 of the contents without readable text. kipp failing on one file makes
    that file internal_error; every other file is decided as usual.
    """
    identifier = identifier or Identifier(roster)
    blank = set(blank)
    outcomes = []
    for item in items:
        sha = hashes.get(item.path)
        outcomes.append(guarded(
            lambda: decide_file(item, sha, extractions.get(sha) if sha else None, identifier, sha in blank, doc_types),
            lambda exc: internal_error(item.path, sha, item.size, exc, _guess(identifier, item.path)),
        ))
    outcomes = resolve_versions(outcomes, {i.path: i.mtime_ns for i in items})
    for path, sha, size in removed:
        outcomes.append(
            Outcome(path, sha, size, FileStatus.IGNORED, Reason.REMOVED_FROM_INBOX,
                    detail=Reason.REMOVED_FROM_INBOX.label)
        )
    return Screening(tuple(outcomes), tuple(completeness(roster, outcomes)))


def guarded(work: Callable[[], T], on_error: Callable[[Exception], T]) -> T:
    """One unit of work whose unexpected failure becomes a value (an internal_error), not a stopped run."""
    try:
        return work()
    except Exception as exc:  # noqa: BLE001 - the point: one file never stops a run
        return on_error(exc)


def _guess(identifier: Identifier | CachingIdentifier, path: str) -> str | None:
    """Whose a file is by its name alone, for a file kipp failed on; None when even that fails."""
    try:
        return identifier.identify(path).participant_id
    except Exception:  # noqa: BLE001
        return None


def _name(roster: Roster, pid: str) -> str:
    p = roster.get(pid)
    return p.name if p else pid
