"""kipp ui, the admin web app (issue 12), through FastAPI's TestClient over a real run's output folder.

One small edition is screened once per module by the real steps (run_once) from real PDFs: two
participants share an edited proposal (a near-duplicate flag), one file is empty (quarantined), one
is nobody's, and hostile text sits in an innovation's title, a file name, a roster name and the
shared passage. Tests that decide work on a copy of the output folder.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import threading
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from flows.cli import main
from flows.steps import RunConfig, run_once
from flows.steps.context import OutputPaths, PanelFiles
from flows.ui.app import create_app, templates
from flows.ui.edition import natural_key
from flows.ui.handoff import HandoffInputs
from models.ledger import Ledger
from models.records import FileStatus, Reason
from models.reminders import remedy
from models.settings import Settings
from models.themes import load_taxonomy
from tests.conftest import ROSTER_CSV, cover, make_pdf
from tests.flows.test_language import INDONESIAN, _OwnText

UI = Path(__file__).resolve().parents[2] / "flows" / "ui"
LOCAL = "http://127.0.0.1"

# Hostile text, one per place an admin reads it; none may reach a page as markup.
TITLE_SCRIPT = "<script>window.kippTitle=1</script>"
NAME_SCRIPT = "<script>window.kippRoster=1</script>"
FILE_SCRIPT = "<script>window.kippFile=1<"  # a folder name; the file below it starts with "script>"
EVIDENCE_SCRIPT = "<script>window.kippEvidence=1</script>"
HOSTILE = (TITLE_SCRIPT, NAME_SCRIPT, "<script>window.kippFile=1</script>", EVIDENCE_SCRIPT)

ROSTER = ROSTER_CSV + f"""smp-01,SMP Negeri 1 Malang,smp,pd-disdikbud
smp-03,SMP Negeri 3 Malang,smp,pd-disdikbud
smp-11,SMP Negeri 11 Malang,smp,pd-disdikbud
smp-21,SMP Negeri 21 Malang {NAME_SCRIPT},smp,pd-disdikbud
"""

SHARED = (
    "Latar belakang inovasi ini adalah antrean panjang warga yang mengurus surat keterangan di loket kami.\n"
    "Setiap pagi warga datang sebelum loket dibuka dan menunggu berjam jam tanpa kepastian jadwal.\n"
    f"Kami membangun layanan pendaftaran daring {EVIDENCE_SCRIPT} yang memberi nomor antrean lewat pesan.\n"
    "Petugas menerima daftar permohonan sehari sebelumnya sehingga berkas dapat disiapkan lebih awal.\n"
    "Hasilnya waktu tunggu rata rata turun dari dua jam menjadi dua puluh menit pada semester pertama.\n"
    "Kepuasan warga yang diukur dengan survei bulanan naik dari enam puluh menjadi delapan puluh persen.\n"
    "Inovasi ini direplikasi oleh tiga unit lain setelah studi tiru yang difasilitasi pemerintah kota.\n"
    "Biaya yang dikeluarkan hanya untuk langganan layanan pesan singkat dan pelatihan dua orang petugas."
)
OWN = {
    "kesehatan": ("Puskesmas keliling memeriksa tekanan darah lansia di posyandu setiap minggu.\n"
                  "Kader kesehatan mencatat hasil pemeriksaan gizi balita dan imunisasi dasar lengkap.\n"
                  "Rujukan pasien ke rumah sakit dipercepat dengan layanan ambulans desa siaga."),
    "lingkungan": ("Bank sampah sekolah memilah plastik kertas dan sisa makanan menjadi kompos.\n"
                   "Siswa menanam pohon peneduh di halaman dan mengukur penghematan air hujan yang ditampung.\n"
                   "Hasil penjualan sampah terpilah membiayai kebun sayur dan taman baca lingkungan."),
    "kinerja": ("Standar pelayanan dipasang di ruang tunggu dan diperbarui setiap tahun anggaran.\n"
                "Indeks kepuasan masyarakat diukur tiap triwulan dan hasilnya dibahas dalam rapat evaluasi.\n"
                "Pengaduan diterima melalui kotak saran, telepon dan media sosial lalu dijawab dalam tiga hari."),
}


@dataclass(frozen=True, slots=True)
class Edition:
    inbox: Path
    roster: Path
    out: Path

    def config(self) -> RunConfig:
        settings = Settings(workers=1, settle_seconds=0, isolate=False)
        return RunConfig(self.inbox, self.roster, self.out, "2021", settings)

    def screening(self) -> dict:
        return json.loads(OutputPaths(self.out).screening.read_text(encoding="utf-8"))


def _inovasi(path: Path, unit: str, body: str, title: str = "SI ANTRE (Sistem Antrean Elektronik)") -> None:
    make_pdf(path, [cover("PROPOSAL INOVASI PELAYANAN PUBLIK", f"Nama Inovasi: {title}", unit), body, body])


def _kinerja(path: Path, unit: str) -> None:
    make_pdf(path, [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", unit), OWN["kinerja"], OWN["kinerja"]])


def build_edition(root: Path) -> Edition:
    """Write the inbox and roster and screen them once with the real steps."""
    inbox, roster, out = root / "inbox", root / "roster.csv", root / "out"
    roster.parent.mkdir(parents=True, exist_ok=True)
    roster.write_text(ROSTER, encoding="utf-8")
    _inovasi(inbox / "SMPN 5" / "Proposal Inovasi SMPN 5.pdf", "SMP NEGERI 5 MALANG", SHARED,
             title=f"{TITLE_SCRIPT} SI ANTRE")
    _kinerja(inbox / "SMPN 5" / "Proposal Kinerja SMPN 5.pdf", "SMP NEGERI 5 MALANG")
    edited = SHARED.replace("loket kami", "kantor kelurahan").replace("tiga unit", "empat unit")
    _inovasi(inbox / "SMPN 15" / "Proposal Inovasi SMPN 15.pdf", "SMP NEGERI 15 MALANG", edited)
    (inbox / "SMPN 15" / "Proposal Kinerja SMPN 15.pdf").write_bytes(b"")  # quarantined: empty_file
    _inovasi(inbox / f"SMPN 11 {FILE_SCRIPT}" / "script> Proposal Inovasi SMPN 11.pdf", "SMP NEGERI 11 MALANG",
             OWN["lingkungan"], title="BANK SAMPAH PINTAR")
    _inovasi(inbox / "PKM Kendalkerep" / "Proposal Inovasi Puskesmas Kendalkerep.pdf", "UPT PUSKESMAS KENDALKEREP",
             OWN["kesehatan"], title="POSYANDU LANSIA KELILING")
    make_pdf(inbox / "scan tanpa nama.pdf", ["Lampiran foto kegiatan", OWN["kinerja"]])  # nobody's
    edition = Edition(inbox, roster, out)
    run_once(edition.config())
    return edition


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Edition:
    return build_edition(tmp_path_factory.mktemp("ui"))


@pytest.fixture
def edition(built: Edition, tmp_path: Path) -> Edition:
    """A copy of the screened edition that a test may decide on."""
    out = tmp_path / "out"
    shutil.copytree(built.out, out, symlinks=True)
    return Edition(built.inbox, built.roster, out)


def client(edition: Edition, password: str | None = None, base_url: str = LOCAL) -> TestClient:
    return TestClient(create_app(edition.out, edition.inbox, password), base_url=base_url, follow_redirects=False)


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)


def named(c: TestClient, name: str = "Rina Admin") -> str:
    """Type the admin's name once, as the banner asks; returns the session's CSRF token."""
    token = csrf(c.get("/").text)
    assert c.post("/nama", data={"csrf": token, "nama": name, "kembali": "/"}).status_code == 303
    return token


# -- what the pages show ------------------------------------------------------------------------


def test_the_run_gave_what_these_tests_rely_on(built: Edition) -> None:
    doc = built.screening()
    kinds = {f["kind"] for f in doc["duplicates"]}
    assert "near" in kinds
    reasons = {d["reason"] for d in doc["documents"]}
    assert {"empty_file", "unidentified"} <= reasons
    assert any(FILE_SCRIPT in d["path"] for d in doc["documents"])
    assert any(EVIDENCE_SCRIPT in p["a"] for f in doc["duplicates"] for p in f["evidence"])


def test_the_overview_counts_what_screening_json_says(edition: Edition) -> None:
    doc = edition.screening()
    page = client(edition).get("/").text
    count = lambda ident: int(re.search(rf'id="{ident}"[^>]*>(?:<b>)?(\d+)', page).group(1))  # noqa: E731
    assert count("n-peserta") == len(doc["participants"])
    for status, n in doc["summary"]["participants"].items():
        assert count(f"n-status-{status}") == n
    for status, n in doc["summary"]["files"].items():
        assert count(f"n-berkas-{status}") == n
    for kind, n in doc["summary"]["duplicates"].items():
        assert count(f"n-jenis-{kind}") == n
    themes: dict[str, int] = {}
    for p in doc["participants"]:
        if p["theme"]:
            themes[p["theme"]] = themes.get(p["theme"], 0) + 1
    assert themes and all(count(f"n-tema-{t}") == n for t, n in themes.items())


def _listed(page: str) -> list[str]:
    return re.findall(r'<tr data-id="([^"]+)"', page)


def test_participants_sort_naturally_on_the_server(edition: Edition) -> None:
    c = client(edition)
    smp = _listed(c.get("/peserta", params={"kategori": "smp"}).text)
    assert smp == ["smp-01", "smp-03", "smp-05", "smp-11", "smp-15", "smp-21"]
    assert _listed(c.get("/peserta", params={"kategori": "smp", "urut": "nama", "arah": "turun"}).text) == smp[::-1]
    assert sorted(["SMP Negeri 21", "SMP Negeri 3", "SMP Negeri 15", "SMP Negeri 1"], key=natural_key) == [
        "SMP Negeri 1", "SMP Negeri 3", "SMP Negeri 15", "SMP Negeri 21"]


def test_participants_filter_by_search_category_status_theme_and_flag(edition: Edition) -> None:
    doc = edition.screening()
    c = client(edition)
    assert _listed(c.get("/peserta", params={"q": "kendalkerep"}).text) == ["pkm-kendalkerep"]
    complete = {p["id"] for p in doc["participants"] if p["status"] == "complete"}
    assert set(_listed(c.get("/peserta", params={"status": "complete"}).text)) == complete == {"smp-05"}
    flagged = {pid for f in doc["duplicates"] for pid in (f["a_participant"], f["b_participant"])}
    assert set(_listed(c.get("/peserta", params={"tanda": "duplikat"}).text)) == flagged == {"smp-05", "smp-15"}
    assert _listed(c.get("/peserta", params={"tanda": "karantina"}).text) == ["smp-15"]
    theme = next(p["theme"] for p in doc["participants"] if p["id"] == "pkm-kendalkerep")
    same = {p["id"] for p in doc["participants"] if p["theme"] == theme}
    assert set(_listed(c.get("/peserta", params={"tema": theme}).text)) == same
    # the form's own fields, as a browser without script sends them
    both = c.get("/peserta", params={"q": "smp", "kategori": "smp", "status": "missing_kinerja", "tema": "",
                                     "tanda": "", "urut": "nama", "arah": "naik"}).text
    missing = {p["id"] for p in doc["participants"] if p["status"] == "missing_kinerja"}
    assert missing == {"pkm-kendalkerep", "smp-11", "smp-15"}
    assert _listed(both) == ["smp-11", "smp-15"]  # the search and the category leave the puskesmas out


def test_a_filter_value_that_is_not_a_choice_is_refused_naming_it(edition: Edition) -> None:
    response = client(edition).get("/peserta", params={"kategori": "sma", "tema": "kesenian"})
    assert response.status_code == 400
    assert "kategori=&#39;sma&#39;" in response.text and "tema=&#39;kesenian&#39;" in response.text


def test_a_participant_page_shows_files_versions_theme_flags_and_cover(edition: Edition) -> None:
    doc = edition.screening()
    c = client(edition)
    page = c.get("/peserta/smp-15").text
    me = next(p for p in doc["participants"] if p["id"] == "smp-15")
    assert "Proposal Inovasi SMPN 15.pdf" in page and "Proposal Kinerja SMPN 15.pdf" in page
    assert Reason.EMPTY_FILE.label in page and remedy(Reason.EMPTY_FILE).ask in page
    assert me["theme_label"] in page and f"{me['theme_confidence']:.0%}" in page
    assert "SMP Negeri 5 Malang" in page  # the other side of the near-duplicate flag
    assert "SMP NEGERI 15 MALANG" in page  # the cover preview, read from the ledger
    assert c.get("/peserta/tidak-ada").status_code == 404


def test_the_quarantine_page_says_what_to_ask_of_whom(edition: Edition) -> None:
    page = client(edition).get("/karantina").text
    smp15 = page.index('id="k-smp-15"')
    nobody = page.index('id="k-tanpa-peserta"')
    assert page.index("Proposal Kinerja SMPN 15.pdf") > smp15 and remedy(Reason.EMPTY_FILE).ask in page
    assert page.index("scan tanpa nama.pdf") > nobody and remedy(Reason.UNIDENTIFIED).ask in page


def _near_key(edition: Edition) -> str:
    return next(f["key"] for f in edition.screening()["duplicates"] if f["kind"] == "near")


def test_confirming_a_duplicate_writes_the_ledger_with_who_and_shows_at_once(edition: Edition) -> None:
    c = client(edition)
    token = named(c, "Rina <b>Admin</b>")
    key = _near_key(edition)
    response = c.post("/duplikat", data={"csrf": token, "kunci": key, "keputusan": "confirmed",
                                         "catatan": "disalin", "kembali": "/duplikat"})
    assert response.status_code == 303 and response.headers["location"].startswith("/duplikat#d-")
    with Ledger(OutputPaths(edition.out).ledger) as ledger:
        kept = ledger.duplicate_decision_records()[key]
    assert (kept.value, kept.decided_by, kept.note) == ("confirmed", "Rina <b>Admin</b>", "disalin")
    page = c.get("/duplikat").text
    assert 'class="st confirmed"' in page and "Rina &lt;b&gt;Admin&lt;/b&gt;" in page
    assert re.search(r'id="n-jenis-near-confirmed"[^>]*>1<', c.get("/").text)
    c.post("/duplikat", data={"csrf": token, "kunci": key, "keputusan": "dismissed"})
    assert 'class="st dismissed"' in c.get("/duplikat").text  # a decision can be changed
    assert _listed(c.get("/peserta", params={"tanda": "duplikat"}).text) == []


def test_correcting_a_theme_checks_participant_and_taxonomy_and_shows_at_once(edition: Edition) -> None:
    c = client(edition)
    token = named(c)
    taxonomy = load_taxonomy()
    current = next(p["theme"] for p in edition.screening()["participants"] if p["id"] == "smp-11")
    other = next(t for t in taxonomy.ids if t != current)
    ledger_path = OutputPaths(edition.out).ledger
    for fields in ({"peserta": "smp-11", "tema": "kesenian"}, {"peserta": "smp-99", "tema": other}):
        refused = c.post("/tema", data={"csrf": token, **fields})
        assert refused.status_code == 400 and "tidak ada yang disimpan" in refused.text
    with Ledger(ledger_path) as ledger:
        assert ledger.theme_corrections() == {}
    assert c.post("/tema", data={"csrf": token, "peserta": "smp-11", "tema": other,
                                 "kembali": "/peserta/smp-11"}).headers["location"] == "/peserta/smp-11"
    with Ledger(ledger_path) as ledger:
        kept = ledger.theme_correction_records()["smp-11"]
    assert (kept.value, kept.decided_by, kept.note) == (other, "Rina Admin", "kipp ui")
    page = c.get("/peserta/smp-11").text
    assert re.search(rf'id="tema-label">{re.escape(taxonomy.label(other))}<', page) and "Rina Admin" in page
    assert "smp-11" in _listed(c.get("/peserta", params={"tema": other}).text)
    assert 'data-id="smp-11"' in c.get("/tema").text.split('id="dikoreksi"')[1]


def test_a_form_without_its_token_or_with_another_sessions_is_refused_and_saves_nothing(edition: Edition) -> None:
    c = client(edition)
    token = named(c)
    other = client(edition)
    other_token = named(other, "Tamu")
    key = _near_key(edition)
    attempts = [
        {"kunci": key, "keputusan": "confirmed"},  # no token
        {"csrf": "0" * 64, "kunci": key, "keputusan": "confirmed"},
        {"csrf": other_token, "kunci": key, "keputusan": "confirmed"},  # valid, but another browser's
    ]
    for data in attempts:
        response = c.post("/duplikat", data=data)
        assert response.status_code == 403 and "Tidak ada yang disimpan" in response.text
    assert c.post("/tema", data={"peserta": "smp-11", "tema": "kesehatan"}).status_code == 403
    assert c.post("/nama", data={"nama": "Penyusup"}).status_code == 403
    fresh = client(edition)  # no session cookie at all
    assert fresh.post("/duplikat", data={"csrf": token, "kunci": key, "keputusan": "confirmed"}).status_code == 403
    with Ledger(OutputPaths(edition.out).ledger) as ledger:
        assert ledger.duplicate_decisions() == {} and ledger.theme_corrections() == {}


def test_a_decision_before_the_name_is_typed_asks_for_the_name_and_saves_nothing(edition: Edition) -> None:
    c = client(edition)
    token = csrf(c.get("/duplikat").text)
    response = c.post("/duplikat", data={"csrf": token, "kunci": _near_key(edition), "keputusan": "confirmed",
                                         "kembali": "/duplikat"})
    assert response.status_code == 303 and response.headers["location"] == "/nama?kembali=%2Fduplikat"
    with Ledger(OutputPaths(edition.out).ledger) as ledger:
        assert ledger.duplicate_decisions() == {}
    assert c.post("/nama", data={"csrf": token, "nama": "  ", "kembali": "/"}).status_code == 400
    # a name posted with a foreign target goes back home, not to another site
    away = c.post("/nama", data={"csrf": token, "nama": "Rina", "kembali": "//evil.example/x"})
    assert away.headers["location"] == "/"
    assert 'id="admin">Rina<' in c.get("/").text


def test_a_decision_made_while_a_run_writes_the_ledger_waits_its_turn_and_is_kept(edition: Edition) -> None:
    c = client(edition)
    token = named(c)
    run = sqlite3.connect(OutputPaths(edition.out).ledger, isolation_level=None, check_same_thread=False)
    run.execute("BEGIN IMMEDIATE")  # as a run writes its outcomes
    run.execute("UPDATE files SET last_seen = last_seen")
    timer = threading.Timer(0.5, lambda: run.execute("COMMIT"))
    timer.start()
    started = time.monotonic()
    response = c.post("/duplikat", data={"csrf": token, "kunci": _near_key(edition), "keputusan": "confirmed"})
    timer.join()
    run.close()
    assert response.status_code == 303 and time.monotonic() - started >= 0.4
    with Ledger(OutputPaths(edition.out).ledger) as ledger:
        assert ledger.duplicate_decisions() == {_near_key(edition): "confirmed"}


def test_old_ledgers_gain_decided_by_and_the_cli_calls_still_work(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""CREATE TABLE duplicate_decisions (key TEXT PRIMARY KEY, decision TEXT NOT NULL,
                        decided_at TEXT NOT NULL, note TEXT);
                        CREATE TABLE theme_corrections (participant_id TEXT PRIMARY KEY, theme TEXT NOT NULL,
                        corrected_at TEXT NOT NULL, source TEXT NOT NULL);
                        INSERT INTO duplicate_decisions
                        VALUES ('near:a:b', 'confirmed', '2021-02-01T00:00:00+00:00', NULL);""")
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        assert ledger.duplicate_decision_records()["near:a:b"].decided_by is None
        ledger.save_duplicate_decision("title:c:d", "dismissed", "beda")  # as `kipp duplicates dismiss` calls it
        ledger.save_theme_corrections({"smp-05": "pendidikan"}, source="cli")
        ledger.save_theme_corrections({"smp-15": "kesehatan"}, source="kipp ui", by="Rina")
        assert ledger.duplicate_decisions() == {"near:a:b": "confirmed", "title:c:d": "dismissed"}
        by = {pid: kept.decided_by for pid, kept in ledger.theme_correction_records().items()}
        assert by == {"smp-05": None, "smp-15": "Rina"}


