"""A mixed inbox for the cluster's test and `kipp bench workers`: generated proposals, scans and hostile files.

The proposals come from flows/corpora/demo.py (a sample of the full Kota Malang roster, with every
supervising unit its participants name); the scans are proposals of roster participants printed and
scanned (page images, no text layer: read by OCR when Tesseract is installed); the hostile files are the
kinds flows/corpora/hostile.py builds, each ending in its reason code quickly and the same way every time
(no case here depends on a time limit, so two runs under different load read them alike).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

from flows.bench.ocr import page_lines, write_scan
from flows.corpora.demo import RosterRow, generate_inbox, malang_roster, write_roster
from flows.corpora.hostile import (
    billion_laughs,
    external_entity,
    write_cyclic_pdf,
    write_raw_docx,
    write_zip_bomb,
)

SCAN_TITLES = ("PROPOSAL INOVASI PELAYANAN PUBLIK", "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK")


@dataclass(frozen=True, slots=True)
class MixedInbox:
    inbox: Path
    roster: Path
    files: int
    scans: int
    scan_pages: int


def sample_roster(participants: int, seed: int) -> list[RosterRow]:
    """`participants` of the full Kota Malang roster at random, with the units they report to."""
    rows = malang_roster("full", seed)
    by_id = {row.id: row for row in rows}
    picked = {row.id for row in random.Random(seed).sample(rows, participants)}
    for row_id in list(picked):
        parent = by_id[row_id].parent_id
        while parent:
            picked.add(parent)
            parent = by_id[parent].parent_id
    return [row for row in rows if row.id in picked]


def write_mixed_inbox(root: Path, participants: int = 80, scans: int = 20, scan_pages: int = 2,
                      seed: int = 2021) -> MixedInbox:
    """Write `root`/inbox and `root`/roster.csv: the proposals of `participants`, `scans` scanned proposals of
    `scan_pages` pages each (a cover with a summary, then pages of text), and one file of each hostile kind."""
    rows = sample_roster(participants, seed)
    roster, inbox = root / "roster.csv", root / "inbox"
    write_roster(roster, rows)
    generated = len(generate_inbox(inbox, rows, seed))
    rng = random.Random(seed)
    units = [row for row in rows if row.category != "perangkat_daerah"]
    for n in range(scans):
        unit = rng.choice(units)
        cover = [rng.choice(SCAN_TITLES), "KOMPETISI INOVASI PELAYANAN PUBLIK KOTA MALANG 2021", unit.name.upper(), "",
                 *page_lines(seed * 1000 + n * 10, lines=10)]  # the summary under the title: enough text alone
        body = [page_lines(seed * 1000 + n * 10 + page, lines=30) for page in range(1, scan_pages)]
        write_scan(inbox / "pindaian" / f"Scan_20210{3 + n % 6}{10 + n:02d}_{n + 1:04d}.pdf", [cover, *body])
    hostile = _write_hostile(inbox / "aneh")
    # The added files get fixed times too (the generated ones have theirs): the inbox reads the same every time.
    stamp = 1_617_000_000
    for path in sorted(p for folder in ("pindaian", "aneh") for p in (inbox / folder).iterdir()):
        stamp += 60
        os.utime(path, (stamp, stamp))
    return MixedInbox(inbox, roster, generated + scans + hostile, scans, scans * scan_pages)


def _write_hostile(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    write_zip_bomb(folder / "bom.docx", inflated_mb=300)
    write_raw_docx(folder / "tawa.docx", billion_laughs())
    write_raw_docx(folder / "entitas.docx", external_entity(Path("/etc/passwd")))
    write_cyclic_pdf(folder / "siklus.pdf")
    (folder / "terpotong.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (folder / "kosong.pdf").write_bytes(b"")
    (folder / "program.pdf").write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)
    (folder / "bukan-docx.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    return 8
