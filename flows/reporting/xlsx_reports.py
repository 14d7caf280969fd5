"""assignments.xlsx: the judges' assignment as a workbook (openpyxl); no cell ever runs as a formula."""

from __future__ import annotations

import io

from flows.reporting.csv_reports import by_category, spreadsheet_cell
from models.records import Blocker
from models.screening import Screening


def assignments_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    """Three sheets: Penugasan (one row per judge and proposal), Juri (loads), Belum diserahkan."""
    from openpyxl import Workbook

    judging = screening.judging
    book = Workbook(write_only=True)
    rows = book.create_sheet("Penugasan")
    rows.append(["peserta", "nama peserta", "kategori", "tema", "juri", "nama juri", "sesuai keahlian", "status"])
    judges = {j.id: j for j in judging.judges} if judging else {}
    if judging is not None:
        results = {r.participant.id: r for r in screening.participants}
        order = {r.participant.id: i for i, r in enumerate(by_category(screening.participants))}
        for a in sorted(judging.assignments, key=lambda a: (order.get(a.participant_id, 0), a.judge_id)):
            r = results.get(a.participant_id)
            rows.append(_cells([
                a.participant_id, r.participant.name if r else "", r.participant.category.label if r else "",
                r.theme.theme_label if r and r.theme else "", a.judge_id, judges[a.judge_id].name if a.judge_id in judges else "",
                "ya" if a.expertise_match else "tidak", "diserahkan" if a.frozen else "baru",
            ]))
    panel = book.create_sheet("Juri")
    panel.append(["juri", "nama", "unit asal", "keahlian", "kapasitas", "beban"])
    for j in judges.values():
        panel.append(_cells([j.id, j.name, j.affiliation_id or "", "; ".join(j.expertise), j.capacity, judging.load(j.id)]))
    left = book.create_sheet("Belum diserahkan")
    left.append(["peserta", "alasan", "juri didapat", "keterangan"])
    for u in judging.unassigned if judging else ():
        left.append(_cells([u.participant_id, u.reason.label, u.assigned if u.reason is not Blocker.NOT_COMPLETE else "",
                            u.detail]))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _cells(values: list) -> list:
    return [spreadsheet_cell(v) if v is not None else "" for v in values]