# -- safety -------------------------------------------------------------------------------------

PAGES = ("/", "/peserta", "/peserta/smp-05", "/peserta/smp-11", "/peserta/smp-15", "/peserta/smp-21",
         "/karantina", "/duplikat", "/tema", "/nama")


def test_hostile_text_in_a_title_a_file_name_a_roster_name_and_evidence_never_becomes_markup(edition: Edition) -> None:
    c = client(edition)
    named(c, "<script>window.kippAdmin=1</script>")
    seen = {s: 0 for s in HOSTILE}
    for url in PAGES:
        response = c.get(url)
        assert response.status_code == 200, url
        assert "<script" not in response.text.lower(), url
        assert "default-src 'none'" in response.headers["content-security-policy"]
        for s in HOSTILE:
            seen[s] += response.text.count(s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                                           .replace("'", "&#39;").replace('"', "&#34;"))
    assert all(seen.values()), seen  # each was shown, as text


def test_no_template_marks_anything_safe_and_the_environment_escapes_strictly() -> None:
    env = templates()
    assert env.autoescape is True and env.undefined.__name__ == "StrictUndefined"
    for path in [*(UI / "templates").glob("*.j2"), *UI.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "Markup(" not in text and "autoescape false" not in text, path


@pytest.mark.parametrize("url", [
    "/berkas?path=../roster.csv",
    "/berkas?path=%2e%2e/roster.csv",
    "/berkas?path=SMPN%205/../../roster.csv",
    "/berkas?path=/etc/passwd",
    "/berkas?path=%2Fetc%2Fpasswd",
    "/laporan/ledger.sqlite",
    "/laporan/..%2Froster.csv",
    "/laporan/%2e%2e%2froster.csv",
    "/laporan/%2e%2e",
    "/laporan/.kipp%2Fwriter.lock",
    "/laporan/%2Fetc%2Fpasswd",
    "/static/..%2F..%2Fapp.py",
    "/peserta/..%2F..%2Froster.csv",
])
def test_nothing_outside_the_reports_and_the_screened_files_is_served(edition: Edition, url: str) -> None:
    response = client(edition).get(url)
    assert response.status_code in (404, 400), (url, response.status_code)
    assert "root:" not in response.text and "smp-01,SMP" not in response.text and "SQLite" not in response.text


def test_links_in_the_output_folder_and_the_inbox_are_never_followed(edition: Edition, tmp_path: Path) -> None:
    secret = tmp_path / "rahasia.txt"
    secret.write_text("RAHASIA-DI-LUAR", encoding="utf-8")
    report = edition.out / "themes.html"
    report.unlink()
    report.symlink_to(secret)
    c = client(edition)
    assert c.get("/laporan/themes.html").status_code == 404
    served = c.get("/laporan/completeness.html")  # the others still are, and run no script either
    assert served.status_code == 200 and served.headers["content-security-policy"].startswith("default-src 'none'")
    empty = "SMPN 15/Proposal Kinerja SMPN 15.pdf"
    copy = OutputPaths(edition.out).quarantine / empty
    copy.unlink()
    copy.symlink_to(secret)
    no_inbox = TestClient(create_app(edition.out, None, None), base_url=LOCAL)
    response = no_inbox.get("/berkas", params={"path": empty})
    assert response.status_code == 404 and "RAHASIA" not in response.text
    inbox = tmp_path / "inbox"
    shutil.copytree(edition.inbox, inbox, symlinks=True)
    target = inbox / "SMPN 5" / "Proposal Kinerja SMPN 5.pdf"
    target.unlink()
    target.symlink_to(secret)
    linked = TestClient(create_app(edition.out, inbox, None), base_url=LOCAL)
    response = linked.get("/berkas", params={"path": "SMPN 5/Proposal Kinerja SMPN 5.pdf"})
    assert response.status_code == 404 and "RAHASIA" not in response.text


def test_a_download_gives_only_the_bytes_that_were_screened(edition: Edition, tmp_path: Path) -> None:
    c = client(edition)
    path = "SMPN 5/Proposal Kinerja SMPN 5.pdf"
    response = c.get("/berkas", params={"path": path})
    assert response.status_code == 200 and response.content == (edition.inbox / path).read_bytes()
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-type"] == "application/octet-stream"
    hostile = next(d["path"] for d in edition.screening()["documents"] if FILE_SCRIPT in d["path"])
    assert c.get("/berkas", params={"path": hostile}).status_code == 200
    without_inbox = TestClient(create_app(edition.out, None, None), base_url=LOCAL)
    assert without_inbox.get("/berkas", params={"path": path}).status_code == 404  # accepted: only in the inbox
    quarantined = without_inbox.get("/berkas", params={"path": "SMPN 15/Proposal Kinerja SMPN 15.pdf"})
    assert quarantined.status_code == 200 and quarantined.content == b""  # its copy in karantina/
    inbox = tmp_path / "inbox"
    shutil.copytree(edition.inbox, inbox)
    (inbox / path).write_bytes(b"%PDF-1.4 diganti")
    changed = TestClient(create_app(edition.out, inbox, None), base_url=LOCAL).get("/berkas", params={"path": path})
    assert changed.status_code == 409 and "berubah sejak disaring" in changed.text


def test_without_a_password_only_this_machine_is_answered(edition: Edition) -> None:
    assert client(edition, base_url="http://localhost:8765").get("/").status_code == 200
    assert client(edition, base_url="http://[::1]:8765").get("/").status_code == 200
    for foreign in ("http://evil.example", "http://192.168.1.5:8765", "http://127.0.0.1.evil.example"):
        assert client(edition, base_url=foreign).get("/").status_code == 403, foreign


def test_with_a_password_every_request_needs_it(edition: Edition) -> None:
    c = client(edition, password="rahasia kipp", base_url="http://192.168.1.5:8765")
    assert c.get("/").status_code == 401 and c.get("/").headers["www-authenticate"].startswith("Basic")
    assert c.get("/static/kipp.css").status_code == 401
    assert c.get("/", auth=("admin", "salah")).status_code == 401
    assert c.get("/", auth=("siapa saja", "rahasia kipp")).status_code == 200


def test_kipp_ui_refuses_another_address_without_a_password(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KIPP_UI_PASSWORD", raising=False)
    result = CliRunner().invoke(main, ["ui", "--out", str(tmp_path), "--host", "0.0.0.0"])
    assert result.exit_code == 3
    assert result.output.strip().splitlines() == ["kipp: --host 0.0.0.0: alamat ini dapat dijangkau mesin lain; "
                                                  "set KIPP_UI_PASSWORD dulu, atau pakai --host 127.0.0.1"]
    missing = CliRunner().invoke(main, ["ui", "--out", str(tmp_path)])
    assert missing.exit_code == 3 and "belum ada laporan" in missing.output


# -- the hand-off to judges ---------------------------------------------------------------------

JUDGE_SCRIPT = "<script>window.kippJudge=1</script>"


def build_judged(root: Path) -> tuple[Edition, Path]:
    """A run with a panel (a preview, nothing handed out yet), from real PDF and DOCX proposals; one
    judge's name is hostile. Returns the edition and its judges.csv."""
    from tests.flows.test_handoff import JUDGES_CSV, UNITS, _proposals

    inbox, roster, judges = root / "inbox", root / "roster.csv", root / "juri.csv"
    for pid in UNITS:
        _proposals(inbox, pid, kinerja=pid != "kel-kedungkandang")
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    judges.write_text(JUDGES_CSV.replace("Camat Blimbing", f"Camat {JUDGE_SCRIPT}"), encoding="utf-8")
    edition = Edition(inbox, roster, root / "out")
    run_once(replace(edition.config(), panel=PanelFiles(judges)))
    return edition, judges


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> tuple[Edition, Path]:
    return build_judged(tmp_path_factory.mktemp("judged"))


def _handing(edition: Edition, judges: Path | None, inbox: bool = True, lang: str | None = None) -> TestClient:
    inputs = HandoffInputs(edition.roster, PanelFiles(judges), settings=edition.config().settings)
    app = create_app(edition.out, edition.inbox if inbox else None, None, lang=lang, handoff=inputs)
    return TestClient(app, base_url=LOCAL, follow_redirects=False)


@pytest.fixture
def preview(judged: tuple[Edition, Path], tmp_path: Path) -> tuple[Edition, Path]:
    edition, judges = judged
    out = tmp_path / "judged-out"
    shutil.copytree(edition.out, out, symlinks=True)
    return Edition(edition.inbox, edition.roster, out), judges


def test_the_judging_page_shows_the_preview_per_judge_per_proposal_and_who_waits(preview) -> None:
    edition, judges = preview
    doc = edition.screening()
    page = _handing(edition, judges).get("/juri").text
    assert "Pratinjau" in page and 'id="form-serahkan"' in page and "/paket/" not in page
    assert int(re.search(r'id="n-penugasan">(\d+)', page).group(1)) == len(doc["assignments"]) > 0
    assert int(re.search(r'id="n-baru">(\d+)', page).group(1)) == len(doc["assignments"])
    per_judge = page[page.index('id="per-juri"'):page.index('id="per-proposal"')]
    assert _listed(per_judge) == [j["id"] for j in doc["judges"]]
    per_proposal = page[page.index('id="per-proposal"'):]
    assigned = {a["participant_id"] for a in doc["assignments"]}
    assert set(_listed(per_proposal.split("</table>")[0])) == assigned
    waiting = page[page.index("Belum lengkap, belum dapat dinilai"):]
    assert "Kelurahan Kedungkandang" in waiting.split("</p>")[0]  # its kinerja is missing
    assert JUDGE_SCRIPT not in page and "Camat &lt;script&gt;window.kippJudge=1&lt;/script&gt;" in page


def test_handing_off_from_the_page_is_kipp_handoff_recorded_with_who_and_when(preview) -> None:
    edition, judges = preview
    c = _handing(edition, judges)
    token = csrf(c.get("/juri").text)
    asked = c.post("/juri", data={"csrf": token, "kembali": "/juri"})
    assert asked.status_code == 303 and asked.headers["location"].startswith("/nama")  # the name first
    assert not (edition.out / "paket").exists()
    named(c, "Rina <i>Admin</i>")
    done = c.post("/juri", data={"csrf": token, "kembali": "/juri"})
    assert done.status_code == 303 and done.headers["location"] == "/juri#penyerahan"
    doc = edition.screening()
    handed_at = doc["handoff"]["handed_at"]
    assert handed_at and all(a["frozen"] for a in doc["assignments"])
    with Ledger(OutputPaths(edition.out).ledger) as ledger:
        frozen = ledger.frozen_assignments()
        by = json.loads(ledger.meta("handed_by"))
    assert set(frozen) == {(a["judge_id"], a["participant_id"]) for a in doc["assignments"]}
    assert by == {"by": "Rina <i>Admin</i>", "at": handed_at, "via": "kipp ui"}
    page = c.get("/juri").text
    assert "Sudah diserahkan" in page and 'id="diserahkan-oleh">Rina &lt;i&gt;Admin&lt;/i&gt;</b>' in page
    assert int(re.search(r'id="n-baru">(\d+)', page).group(1)) == 0
    for judge in doc["judges"]:
        link = f'/paket/{judge["id"]}'
        assert f'href="{link}"' in page
        packet = c.get(link)
        zip_path = edition.out / "paket" / f'{judge["id"]}.zip'
        assert packet.status_code == 200 and packet.content == zip_path.read_bytes()
        assert packet.headers["content-disposition"].startswith("attachment;")
        with zipfile.ZipFile(io.BytesIO(packet.content)) as z:
            assert any(n.endswith("index.html") for n in z.namelist())
    camat = c.get("/paket/j-camat")
    with zipfile.ZipFile(io.BytesIO(camat.content)) as z:
        index = next(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith("index.html"))
    assert JUDGE_SCRIPT not in index
    assert "<script" not in page.lower()


@pytest.mark.parametrize("url", ["/paket/tidak-ada", "/paket/..%2Fledger.sqlite", "/paket/..%2F..%2Froster.csv",
                                 "/paket/%2Fetc%2Fpasswd", "/paket/j-akademisi%2F..%2F..%2Fscreening.json"])
def test_only_a_packet_of_a_judge_of_the_last_report_is_served(preview, url: str) -> None:
    edition, judges = preview
    response = _handing(edition, judges).get(url)
    assert response.status_code in (404, 400), (url, response.status_code)
    assert "root:" not in response.text and "SQLite" not in response.text and '"participants"' not in response.text


def test_a_packet_replaced_by_a_link_is_not_followed(preview, tmp_path: Path) -> None:
    edition, judges = preview
    secret = tmp_path / "rahasia.zip"
    secret.write_bytes(b"RAHASIA-DI-LUAR")
    (edition.out / "paket").mkdir()
    (edition.out / "paket" / "j-akademisi.zip").symlink_to(secret)
    response = _handing(edition, judges).get("/paket/j-akademisi")
    assert response.status_code == 404 and "RAHASIA" not in response.text


def test_a_hand_off_without_a_panel_or_without_the_inbox_is_refused_clearly(edition: Edition, preview) -> None:
    c = _handing(edition, None)  # a run without --judges, and kipp ui without --judges
    page = c.get("/juri").text
    assert 'id="tanpa-panel"' in page and 'id="form-serahkan"' not in page
    assert "belum ada panel juri: jalankan kipp ui dengan --judges" in page
    token = named(c)
    refused = c.post("/juri", data={"csrf": token})
    assert refused.status_code == 409 and "belum ada panel juri" in refused.text
    assert not OutputPaths(edition.out).packets.exists()
    english = _handing(edition, None, lang="en")
    token = named(english)
    assert "no panel of judges yet" in english.post("/juri", data={"csrf": token}).text
    judged_edition, judges = preview
    no_inbox = _handing(judged_edition, judges, inbox=False)
    token = named(no_inbox)
    refused = no_inbox.post("/juri", data={"csrf": token})
    assert refused.status_code == 409 and "--inbox" in refused.text
    forged = no_inbox.post("/juri", data={"csrf": "0" * 64})
    assert forged.status_code == 403
    with Ledger(OutputPaths(judged_edition.out).ledger) as ledger:
        assert ledger.frozen_assignments() == {} and ledger.meta("handed_by") is None


# -- the language of the pages ------------------------------------------------------------------

# Words of the app's own English that no Indonesian page may keep.
ENGLISH = frozenset("""
    the and of with from participants participant files file themes theme duplicates judges judge overview
    quarantine none yet not decided decision kind reason all apply search name save your change
""".split())


class _PageText(_OwnText):
    """The text a reader of the page meets, minus what the page marks as a document's (translate="no")
    or as Indonesian on purpose (lang="id"), <code> and file names."""

    def __init__(self, page: str):
        self.chunks: list[str] = []
        super().__init__(page)

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID and dict(attrs).get("translate") == "no":
            self.stack.append(True)
            return
        super().handle_starttag(tag, attrs)

    def _add(self, text: str) -> None:
        self.chunks.append(text)

    def own_words(self, data: list[str]) -> set[str]:
        """The words left once every string of the data (names, paths, theme labels, ...) is taken out."""
        text = " ".join(self.chunks)
        for s in data:
            text = text.replace(s, " ")
        text = re.sub(r"\S+\.(pdf|docx|html|xlsx|csv|zip)\b|--[\w-]+|\b\w+=\S*", " ", text)  # file names, options, url parameters
        return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _every_ui_page(c: TestClient, doc: dict) -> dict[str, str]:
    token = named(c, "Rina")
    pages = {url: c.get(url) for url in ("/", "/peserta", "/karantina", "/duplikat", "/tema", "/juri", "/nama",
                                         *(f"/peserta/{p['id']}" for p in doc["participants"]))}
    pages["404"] = c.get("/tidak-ada")
    pages["400"] = c.get("/peserta", params={"kategori": "sma"})
    pages["403"] = c.post("/duplikat", data={"csrf": "0" * 64})
    pages["400 key"] = c.post("/duplikat", data={"csrf": token, "kunci": "x", "keputusan": "confirmed"})
    pages["400 theme"] = c.post("/tema", data={"csrf": token, "peserta": "smp-05", "tema": "kesenian"})
    pages["400 name"] = c.post("/nama", data={"csrf": token, "nama": ""})
    return {url: r.text for url, r in pages.items()}


@pytest.mark.parametrize("fixture", ["edition", "preview"])
def test_every_page_and_message_of_the_app_is_in_english_when_asked_and_indonesian_by_default(
        fixture: str, request) -> None:
    from models.language import use_language

    edition, judges = (request.getfixturevalue("edition"), None) if fixture == "edition" else request.getfixturevalue(fixture)
    doc = edition.screening()
    data = sorted({*_strings(doc), *(t.label for t in load_taxonomy(None).themes), "Rina"}, key=len, reverse=True)
    data = [s for s in data if len(s) > 2]
    with use_language("en"):  # as `kipp --lang en ui` (or KIPP_LANG=en) starts it
        english = _every_ui_page(_handing(edition, judges), doc)
    indonesian = _every_ui_page(_handing(edition, judges), doc)
    assert len(english) >= 13
    for url, page in english.items():
        own = _PageText(page)
        assert own.html_lang == "en", url
        words = own.own_words(data)
        assert not words & INDONESIAN, (url, sorted(words & INDONESIAN))
        default = _PageText(indonesian[url])
        assert default.html_lang == "id", url
        words = default.own_words(data)
        assert not words & ENGLISH, (url, sorted(words & ENGLISH))
        assert len(words & INDONESIAN) >= 2, url  # the check can see what it looks for
    assert "no possible duplicate with this key" in english["400 key"]
    assert "The form&#39;s token does not match" in english["403"]
    assert "unknown parameters: kategori=" in english["400"]
