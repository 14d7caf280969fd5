"""screening.json, the published interface later steps read: keys are only ever added, never renamed."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import UTC, datetime

from models.duplicates.flags import Decision, DuplicateFlag, DuplicateKind, Passage, Severity
from models.records import (
    Category,
    DocType,
    FileStatus,
    InputFormat,
    Judging,
    Labelled,
    Outcome,
    Participant,
    ParticipantResult,
    ParticipantStatus,
    Reason,
    ThemeAssignment,
    ThemeSource,
)
from models.scores import Scoring
from models.screening import Screening, StepError

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
        **scoring_document(screening.scoring),
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


def scoring_document(scoring: Scoring | None) -> dict:
    """The judges' scores (`scores`: each judge's latest sheet, a row per proposal) and the `ranking`
    (`kipp scores import`); an empty list and a ranking with no proposals before any sheet is back."""
    if scoring is None:
        return {"scores": [], "ranking": {"method": "zs", "weights": {}, "threshold": None, "top": None,
                                          "judges": [], "proposals": []}}
    by_pair: dict[tuple[str, str], dict[str, int]] = {}
    for s in scoring.scores:
        by_pair.setdefault((s.judge_id, s.participant_id), {})[s.criterion] = s.value
    totals = {(j.judge_id, r.participant_id): j for r in scoring.ranking.proposals for j in r.judges}
    ranking = scoring.ranking
    return {
        "scores": [{"judge_id": j, "participant_id": p, "criteria": values,
                    "total": _round(totals[(j, p)].total) if (j, p) in totals else None,
                    "source": scoring.sources.get(j, ("", ""))[0], "imported_at": scoring.sources.get(j, ("", ""))[1]}
                   for (j, p), values in sorted(by_pair.items())],
        "ranking": {
            "method": ranking.method, "weights": dict(ranking.weights), "threshold": ranking.threshold, "top": ranking.top,
            "scale": [scoring.low, scoring.high],
            "judges": [{"judge_id": s.judge_id, "scored": s.scored, "mean": _round(s.mean), "sd": _round(s.sd),
                        "standardised": s.standardised} for s in ranking.judges],
            "proposals": [{"participant_id": r.participant_id, "name": r.name, "category": r.category,
                           "rank": r.rank, "tied": r.tied, "category_rank": r.category_rank, "raw_rank": r.raw_rank,
                           "normalised": _round(r.normalised), "raw_mean": _round(r.raw_mean),
                           "z_mean": _round(r.z_mean), "spread": _round(r.spread), "perlu_dibahas": r.discuss,
                           "assigned": r.assigned, "missing": r.missing, "top": r.rank is not None and r.rank <= ranking.top,
                           "judges": [{"judge_id": j.judge_id, "total": _round(j.total), "z": _round(j.z)}
                                      for j in r.judges]} for r in ranking.proposals],
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


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


def screening_from_document(doc: Mapping) -> Screening:
    """A screening.json read back into records (the inverse of screening_document), for what works
    from the last run's reports: `kipp reminders`, `kipp ui`. Keys a later kipp added are skipped
    (keys are only ever added); the judges' keys are not read back. Raises KeyError, TypeError,
    ValueError or AttributeError on a document that is not one kipp wrote."""
    return Screening(
        tuple(_outcome(d) for d in doc["documents"]),
        tuple(_participant(d) for d in doc["participants"]),
        tuple(_flag(d) for d in doc.get("duplicates", ())),
        tuple(StepError(str(e["step"]), str(e["detail"])) for e in doc.get("errors", ())),
    )


_OUTCOME_ENUMS: dict[str, type[Labelled]] = {
    "status": FileStatus, "reason": Reason, "doc_type": DocType, "format": InputFormat,
}
_OUTCOME_FIELDS = tuple(f.name for f in fields(Outcome))


def _outcome(d: Mapping) -> Outcome:
    values = {}
    for name in _OUTCOME_FIELDS:
        value = d.get(name)
        enum = _OUTCOME_ENUMS.get(name)
        values[name] = enum(value) if enum is not None and value is not None else value
    return Outcome(**values)


def _participant(d: Mapping) -> ParticipantResult:
    p = Participant(d["id"], d["name"], Category(d["category"]), d.get("parent_id"))
    theme = None
    if d.get("theme"):
        theme = ThemeAssignment(p.id, d["theme"], d["theme_label"], float(d["theme_confidence"]),
                                d.get("theme_runner_up"), ThemeSource(d["theme_source"]), bool(d["theme_needs_review"]))
    return ParticipantResult(p, ParticipantStatus(d["status"]), d.get("inovasi"), d.get("kinerja"),
                             tuple(d.get("history", ())), theme, tuple(d.get("review", ())))


def _flag(d: Mapping) -> DuplicateFlag:
    return DuplicateFlag(
        d["a"], d["b"], DuplicateKind(d["kind"]), float(d["score"]),
        tuple(Passage(p["a"], p["b"], int(p["words"]), float(p["similarity"])) for p in d["evidence"]),
        Severity(d["severity"]), d.get("edition"), d.get("a_sha256"), d.get("b_sha256"),
        d.get("a_participant"), d.get("b_participant"), Decision(d["decision"]) if d.get("decision") else None,
    )
