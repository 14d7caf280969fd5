"""The scoring sheet of a packet, `penilaian_<judge>.xlsx` and `.csv`: a row per proposal, a column per criterion.

A returned sheet is read back by its identifiers, never by position: every column has an id (the
CSV's header; in the XLSX a hidden row under the headings), the judge, the packet and the
participant of each row are in columns of their own (hidden in the XLSX), and the XLSX's hidden
sheet `kipp` holds the packet's facts. In the XLSX only score and note cells can be edited, and a
score is a whole number on the scale or Excel refuses it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from flows.packets.archive import normalised_zip
from flows.packets.criteria import Criteria
from flows.packets.records import PacketProposal
from flows.reporting.csv_reports import spreadsheet_cell
from models.inbox import printable
from models.records import Judge

FORMAT = "kipp-penilaian"  # the hidden sheet's first line: what this workbook is
FORMAT_VERSION = 1
SCORES_SHEET = "Penilaian"
GUIDE_SHEET = "Petunjuk"
FACTS_SHEET = "kipp"
ID_ROW = 2  # hidden: the id of every column
FIRST_ROW = 3
_MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell


class Kind(StrEnum):
    INFO = "info"  # what the row is about, shown and locked
    SCORE = "score"
    TOTAL = "total"  # a formula, XLSX only
    NOTES = "notes"
    HIDDEN = "hidden"  # an identifier


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    heading: str
    kind: Kind
    width: int = 14


@dataclass(frozen=True, slots=True)
class ScoringRow:
    """One proposal as its row shows it."""

    number: int  # its place in the packet, as in its files' names
    participant_id: str
    name: str
    category: str
    theme: str
    title: str

    @classmethod
    def of(cls, number: int, proposal: PacketProposal) -> ScoringRow:
        result = proposal.participant
        return cls(number, result.participant.id, result.participant.name, result.participant.category.label,
                   result.theme.theme_label if result.theme else "", proposal.title or "")


def columns(criteria: Criteria, with_title: bool) -> tuple[Column, ...]:
    """The sheet's columns, in order; the innovation's name only when some proposal has one."""
    return (
        Column("no", "No", Kind.INFO, 5),
        Column("peserta", "Peserta", Kind.INFO, 36),
        Column("kategori", "Kategori", Kind.INFO, 16),
        Column("tema", "Tema", Kind.INFO, 28),
        *((Column("judul_inovasi", "Judul inovasi", Kind.INFO, 36),) if with_title else ()),
        *(Column(c.id, c.label, Kind.SCORE, max(12, min(len(c.label) + 2, 24))) for c in criteria.items),
        Column("jumlah", "Jumlah", Kind.TOTAL, 10),
        Column("catatan", "Catatan", Kind.NOTES, 48),
        Column("id_peserta", "ID peserta", Kind.HIDDEN, 20),
        Column("id_juri", "ID juri", Kind.HIDDEN, 20),
        Column("id_paket", "ID paket", Kind.HIDDEN, 20),
    )


def _values(row: ScoringRow, judge: Judge, packet_id: str) -> dict[str, object]:
    return {"no": row.number, "peserta": row.name, "kategori": row.category, "tema": row.theme,
            "judul_inovasi": row.title, "id_peserta": row.participant_id, "id_juri": judge.id, "id_paket": packet_id}


def scoring_csv(judge: Judge, packet_id: str, rows: Sequence[ScoringRow], criteria: Criteria) -> bytes:
    """The sheet as CSV (UTF-8 with a BOM, for Excel): the column ids as header, scores and notes empty."""
    cols = [c for c in columns(criteria, any(r.title for r in rows)) if c.kind is not Kind.TOTAL]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([spreadsheet_cell(c.id) for c in cols])
    for row in rows:
        values = _values(row, judge, packet_id)
        writer.writerow([spreadsheet_cell(values.get(c.id, "")) for c in cols])
    return buf.getvalue().encode("utf-8-sig")


def scoring_xlsx(judge: Judge, packet_id: str, edition: str, handed_at: datetime, rows: Sequence[ScoringRow],
                 criteria: Criteria) -> bytes:
    """The workbook: `Penilaian` to fill in, `Petunjuk` with the criteria, hidden `kipp` with the facts.

    Byte-identical for the same inputs: the document's dates are `handed_at`, and so is every
    member of its zip (openpyxl's own save would stamp both with the clock).
    """
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    _scores_sheet(workbook.active, judge, packet_id, rows, criteria)
    _guide_sheet(workbook.create_sheet(GUIDE_SHEET), judge, edition, criteria)
    _facts_sheet(workbook.create_sheet(FACTS_SHEET), judge, packet_id, edition, handed_at, criteria)
    workbook.security = WorkbookProtection(lockStructure=True)  # no sheet added, removed, renamed or unhidden
    stamp = handed_at.astimezone(UTC).replace(tzinfo=None)  # openpyxl's dates are naive UTC
    workbook.properties.creator = "kipp-intake"
    workbook.properties.title = f"Penilaian KIPP {printable(edition)}"
    workbook.properties.created = workbook.properties.modified = stamp
    buf = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()  # save_workbook sets modified = now
    return normalised_zip(buf.getvalue(), handed_at)


def _text(cell, value: object) -> None:
    """Put a value in a cell as what it is: text stays text even when it starts with `=`, and a
    control character (which openpyxl refuses) shows as its escape, as on the pages."""
    if isinstance(value, str):
        cell.value = printable(value)[:_MAX_CELL]
        cell.data_type = "s"
    else:
        cell.value = value


def _scores_sheet(ws, judge: Judge, packet_id: str, rows: Sequence[ScoringRow], criteria: Criteria) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.title = SCORES_SHEET
    cols = columns(criteria, any(r.title for r in rows))
    letter = {c.id: get_column_letter(i) for i, c in enumerate(cols, 1)}
    scores = [c for c in cols if c.kind is Kind.SCORE]
    first, last = letter[scores[0].id], letter[scores[-1].id]
    to_fill = PatternFill("solid", fgColor="FFF9DB")
    heading = PatternFill("solid", fgColor="E7EEF5")
    for i, col in enumerate(cols, 1):
        _text(ws.cell(1, i), col.heading)
        ws.cell(1, i).font = Font(bold=True)
        ws.cell(1, i).fill = heading
        ws.cell(1, i).alignment = Alignment(wrap_text=True, vertical="top")
        _text(ws.cell(ID_ROW, i), col.id)
        ws.column_dimensions[letter[col.id]].width = col.width
        ws.column_dimensions[letter[col.id]].hidden = col.kind is Kind.HIDDEN
    ws.row_dimensions[ID_ROW].hidden = True
    last_row = FIRST_ROW + len(rows) - 1
    for r, row in enumerate(rows, FIRST_ROW):
        values = _values(row, judge, packet_id)
        for i, col in enumerate(cols, 1):
            cell = ws.cell(r, i)
            if col.kind in (Kind.SCORE, Kind.NOTES):
                cell.protection = Protection(locked=False)
                cell.fill = to_fill
                cell.alignment = Alignment(wrap_text=col.kind is Kind.NOTES, vertical="top")
                if col.kind is Kind.SCORE:
                    cell.number_format = "0"
            elif col.kind is Kind.TOTAL:
                cell.value = f"=SUM({first}{r}:{last}{r})"
            else:
                _text(cell, values[col.id])
                cell.alignment = Alignment(wrap_text=col.kind is Kind.INFO, vertical="top")
    if rows:
        rule = f"bilangan bulat {criteria.low} sampai {criteria.high}"
        validation = DataValidation(
            type="whole", operator="between", formula1=str(criteria.low), formula2=str(criteria.high),
            allow_blank=True, showErrorMessage=True, errorStyle="stop", errorTitle="Nilai tidak sah",
            error=f"Nilai harus {rule}.", showInputMessage=True, promptTitle="Nilai", prompt=f"Isi {rule}.",
        )
        validation.add(f"{first}{FIRST_ROW}:{last}{last_row}")
        ws.add_data_validation(validation)
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def _guide_sheet(ws, judge: Judge, edition: str, criteria: Criteria) -> None:
    from openpyxl.styles import Alignment, Font

    lines: list[tuple[str, str]] = [
        (f"Penilaian KIPP {edition}", ""),
        ("Juri", judge.name),
        ("Skala", f"bilangan bulat {criteria.low} sampai {criteria.high} untuk setiap kriteria"),
        ("Cara mengisi", (f"Isi nilai dan catatan pada lembar {SCORES_SHEET}, satu baris untuk setiap proposal. "
                          "Jangan menambah, menghapus atau menukar baris dan kolom.")),
        ("Cara mengembalikan", ("Simpan berkas ini dengan nama yang sama (format .xlsx), lalu kirim kembali "
                                "ke sekretariat KIPP.")),
        ("", ""),
        ("Kriteria", "Keterangan"),
        *((c.label, c.description) for c in criteria.items),
    ]
    for r, (key, value) in enumerate(lines, 1):
        _text(ws.cell(r, 1), key)
        _text(ws.cell(r, 2), value)
        ws.cell(r, 1).font = Font(bold=True)
        ws.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    _protect(ws)


def _facts_sheet(ws, judge: Judge, packet_id: str, edition: str, handed_at: datetime, criteria: Criteria) -> None:
    facts: list[tuple[str, object]] = [
        ("format", FORMAT), ("versi", FORMAT_VERSION), ("id_juri", judge.id), ("id_paket", packet_id),
        ("edisi", edition), ("diserahkan", handed_at.isoformat()), ("skala_terendah", criteria.low),
        ("skala_tertinggi", criteria.high), ("kriteria", ",".join(c.id for c in criteria.items)),
        ("baris_pertama", FIRST_ROW),
    ]
    for r, (key, value) in enumerate(facts, 1):
        _text(ws.cell(r, 1), key)
        _text(ws.cell(r, 2), value)
    ws.sheet_state = "hidden"
    _protect(ws)


def _protect(ws) -> None:
    """Locked cells stay as written; columns and rows can still be widened, to read long names."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
