"""What the reports show of the judges' scores: the criteria, the sheets imported, every current score
and the ranking, put together from what the ledger keeps (plain values; the flows read the ledger)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from models.scores.ranking import DEFAULT_THRESHOLD, DEFAULT_TOP, Ranking, Score, rank


@dataclass(frozen=True, slots=True)
class SheetRecord:
    source: str
    sha256: str
    judge_id: str
    packet_id: str
    imported_at: str
    superseded_at: str | None
    proposals: int


@dataclass(frozen=True, slots=True)
class ScoringSettings:
    """How the ranking is made; kept in the ledger (meta `score_settings`) by `kipp scores import`."""

    weights: tuple[tuple[str, float], ...] = ()  # () : equal
    threshold: float = DEFAULT_THRESHOLD
    top: int = DEFAULT_TOP

    def to_json(self) -> str:
        return json.dumps({"weights": dict(self.weights), "threshold": self.threshold, "top": self.top}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> ScoringSettings:
        if not text:
            return cls()
        doc = json.loads(text)
        return cls(tuple((str(k), float(v)) for k, v in doc.get("weights", {}).items()),
                   float(doc.get("threshold", DEFAULT_THRESHOLD)), int(doc.get("top", DEFAULT_TOP)))


@dataclass(frozen=True, slots=True)
class Scoring:
    criteria: tuple[tuple[str, str], ...]  # (id, label), in the sheet's order
    low: int
    high: int
    sheets: tuple[SheetRecord, ...]  # every sheet imported, superseded ones too
    scores: tuple[Score, ...]  # of each judge's latest sheet
    ranking: Ranking
    sources: Mapping[str, tuple[str, str]]  # judge id -> (source, imported_at) of the latest sheet


def build_scoring(criteria: Sequence[tuple[str, str]], low: int, high: int, sheets: Iterable[Mapping],
                  scores: Iterable[tuple[str, str, str, int]], assigned: Mapping[str, int],
                  info: Mapping[str, tuple[str, str]], settings: ScoringSettings) -> Scoring:
    """The scoring of an edition from the ledger's rows (Ledger.score_sheet_records, current_scores)."""
    ids = [c for c, _ in criteria]
    weights = dict(settings.weights) if settings.weights else {c: 1.0 for c in ids}
    weights = {c: weights.get(c, 0.0) for c in ids}
    records = tuple(SheetRecord(s["source"], s["sha256"], s["judge_id"], s["packet_id"], s["imported_at"],
                                s["superseded_at"], int(s.get("proposals") or 0)) for s in sheets)
    current = tuple(Score(j, p, c, int(v)) for j, p, c, v in scores)
    ranking = rank(current, weights, assigned, info, settings.threshold, settings.top)
    sources = {r.judge_id: (r.source, r.imported_at) for r in records if r.superseded_at is None}
    return Scoring(tuple(criteria), low, high, records, current, ranking, sources)
