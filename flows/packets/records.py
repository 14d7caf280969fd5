"""What a packet is built from, and what building one gives back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.duplicates.flags import DuplicateFlag
from models.records import DocType, Outcome, ParticipantResult


@dataclass(frozen=True, slots=True)
class PacketProposal:
    """One participant's pair of proposals as a judge receives it, with what screening found."""

    participant: ParticipantResult  # status complete; theme may be None
    inovasi: Outcome  # the counting documents: accepted, path relative to the inbox, with sha256
    kinerja: Outcome
    history: tuple[Outcome, ...] = ()  # superseded versions, oldest first
    flags: tuple[DuplicateFlag, ...] = ()  # every duplicate flag touching either document
    expertise_match: bool = False
    title: str | None = None  # the innovation's name when known (models.duplicates.titles.derive_title)

    @property
    def participant_id(self) -> str:
        return self.participant.participant.id


@dataclass(frozen=True, slots=True)
class PacketProblem:
    """An original that could not go into the packet; the packet was built without it."""

    participant_id: str
    doc_type: DocType
    path: str  # inbox-relative, as screened
    reason: str  # as the sheet and the index say it, in the language of the packet


@dataclass(frozen=True, slots=True)
class PacketFiles:
    """Where one judge's packet was written."""

    judge_id: str
    packet_id: str  # names this assignment set; the scoring sheets carry it
    folder: Path  # <root>/<safe judge id>/
    zip: Path  # <root>/<safe judge id>.zip
    files: tuple[str, ...]  # names inside the folder, sorted; the zip holds them under "<safe judge id>/"
    problems: tuple[PacketProblem, ...] = ()
