"""Factories for real PDF and DOCX files, written to tmp_path."""

from __future__ import annotations

import functools
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.postgres import postgres, postgres_url  # noqa: F401  (fixtures: a throwaway PostgreSQL)

# A machine set to write no bytecode (PYTHONDONTWRITEBYTECODE) makes every process of the suite, the
# xdist workers, the kipp commands it runs and the extraction workers they start, compile kipp and its
# tests again from source: about 9 s of a 50 s fast suite here. The suite caches bytecode as Python
# does by default, in the gitignored __pycache__ folders; kipp itself is unchanged.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# The kipp commands the suite runs use Prefect's embedded server, started and stopped with each command,
# never a background server that would outlive the test (tests/flows/test_server.py tests that one, in
# homes of its own, and stops it).
os.environ["KIPP_PREFECT"] = "ephemeral"

# Property tests: a few examples each in the everyday run, many in `make test` (CI), which passes
# --hypothesis-profile=thorough. Solving an assignment takes tens of milliseconds, so no deadline.
settings.register_profile("everyday", max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("everyday")


def thorough_examples(n: int) -> settings:
    """A property cheap enough for `n` examples in `make test` (the thorough profile), beyond its
    hundred; the everyday run keeps its profile's few, as every other property does (300 examples of
    a file-name property cost 2.5 s of an everyday run)."""
    if settings.get_current_profile_name() == "thorough":
        return settings(max_examples=n)
    return settings()

ROSTER_CSV = """id,name,category,parent_id
pd-dinkes,Dinas Kesehatan,perangkat_daerah,
pd-disdikbud,Dinas Pendidikan dan Kebudayaan,perangkat_daerah,
pd-capil,Dinas Kependudukan dan Pencatatan Sipil,perangkat_daerah,
kec-kedungkandang,Kecamatan Kedungkandang,perangkat_daerah,
kec-blimbing,Kecamatan Blimbing,perangkat_daerah,
kel-kedungkandang,Kelurahan Kedungkandang,kelurahan,kec-kedungkandang
kel-bunulrejo,Kelurahan Bunulrejo,kelurahan,kec-blimbing
kel-arjosari,Kelurahan Arjosari,kelurahan,kec-blimbing
kel-balearjosari,Kelurahan Balearjosari,kelurahan,kec-blimbing
pkm-kendalkerep,UPT Puskesmas Kendalkerep,puskesmas,pd-dinkes
pkm-kedungkandang,UPT Puskesmas Kedungkandang,puskesmas,pd-dinkes
pkm-rampal,UPT Puskesmas Rampal Celaket,puskesmas,pd-dinkes
smp-05,SMP Negeri 5 Malang,smp,pd-disdikbud
smp-15,SMP Negeri 15 Malang,smp,pd-disdikbud
sd-sawojajar-1,SD Negeri Sawojajar 1,sd,pd-disdikbud
sd-sawojajar-2,SD Negeri Sawojajar 2,sd,pd-disdikbud
"""

BODY = (
    "Latar belakang: pelayanan publik di unit kami masih memerlukan waktu tunggu yang lama. "
    "Inovasi ini memangkas antrean dengan pendaftaran daring dan pengingat melalui pesan singkat.\n"
    "Tujuan: warga mendapat kepastian jadwal layanan, petugas dapat membagi beban kerja harian.\n"
    "Hasil: waktu tunggu turun dari dua jam menjadi tiga puluh menit dalam enam bulan pertama."
)


def make_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF with one text page per entry; lines split on newlines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_pdf_bytes(tuple(pages)))
    return path


def make_docx(path: Path, paragraphs: list[str], header: str | None = None, page_break_after: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_docx_bytes(tuple(paragraphs), header, page_break_after))
    return path


# Each distinct document is drawn once per test process and its bytes written wherever it is asked for:
# the suite asks for the same few proposals hundreds of times (a DOCX costs 25 ms to build). Equal
# arguments give equal bytes, as reportlab's invariant mode already made them for a PDF; python-docx
# stamps the second into its zip, so a DOCX is now the same bytes whatever second it is asked for.
@functools.lru_cache(maxsize=512)
def _pdf_bytes(pages: tuple[str, ...]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        y = 780
        for line in page.splitlines():
            canvas.drawString(60, y, line)
            y -= 18
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@functools.lru_cache(maxsize=512)
def _docx_bytes(paragraphs: tuple[str, ...], header: str | None, page_break_after: int | None) -> bytes:
    import docx

    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    for i, text in enumerate(paragraphs):
        document.add_paragraph(text)
        if page_break_after is not None and i == page_break_after:
            document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def cover(title: str, unit: str, *extra: str) -> str:
    return "\n".join([title, "KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN 2021", unit, *extra])


@pytest.fixture(scope="session", autouse=True)
def user_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A run keeps the theme model it trained in the user's cache (XDG_CACHE_HOME) for the next new
    output folder: the suite's runs and the kipp commands it starts use a cache of the session's own,
    never the developer's ~/.cache/kipp."""
    path = tmp_path_factory.mktemp("xdg-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(path)
    yield path
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session", autouse=True)
def theme_model_trained_once_per_session(tmp_path_factory: pytest.TempPathFactory):
    """Fitting the theme model takes seconds, and every test run trains it on the same seed samples:
    within a test session each distinct fit (taxonomy, samples in order, options) is done once and
    every later caller gets its own copy of the fitted model. With pytest-xdist the workers share
    the fits through a folder of the session's temporary root, each fit made by the first worker to
    need it while another that needs it too waits. Nothing else changes: kipp still loads, checks the
    fingerprint, retrains and saves as it does for users."""
    import fcntl
    import hashlib
    import json
    import os
    import pickle

    from models.themes import ThemeClassifier

    real = ThemeClassifier.train.__func__
    # A worker's temporary root is <the session's>/gwN; without xdist the session's root is its own.
    root = tmp_path_factory.getbasetemp()
    shared = (root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root) / "theme-fits"
    shared.mkdir(exist_ok=True)
    fitted: dict[str, bytes] = {}

    def train(cls, taxonomy, samples, **options):
        samples = list(samples)
        key = hashlib.sha256(json.dumps(
            [cls.__qualname__, taxonomy.hash, sorted(options.items()), [[s.text, s.theme, s.category] for s in samples]],
            default=repr).encode("utf-8", "surrogateescape")).hexdigest()
        if key not in fitted:
            with (shared / f"{key}.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                made = shared / f"{key}.pickle"
                if not made.exists():
                    made.write_bytes(pickle.dumps(real(cls, taxonomy, samples, **options)))
                fitted[key] = made.read_bytes()
        return pickle.loads(fitted[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ThemeClassifier, "train", classmethod(train))
        yield


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")
    return path
