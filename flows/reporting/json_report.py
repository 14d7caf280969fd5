"""screening.json, the published interface later steps read: keys are only ever added, never renamed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime

from models.records import Judging, ParticipantResult
from models.screening import Screening

SCHEMA_VERSION = 1


def screening_document(screening: Screening, edition: str, generated_at: datetime | None = None) -> dict:
    """The one serialisation of a screening: every machine-readable report is built from this."""
    generated = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    return {
        "schema_version": SCHEMA_VERSION,
        "edition": edition,
        "generated_at": generated,
        "summary": summary(screening),
        "documents": [asdict(o) for o in screening.documents],
        "participants": [_participant_json(r) for r in screening.participants],
        "duplicates": [f.to_json() for f in screening.duplicates],
        "errors": [{"step": e.step, "detail": e.detail} for e in screening.errors],
        **judging_document(screening.judging),
    }


def judging_document(judging: Judging | None) -> dict:
    """Who judges what (`kipp run --judges` writes it as a preview before any hand-off); empty
    lists and a null `handoff` without a panel."""
    if judging is None:
        return {"judges": [], "assignments": [], "unassigned": [], "withdrawn": [], "handoff": None}
    return {
        "judges": [{"id": j.id, "name": j.name, "affiliation_id": j.affiliation_id, "expertise": list(j.expertise),
                    "capacity": j.capacity, "load": judging.load(j.id)} for j in judging.judges],
        "assignments": [asdict(a) for a in judging.assignments],
        "unassigned": [{"participant_id": u.participant_id, "reason": u.reason, "assigned": u.assigned,
                        "detail": u.detail} for u in judging.unassigned],
        "withdrawn": [asdict(w) for w in judging.withdrawn],
        "handoff": {"handed_at": judging.handed_at, "per_proposal": judging.per_proposal,
                    "expertise_match_rate": round(judging.expertise_match_rate, 4),
                    "conflicts_avoided": judging.conflicts_avoided, "solver": judging.solver},
    }


def screening_json(screening: Screening, edition: str, generated_at: str) -> str:
    """screening.json as written; `generated_at` is the run's ISO timestamp, to the second."""
    doc = screening_document(screening, edition, datetime.fromisoformat(generated_at))
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _participant_json(r: ParticipantResult) -> dict:
    p = r.participant
    t = r.theme
    return {
        "id": p.id,
        "name": p.name,
        "category": p.category,
        "parent_id": p.parent_id,
        "status": r.status,
        "inovasi": r.inovasi,
        "kinerja": r.kinerja,
        "history": list(r.history),
        "theme": t.theme if t else None,
        "theme_label": t.theme_label if t else None,
        "theme_confidence": round(t.theme_confidence, 4) if t else None,
        "theme_runner_up": t.theme_runner_up if t else None,
        "theme_source": t.theme_source if t else None,
        "theme_needs_review": t.needs_review if t else None,
        "needs_review": r.needs_review,
        "review": list(r.review),
    }


def summary(screening: Screening) -> dict:
    return {
        "duplicates": dict(sorted(Counter(f.kind.value for f in screening.duplicates).items())),
        "files": dict(sorted(Counter(o.status.value for o in screening.documents).items())),
        "participants": dict(sorted(Counter(r.status.value for r in screening.participants).items())),
        "needs_review": sum(1 for r in screening.participants if r.needs_review),
        "internal_errors": screening.internal_errors,
    }
