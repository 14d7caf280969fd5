"""The XLSX workbooks an admin opens in Excel: completeness, documents, duplicates and themes.

Indonesian headers (English under `kipp --lang en`), the header row frozen and filtered, columns as
wide as what they hold (within a limit), and a label beside every code or id that has one. No cell
ever runs as a formula: text goes through spreadsheet_cell as in the CSVs, and the control
characters a file name may hold are made visible (Excel would hide them, or call the file damaged).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flows.reporting.csv_reports import by_category, spreadsheet_cell
from flows.reporting.pages import detail_text
from models.inbox import printable
from models.language import Words, current_language, yes_no
from models.records import (
    Category,
    FileStatus,
    Labelled,
    Outcome,
    ParticipantStatus,
    Reason,
    ThemeSource,
)
from models.screening import Screening

MAX_CELL = 32_767  # Excel's limit for the text of one cell; a longer one makes it "repair" the file
_HEADER_FILL = "DCE6F0"


@dataclass(frozen=True, slots=True)
class Link:
    """A cell that shows `text` and opens `url` (a mailto: or https: link kipp built itself)."""

    text: str
    url: str


Value = str | int | float | Link | None


@dataclass(frozen=True, slots=True)
class Column:
    header: Words
    width: int = 40  # the widest the column opens at; its content may be wider
    wrap: bool = False  # a text of several lines (a message), shown wrapped at `width`
    number_format: str | None = None  # e.g. "0%"


@dataclass(frozen=True, slots=True)
class Sheet:
    title: Words
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[Value]]
    frozen_columns: int = 0  # columns kept in view when scrolling right (an id and a name)


def workbook(sheets: Sequence[Sheet], title: str, generated_at: str) -> bytes:
    """The sheets as one XLSX file: each with its header row frozen and filtered.

    Written with XlsxWriter, row by row, from rows built first (the widths need them). Every text is
    written as a string, never interpreted (no formula, no number, no link that kipp did not build).
    """
    import xlsxwriter

    buf = io.BytesIO()
    # max_url_length: a WhatsApp link carries its whole message; Excel opens links of any length kipp writes.
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "max_url_length": MAX_CELL})
    wb.set_properties({"title": _text(title), "author": "kipp-intake",
                       "created": datetime.fromisoformat(generated_at).replace(tzinfo=None)})  # UTC
    header = wb.add_format({"bold": True, "bg_color": f"#{_HEADER_FILL}", "pattern": 1})
    formats: dict[tuple[bool, str | None], object] = {}

    def cell_format(column: Column, value: Value):
        number = column.number_format if isinstance(value, int | float) else None
        if not (column.wrap or number):
            return None
        key = (column.wrap, number)
        if key not in formats:
            formats[key] = wb.add_format({"text_wrap": True, "valign": "top"} if column.wrap else {})
            if number:
                formats[key].set_num_format(number)
        return formats[key]

    for sheet in sheets:
        ws = wb.add_worksheet(sheet.title.text()[:31])  # Excel's limit for a sheet name
        for c, column in enumerate(sheet.columns):
            ws.set_column(c, c, _width(column, (row[c] for row in sheet.rows)))
        ws.freeze_panes(1, sheet.frozen_columns)
        ws.autofilter(0, 0, len(sheet.rows), len(sheet.columns) - 1)
        for c, column in enumerate(sheet.columns):
            ws.write_string(0, c, column.header.text(), header)
        for r, row in enumerate(sheet.rows, start=1):
            for c, (column, value) in enumerate(zip(sheet.columns, row, strict=True)):
                if value is None:
                    continue
                style = cell_format(column, value)
                if isinstance(value, Link):
                    ws.write_url(r, c, value.url, string=_text(value.text))
                elif isinstance(value, str):
                    ws.write_string(r, c, _text(value, column.wrap), style)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value, style)
                else:
                    ws.write_number(r, c, value, style)
    wb.close()
    return buf.getvalue()


def _text(value: str, multiline: bool = False) -> str:
    """A text cell as an admin should read it: one line (or its own lines, for a message) with its
    control characters visible, within Excel's limit, and never a formula."""
    lines = value.split("\n") if multiline else [value]
    text = "\n".join(line if line.isprintable() else printable(line) for line in lines)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return spreadsheet_cell(text)


