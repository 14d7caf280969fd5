"""One file never stops a run: find the items a step fails on, and set those files aside as internal_error."""

from __future__ import annotations

from dataclasses import replace

from models.roster import Roster
from models.screening import Screening, StepError, completeness, internal_error, trace


def failing_items(items: list, work) -> list[tuple[object, Exception]]:
    """The items `work` fails on when given alone or with others that pass, found by halving:
    about 2·k·log2(n) calls of `work` for k failing items among n. Empty when no single item is
    to blame (the failure needs the whole set)."""
    if not items:
        return []
    try:
        work(items)
        return []
    except Exception as exc:  # noqa: BLE001
        if len(items) == 1:
            return [(items[0], exc)]
    half = len(items) // 2
    return failing_items(items[:half], work) + failing_items(items[half:], work)


def set_aside(screening: Screening, failed: dict[str, Exception]) -> Screening:
    """Files kipp failed on after deciding become internal_error, and completeness follows."""
    documents = tuple(
        internal_error(o.path, o.sha256, o.size, failed[o.path], o.participant_id, o.doc_type)
        if o.path in failed else o
        for o in screening.documents
    )
    roster = Roster(tuple(r.participant for r in screening.participants))
    # A theme stays with the Inovasi proposal it was given for.
    themes = {r.participant.id: (r.inovasi, r.theme) for r in screening.participants}
    participants = tuple(
        replace(r, theme=themes[r.participant.id][1] if themes[r.participant.id][0] == r.inovasi else None)
        for r in completeness(roster, documents)
    )
    return replace(screening, documents=documents, participants=participants)


def step_failed(screening: Screening, step: str, exc: BaseException) -> Screening:
    """A step that failed as a whole: listed in the reports' errors, and the run goes on without it."""
    return replace(screening, errors=(*screening.errors, StepError(step, trace(exc))))
