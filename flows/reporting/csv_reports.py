"""completeness.csv and documents.csv, for a spreadsheet: no cell of them ever runs as a formula."""

from __future__ import annotations

import csv
import io

from models.records import Category, ParticipantResult
from models.screening import Screening

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) in a file name).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A text cell a spreadsheet shows as text, never runs: a leading apostrophe is Excel's and
    LibreOffice's own mark for "this is text" (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _SafeWriter:
    """csv.writer whose every text cell is neutralised (see spreadsheet_cell)."""

    def __init__(self, buf: io.StringIO):
        self._writer = csv.writer(buf)

    def writerow(self, row: list) -> None:
        self._writer.writerow([spreadsheet_cell(v) for v in row])


def by_category(results: tuple[ParticipantResult, ...]) -> list[ParticipantResult]:
    """Participants in the order every report lists them: by category, then by name."""
    order = {c: i for i, c in enumerate(Category)}
    return sorted(results, key=lambda r: (order[r.participant.category], r.participant.name))


def completeness_csv(screening: Screening) -> str:
    buf = io.StringIO()
    writer = _SafeWriter(buf)
    writer.writerow(
        ["kategori", "id", "nama", "status", "keterangan", "proposal_inovasi", "proposal_kinerja", "riwayat",
         "tema", "keyakinan_tema", "tema_perlu_ditinjau", "perlu_diperiksa"]
    )
    for r in by_category(screening.participants):
        t = r.theme
        writer.writerow(
            [
                r.participant.category.label, r.participant.id, r.participant.name, r.status.value,
                r.status.label, r.inovasi or "", r.kinerja or "", " ; ".join(r.history),
                t.theme_label if t else "", f"{t.theme_confidence:.2f}" if t else "",
                ("ya" if t.needs_review else "tidak") if t else "", " ; ".join(r.review),
            ]
        )
    return buf.getvalue()


def documents_csv(screening: Screening) -> str:
    buf = io.StringIO()
    writer = _SafeWriter(buf)
    writer.writerow(["berkas", "status", "alasan", "keterangan", "peserta", "jenis", "halaman", "skor", "sha256"])
    for o in screening.documents:
        writer.writerow(
            [
                o.path, o.status.label, o.reason or "", o.detail or "", o.participant_id or "",
                o.doc_type or "", o.pages if o.pages is not None else "",
                o.match_score if o.match_score is not None else "", o.sha256 or "",
            ]
        )
    return buf.getvalue()