def _width(column: Column, values) -> float:
    """As wide as the header and the longest value, up to the column's limit (Excel's unit is about
    one character)."""
    longest = len(column.header.text())
    if not column.wrap:
        for v in values:
            shown = v.text if isinstance(v, Link) else v
            if shown is not None:
                longest = max(longest, len(str(shown)))
    else:
        longest = column.width
    return min(longest, column.width) + 2


def _label(code: Labelled | None) -> str:
    return code.text(current_language()) if code is not None else ""


def _detail(o: Outcome) -> str:
    """The explanation of a file, its first line: a trace for a developer stays in documents.csv."""
    detail = detail_text(o)
    return detail.split("\n", 1)[0] if o.reason in (Reason.INTERNAL_ERROR, Reason.EXTRACTION_ERROR) else detail


def _names(screening: Screening) -> dict[str, str]:
    return {r.participant.id: r.participant.name for r in screening.participants}


# -- completeness.xlsx --------------------------------------------------------------------------

_W = Words
CATEGORY = Column(_W("Kategori", "Category"), 18)
PARTICIPANT_ID = Column(_W("ID peserta", "Participant id"), 24)
NAME = Column(_W("Nama", "Name"), 45)
FILE = Column(_W("Berkas", "File"), 60)
REASON = Column(_W("Alasan", "Reason"), 50)
REASON_CODE = Column(_W("Kode alasan", "Reason code"), 24)
DETAIL = Column(_W("Keterangan", "Detail"), 60)
DOC_TYPE = Column(_W("Jenis", "Type"), 18)


def completeness_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    """Who is complete, who lacks what, and every file that could not be used, with whose it is."""
    participants = by_category(screening.participants)
    problems: dict[str, list[str]] = {}
    for o in screening.documents:
        if o.status is FileStatus.QUARANTINED and o.participant_id:
            problems.setdefault(o.participant_id, []).append(f"{o.path} ({_label(o.reason)})")
    rows = []
    for r in participants:
        t = r.theme
        rows.append((
            _label(r.participant.category), r.participant.id, r.participant.name, _label(r.status),
            r.inovasi, r.kinerja, " ; ".join(problems.get(r.participant.id, ())), " ; ".join(r.history),
            t.theme_label if t else None, t.theme if t else None, t.theme_confidence if t else None,
            yes_no(t.needs_review) if t else None, " ; ".join(r.review),
        ))
    main = Sheet(_W("Kelengkapan", "Completeness"), (
        CATEGORY, PARTICIPANT_ID, NAME, Column(_W("Status", "Status"), 26),
        Column(_W("Proposal Inovasi", "Innovation proposal"), 50),
        Column(_W("Proposal Kinerja", "Performance proposal"), 50),
        Column(_W("Berkas bermasalah", "Unusable files"), 60), Column(_W("Versi lama", "Older versions"), 40),
        Column(_W("Tema", "Theme"), 40), Column(_W("ID tema", "Theme id"), 24),
        Column(_W("Keyakinan tema", "Theme confidence"), 16, number_format="0%"),
        Column(_W("Tema perlu ditinjau", "Theme to review"), 12), Column(_W("Perlu diperiksa", "To check"), 50),
    ), rows, frozen_columns=3)
    return workbook([main, _problem_sheet(screening, participants), _summary_sheet(participants)],
                    f"Kelengkapan berkas KIPP {edition}", generated_at)


def _problem_sheet(screening: Screening, participants) -> Sheet:
    """Every quarantined file: those of a known participant first, in the order of the participants."""
    order = {r.participant.id: i for i, r in enumerate(participants)}
    people = {r.participant.id: r.participant for r in participants}
    files = sorted((o for o in screening.documents if o.status is FileStatus.QUARANTINED),
                   key=lambda o: (order.get(o.participant_id or "", len(order)), o.path))
    rows = []
    for o in files:
        p = people.get(o.participant_id or "")
        rows.append((o.participant_id, p.name if p else None, _label(p.category) if p else None, o.path,
                     _label(o.doc_type), _label(o.reason), o.reason.value if o.reason else None, _detail(o)))
    return Sheet(_W("Berkas bermasalah", "Unusable files"),
                 (PARTICIPANT_ID, NAME, CATEGORY, FILE, DOC_TYPE, REASON, REASON_CODE, DETAIL), rows, frozen_columns=2)


