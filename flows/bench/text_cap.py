"""`kipp bench text-cap`: PDFs of nested forms that draw tens of millions of characters from a
few KB (issue 10, item 6), through the plain pipeline: time, the main process's peak memory, the
ledger's size and the characters kept per document."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from flows.corpora.demo import malang_roster, write_roster
from flows.corpora.hostile import write_nested_forms_pdf
from flows.steps import RunConfig, run_once
from models.settings import Settings


def main(files: int = 3, workers: int = 2) -> str:
    with tempfile.TemporaryDirectory(prefix="kipp-bench-text-cap-") as tmp:
        root = Path(tmp)
        inbox = root / "inbox"
        for i in range(files):  # each its own content, so that each is read
            write_nested_forms_pdf(inbox / f"bersarang {i}.pdf", levels=4, fanout=10, repeat=2000 + i)
        roster = root / "roster.csv"
        write_roster(roster, malang_roster("demo", 2021))
        started = time.perf_counter()
        result = run_once(RunConfig(inbox, roster, root / "out", "bench", Settings(workers=workers, settle_seconds=0)))
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ledger_kb = sum(p.stat().st_size for p in (root / "out").glob("ledger.sqlite*")) / 1024
        lines = [f"{files} nested-forms PDFs ({sum(p.stat().st_size for p in inbox.iterdir()) / 1024:.1f} KB), "
                 f"{workers} workers: {seconds:.1f} s; main process peak RSS {peak_mb:.0f} MB; "
                 f"ledger {ledger_kb:,.0f} KB"]
        for o in result.screening.documents:
            lines.append(f"  {o.path}: {o.status} {o.reason or ''} chars {o.chars} ({o.detail or ''})")
        return "\n".join(lines)
