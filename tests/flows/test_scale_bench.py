"""kipp bench scale's parts on small inputs: the rosters by size, the edition cache, Tesseract hidden,
the process-tree memory, the raw baseline and the table. The bench itself is run by hand (README)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.bench.scale import _raw_one, _tree_rss_kb, markdown, path_without, raw_extraction
from flows.corpora.scale import edition, scale_roster
from tests.conftest import BODY, cover, make_docx, make_pdf


@pytest.mark.parametrize("size", [40, 323, 2000, 3000])
def test_a_roster_of_any_size_has_unique_ids_and_parents_first(size: int) -> None:
    rows = scale_roster(size)
    assert len(rows) == size == len({r.id for r in rows})
    seen: set[str] = set()
    for r in rows:
        assert r.parent_id is None or r.parent_id in seen, r
        seen.add(r.id)


def test_a_national_roster_grows_the_province_with_more_schools() -> None:
    rows = scale_roster(3000)
    extra = [r for r in rows if r.category == "sd" and r.name.endswith((" 4", " 5"))]
    assert extra and all(r.parent_id.endswith("-pd-dispendik") for r in extra)


def test_an_edition_is_written_once_and_reused(tmp_path: Path) -> None:
    inbox, roster, files = edition(tmp_path / "e", 3, seed=3)
    assert roster.read_text(encoding="utf-8").count("\n") == 4  # header and three participants
    written = sorted(p for p in inbox.rglob("*") if p.is_file())
    assert len(written) == files > 0
    stamps = {p: p.stat().st_mtime_ns for p in written}
    (tmp_path / "e" / "marker").write_text("kept")
    assert edition(tmp_path / "e", 3, seed=3) == (inbox, roster, files)
    assert (tmp_path / "e" / "marker").exists() and {p: p.stat().st_mtime_ns for p in written} == stamps
    edition(tmp_path / "e", 2, seed=3)  # another size: written again
    assert not (tmp_path / "e" / "marker").exists()


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="nothing to hide without tesseract")
def test_tesseract_is_hidden_and_everything_else_is_found(tmp_path: Path) -> None:
    path = path_without("tesseract", tmp_path / "bin")
    assert shutil.which("tesseract", path=path) is None
    assert shutil.which("pdftoppm", path=path) is not None
    out = subprocess.run([sys.executable, "-c", "import shutil; print(shutil.which('tesseract'))"],
                         env={**os.environ, "PATH": path}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None"


def test_the_tree_memory_counts_children() -> None:
    alone = _tree_rss_kb(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(60 << 20); time.sleep(5)"])
    try:
        deadline = 50
        while _tree_rss_kb(os.getpid()) < alone + 50 * 1024 and deadline:
            subprocess.run(["sleep", "0.1"], check=True)
            deadline -= 1
        assert _tree_rss_kb(os.getpid()) >= alone + 50 * 1024
    finally:
        child.kill()
        child.wait()


def test_the_raw_baseline_reads_pdf_and_docx(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "in" / "a.pdf", [cover("PROPOSAL INOVASI", "SD NEGERI SAWOJAJAR 1"), BODY])
    docx = make_docx(tmp_path / "in" / "b.docx", ["PROPOSAL KINERJA", BODY])
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    assert _raw_one(str(pdf)) > len(BODY) // 2 and _raw_one(str(docx)) > len(BODY) // 2
    assert _raw_one(str(tmp_path / "in" / "broken.pdf")) == 0
    raw = raw_extraction(tmp_path / "in", workers=1)
    assert raw["files"] == 3 and raw["chars"] == _raw_one(str(pdf)) + _raw_one(str(docx))
    assert 0 < raw["cpu_s"]  # the pool's own CPU, counted when it is reaped


def test_the_table_has_one_row_per_run_and_says_what_missed() -> None:
    run = {"wall_s": 20.0, "cpu_s": 14.5, "load": 3.2, "in_flow_s": 9.0, "steps_s": {"extract": 5.0, "decide": 0.1},
           "peak_tree_rss_mb": 700.0, "exit": 0, "prefect": "ephemeral"}
    result = {"participants": 323, "files": 619, "cold": run, "noop": run, "empty": run, "processing_s": 0.0,
              "raw": {"seconds": 5.0, "cpu_s": 9.6, "workers": 2},
              "targets": {"cold": {"limit_s": 12.0, "ok": False}, "peak_memory": {"limit_mb": 2048.0, "ok": True}}}
    table = markdown([result], "tesseract hidden")
    rows = [line for line in table.splitlines() if line.startswith("| 323 ")]
    assert [r.split(" | ")[2] for r in rows] == ["cold", "noop", "empty"]
    assert rows[0].startswith("| 323 | 619 | cold | 3.2 | 20.0 | 14.5 | 9.0 | ") and " 5.0 (9.6) | 0 |" in rows[0]
    assert "Prefect: ephemeral" in table and "cold MISSED (limit 12.0)" in table and "peak_memory ok" in table
