"""Tests for the synthetic KIPP inbox generator."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from flows.corpora.demo import (
    CATEGORIES,
    TruthRecord,
    generate_inbox,
    _unit_forms,
    malang_roster,
    province_roster,
    read_truth,
    write_roster,
    write_truth,
)

SEED = 7


def _listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def _normalised(text: str) -> str:
    return " ".join(text.split()).upper()


def _title_present(doc_type: str | None, cover_text: str) -> bool:
    text = _normalised(cover_text)
    if doc_type == "kinerja":
        return "KINERJA PENYELENGGARAAN PELAYANAN PUBLIK" in text
    if doc_type == "inovasi":
        return "PROPOSAL" in text and "INOVASI" in text and "KINERJA" not in text
    return "LAMPIRAN" in text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "inbox"
    roster = malang_roster("demo")
    return root, roster, generate_inbox(root, roster, seed=SEED)


def test_demo_roster_covers_every_category_with_existing_parents():
    roster = malang_roster("demo")
    ids = {r.id for r in roster}
    counts = Counter(r.category for r in roster)
    assert set(counts) == set(CATEGORIES)
    assert 35 <= len(roster) <= 45
    assert len(ids) == len(roster) and len({r.name for r in roster}) == len(roster)
    assert all(r.parent_id in ids for r in roster if r.parent_id)
    assert {"pd-dinkes", "pd-disdikbud", "kel-dinoyo", "pkm-dinoyo", "smp-05", "smp-15", "sd-sawojajar-1",
            "sd-sawojajar-2", "kec-kedungkandang", "kel-kedungkandang"} <= ids
    assert any(r.id.startswith("kec-") for r in roster)


def test_full_roster_has_the_2021_shape():
    roster = malang_roster("full", seed=3)
    assert Counter(r.category for r in roster) == {"perangkat_daerah": 28, "kelurahan": 57, "puskesmas": 16,
                                                   "smp": 27, "sd": 195}
    ids = {r.id for r in roster}
    assert len(ids) == 323 and len({r.name for r in roster}) == 323
    assert all(r.parent_id in ids for r in roster if r.parent_id)
    assert malang_roster("full", seed=3) == roster
    with pytest.raises(ValueError):
        malang_roster("huge")


def test_write_roster_csv(tmp_path):
    roster = malang_roster("demo")
    write_roster(tmp_path / "roster.csv", roster)
    with (tmp_path / "roster.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["id", "name", "category", "parent_id"]
    assert [(r["id"], r["parent_id"] or None) for r in rows] == [(r.id, r.parent_id) for r in roster]


def test_generation_is_deterministic(tmp_path):
    # Shown on a quarter of the demo roster (every category, the noise, the planted copies), since each
    # generation writes every file: the same seed twice gives the same files, byte for byte, and times.
    few = malang_roster("demo")[::4]
    assert {r.category for r in few} == set(CATEGORIES)
    first, again = tmp_path / "first", tmp_path / "again"
    truth = generate_inbox(first, few, seed=SEED)
    assert generate_inbox(again, few, seed=SEED) == truth
    assert _listing(again) == _listing(first)
    assert _hashes(again) == _hashes(first)  # PDF and DOCX bytes too
    mtimes = {p: (first / p).stat().st_mtime for p in _listing(first)}
    assert mtimes == {p: (again / p).stat().st_mtime for p in _listing(again)}
    # Another seed, another inbox: shown on an eighth of the roster (every category still), as only the
    # names are compared.
    fewer = malang_roster("demo")[::8]
    assert {r.category for r in fewer} == set(CATEGORIES)
    one = generate_inbox(tmp_path / "one", fewer, seed=SEED)
    other = generate_inbox(tmp_path / "other", fewer, seed=SEED + 1)
    assert [t.path for t in other] != [t.path for t in one]


def test_truth_matches_the_inbox(demo):
    root, roster, truth = demo
    assert sorted(t.path for t in truth) == _listing(root)  # every path exists, and nothing else was written
    ids = {r.id for r in roster}
    for record in truth:
        assert record.expected_status in ("accepted", "superseded", "quarantined")
        assert (record.participant_id is None) == (record.expected_status == "quarantined")
        assert record.participant_id is None or record.participant_id in ids
        assert record.doc_type in ("inovasi", "kinerja", None)
    accepted = Counter((t.participant_id, t.doc_type) for t in truth if t.expected_status == "accepted")
    assert max(accepted.values()) == 1
    kinds = Counter(t.naming for t in truth)
    for naming in ("unregistered", "anonymous", "resubmission"):
        assert kinds[naming] >= 2, kinds


def test_superseded_versions_are_older(demo):
    root, _, truth = demo
    newest = {(t.participant_id, t.doc_type): (root / t.path).stat().st_mtime
              for t in truth if t.expected_status == "accepted"}
    superseded = [t for t in truth if t.expected_status == "superseded"]
    assert superseded
    for record in superseded:
        assert (root / record.path).stat().st_mtime < newest[(record.participant_id, record.doc_type)]


def test_mtimes_fall_in_the_submission_window(demo):
    root, _, truth = demo
    stamps = [(root / t.path).stat().st_mtime for t in truth]
    assert min(stamps) >= 1609459200 and max(stamps) < 1614556800  # 2021-01-01 .. 2021-03-01 UTC


def test_pdfs_open_and_show_their_title(demo):
    root, _, truth = demo
    pdfs = [t for t in truth if t.path.lower().endswith(".pdf")]
    assert pdfs
    for record in pdfs:
        reader = PdfReader(root / record.path)
        assert 2 <= len(reader.pages) <= 4
        assert _title_present(record.doc_type, reader.pages[0].extract_text()), record


def test_docx_open_and_show_their_title(demo):
    root, _, truth = demo
    documents = [t for t in truth if t.path.lower().endswith(".docx")]
    assert documents
    for record in documents:
        document = docx.Document(str(root / record.path))
        cover = []
        for paragraph in document.paragraphs:
            if "w:br" in paragraph._p.xml and 'w:type="page"' in paragraph._p.xml:
                break
            cover.append(paragraph.text)
        assert _title_present(record.doc_type, "\n".join(cover)), record


def test_noise_free_inbox_has_only_accepted_documents(tmp_path):
    roster = malang_roster("demo")[::8]  # every category, an eighth of the files to write
    assert {r.category for r in roster} == set(CATEGORIES)
    truth = generate_inbox(tmp_path / "inbox", roster, seed=1, noise=False, missing_rate=0.0)
    assert {t.expected_status for t in truth} == {"accepted"}
    assert len(truth) == 2 * len(roster)


def test_truth_round_trip(demo, tmp_path):
    _, _, truth = demo
    write_truth(tmp_path / "truth.json", truth)
    loaded = read_truth(tmp_path / "truth.json")
    assert loaded == truth and all(isinstance(t, TruthRecord) for t in loaded)


def test_province_roster_has_the_regions_and_look_alikes_of_jawa_timur():
    roster = malang_roster("province", seed=1)
    assert 2600 <= len(roster) <= 2900
    ids = {r.id for r in roster}
    assert len(ids) == len(roster)
    assert all(r.parent_id in ids for r in roster if r.parent_id)
    assert province_roster(1) == roster and province_roster(2) != roster
    regions = {r.name.split(" Negeri 1 ", 1)[1] for r in roster if r.name.startswith("SMP Negeri 1 ")}
    assert len(regions) == 38
    for place in ("Malang", "Kediri", "Blitar", "Mojokerto", "Pasuruan", "Probolinggo", "Madiun"):
        assert {f"Kota {place}", f"Kabupaten {place}"} <= regions
    # Numbered schools and village names repeat from region to region: only the region tells them apart.
    names = Counter(r.name for r in roster)
    assert names["SD Negeri Sukorejo 1"] >= 2 or names["UPT Puskesmas Sukorejo"] >= 2
    assert any(r.name.startswith("UPTD PPA Dinas") for r in roster)
    assert any(r.name.startswith("UPT Pemadam Kebakaran pada Satuan Polisi Pamong Praja") for r in roster)
    assert any(r.name.startswith("Bidang ") and "BAPPEDA" in r.name for r in roster)


def test_province_units_are_written_with_and_without_their_region(tmp_path):
    forms = _unit_forms("SMP Negeri 17 Kota Surabaya")
    assert {"SMPN 17 SBY", "SMPN 17 SUR", "SMPN 17 Kota Surabaya", "SMPN 17"} <= set(forms.file_forms)
    assert "SMP NEGERI 17\nKOTA SURABAYA" in forms.cover_forms
    long = _unit_forms("Dinas Sosial, Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan "
                       "Keluarga Berencana Kabupaten Blitar")
    assert "Dinsos-P3AP2KB Kab. Blitar" in long.file_forms
    assert long.cover_forms[0].count("\n") == 3  # wrapped over three lines, then the region
    # Four units of Kabupaten Malang (their eight files, where twelve units wrote 24 and eight were read):
    # every PDF cover among them names the Kabupaten, never the Kota.
    roster = [r for r in province_roster(1) if r.id.startswith("kabupaten-malang-") and r.parent_id is None][:4]
    truth = generate_inbox(tmp_path, roster, seed=1, noise=False, missing_rate=0.0)
    pdfs = [record for record in truth if record.path.lower().endswith(".pdf")]
    assert pdfs
    for record in pdfs:
        text = _normalised(PdfReader(tmp_path / record.path).pages[0].extract_text())
        assert "KABUPATEN MALANG" in text and "KOTA MALANG" not in text, record
