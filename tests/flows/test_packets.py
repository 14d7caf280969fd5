"""The judges' packets, built from real PDF and DOCX files: exactly each judge's proposals, the originals
byte for byte, reproducible zips, scoring sheets a returned copy can be read back from, safe names."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.packets import (
    DEFAULT_CRITERIA,
    Criteria,
    CriteriaError,
    Criterion,
    PacketProposal,
    build_packet,
    load_criteria,
    packet_id,
    safe_dir_name,
    safe_name,
)
from flows.reporting.pages import render
from models.duplicates.flags import Decision, DuplicateFlag, DuplicateKind, Passage, Severity
from models.inbox import printable
from models.records import (
    Category,
    DocType,
    FileStatus,
    InputFormat,
    Judge,
    Outcome,
    Participant,
    ParticipantResult,
    ParticipantStatus,
    Reason,
    ThemeAssignment,
    ThemeSource,
)
from tests.conftest import BODY, cover, make_docx, make_pdf, thorough_examples
from tests.flows.test_reporting import HOSTILE, OWN_TAGS, _Page

HANDED_AT = "2026-12-01T09:00:00+00:00"
RINA = Judge("j-rina", "Dr. Rina Kusuma", None, ("layanan_kesehatan",))
BUDI = Judge("j-budi", "Budi Santoso", "pd-capil", ("administrasi_kependudukan",))
# A member name of a packet zip: the judge's folder, then one flat, plain ASCII name.
SAFE_MEMBER = re.compile(r"[A-Za-z0-9_-]{1,80}/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")


# -- the inbox: real files and the outcomes screening gave them -----------------------------------------------


def outcome(inbox: Path, path: str, pid: str, doc_type: DocType, status: FileStatus = FileStatus.ACCEPTED) -> Outcome:
    data = (inbox / path).read_bytes()
    fmt = InputFormat.PDF if data.startswith(b"%PDF-") else InputFormat.DOCX
    reason = Reason.NEWER_VERSION if status is FileStatus.SUPERSEDED else None
    return Outcome(path, hashlib.sha256(data).hexdigest(), len(data), status, reason, pid, doc_type, pages=2,
                   format=fmt)


def write_pair(inbox: Path, folder: str, name: str, inovasi_docx: bool = False) -> tuple[str, str]:
    """Both proposals of one unit, one of them a DOCX when asked; the inbox-relative paths."""
    inovasi = f"{folder}/Proposal Inovasi {name}.{'docx' if inovasi_docx else 'pdf'}"
    if inovasi_docx:
        make_docx(inbox / inovasi, [cover("PROPOSAL INOVASI", name), BODY])
    else:
        make_pdf(inbox / inovasi, [cover("PROPOSAL INOVASI", name), BODY])
    kinerja = f"{folder}/kinerja_{folder}.pdf"
    make_pdf(inbox / kinerja, [cover("PROPOSAL KINERJA", name), BODY + f"\n{name}"])
    return inovasi, kinerja


def proposal(inbox: Path, participant: Participant, paths: tuple[str, str], *, theme: ThemeAssignment | None = None,
             history: tuple[str, ...] = (), flags: tuple[DuplicateFlag, ...] = (), title: str | None = None,
             expertise_match: bool = False) -> PacketProposal:
    pid = participant.id
    result = ParticipantResult(participant, ParticipantStatus.COMPLETE, paths[0], paths[1], history=history,
                               theme=theme)
    return PacketProposal(
        result, outcome(inbox, paths[0], pid, DocType.INOVASI), outcome(inbox, paths[1], pid, DocType.KINERJA),
        tuple(outcome(inbox, h, pid, DocType.INOVASI, FileStatus.SUPERSEDED) for h in history), flags,
        expertise_match, title,
    )


def plain_reader(inbox: Path):
    """Reads a file as it is now; build_packet checks the bytes against the screened sha256 itself."""
    return lambda o: (inbox / o.path).read_bytes()


def checked_reader(inbox: Path):
    """As the pipeline reads an original: gone is an OSError, changed a ValueError."""
    def read(o: Outcome) -> bytes:
        data = (inbox / o.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != o.sha256:
            raise ValueError(f"{o.path}: sha256 changed")
        return data
    return read


SD = Participant("sd-sawojajar-1", "SD Negeri Sawojajar 1", Category.SD, "pd-disdikbud")
PKM = Participant("pkm-rampal", "UPT Puskesmas Rampal Celaket", Category.PUSKESMAS, "pd-dinkes")
KEL = Participant("kel-bunulrejo", "Kelurahan Bunulrejo", Category.KELURAHAN, "kec-blimbing")
SMP = Participant("smp-05", "SMP Negeri 5 Malang", Category.SMP, "pd-disdikbud")


@pytest.fixture
def season(tmp_path: Path) -> tuple[Path, dict[str, PacketProposal]]:
    """Four complete participants: a DOCX, an older version, a high near-duplicate pair (SD and puskesmas)."""
    inbox = tmp_path / "inbox"
    paths = {p.id: write_pair(inbox, p.id, p.name, inovasi_docx=p is SD) for p in (SD, PKM, KEL, SMP)}
    old = "smp-05/Proposal Inovasi lama.pdf"
    make_pdf(inbox / old, [cover("PROPOSAL INOVASI", SMP.name), "versi pertama"])
    near = DuplicateFlag(
        paths[PKM.id][0], paths[SD.id][0], DuplicateKind.NEAR, 0.63,
        (Passage("antrean dengan pendaftaran daring di puskesmas", "antrean dengan pendaftaran daring di sekolah",
                 12, 0.91),),
        Severity.HIGH, a_sha256=outcome(inbox, paths[PKM.id][0], PKM.id, DocType.INOVASI).sha256,
        b_sha256=outcome(inbox, paths[SD.id][0], SD.id, DocType.INOVASI).sha256, a_participant=PKM.id,
        b_participant=SD.id,
    )
    theme = ThemeAssignment(PKM.id, "layanan_kesehatan", "Layanan Kesehatan", 0.82, "administrasi", ThemeSource.MODEL,
                            False)
    proposals = {
        SD.id: proposal(inbox, SD, paths[SD.id], flags=(near,), title="SIAP ANTRE (Sistem Antrean Pintar)"),
        PKM.id: proposal(inbox, PKM, paths[PKM.id], theme=theme, flags=(near,), expertise_match=True),
        KEL.id: proposal(inbox, KEL, paths[KEL.id]),
        SMP.id: proposal(inbox, SMP, paths[SMP.id], history=(old,)),
    }
    return inbox, proposals


def members(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# -- what a packet holds -----------------------------------------------------------------------------------------


def test_each_packet_holds_exactly_its_assignments_and_the_originals_byte_for_byte(season, tmp_path: Path) -> None:
    inbox, proposals = season
    root = tmp_path / "out" / "paket"
    rina = build_packet(root, RINA, [proposals[i] for i in (PKM.id, SD.id, KEL.id)], DEFAULT_CRITERIA, "2021",
                        HANDED_AT, checked_reader(inbox))
    budi = build_packet(root, BUDI, [proposals[SMP.id], proposals[KEL.id]], DEFAULT_CRITERIA, "2021", HANDED_AT,
                        checked_reader(inbox))

    # Numbered by participant id: kel-bunulrejo, pkm-rampal, sd-sawojajar-1; each original as what it is.
    assert set(members(rina.zip)) == {f"j-rina/{n}" for n in (
        "01_kel-bunulrejo_inovasi.pdf", "01_kel-bunulrejo_kinerja.pdf", "01_kel-bunulrejo_lembar.html",
        "02_pkm-rampal_inovasi.pdf", "02_pkm-rampal_kinerja.pdf", "02_pkm-rampal_lembar.html",
        "03_sd-sawojajar-1_inovasi.docx", "03_sd-sawojajar-1_kinerja.pdf", "03_sd-sawojajar-1_lembar.html",
        "index.html", "penilaian_j-rina.csv", "penilaian_j-rina.xlsx")}
    assert set(members(budi.zip)) == {f"j-budi/{n}" for n in (
        "01_kel-bunulrejo_inovasi.pdf", "01_kel-bunulrejo_kinerja.pdf", "01_kel-bunulrejo_lembar.html",
        "02_smp-05_inovasi.pdf", "02_smp-05_kinerja.pdf", "02_smp-05_lembar.html",
        "index.html", "penilaian_j-budi.csv", "penilaian_j-budi.xlsx")}
    assert (rina.folder, rina.zip) == (root / "j-rina", root / "j-rina.zip") and not rina.problems
    for packet in (rina, budi):
        zipped = members(packet.zip)
        on_disk = folder_bytes(packet.folder)
        assert packet.files == tuple(on_disk) and {f"{packet.folder.name}/{n}" for n in on_disk} == set(zipped)
        assert all(zipped[f"{packet.folder.name}/{n}"] == data for n, data in on_disk.items())
    sd_inovasi = (inbox / proposals[SD.id].inovasi.path).read_bytes()
    assert members(rina.zip)["j-rina/03_sd-sawojajar-1_inovasi.docx"] == sd_inovasi
    assert members(budi.zip)["j-budi/02_smp-05_kinerja.pdf"] == (inbox / proposals[SMP.id].kinerja.path).read_bytes()

    # Nothing of Rina's other proposals in Budi's packet: not a name, an id, a path or a score row.
    budi_text = b"".join(data for name, data in members(budi.zip).items() if not name.endswith((".pdf", ".xlsx")))
    for other in (SD, PKM):
        assert other.id.encode() not in budi_text and other.name.encode() not in budi_text
    xlsx = openpyxl.load_workbook(budi.folder / "penilaian_j-budi.xlsx")
    cells = {str(c.value) for ws in xlsx for row in ws.iter_rows() for c in row if c.value is not None}
    assert not {SD.id, PKM.id, SD.name, PKM.name} & cells and {KEL.id, SMP.id} <= cells


def test_the_index_and_the_sheets_show_what_screening_found(season, tmp_path: Path) -> None:
    inbox, proposals = season
    packet = build_packet(tmp_path / "paket", RINA, list(proposals.values()), DEFAULT_CRITERIA, "2021", HANDED_AT,
                          checked_reader(inbox))
    index = (packet.folder / "index.html").read_text(encoding="utf-8")
    for c in DEFAULT_CRITERIA.items:
        assert c.label in index and c.description in index
    assert "bilangan bulat 1 sampai 100" in index and "diserahkan 01-12-2026 16:00 WIB" in index
    assert 'href="penilaian_j-rina.xlsx"' in index and 'href="02_pkm-rampal_lembar.html"' in index
    assert packet.packet_id in index

    sd = (packet.folder / "03_sd-sawojajar-1_lembar.html").read_text(encoding="utf-8")
    assert "SIAP ANTRE (Sistem Antrean Pintar)" in sd and "Lengkap" in sd and "SD" in sd
    # The flag with its evidence side by side, this proposal's passage first, and a link to the other's sheet.
    assert "salinan yang disunting" in sd and "tinggi" in sd and "skor 0.63" in sd
    assert sd.index("di sekolah") < sd.index("di puskesmas")
    assert 'href="02_pkm-rampal_lembar.html"' in sd and PKM.name in sd
    pkm = (packet.folder / "02_pkm-rampal_lembar.html").read_text(encoding="utf-8")
    assert "Layanan Kesehatan" in pkm and "82%" in pkm and "sumber: model" in pkm
    assert pkm.index("di puskesmas") < pkm.index("di sekolah") and 'href="03_sd-sawojajar-1_lembar.html"' in pkm
    smp = (packet.folder / "04_smp-05_lembar.html").read_text(encoding="utf-8")
    assert "smp-05/Proposal Inovasi lama.pdf" in smp and "Tidak ada versi lama" not in smp
    assert "Tidak ada versi lama" in (packet.folder / "01_kel-bunulrejo_lembar.html").read_text(encoding="utf-8")


# -- reproducible, replaced whole ------------------------------------------------------------------------------


def test_a_rebuild_is_byte_identical_and_a_smaller_one_drops_what_is_no_longer_assigned(season, tmp_path: Path) -> None:
    inbox, proposals = season
    root = tmp_path / "paket"
    everything = list(proposals.values())
    first = build_packet(root, RINA, everything, DEFAULT_CRITERIA, "2021", HANDED_AT, plain_reader(inbox))
    zip_bytes, files = first.zip.read_bytes(), folder_bytes(first.folder)
    # Reversed input and a stale half-built packet left by a killed run change nothing.
    (root / ".j-rina.baru-killed").mkdir()
    (root / ".j-rina.zip.baru").write_bytes(b"half")
    again = build_packet(root, RINA, everything[::-1], DEFAULT_CRITERIA, "2021", HANDED_AT, plain_reader(inbox))
    assert again == first
    assert again.zip.read_bytes() == zip_bytes and folder_bytes(again.folder) == files
    assert sorted(p.name for p in root.iterdir()) == ["j-rina", "j-rina.zip"]

    # Every member and every file carries the hand-off time (WIB in the zip) and one mode.
    handed = datetime.fromisoformat(HANDED_AT)
    with zipfile.ZipFile(first.zip) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {handed.astimezone(ZoneInfo("Asia/Jakarta")).timetuple()[:6]}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    # Compressed formats are stored as they are; pages and the CSV are deflated.
    assert {i.filename.rsplit(".", 1)[1] for i in infos if i.compress_type == zipfile.ZIP_STORED} == {"pdf", "docx",
                                                                                                    "xlsx"}
    assert {i.filename.rsplit(".", 1)[1] for i in infos if i.compress_type == zipfile.ZIP_DEFLATED} == {"html", "csv"}
    assert {p.stat().st_mtime for p in first.folder.iterdir()} == {handed.timestamp()}
    with zipfile.ZipFile(first.folder / "penilaian_j-rina.xlsx") as xlsx:
        assert {i.date_time for i in xlsx.infolist()} == {(2026, 12, 1, 16, 0, 0)}
        assert b"2026-12-01T09:00:00Z" in xlsx.read("docProps/core.xml")

    smaller = build_packet(root, RINA, [proposals[SMP.id]], DEFAULT_CRITERIA, "2021", HANDED_AT, plain_reader(inbox))
    assert smaller.packet_id != first.packet_id
    assert sorted(p.name for p in smaller.folder.iterdir()) == [
        "01_smp-05_inovasi.pdf", "01_smp-05_kinerja.pdf", "01_smp-05_lembar.html", "index.html",
        "penilaian_j-rina.csv", "penilaian_j-rina.xlsx"]
    assert len(members(smaller.zip)) == 6 and sorted(p.name for p in root.iterdir()) == ["j-rina", "j-rina.zip"]


@pytest.mark.parametrize("reader", [checked_reader, plain_reader])
def test_an_original_gone_or_changed_is_left_out_and_said_so(season, tmp_path: Path, reader) -> None:
    inbox, proposals = season
    changed, gone = proposals[KEL.id].kinerja, proposals[SMP.id].inovasi
    make_pdf(inbox / changed.path, [cover("PROPOSAL KINERJA", KEL.name), "isi diganti setelah disaring"])
    (inbox / gone.path).unlink()
    packet = build_packet(tmp_path / "paket", RINA, [proposals[KEL.id], proposals[SMP.id]], DEFAULT_CRITERIA, "2021",
                          HANDED_AT, reader(inbox))
    assert [(p.participant_id, p.doc_type, p.path) for p in packet.problems] == [
        (KEL.id, DocType.KINERJA, changed.path), (SMP.id, DocType.INOVASI, gone.path)]
    assert "berubah sejak disaring" in packet.problems[0].reason
    assert packet.problems[1].reason == "berkas tidak ada lagi di kotak masuk"
    names = set(members(packet.zip))
    assert "j-rina/01_kel-bunulrejo_kinerja.pdf" not in names and "j-rina/02_smp-05_inovasi.pdf" not in names
    assert {"j-rina/01_kel-bunulrejo_inovasi.pdf", "j-rina/02_smp-05_kinerja.pdf"} <= names
    index = (packet.folder / "index.html").read_text(encoding="utf-8")
    assert "2 berkas tidak dapat disertakan" in index and "berkas tidak ada lagi di kotak masuk" in index
    sheet = (packet.folder / "02_smp-05_lembar.html").read_text(encoding="utf-8")
    assert "tidak disertakan</span>: berkas tidak ada lagi di kotak masuk" in sheet
    assert 'href="02_smp-05_inovasi.pdf"' not in sheet and 'href="02_smp-05_kinerja.pdf"' in sheet


def test_a_packet_refuses_a_participant_twice_or_not_complete(season, tmp_path: Path) -> None:
    inbox, proposals = season
    with pytest.raises(ValueError, match="once"):
        build_packet(tmp_path, RINA, [proposals[SD.id]] * 2, DEFAULT_CRITERIA, "2021", HANDED_AT, plain_reader(inbox))
    p = proposals[SD.id]
    from dataclasses import replace

    missing = replace(p, participant=replace(p.participant, status=ParticipantStatus.MISSING_KINERJA))
    with pytest.raises(ValueError, match="complete"):
        build_packet(tmp_path, RINA, [missing], DEFAULT_CRITERIA, "2021", HANDED_AT, plain_reader(inbox))
    assert not list(tmp_path.glob("j-rina*"))


def test_a_judge_without_proposals_gets_an_index_and_an_empty_sheet(tmp_path: Path) -> None:
    packet = build_packet(tmp_path, RINA, [], DEFAULT_CRITERIA, "2021", HANDED_AT, lambda o: b"")
    assert packet.files == ("index.html", "penilaian_j-rina.csv", "penilaian_j-rina.xlsx")
    assert "Belum ada proposal" in (packet.folder / "index.html").read_text(encoding="utf-8")
    ws = openpyxl.load_workbook(packet.folder / "penilaian_j-rina.xlsx")["Penilaian"]
    assert ws.max_row == 2 and not ws.data_validations.dataValidation


# -- the scoring sheet -------------------------------------------------------------------------------------------


def test_the_xlsx_validates_scores_to_the_scale_and_hides_the_identifiers(season, tmp_path: Path) -> None:
    inbox, proposals = season
    criteria = Criteria((Criterion("inovatif", "Inovatif"), Criterion("dampak", "Dampak", "Dampak nyata")), 1, 5)
    rows = [proposals[i] for i in (KEL.id, SD.id, SMP.id)]
    packet = build_packet(tmp_path, RINA, rows, criteria, "2021", HANDED_AT, plain_reader(inbox))
    workbook = openpyxl.load_workbook(packet.folder / "penilaian_j-rina.xlsx")
    assert workbook.sheetnames == ["Penilaian", "Petunjuk", "kipp"]
    assert [ws.sheet_state for ws in workbook] == ["visible", "visible", "hidden"]
    assert workbook.security.lockStructure
    ws = workbook["Penilaian"]
    ids = [c.value for c in ws[2]]
    assert ids == ["no", "peserta", "kategori", "tema", "judul_inovasi", "inovatif", "dampak", "jumlah", "catatan",
                   "id_peserta", "id_juri", "id_paket"]
    assert [c.value for c in ws[1]][5:7] == ["Inovatif", "Dampak"] and ws.row_dimensions[2].hidden
    column = {name: openpyxl.utils.get_column_letter(i) for i, name in enumerate(ids, 1)}
    assert [n for n in ids if ws.column_dimensions[column[n]].hidden] == ["id_peserta", "id_juri", "id_paket"]
    data = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(data) == 3 == ws.max_row - 2
    assert [(r[0], r[9], r[10], r[11]) for r in data] == [
        (1, KEL.id, RINA.id, packet.packet_id), (2, SD.id, RINA.id, packet.packet_id),
        (3, SMP.id, RINA.id, packet.packet_id)]
    assert data[1][4] == "SIAP ANTRE (Sistem Antrean Pintar)" and data[0][7] == "=SUM(F3:G3)"
    (validation,) = ws.data_validations.dataValidation
    assert (validation.type, validation.operator, validation.formula1, validation.formula2) == ("whole", "between",
                                                                                                "1", "5")
    assert str(validation.sqref) == "F3:G5" and validation.showErrorMessage and validation.errorStyle == "stop"
    # Only scores and notes can be changed.
    assert ws.protection.sheet
    unlocked = {c.coordinate for row in ws.iter_rows(min_row=1) for c in row if not c.protection.locked}
    assert unlocked == {f"{col}{r}" for col in "FGI" for r in (3, 4, 5)}
    facts = dict(workbook["kipp"].iter_rows(values_only=True))
    assert facts["format"] == "kipp-penilaian" and facts["id_juri"] == RINA.id
    assert facts["id_paket"] == packet.packet_id == packet_id(RINA.id, rows, criteria, "2021")
    assert (facts["skala_terendah"], facts["skala_tertinggi"], facts["kriteria"]) == (1, 5, "inovatif,dampak")
    guide = [c.value for row in workbook["Petunjuk"].iter_rows() for c in row]
    assert "Dampak nyata" in guide and RINA.name in guide


def test_the_csv_has_the_column_ids_a_bom_and_no_formula(season, tmp_path: Path) -> None:
    inbox, proposals = season
    formula = Participant(KEL.id, "=HYPERLINK(\"http://x\",\"klik\")", Category.KELURAHAN)
    p = proposals[KEL.id]
    from dataclasses import replace

    hostile = replace(p, participant=replace(p.participant, participant=formula), title="+cmd|' /C calc'!A0")
    packet = build_packet(tmp_path, RINA, [hostile, proposals[SD.id]], DEFAULT_CRITERIA, "2021", HANDED_AT,
                          plain_reader(inbox))
    raw = (packet.folder / "penilaian_j-rina.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["no", "peserta", "kategori", "tema", "judul_inovasi", "kebaruan", "efektivitas",
                       "kebermanfaatan", "dapat_direplikasi", "keberlanjutan", "catatan", "id_peserta", "id_juri",
                       "id_paket"]
    assert len(rows) == 3 and rows[1][1] == "'" + formula.name and rows[1][4] == "'+cmd|' /C calc'!A0"
    assert rows[2][11:] == [SD.id, RINA.id, packet.packet_id] and rows[2][5:11] == [""] * 6
    # In the workbook the same text is a text cell, never a formula.
    ws = openpyxl.load_workbook(packet.folder / "penilaian_j-rina.xlsx")["Penilaian"]
    assert ws["B3"].value == formula.name and ws["B3"].data_type == "s"


# -- criteria files ----------------------------------------------------------------------------------------------


def test_default_criteria_are_kota_malangs_five_on_a_1_to_100_scale() -> None:
    assert [c.id for c in DEFAULT_CRITERIA.items] == [
        "kebaruan", "efektivitas", "kebermanfaatan", "dapat_direplikasi", "keberlanjutan"]
    assert all(c.description for c in DEFAULT_CRITERIA.items)
    assert (DEFAULT_CRITERIA.low, DEFAULT_CRITERIA.high) == (1, 100)


@pytest.mark.parametrize("content, expected", [
    ("id,label,description\nkebaruan,Kebaruan,\"Baru, bukan tiruan\"\ndampak,Dampak\n",
     Criteria((Criterion("kebaruan", "Kebaruan", "Baru, bukan tiruan"), Criterion("dampak", "Dampak")))),
    ("\ufeff# skala 1-5\n# catatan panitia\nID;Label\nkebaruan;Kebaruan;;\n\n;;\n",
     Criteria((Criterion("kebaruan", "Kebaruan"),), 1, 5)),
    ("id,label\n# Skala: 0 – 10\na_1,  Nilai   A \n", Criteria((Criterion("a_1", "Nilai A"),), 0, 10)),
    ("id,label,description\nx,X,\"dua\nbaris\"\n", Criteria((Criterion("x", "X", "dua baris"),))),
], ids=["comma", "semicolon-bom-scale", "scale-anywhere", "multiline-description"])
def test_a_good_criteria_file(tmp_path: Path, content: str, expected: Criteria) -> None:
    path = tmp_path / "kriteria.csv"
    path.write_text(content, encoding="utf-8")
    assert load_criteria(path) == expected


@pytest.mark.parametrize("content, message", [
    ("", "berkas kosong"),
    ("# skala 1-5\n", "berkas kosong"),
    ("id,label\n", "tidak ada kriteria"),
    ("kode,nama\nkebaruan,Kebaruan\n", "baris 1: judul kolom 'kode,nama' tidak dikenal"),
    ("id,label,bobot\nkebaruan,Kebaruan,30\n", "baris 1: judul kolom"),
    ("id,label\n,Kebaruan\n", "baris 2: id kosong"),
    ("id,label\nKebaruan!,Kebaruan\n", "baris 2: id 'Kebaruan!' tidak sah"),
    ("id,label\nkebaruan,Kebaruan\nkebaruan,Lagi\n", "baris 3: id 'kebaruan' ganda (pertama pada baris 2)"),
    ("id,label\nkebaruan,\n", "baris 2: label kosong"),
    ("id,label\nkebaruan," + "x" * 81 + "\n", "baris 2: label lebih dari 80 karakter"),
    ("id,label\nkebaruan,Kebaruan,baru,sekali\n", "baris 2: kolom lebih banyak dari judulnya"),
    ("# skala satu-lima\nid,label\nkebaruan,Kebaruan\n", "baris 1: skala tidak terbaca"),
    ("# skala 5-1\nid,label\nkebaruan,Kebaruan\n", "baris 1: skala 5-1: nilai terendah harus di bawah"),
    ("# skala 1-5\n# skala 1-10\nid,label\nkebaruan,Kebaruan\n", "baris 2: skala sudah ditulis pada baris 1"),
    ("id,label\n" + "".join(f"k{i},K{i}\n" for i in range(21)), "21 kriteria; paling banyak 20"),
], ids=["empty", "only-notes", "no-rows", "bad-header", "unknown-column", "empty-id", "bad-id", "duplicate-id",
        "empty-label", "long-label", "extra-cell", "bad-scale", "reversed-scale", "two-scales", "too-many"])
def test_a_bad_criteria_file_names_the_line_and_the_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "kriteria.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CriteriaError, match=re.escape(message)) as e:
        load_criteria(path)
    assert str(e.value).startswith(f"{path}: ")
    assert e.value.exit_code == 3


def test_every_bad_line_of_a_criteria_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "kriteria.csv"
    path.write_text("# skala 9-2\nid,label\n,A\nB,B\nc,\nc,C\nd,D\n", encoding="utf-8")
    with pytest.raises(CriteriaError) as e:
        load_criteria(path)
    lines = str(e.value).splitlines()
    assert lines[0] == f"{path}: 4 masalah:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["baris 1", "baris 3", "baris 4", "baris 5"]


@pytest.mark.parametrize("kind", ["xlsx", "folder"])
def test_a_criteria_workbook_or_folder_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "kriteria.csv"
    if kind == "folder":
        path.mkdir()
    else:
        openpyxl.Workbook().save(path)
    with pytest.raises(CriteriaError, match="spreadsheet" if kind == "xlsx" else "folder"):
        load_criteria(path)


# -- hostile names and strings -----------------------------------------------------------------------------------


HOSTILE_IDS = ["../../etc/passwd", "/abs", "a\nb", "\u202egpj.exe", "x" * 500, "Sekolah Dasar Négeri ☺ 1",
               "..", "C:\\Windows\\x", "con", ""]


def test_hostile_ids_and_submitted_names_give_safe_names_inside_the_zip(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    proposals = []
    for i, pid in enumerate(HOSTILE_IDS):
        participant = Participant(pid, f"Peserta {i}", Category.SD)
        # Submitted names as hostile as the ids: a newline, an override, a folder climb in the stored path.
        paths = write_pair(inbox, f"p{i}", f"nama\u202e{i}\n")
        proposals.append(proposal(inbox, participant, paths))
    root = tmp_path / "paket"
    packet = build_packet(root, Judge("../juri/\x1b[31m", "Juri", None, ()), proposals, DEFAULT_CRITERIA, "2021",
                          HANDED_AT, plain_reader(inbox))
    assert packet.folder.parent == root and packet.zip.parent == root and packet.zip.name.endswith(".zip")
    names = list(members(packet.zip))
    assert len(names) == 3 * len(HOSTILE_IDS) + 3
    for name in names:
        assert SAFE_MEMBER.fullmatch(name), name
        assert ".." not in name and name.isascii() and len(name) < 200
    assert {p.resolve().parent for p in packet.folder.iterdir()} == {packet.folder.resolve()}
    # Each proposal keeps its own files even where two ids read the same once made safe.
    assert len({n.split("/")[1][:2] for n in names if "_lembar" in n}) == len(HOSTILE_IDS)


@thorough_examples(300)
@given(number=st.integers(0, 999), pid=st.text(), doc=st.text(), ext=st.text())
def test_safe_name_is_safe_whatever_it_is_given(number: int, pid: str, doc: str, ext: str) -> None:
    name = safe_name(number, pid, doc, ext)
    assert re.fullmatch(r"[0-9]{2,3}_[A-Za-z0-9][A-Za-z0-9_-]*(\.[a-z0-9]{1,8})?", name), name
    assert ".." not in name and "/" not in name and "\\" not in name and name.isprintable()
    assert len(name) <= 3 + 1 + 60 + 1 + 20 + 1 + 8


@thorough_examples(300)
@given(a=st.text(), b=st.text())
def test_two_judge_ids_never_share_a_folder(a: str, b: str) -> None:
    x, y = safe_dir_name(a), safe_dir_name(b)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", x) and len(x) <= 69 and x.lower() not in ("con", "nul")
    assert (x == y) == (a == b)


def hostile(field: str) -> str:
    return f"[{field}]{HOSTILE}"


def test_hostile_strings_in_every_field_never_reach_a_packet_page_unescaped(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    paths = write_pair(inbox, "p", "Peserta")
    old = "p/lama.pdf"
    make_pdf(inbox / old, ["versi lama"])
    participant = Participant(hostile("id"), hostile("name"), Category.SMP)
    theme = ThemeAssignment(participant.id, hostile("theme"), hostile("theme_label"), 0.4, hostile("runner_up"),
                            ThemeSource.MODEL, True)
    base = proposal(inbox, participant, paths, theme=theme, title=hostile("title"))
    from dataclasses import replace

    flag = DuplicateFlag(base.inovasi.path, hostile("other_path"), DuplicateKind.NEAR, 0.5,
                         (Passage(hostile("passage_a"), hostile("passage_b"), 10, 0.9),), Severity.HIGH,
                         edition=hostile("flag_edition"), a_participant=participant.id,
                         b_participant=hostile("other_participant"), decision=Decision.CONFIRMED)
    item = replace(
        base,
        participant=replace(base.participant, review=(hostile("review"),)),
        inovasi=replace(base.inovasi, path=hostile("inovasi_path"), review=hostile("outcome_review")),
        history=(replace(outcome(inbox, old, participant.id, DocType.INOVASI, FileStatus.SUPERSEDED),
                         path=hostile("history_path")),),
        flags=(replace(flag, a=hostile("inovasi_path")),),
    )
    criteria = Criteria((Criterion("k", hostile("criterion_label"), hostile("criterion_description")),))
    judge = Judge(hostile("judge_id"), hostile("judge_name"), None, ())

    def reader(o: Outcome) -> bytes:
        if o.path == hostile("inovasi_path"):
            raise ValueError(hostile("missing_detail"))
        return (inbox / o.path).read_bytes()

    packet = build_packet(tmp_path / "paket", judge, [item], criteria, hostile("edition"), HANDED_AT, reader)
    fields = {"id", "name", "theme_label", "runner_up", "title", "review", "inovasi_path", "outcome_review",
              "history_path", "other_path", "passage_a", "passage_b", "flag_edition", "other_participant",
              "criterion_label", "criterion_description", "judge_id", "judge_name", "edition", "missing_detail"}
    shown: set[str] = set()
    pages = [p for p in packet.folder.iterdir() if p.suffix == ".html"]
    assert len(pages) == 2
    for path in pages:
        page = path.read_text(encoding="utf-8")
        parsed = _Page(page)
        assert parsed.tags <= OWN_TAGS | {"ol"}, (path.name, parsed.tags - OWN_TAGS)
        assert not [name for name, _ in parsed.attributes if name.startswith("on") or name == "src"], path.name
        for raw in ("<script", "<img", "'x'", "\x1b", "\u202e", "\u2028"):
            assert raw not in page, (path.name, raw)
        shown |= {field for field in fields if printable(hostile(field)) in parsed.text}
    assert shown == fields, fields - shown
    # The sheets hold the same strings, as text, with their controls visible.
    ws = openpyxl.load_workbook(packet.folder / packet.files[-1])["Penilaian"]
    assert ws["B3"].value == printable(hostile("name")) and ws["E3"].value == printable(hostile("title"))


def test_the_packet_templates_are_strict() -> None:
    import jinja2

    for template in ("packet_index.html.j2", "packet_sheet.html.j2"):
        with pytest.raises(jinja2.UndefinedError):
            render(template, edition="2021")