def _summary_sheet(participants) -> Sheet:
    counts: dict[Category, Counter] = {}
    for r in participants:
        counts.setdefault(r.participant.category, Counter())[r.status] += 1
    total: Counter = Counter()
    rows: list[tuple] = []
    for category, c in counts.items():
        total.update(c)
        rows.append((_label(category), sum(c.values()), *(c[s] for s in ParticipantStatus)))
    rows.append((_W("Jumlah", "Total").text(), sum(total.values()), *(total[s] for s in ParticipantStatus)))
    columns = (CATEGORY, Column(_W("Peserta", "Participants"), 12),
               *(Column(_W(s.label, s.label_en), 26) for s in ParticipantStatus))
    return Sheet(_W("Ringkasan", "Summary"), columns, rows)


# -- documents.xlsx -----------------------------------------------------------------------------


def documents_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    """Every inbox file: its state, why, whose it is and what it was read as."""
    names = _names(screening)
    rows = [
        (o.path, _label(o.status), _label(o.reason), o.reason.value if o.reason else None, _detail(o),
         o.participant_id, names.get(o.participant_id or ""), _label(o.doc_type), _label(o.format), o.pages,
         o.match_score, o.ocr_confidence, o.review, o.copy_of, o.size, o.sha256)
        for o in screening.documents
    ]
    sheet = Sheet(_W("Berkas", "Files"), (
        FILE, Column(_W("Status", "State"), 14), REASON, REASON_CODE, DETAIL, PARTICIPANT_ID,
        Column(_W("Nama peserta", "Participant"), 45), DOC_TYPE, Column(_W("Format", "Format"), 8),
        Column(_W("Halaman", "Pages"), 9), Column(_W("Skor kecocokan", "Match score"), 14),
        Column(_W("Keyakinan OCR", "OCR confidence"), 14), Column(_W("Perlu diperiksa", "To check"), 50),
        Column(_W("Berkas yang berlaku", "File that counts"), 60), Column(_W("Ukuran (byte)", "Size (bytes)"), 14),
        Column(_W("SHA-256", "SHA-256"), 20),
    ), rows, frozen_columns=1)
    return workbook([sheet], f"Berkas KIPP {edition}", generated_at)


# -- duplicates.xlsx ----------------------------------------------------------------------------


def duplicates_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    """Every duplicate flag, most severe first, with the two files' participants and the longest passage."""
    names = _names(screening)
    rows = []
    for f in screening.duplicates:
        first = f.evidence[0] if f.evidence else None
        rows.append((
            _label(f.severity), _label(f.kind), f.score, f.a, f.a_participant, names.get(f.a_participant or ""),
            f.b, f.b_participant, names.get(f.b_participant or ""), f.edition, _label(f.decision),
            first.a if first else None, first.b if first else None, f.key,
        ))
    sheet = Sheet(_W("Duplikat", "Duplicates"), (
        Column(_W("Tingkat", "Severity"), 10), Column(_W("Jenis", "Kind"), 26),
        Column(_W("Skor", "Score"), 8, number_format="0.00"),
        Column(_W("Berkas A", "File A"), 50), Column(_W("ID peserta A", "Participant id A"), 24),
        Column(_W("Peserta A", "Participant A"), 40), Column(_W("Berkas B", "File B"), 50),
        Column(_W("ID peserta B", "Participant id B"), 24), Column(_W("Peserta B", "Participant B"), 40),
        Column(_W("Edisi", "Edition"), 8), Column(_W("Keputusan", "Decision"), 14),
        Column(_W("Bukti A", "Evidence A"), 60), Column(_W("Bukti B", "Evidence B"), 60),
        Column(_W("Kunci (kipp duplicates confirm|dismiss)", "Key (kipp duplicates confirm|dismiss)"), 40),
    ), rows)
    return workbook([sheet], f"Dugaan duplikat KIPP {edition}", generated_at)


# -- themes.xlsx --------------------------------------------------------------------------------


