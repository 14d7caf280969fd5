"""The `kipp` command: a thin layer over flows/ and models/."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import click

from models.errors import KippError


def _prepare(inbox: Path, roster: Path, out: Path, edition: str):
    """Check the inputs in one clear line, before Prefect starts; then configure Prefect."""
    from flows.pipeline import RunConfig, check_inputs
    from flows.prefect_env import configure_prefect

    try:
        check_inputs(RunConfig(inbox, roster, out, edition))
    except KippError as e:
        raise click.ClickException(str(e)) from e
    configure_prefect(out / ".kipp")
    from flows.intake import intake_flow  # imports prefect, after its settings are in place

    return intake_flow


def _run_flow(inbox: Path, roster: Path, out: Path, edition: str) -> dict:
    from flows.lock import OutputLock

    intake_flow = _prepare(inbox, roster, out, edition)
    try:
        with OutputLock(out, "run"):
            return intake_flow(str(inbox), str(roster), str(out), edition)
    except KippError as e:
        raise click.ClickException(str(e)) from e


def _print_summary(result: dict, seconds: float) -> None:
    from flows.reporting import CATEGORY_LABEL, STATUS_LABEL
    from models.records import Completeness

    screening = result["screening"]
    files = Counter(o.status.value for o in screening.documents)
    click.echo(
        f"{result['files_seen']} berkas di kotak masuk, {result['files_extracted']} baru dibaca "
        f"({seconds:.1f} s): " + ", ".join(f"{k} {v}" for k, v in sorted(files.items()))
    )
    by_cat: dict = {}
    for r in screening.participants:
        by_cat.setdefault(r.participant.category, Counter())[r.status] += 1
    for category, counts in by_cat.items():
        parts = ", ".join(f"{STATUS_LABEL[s].lower()} {counts[s]}" for s in Completeness if counts[s])
        click.echo(f"  {CATEGORY_LABEL[category]:<17} {sum(counts.values()):>4} peserta: {parts}")
    quarantined = [o for o in screening.documents if o.status.value == "quarantined"]
    if quarantined:
        click.echo(f"{len(quarantined)} berkas dikarantina (alasan di laporan):")
        for o in quarantined[:10]:
            click.echo(f"  {o.path}: {o.reason}")
        if len(quarantined) > 10:
            click.echo(f"  ... dan {len(quarantined) - 10} lagi")
    click.echo("Laporan:")
    for path in result["reports"].values():
        click.echo(f"  {path}")


def _inputs(f):
    f = click.option("--edition", default="2021", show_default=True)(f)
    f = click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True)(f)
    f = click.option("--roster", type=click.Path(path_type=Path), default=Path("roster.csv"), show_default=True)(f)
    return click.option("--inbox", type=click.Path(path_type=Path), default=Path("inbox"), show_default=True)(f)


@click.group()
def main() -> None:
    """kipp-intake: intake and pre-screening of KIPP proposals."""


@main.command()
@_inputs
def run(inbox: Path, roster: Path, out: Path, edition: str) -> None:
    """Screen everything new in the inbox once and write the reports.

    Example: kipp run --inbox inbox/ --roster roster.csv --out reports/ --edition 2021
    """
    start = time.perf_counter()
    result = _run_flow(inbox, roster, out, edition)
    _print_summary(result, time.perf_counter() - start)


@main.command("watch")
@_inputs
@click.option("--polling", is_flag=True, help="Poll instead of inotify (network shares, some mounts).")
@click.option("--interval", type=float, default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--rescan", type=float, default=300.0, show_default=True, help="Seconds between full passes.")
def watch_command(inbox: Path, roster: Path, out: Path, edition: str, polling: bool, interval: float,
                  rescan: float) -> None:
    """Screen new files as they arrive, until Ctrl-C or SIGTERM.

    Example: kipp watch --inbox inbox/ --roster roster.csv --out reports/
    """
    import os

    from extractors.sandbox import keep_workers, release_workers
    from flows.watch import WatchOptions, watch
    from models.settings import Settings

    intake_flow = _prepare(inbox, roster, out, edition)
    settings = Settings.from_env()
    keep_workers(settings.workers, settings.limits)

    def batch() -> None:
        start = time.perf_counter()
        try:
            # The watcher has seen each file hold still: no second look needed in the flow.
            result = intake_flow(str(inbox), str(roster), str(out), edition, settle_seconds=0.0)
        except KippError as e:  # e.g. the roster is being edited: say so, keep watching
            click.echo(f"[{time.strftime('%H:%M:%S')}] galat: {e}", err=True)
            return
        if result["files_extracted"]:
            _print_batch(result, time.perf_counter() - start)

    def ready(mode: str) -> None:
        click.echo(f"Mengawasi {inbox}/ ({mode}, pid {os.getpid()}); laporan di {out}/. Ctrl-C untuk berhenti.")

    try:
        n = watch(inbox, out, batch, WatchOptions(polling=polling, poll_interval=interval, rescan=rescan),
                  on_ready=ready)
    except KippError as e:
        raise click.ClickException(str(e)) from e
    finally:
        release_workers()
    click.echo(f"Berhenti setelah {n} putaran; laporan terakhir di {out}/.")


def _print_batch(result: dict, seconds: float) -> None:
    from models.records import Completeness

    screening = result["screening"]
    complete = sum(1 for r in screening.participants if r.status is Completeness.COMPLETE)
    quarantined = sum(1 for o in screening.documents if o.status.value == "quarantined")
    click.echo(
        f"[{time.strftime('%H:%M:%S')}] {result['files_extracted']} berkas baru dibaca ({seconds:.1f} s); "
        f"lengkap {complete}/{len(screening.participants)}; dikarantina {quarantined}"
    )


@main.command("serve")
@_inputs
@click.option("--interval", type=int, default=60, show_default=True, help="Seconds between scheduled runs.")
def serve_command(inbox: Path, roster: Path, out: Path, edition: str, interval: int) -> None:
    """Serve the intake flow as a Prefect deployment that runs every --interval seconds.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api kipp serve --interval 60
    """
    intake_flow = _prepare(inbox, roster, out, edition)
    params = {"inbox": str(inbox.resolve()), "roster": str(roster.resolve()), "out": str(out.resolve()),
              "edition": edition}
    click.echo(f"Deployment kipp-intake/kipp-{edition}: every {interval} s; Ctrl-C to stop.")
    intake_flow.serve(name=f"kipp-{edition}", interval=interval, parameters=params)


@main.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=Path("demo"), show_default=True)
@click.option("--size", type=click.Choice(["demo", "full"]), default="demo", show_default=True)
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option("--fresh", is_flag=True, help="Generate the demo inbox again even if it exists.")
def demo(directory: Path, size: str, seed: int, fresh: bool) -> None:
    """Write a realistic messy inbox with its roster, then screen it.

    Example: kipp demo --dir demo --size demo
    """
    import shutil

    from flows.demo_corpus import generate_inbox, malang_roster, write_roster, write_truth

    inbox, roster = directory / "inbox", directory / "roster.csv"
    if fresh and directory.exists():
        shutil.rmtree(directory)
    if not inbox.exists():
        rows = malang_roster(size, seed)
        write_roster(roster, rows)
        truth = generate_inbox(inbox, rows, seed)
        write_truth(directory / "truth.json", truth)
        click.echo(f"Demo: {len(rows)} peserta, {len(truth)} berkas ditulis ke {inbox}/")
    else:
        click.echo(f"Demo: memakai kotak masuk yang ada di {inbox}/ (--fresh untuk membuat ulang)")
    start = time.perf_counter()
    result = _run_flow(inbox, roster, directory / "reports", "2021")
    _print_summary(result, time.perf_counter() - start)
    click.echo(f"Buka {directory / 'reports' / 'completeness.html'} di peramban.")


@main.command()
@click.option("--size", type=click.Choice(["demo", "full"]), default="full", show_default=True)
@click.option("--seed", "seeds", type=int, multiple=True, default=(1, 2, 3), show_default=True)
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="Keep the generated corpora here (default: a temporary folder).")
def evaluate(size: str, seeds: tuple[int, ...], directory: Path | None) -> None:
    """Measure identification and completeness against generated inboxes with known truth.

    Example: kipp evaluate --size full --seed 1 --seed 2
    """
    from flows.evaluation import evaluate_corpus, format_report

    reports = [evaluate_corpus(size, seed, directory) for seed in seeds]
    click.echo(format_report(reports))
    if any(not r.passed for r in reports):
        sys.exit(1)


@main.group()
def bench() -> None:
    """Benchmarks whose figures go into the issue notes."""


@bench.command("safety")
@click.option("--size", type=click.Choice(["demo", "full"]), default="demo", show_default=True)
@click.option("--bomb-mb", type=int, default=2048, show_default=True)
def bench_safety(size: str, bomb_mb: int) -> None:
    """Peak memory of a run that meets a 2 GB zip bomb; files/s with and without isolation.

    Example: kipp bench safety --size full
    """
    from flows.bench_safety import main as run_bench

    click.echo(run_bench(size, bomb_mb))


@bench.command("latency")
@click.option("--drops", type=int, default=10, show_default=True)
@click.option("--polling", is_flag=True, help="Measure the polling fallback instead of inotify.")
def bench_latency(drops: int, polling: bool) -> None:
    """Seconds from a 10-page PDF landing in the inbox to the report showing it, under kipp watch.

    Example: kipp bench latency --drops 10
    """
    from flows.bench_watch import main as run_bench

    click.echo(run_bench(drops, polling))


if __name__ == "__main__":
    main()
