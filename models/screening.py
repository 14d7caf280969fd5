"""The decision about every inbox file, and the completeness of every participant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from models.doctype import detect_doc_type
from models.identify import Identifier
from models.ledger import StoredExtraction
from models.records import (
    Completeness,
    DocType,
    InboxItem,
    Outcome,
    ParticipantResult,
    Reason,
    Status,
)
from models.roster import Roster

@dataclass(frozen=True, slots=True)
class Screening:
    documents: tuple[Outcome, ...]
    participants: tuple[ParticipantResult, ...]
    duplicates: tuple = ()  # DuplicateFlag records (models/duplicates.py), most severe first


def decide_file(
    item: InboxItem, sha: str | None, stored: StoredExtraction | None, identifier: Identifier
) -> Outcome:
    """The state of one file, before resubmissions and copies are sorted out."""
    base = Outcome(item.path, sha, item.size, Status.IGNORED, item.ignore_reason)
    if item.ignore_reason is not None:
        if item.ignore_reason.state is Status.QUARANTINED:
            # Unreadable or badly named, found before any reading: the name may still say whose it is.
            ident = identifier.identify(item.path)
            return replace(
                base, status=Status.QUARANTINED, reason=item.ignore_reason, participant_id=ident.participant_id,
                doc_type=detect_doc_type(item.path, ""), match_score=round(ident.score, 1),
                detail=item.ignore_reason.label,
            )
        return replace(base, detail=item.ignore_reason.label)
    if stored is None:
        raise ValueError(f"{item.path}: no extraction recorded for sha256 {sha}")
    if stored.extraction is None:
        # Unreadable, but its name may still say whose it is, so the admin can ask for a new file.
        ident = identifier.identify(item.path)
        return replace(
            base,
            status=Status.QUARANTINED,
            reason=stored.error_reason,
            participant_id=ident.participant_id,
            doc_type=detect_doc_type(item.path, ""),
            match_score=round(ident.score, 1),
            detail=stored.error_detail,
        )
    ex = stored.extraction
    ident = identifier.identify(item.path, ex.cover)
    doc_type = detect_doc_type(item.path, ex.cover)
    read = replace(
        base,
        participant_id=ident.participant_id,
        doc_type=doc_type,
        pages=ex.pages,
        chars=stored.chars,
        match_score=round(ident.score, 1),
        format=ex.format,
        detail="; ".join(ex.notes) or None,
        ocr_confidence=ex.ocr_confidence,
    )
    if ident.participant_id is None:
        assert ident.reason is not None
        detail = ident.reason.label
        if ident.candidates:
            names = ", ".join(_name(identifier.roster, pid) for pid in ident.candidates)
            detail = f"{detail}: {names}"
        return replace(read, status=Status.QUARANTINED, reason=ident.reason, detail=detail)
    if doc_type is None:
        return replace(
            read, status=Status.QUARANTINED, reason=Reason.UNKNOWN_DOC_TYPE, detail=Reason.UNKNOWN_DOC_TYPE.label
        )
    return replace(read, status=Status.ACCEPTED, reason=None)


def resolve_versions(outcomes: list[Outcome], mtimes: Mapping[str, int]) -> list[Outcome]:
    """Per participant and type, the newest file counts; older ones are superseded, copies ignored."""
    groups: dict[tuple[str, DocType], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.status is Status.ACCEPTED and o.participant_id and o.doc_type:
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
                    o, status=Status.IGNORED, reason=Reason.IDENTICAL_COPY, copy_of=current.path,
                    detail=f"{Reason.IDENTICAL_COPY.label}: {current.path}",
                )
            else:
                changed[o.path] = replace(
                    o, status=Status.SUPERSEDED, reason=Reason.NEWER_VERSION, copy_of=current.path,
                    detail=f"{Reason.NEWER_VERSION.label}: {current.path}",
                )
    return [changed.get(o.path, o) for o in outcomes]


def completeness(roster: Roster, outcomes: Iterable[Outcome]) -> list[ParticipantResult]:
    current: dict[tuple[str, DocType], str] = {}
    history: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        if o.participant_id and o.doc_type:
            if o.status is Status.ACCEPTED:
                current[(o.participant_id, o.doc_type)] = o.path
            elif o.status is Status.SUPERSEDED:
                history[o.participant_id].append(o.path)
    results = []
    for p in roster:
        inovasi = current.get((p.id, DocType.INOVASI))
        kinerja = current.get((p.id, DocType.KINERJA))
        if inovasi and kinerja:
            status = Completeness.COMPLETE
        elif kinerja:
            status = Completeness.MISSING_INOVASI
        elif inovasi:
            status = Completeness.MISSING_KINERJA
        else:
            status = Completeness.MISSING_BOTH
        results.append(ParticipantResult(p, status, inovasi, kinerja, tuple(sorted(history[p.id]))))
    return results


def screen(
    items: list[InboxItem],
    hashes: Mapping[str, str],
    extractions: Mapping[str, StoredExtraction],
    roster: Roster,
    removed: Iterable[tuple[str, str | None, int]] = (),
    identifier: Identifier | None = None,
) -> Screening:
    """Decide every file and every participant's completeness; pure, and cheap enough to redo each run."""
    identifier = identifier or Identifier(roster)
    outcomes = []
    for item in items:
        sha = hashes.get(item.path)
        outcomes.append(decide_file(item, sha, extractions.get(sha) if sha else None, identifier))
    outcomes = resolve_versions(outcomes, {i.path: i.mtime_ns for i in items})
    for path, sha, size in removed:
        outcomes.append(
            Outcome(path, sha, size, Status.IGNORED, Reason.REMOVED_FROM_INBOX,
                    detail=Reason.REMOVED_FROM_INBOX.label)
        )
    return Screening(tuple(outcomes), tuple(completeness(roster, outcomes)))


def _name(roster: Roster, pid: str) -> str:
    p = roster.get(pid)
    return p.name if p else pid
