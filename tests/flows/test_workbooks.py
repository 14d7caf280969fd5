"""The XLSX workbooks and the reminder files, opened as an admin's Excel would read them (openpyxl)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from flows.reporting import REPORTS, render_reports
from flows.reporting.workbooks import MAX_CELL
from flows.steps import RunConfig, RunResult, run_once
from models.inbox import printable
from models.language import use_language
from models.records import FileStatus, ParticipantStatus, Reason
from models.settings import Settings
from tests.conftest import BODY, ROSTER_CSV, cover, make_pdf
from tests.flows.test_reporting import HOSTILE, hostile_screening

INOVASI, KINERJA = "PROPOSAL INOVASI PELAYANAN PUBLIK", "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK"
FORMULA_NAME = '=HYPERLINK("contoh.invalid","Klik") SMPN 15 kinerja.pdf'
XLSX_KEYS = [key for key, report in REPORTS.items() if report.file_name.endswith(".xlsx")]


@pytest.fixture(scope="module")
def screened(tmp_path_factory) -> tuple[RunResult, Path]:
    """A real run: one complete participant, a broken file and a formula-named empty file of two
    others, and a contact column in the roster."""
    base = tmp_path_factory.mktemp("workbooks")
    inbox = base / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover(INOVASI, "SMP NEGERI 5 MALANG"), BODY])
    make_pdf(inbox / "SMPN 5 kinerja.pdf", [cover(KINERJA, "SMP NEGERI 5 MALANG"), BODY])
    make_pdf(inbox / "SDN Sawojajar 1 inovasi.pdf", [cover(INOVASI, "SD NEGERI SAWOJAJAR 1"), BODY])
    (inbox / "SDN Sawojajar 1 kinerja.pdf").write_bytes(b"%PDF-1.7\n truncated")
    (inbox / FORMULA_NAME).write_bytes(b"")
    roster = base / "roster.csv"
    lines = ROSTER_CSV.splitlines()
    contacts = {"sd-sawojajar-1": "0812-3456-7890", "smp-15": "tu.smpn15@contoh.sch.id"}
    rows = [lines[0] + ",contact"] + [f"{line},{contacts.get(line.split(',')[0], '')}" for line in lines[1:]]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = RunConfig(inbox, roster, base / "out", "2021", Settings(workers=1, settle_seconds=0, isolate=False))
    return run_once(config), base / "out"


def _sheet(out: Path, name: str, sheet: str | None = None):
    wb = load_workbook(out / name)
    return wb, (wb[sheet] if sheet else wb.worksheets[0])


def _rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_completeness_workbook_has_its_sheets_frozen_filtered_and_a_row_per_participant(screened) -> None:
    result, out = screened
    wb, ws = _sheet(out, "completeness.xlsx")
    assert wb.sheetnames == ["Kelengkapan", "Berkas bermasalah", "Ringkasan"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Kategori", "ID peserta", "Nama", "Status", "Proposal Inovasi", "Proposal Kinerja"]
    assert all(c.font.bold for c in ws[1])
    assert ws.max_row == len(result.screening.participants) + 1 == 17
    assert ws.freeze_panes == "D2"  # the header row, and the category, id and name when scrolling right
    assert ws.auto_filter.ref == f"A1:M{ws.max_row}"
    rows = {r["ID peserta"]: r for r in _rows(ws)}
    assert rows["smp-05"]["Status"] == "Lengkap" and rows["smp-05"]["Kategori"] == "SMP"  # labels, not codes
    assert rows["smp-05"]["Tema"] and rows["smp-05"]["ID tema"]  # the theme's label beside its id
    assert 0 <= rows["smp-05"]["Keyakinan tema"] <= 1  # a number, shown as a percentage
    assert rows["smp-15"]["Status"] == "Belum mengirim"
    # A broken file a participant sent is on its row, with the reason's words.
    assert rows["sd-sawojajar-1"]["Status"] == "Kurang Proposal Kinerja"
    assert rows["sd-sawojajar-1"]["Berkas bermasalah"] == "SDN Sawojajar 1 kinerja.pdf (PDF rusak atau terpotong)"
    # Widths in Excel's character unit, as stored (the file adds the cell padding: 41 is kept as 41.71).
    widths = {c.value: int(ws.column_dimensions[c.column_letter].width) for c in ws[1]}
    longest = max(len(r.participant.name) for r in result.screening.participants)
    assert widths["Nama"] == longest + 2 == len("Dinas Kependudukan dan Pencatatan Sipil") + 2  # as wide as its content
    assert widths["Berkas bermasalah"] <= 62  # long paths are cut at the column's limit


def test_the_broken_files_sheet_lists_every_quarantined_file_with_whose_it_is(screened) -> None:
    result, out = screened
    _, ws = _sheet(out, "completeness.xlsx", "Berkas bermasalah")
    rows = _rows(ws)
    quarantined = [o for o in result.screening.documents if o.status is FileStatus.QUARANTINED]
    assert len(rows) == len(quarantined) == 2
    broken = next(r for r in rows if r["Berkas"] == "SDN Sawojajar 1 kinerja.pdf")
    assert broken["ID peserta"] == "sd-sawojajar-1" and broken["Nama"] == "SD Negeri Sawojajar 1"
    assert broken["Kategori"] == "SD" and broken["Jenis"] == "Proposal Kinerja"
    assert (broken["Alasan"], broken["Kode alasan"]) == (Reason.CORRUPT_PDF.label, "corrupt_pdf")
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:H3"
    _, summary = _sheet(out, "completeness.xlsx", "Ringkasan")
    total = _rows(summary)[-1]
    assert total["Kategori"] == "Jumlah" and total["Peserta"] == 16 and total["Lengkap"] == 1


def test_a_file_named_like_a_formula_stays_text_in_every_workbook(screened) -> None:
    _, out = screened
    shown = []
    for key in XLSX_KEYS:
        wb = load_workbook(out / REPORTS[key].file_name)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (key, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                        shown.append((key, cell.value))
    assert ("documents_xlsx", "'" + FORMULA_NAME) in shown  # shown as typed, marked as text
    assert ("completeness_xlsx", "'" + FORMULA_NAME) in shown  # in the broken files sheet
    for name in ("pengingat.csv", "completeness.csv"):
        cells = [c for row in csv.reader(io.StringIO((out / name).read_text(encoding="utf-8-sig"))) for c in row]
        assert any("HYPERLINK" in c for c in cells), name  # smp-15's reminder names its empty file
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], name


def test_documents_workbook_has_a_row_per_file_with_labels_and_codes(screened) -> None:
    result, out = screened
    wb, ws = _sheet(out, "documents.xlsx")
    assert wb.sheetnames == ["Berkas"]
    rows = _rows(ws)
    assert len(rows) == len(result.screening.documents) == 5
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == "A1:P6"
    accepted = next(r for r in rows if r["Berkas"] == "SMPN 5 inovasi.pdf")
    assert (accepted["Status"], accepted["Nama peserta"], accepted["Jenis"], accepted["Format"]) == (
        "Diterima", "SMP Negeri 5 Malang", "Proposal Inovasi", "PDF")
    assert accepted["Halaman"] == 2 and accepted["Skor kecocokan"] > 80  # a number
    empty = next(r for r in rows if r["Kode alasan"] == "empty_file")
    assert empty["Alasan"] == Reason.EMPTY_FILE.label and empty["Status"] == "Dikarantina"


def test_themes_workbook_puts_each_label_beside_its_id(screened) -> None:
    result, out = screened
    wb, ws = _sheet(out, "themes.xlsx")
    assert wb.sheetnames == ["Tema", "Ringkasan tema"]
    themed = [r for r in result.screening.participants if r.theme]
    rows = _rows(ws)
    assert len(rows) == len(themed) == 2
    by_id = {r["ID peserta"]: r for r in rows}
    theme = next(r.theme for r in themed if r.participant.id == "smp-05")
    assert (by_id["smp-05"]["Tema"], by_id["smp-05"]["ID tema"]) == (theme.theme_label, theme.theme)
    assert by_id["smp-05"]["Sumber"] == "model"
    summary = _rows(wb["Ringkasan tema"])
    assert sum(r["Jumlah"] for r in summary) == 2


def test_duplicates_workbook_has_a_row_per_flag_with_labels_names_and_key() -> None:
    screening = hostile_screening()
    wb = load_workbook(io.BytesIO(render_reports(screening, "2021", ("duplicates_xlsx",))["duplicates_xlsx"]))
    assert wb.sheetnames == ["Duplikat"]
    rows = _rows(wb["Duplikat"])
    assert len(rows) == len(screening.duplicates) == 2
    flag = screening.duplicates[0]
    assert (rows[0]["Tingkat"], rows[0]["Jenis"], rows[0]["Keputusan"]) == ("tinggi", "salinan yang disunting",
                                                                            "dikonfirmasi")
    assert rows[0]["Peserta A"].startswith("[name0]") and rows[0]["Kunci (kipp duplicates confirm|dismiss)"] == printable(flag.key)


def test_hostile_strings_in_every_field_become_visible_text_in_every_workbook() -> None:
    """Control characters, a right-to-left override and markup from a name reach no cell as they are
    (openpyxl would refuse them; Excel would hide them), and nothing is a formula."""
    rendered = render_reports(hostile_screening(), "[edition]" + HOSTILE, tuple(XLSX_KEYS))
    texts = []
    for key in XLSX_KEYS:
        for ws in load_workbook(io.BytesIO(rendered[key])).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (key, cell.coordinate)
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
    assert not [t for t in texts if "\x1b" in t or "\u202e" in t or "\u2028" in t]
    assert any("[name0]<script>alert('x')</script>" in t and "\\x1b[31m\\u202egpj.exe" in t for t in texts)


def test_a_text_longer_than_excel_takes_is_cut_to_its_limit() -> None:
    from dataclasses import replace

    screening = hostile_screening()
    long = replace(screening.documents[0], detail="x" * (MAX_CELL + 10))
    screening = replace(screening, documents=(long, *screening.documents[1:]))
    ws = load_workbook(io.BytesIO(render_reports(screening, "2021", ("documents_xlsx",))["documents_xlsx"])).active
    assert len(ws["E2"].value) == MAX_CELL and ws["E2"].value.endswith("…")


def test_english_headers_and_labels_with_lang_en(screened) -> None:
    result, _ = screened
    with use_language("en"):
        rendered = render_reports(result.screening, "2021", ("completeness_xlsx", "completeness_csv", "reminders_xlsx"))
    wb = load_workbook(io.BytesIO(rendered["completeness_xlsx"]))
    assert wb.sheetnames == ["Completeness", "Unusable files", "Summary"]
    rows = {r["Participant id"]: r for r in _rows(wb["Completeness"])}
    assert rows["smp-05"]["Status"] == "Complete" and rows["smp-05"]["Category"] == "Junior high school"
    csv_rows = list(csv.DictReader(io.StringIO(rendered["completeness_csv"].decode("utf-8-sig"))))
    assert {r["id"]: r["status_label"] for r in csv_rows}["sd-sawojajar-1"] == "Performance proposal missing"
    reminders = _rows(load_workbook(io.BytesIO(rendered["reminders_xlsx"]))["Reminders"])
    assert {r["Participant id"] for r in reminders} == {r.participant.id for r in result.screening.participants
                                                        if r.status is not ParticipantStatus.COMPLETE}
    # Without the block, Indonesian again.
    assert load_workbook(io.BytesIO(render_reports(result.screening, "2021", ("completeness_xlsx",))[
        "completeness_xlsx"])).sheetnames[0] == "Kelengkapan"


def test_completeness_csv_lists_the_broken_files_a_participant_sent(screened) -> None:
    _, out = screened
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "completeness.csv").read_text(encoding="utf-8-sig")))}
    assert rows["sd-sawojajar-1"]["berkas_bermasalah"] == "SDN Sawojajar 1 kinerja.pdf (PDF rusak atau terpotong)"
    assert rows["smp-05"]["berkas_bermasalah"] == "" and rows["smp-05"]["id_tema"]


# -- pengingat.xlsx, .csv, .html ----------------------------------------------------------------


def test_reminder_files_list_every_participant_short_of_a_proposal_with_links(screened) -> None:
    result, out = screened
    short = {r.participant.id for r in result.screening.participants if r.status is not ParticipantStatus.COMPLETE}
    wb, ws = _sheet(out, "pengingat.xlsx")
    assert wb.sheetnames == ["Pengingat", "Rincian"]
    assert ws.freeze_panes == "D2" and ws.auto_filter.ref == f"A1:K{len(short) + 1}"
    rows = {r["ID peserta"]: r for r in _rows(ws)}
    assert set(rows) == short and len(short) == 15
    sd = rows["sd-sawojajar-1"]
    assert sd["WhatsApp"] == "6281234567890" and sd["Kontak"] == "0812-3456-7890"
    link = ws.cell(list(rows).index("sd-sawojajar-1") + 2, 10).hyperlink.target
    assert link.startswith("https://wa.me/6281234567890?text=")
    assert "SDN Sawojajar 1 kinerja.pdf" in unquote(link) and "PDF-nya rusak" in unquote(link)
    assert "PDF-nya rusak atau terpotong" in sd["Pesan"] and "\n" in sd["Pesan"]  # a message of several lines
    mail = ws.cell(list(rows).index("smp-15") + 2, 9).hyperlink.target
    assert mail.startswith("mailto:tu.smpn15@contoh.sch.id?subject=Kelengkapan%20berkas%20KIPP%202021")
    details = [r for r in _rows(wb["Rincian"]) if r["ID peserta"] == "sd-sawojajar-1"]
    assert [(d["Proposal"], d["Kode alasan"], d["Oleh"]) for d in details] == [("Proposal Kinerja", "corrupt_pdf", "Peserta")]

    csv_rows = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "pengingat.csv").read_text(encoding="utf-8-sig")))}
    assert set(csv_rows) == short and csv_rows["sd-sawojajar-1"]["tautan_whatsapp"] == link
    assert csv_rows["smp-15"]["pesan"].startswith("Yth. Bapak/Ibu Pimpinan SMP Negeri 15 Malang,")

    page = (out / "pengingat.html").read_text(encoding="utf-8")
    assert f'href="{link.replace("&", "&amp;")}"' in page
    assert "Kirim WhatsApp ke +6281234567890" in page and "Kirim e-mail ke tu.smpn15@contoh.sch.id" in page
    assert page.count('class="card"') == len(short)


def test_the_reminders_leave_out_a_participant_once_complete(screened, tmp_path: Path) -> None:
    _, out = screened
    base = tmp_path / "again"
    shutil.copytree(out.parent, base)
    make_pdf(base / "inbox" / "SDN Sawojajar 1 kinerja baru.pdf", [cover(KINERJA, "SD NEGERI SAWOJAJAR 1"), BODY])
    again = run_once(RunConfig(base / "inbox", base / "roster.csv", base / "out", "2021",
                               Settings(workers=1, settle_seconds=0, isolate=False)))
    assert {r.participant.id: r.status for r in again.screening.participants}["sd-sawojajar-1"] is ParticipantStatus.COMPLETE
    ids = {r["ID peserta"] for r in _rows(load_workbook(base / "out" / "pengingat.xlsx").active)}
    assert "sd-sawojajar-1" not in ids and len(ids) == 14
