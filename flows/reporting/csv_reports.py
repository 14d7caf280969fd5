"""completeness.csv and documents.csv, for machines and spreadsheets: no cell of them ever runs as a formula.

Comma-separated UTF-8 with a byte order mark; headers in the language of `kipp --lang` (Indonesian by
default). An admin opens the XLSX workbooks instead (workbooks.py): an Indonesian-locale Excel
expects `;` and shows a comma-separated file in one column (README, *Spreadsheets*).
"""

from __future__ import annotations

import csv
import io

from models.language import Words, current_language, yes_no
from models.records import Category, FileStatus, ParticipantResult
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


_W = Words
COMPLETENESS_HEADER = (
    _W("kategori", "category"), _W("id", "id"), _W("nama", "name"), _W("status", "status"),
    _W("keterangan", "status_label"), _W("proposal_inovasi", "innovation_proposal"),
    _W("proposal_kinerja", "performance_proposal"), _W("riwayat", "history"), _W("tema", "theme"),
    _W("keyakinan_tema", "theme_confidence"), _W("tema_perlu_ditinjau", "theme_to_review"),
    _W("perlu_diperiksa", "to_check"), _W("berkas_bermasalah", "unusable_files"), _W("id_tema", "theme_id"),
)
DOCUMENTS_HEADER = (
    _W("berkas", "file"), _W("status", "state"), _W("alasan", "reason"), _W("keterangan", "detail"),
    _W("peserta", "participant"), _W("jenis", "type"), _W("halaman", "pages"), _W("skor", "score"),
    _W("sha256", "sha256"),
)


def completeness_csv(screening: Screening) -> str:
    """One row per participant; the files it sent that could not be used are listed with their reasons."""
    lang = current_language()
    problems: dict[str, list[str]] = {}
    for o in screening.documents:
        if o.status is FileStatus.QUARANTINED and o.participant_id and o.reason:
            problems.setdefault(o.participant_id, []).append(f"{o.path} ({o.reason.text(lang)})")
    buf = io.StringIO()
    writer = _SafeWriter(buf)
    writer.writerow([h.text(lang) for h in COMPLETENESS_HEADER])
    for r in by_category(screening.participants):
        t = r.theme
        writer.writerow(
            [
                r.participant.category.text(lang), r.participant.id, r.participant.name, r.status.value,
                r.status.text(lang), r.inovasi or "", r.kinerja or "", " ; ".join(r.history),
                t.theme_label if t else "", f"{t.theme_confidence:.2f}" if t else "",
                yes_no(t.needs_review) if t else "", " ; ".join(r.review),
                " ; ".join(problems.get(r.participant.id, ())), t.theme if t else "",
            ]
        )
    return buf.getvalue()


def documents_csv(screening: Screening) -> str:
    lang = current_language()
    buf = io.StringIO()
    writer = _SafeWriter(buf)
    writer.writerow([h.text(lang) for h in DOCUMENTS_HEADER])
    for o in screening.documents:
        writer.writerow(
            [
                o.path, o.status.text(lang), o.reason or "", o.detail or "", o.participant_id or "",
                o.doc_type or "", o.pages if o.pages is not None else "",
                o.match_score if o.match_score is not None else "", o.sha256 or "",
            ]
        )
    return buf.getvalue()
