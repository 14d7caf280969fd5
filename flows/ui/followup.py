"""What the secretariat asks a participant for, per quarantined file: the quarantine page's rows."""

from __future__ import annotations

from dataclasses import dataclass

from models.language import Words
from models.records import (
    FileStatus,
    Outcome,
    ParticipantResult,
    ParticipantStatus,
    Reason,
)
from models.reminders import remedy

_MISSING: dict[ParticipantStatus, Words] = {
    ParticipantStatus.MISSING_INOVASI: Words("masih kurang Proposal Inovasi", "the innovation proposal is still missing"),
    ParticipantStatus.MISSING_KINERJA: Words("masih kurang Proposal Kinerja", "the performance proposal is still missing"),
    ParticipantStatus.MISSING_BOTH: Words("belum ada proposal yang diterima", "no proposal received yet"),
}


@dataclass(frozen=True, slots=True)
class Followup:
    """One participant's quarantined files, each with what to ask for; `result` is None for files
    whose sender could not be told."""

    result: ParticipantResult | None
    files: tuple[tuple[Outcome, str], ...]

    @property
    def missing(self) -> str:
        words = _MISSING.get(self.result.status) if self.result else None
        return words.text() if words else ""


def ask(reason: Reason | None) -> str:
    """What to ask for: the words of the participant's reminder (models/reminders.py), one place for both."""
    return remedy(reason).ask if reason else ""


def followups(documents: tuple[Outcome, ...], participants: tuple[ParticipantResult, ...]) -> list[Followup]:
    """Per participant, in the order given, its quarantined files; then the files of nobody known."""
    files: dict[str | None, list[tuple[Outcome, str]]] = {}
    known = {r.participant.id for r in participants}
    for o in documents:
        if o.status is FileStatus.QUARANTINED:
            owner = o.participant_id if o.participant_id in known else None
            files.setdefault(owner, []).append((o, ask(o.reason)))
    out = [Followup(r, tuple(files[r.participant.id])) for r in participants if r.participant.id in files]
    if None in files:
        out.append(Followup(None, tuple(files[None])))
    return out
