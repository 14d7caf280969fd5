"""Issue 10 item 6: three 1.5 KB PDFs of nested forms (45 million characters each) through run_once:
time, peak RSS of the main process, ledger size. Usage: python benchmarks/text_cap.py /tmp/somewhere"""
import resource, sys, time, shutil
from pathlib import Path
sys.path.insert(0, ".")
from flows.hostile_corpus import write_nested_forms_pdf
from flows.pipeline import RunConfig, run_once
from models.settings import Settings
from tests.conftest import ROSTER_CSV
def main():
    root = Path(sys.argv[1]); shutil.rmtree(root, ignore_errors=True)
    inbox = root / "inbox"
    for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 3):
        write_nested_forms_pdf(inbox / f"bersarang {i}.pdf", levels=4, fanout=10, repeat=2000 + i)
    (root / "roster.csv").write_text(ROSTER_CSV)
    t = time.perf_counter()
    r = run_once(RunConfig(inbox, root / "roster.csv", root / "out", "2021", Settings(workers=2, settle_seconds=0)))
    print(f"{time.perf_counter() - t:.1f} s; main peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB; "
          f"ledger {(root / 'out' / 'ledger.sqlite').stat().st_size // 1024} KB (+wal {sum(p.stat().st_size for p in (root/'out').glob('ledger.sqlite-wal'))//1024} KB)")
    for o in r.screening.documents: print(o.path, o.status, o.reason, o.chars, o.detail)

if __name__ == '__main__':
    main()