def themes_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    """Each participant's theme with its label, confidence, runner-up and source; counts per theme."""
    themed = [r for r in by_category(screening.participants) if r.theme]
    labels = {r.theme.theme: r.theme.theme_label for r in themed}  # a runner-up's label, where some participant has it
    rows = []
    for r in themed:
        t = r.theme
        rows.append((
            _label(r.participant.category), r.participant.id, r.participant.name, t.theme_label, t.theme,
            t.theme_confidence, labels.get(t.theme_runner_up or ""), t.theme_runner_up,
            _label(ThemeSource(t.theme_source)), yes_no(t.needs_review), r.inovasi,
        ))
    per_participant = Sheet(_W("Tema", "Themes"), (
        CATEGORY, PARTICIPANT_ID, NAME, Column(_W("Tema", "Theme"), 40), Column(_W("ID tema", "Theme id"), 24),
        Column(_W("Keyakinan", "Confidence"), 12, number_format="0%"),
        Column(_W("Tema kedua", "Runner-up"), 40), Column(_W("ID tema kedua", "Runner-up id"), 24),
        Column(_W("Sumber", "Source"), 18), Column(_W("Perlu ditinjau", "To review"), 12),
        Column(_W("Proposal Inovasi", "Innovation proposal"), 50),
    ), rows, frozen_columns=3)
    categories = [c for c in Category if any(r.participant.category is c for r in themed)]
    counts: dict[str, Counter] = {}
    for r in themed:
        counts.setdefault(r.theme.theme, Counter())[r.participant.category] += 1
    review = Counter(r.theme.theme for r in themed if r.theme.needs_review)
    summary = [
        (labels[theme], theme, *(counts[theme][c] for c in categories), sum(counts[theme].values()), review[theme])
        for theme in sorted(counts, key=lambda t: (-sum(counts[t].values()), t))
    ]
    per_theme = Sheet(_W("Ringkasan tema", "Themes summary"), (
        Column(_W("Tema", "Theme"), 40), Column(_W("ID tema", "Theme id"), 24),
        *(Column(_W(c.label, c.label_en), 18) for c in categories),
        Column(_W("Jumlah", "Total"), 10), Column(_W("Perlu ditinjau", "To review"), 12),
    ), summary)
    return workbook([per_participant, per_theme], f"Tema inovasi KIPP {edition}", generated_at)


# -- assignments.xlsx ---------------------------------------------------------------------------


def assignments_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    """Who judges what: one row per judge and participant, the judges with their loads, and the
    participants not handed off (or short of judges) with why."""
    judging = screening.judging
    names = _names(screening)
    results = {r.participant.id: r for r in screening.participants}
    order = {r.participant.id: i for i, r in enumerate(by_category(screening.participants))}
    judges = {j.id: j for j in judging.judges} if judging else {}
    themes = dict(judging.theme_labels) if judging else {}
    assignments = sorted(judging.assignments, key=lambda a: (order.get(a.participant_id, 0), a.judge_id)) if judging else []
    rows = []
    for a in assignments:
        r = results.get(a.participant_id)
        rows.append((
            _label(r.participant.category) if r else None, a.participant_id, names.get(a.participant_id),
            r.theme.theme_label if r and r.theme else None, a.judge_id, judges[a.judge_id].name if a.judge_id in judges else None,
            yes_no(a.expertise_match), _W("diserahkan", "handed out").text() if a.frozen else _W("baru", "new").text(),
        ))
    JUDGE = Column(_W("ID juri", "Judge id"), 20)
    per_assignment = Sheet(_W("Penugasan", "Assignments"), (
        CATEGORY, PARTICIPANT_ID, NAME, Column(_W("Tema", "Theme"), 40), JUDGE, Column(_W("Juri", "Judge"), 40),
        Column(_W("Sesuai keahlian", "Expertise match"), 14), Column(_W("Status", "State"), 14),
    ), rows, frozen_columns=3)
    panel = Sheet(_W("Juri", "Judges"), (
        JUDGE, Column(_W("Nama", "Name"), 40), Column(_W("Unit asal", "Affiliation"), 45),
        Column(_W("Keahlian", "Expertise"), 40), Column(_W("Kapasitas", "Capacity"), 10), Column(_W("Beban", "Load"), 8),
    ), [(j.id, j.name, names.get(j.affiliation_id or "", j.affiliation_id),
         "; ".join(themes.get(t, t) for t in j.expertise), j.capacity,
         judging.load(j.id)) for j in judges.values()], frozen_columns=2)
    left = Sheet(_W("Belum diserahkan", "Not handed off"), (
        PARTICIPANT_ID, NAME, REASON, Column(_W("Juri didapat", "Judges assigned"), 12), DETAIL,
    ), [(u.participant_id, names.get(u.participant_id), u.reason.text(current_language()), u.assigned, u.detail)
        for u in (judging.unassigned if judging else ())], frozen_columns=2)
    return workbook([per_assignment, panel, left], f"Penugasan juri KIPP {edition}", generated_at)
