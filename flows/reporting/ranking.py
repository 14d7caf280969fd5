"""ranking.html and ranking.xlsx: the judges' scores back, each judge's strictness taken out
(models/scores/ranking.py), the Top-N, the ranking overall and per category, what the judges
disagree on ("perlu dibahas"), who has not scored yet, and every sheet imported."""

from __future__ import annotations

from dataclasses import dataclass

from flows.reporting.pages import local_time, render
from flows.reporting.workbooks import (
    CATEGORY,
    NAME,
    PARTICIPANT_ID,
    Column,
    Sheet,
    workbook,
)
from models.language import Words, current_language, say, yes_no
from models.records import Category
from models.scores import Ranked, Scoring
from models.screening import Screening

_W = Words


def category_label(code: str) -> str:
    try:
        return Category(code).text(current_language())
    except ValueError:
        return code or "—"


def _rank_text(r: Ranked) -> str:
    if r.rank is None:
        return say("belum dinilai", "not scored")
    return f"{r.rank}" + (" =" if r.tied else "")


@dataclass(frozen=True, slots=True)
class _Row:
    r: Ranked
    category: str
    rank: str


def ranking_html(screening: Screening, edition: str, generated_at: str) -> str:
    scoring = screening.scoring
    if scoring is None or not scoring.sheets:
        return render("ranking.html.j2", edition=edition, generated=local_time(generated_at), scoring=None)
    ranking = scoring.ranking
    rows = [_Row(r, category_label(r.category), _rank_text(r)) for r in ranking.proposals]
    order = {c.value: i for i, c in enumerate(Category)}
    by_category = {}
    for code, members in sorted(ranking.categories().items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])):
        by_category[category_label(code)] = [_Row(r, category_label(r.category), str(r.category_rank) if r.category_rank else "—")
                                             for r in members]
    weights = dict(ranking.weights)
    total_weight = sum(weights.values()) or 1.0
    return render(
        "ranking.html.j2", edition=edition, generated=local_time(generated_at), scoring=scoring, ranking=ranking,
        rows=rows, top=[row for row in rows if row.r.rank is not None and row.r.rank <= ranking.top],
        by_category=by_category, discuss=[row for row in rows if row.r.discuss],
        missing=[row for row in rows if row.r.missing], labels=dict(scoring.criteria),
        weights=[(c, label, weights.get(c, 0.0) / total_weight) for c, label in scoring.criteria],
        sheets=[(s, local_time(s.imported_at), local_time(s.superseded_at) if s.superseded_at else None)
                for s in scoring.sheets],
        unstandardised=[s for s in ranking.judges if not s.standardised],
    )


def ranking_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    """The ranking (overall, with category rank), every judge's score per proposal, the judges, the sheets."""
    scoring: Scoring | None = screening.scoring
    proposals = scoring.ranking.proposals if scoring else ()
    rank_sheet = Sheet(_W("Peringkat", "Ranking"), (
        Column(_W("Peringkat", "Rank"), 10), Column(_W("Seri", "Tied"), 8), CATEGORY,
        Column(_W("Peringkat kategori", "Category rank"), 12), PARTICIPANT_ID, NAME,
        Column(_W("Nilai terstandar", "Standardised score"), 14, number_format="0.00"),
        Column(_W("Rata-rata mentah", "Raw mean"), 14, number_format="0.00"),
        Column(_W("Peringkat mentah", "Raw rank"), 12),
        Column(_W("Selisih antarjuri (sd)", "Judges' difference (sd)"), 14, number_format="0.00"),
        Column(_W("Perlu dibahas", "To discuss"), 12), Column(_W("Juri menilai", "Judges scored"), 10),
        Column(_W("Juri belum menilai", "Judges missing"), 10),
    ), [(r.rank, yes_no(r.tied), category_label(r.category), r.category_rank, r.participant_id, r.name, r.normalised,
         r.raw_mean, r.raw_rank, r.spread, yes_no(r.discuss), len(r.judges), r.missing) for r in proposals],
        frozen_columns=1)
    criteria = scoring.criteria if scoring else ()
    values: dict[tuple[str, str], dict[str, int]] = {}
    for s in scoring.scores if scoring else ():
        values.setdefault((s.judge_id, s.participant_id), {})[s.criterion] = s.value
    names = {r.participant_id: r.name for r in proposals}
    totals = {(j.judge_id, r.participant_id): j for r in proposals for j in r.judges}
    score_rows = []
    for (judge, pid), given in sorted(values.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        t = totals.get((judge, pid))
        score_rows.append((pid, names.get(pid, pid), judge, *(given.get(c) for c, _ in criteria),
                           t.total if t else None, t.z if t else None,
                           scoring.sources.get(judge, ("", ""))[0] if scoring else None))
    scores_sheet = Sheet(_W("Nilai juri", "Judges' scores"), (
        PARTICIPANT_ID, NAME, Column(_W("ID juri", "Judge id"), 20), *(Column(_W(label, label), 14) for _, label in criteria),
        Column(_W("Nilai tertimbang", "Weighted score"), 14, number_format="0.00"),
        Column(_W("Skor z juri", "Judge's z-score"), 12, number_format="0.00"),
        Column(_W("Berkas", "File"), 50),
    ), score_rows, frozen_columns=3)
    judges_sheet = Sheet(_W("Juri", "Judges"), (
        Column(_W("ID juri", "Judge id"), 20), Column(_W("Proposal dinilai", "Proposals scored"), 12),
        Column(_W("Rata-rata", "Mean"), 12, number_format="0.00"), Column(_W("Simpangan baku", "Std. dev."), 12, number_format="0.00"),
        Column(_W("Distandarkan", "Standardised"), 12),
    ), [(s.judge_id, s.scored, s.mean, s.sd, yes_no(s.standardised)) for s in (scoring.ranking.judges if scoring else ())])
    sheets_sheet = Sheet(_W("Lembar diimpor", "Sheets imported"), (
        Column(_W("Berkas", "File"), 50), Column(_W("ID juri", "Judge id"), 20), Column(_W("ID paket", "Packet id"), 18),
        Column(_W("Diimpor", "Imported"), 20), Column(_W("Digantikan", "Superseded"), 20),
        Column(_W("Proposal", "Proposals"), 10), Column(_W("sha256", "sha256"), 64),
    ), [(s.source, s.judge_id, s.packet_id, local_time(s.imported_at), local_time(s.superseded_at) if s.superseded_at else None,
         s.proposals, s.sha256) for s in (scoring.sheets if scoring else ())])
    return workbook([rank_sheet, scores_sheet, judges_sheet, sheets_sheet], f"Peringkat KIPP {edition}", generated_at)
