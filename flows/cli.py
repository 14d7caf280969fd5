"""The `kipp` command: a thin layer over flows/ and models/."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import click

from models.errors import KippError


def _prepare(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None = None):
    """Check the inputs in one clear line, before Prefect starts; then configure Prefect."""
    from flows.pipeline import RunConfig, check_inputs
    from flows.prefect_env import configure_prefect

    try:
        check_inputs(RunConfig(inbox, roster, out, edition, prior=prior))
    except KippError as e:
        raise click.ClickException(str(e)) from e
    configure_prefect(out / ".kipp")
    from flows.intake import intake_flow  # imports prefect, after its settings are in place

    return intake_flow


def _run_flow(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None = None) -> dict:
    from flows.lock import OutputLock

    intake_flow = _prepare(inbox, roster, out, edition, prior)
    try:
        with OutputLock(out, "run"):
            return intake_flow(str(inbox), str(roster), str(out), edition, prior=str(prior) if prior else None)
    except KippError as e:
        raise click.ClickException(str(e)) from e


def _print_summary(result: dict, seconds: float) -> None:
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
        parts = ", ".join(f"{s.label.lower()} {counts[s]}" for s in Completeness if counts[s])
        click.echo(f"  {category.label:<17} {sum(counts.values()):>4} peserta: {parts}")
    if screening.duplicates:
        kinds = Counter(f.kind.value for f in screening.duplicates)
        click.echo(f"{len(screening.duplicates)} dugaan duplikat: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
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
    f = click.option("--prior", type=click.Path(path_type=Path), default=None,
                     help="Earlier editions: a folder of their proposals (e.g. prior/2020/...) or a previous run's "
                          "ledger.sqlite.")(f)
    f = click.option("--edition", default="2021", show_default=True)(f)
    f = click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True)(f)
    f = click.option("--roster", type=click.Path(path_type=Path), default=Path("roster.csv"), show_default=True)(f)
    return click.option("--inbox", type=click.Path(path_type=Path), default=Path("inbox"), show_default=True)(f)


@click.group()
def main() -> None:
    """kipp-intake: intake and pre-screening of KIPP proposals."""


@main.command()
@_inputs
def run(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None) -> None:
    """Screen everything new in the inbox once and write the reports.

    Example: kipp run --inbox inbox/ --roster roster.csv --out reports/ --edition 2021 --prior arsip/
    """
    start = time.perf_counter()
    result = _run_flow(inbox, roster, out, edition, prior)
    _print_summary(result, time.perf_counter() - start)


@main.command("watch")
@_inputs
@click.option("--polling", is_flag=True, help="Poll instead of inotify (network shares, some mounts).")
@click.option("--interval", type=float, default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--rescan", type=float, default=300.0, show_default=True, help="Seconds between full passes.")
def watch_command(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, polling: bool,
                  interval: float, rescan: float) -> None:
    """Screen new files as they arrive, until Ctrl-C or SIGTERM.

    Example: kipp watch --inbox inbox/ --roster roster.csv --out reports/
    """
    import os

    from extractors.sandbox import keep_workers, release_workers
    from flows.lock import OutputLock
    from flows.watch import WatchOptions, watch
    from models.settings import Settings

    try:  # before Prefect and the workers start: a second watcher stops at once
        lock = OutputLock(out, "watch").acquire()
    except KippError as e:
        raise click.ClickException(str(e)) from e
    intake_flow = _prepare(inbox, roster, out, edition, prior)
    settings = Settings.from_env()
    keep_workers(settings.workers, settings.limits)

    def batch() -> None:
        start = time.perf_counter()
        try:
            # The watcher has seen each file hold still: no second look needed in the flow.
            result = intake_flow(str(inbox), str(roster), str(out), edition, settle_seconds=0.0,
                                 prior=str(prior) if prior else None)
        except KippError as e:  # e.g. the roster is being edited: say so, keep watching
            click.echo(f"[{time.strftime('%H:%M:%S')}] galat: {e}", err=True)
            return
        if result["files_extracted"]:
            _print_batch(result, time.perf_counter() - start)

    def ready(mode: str) -> None:
        click.echo(f"Mengawasi {inbox}/ ({mode}, pid {os.getpid()}); laporan di {out}/. Ctrl-C untuk berhenti.")

    try:
        n = watch(inbox, out, batch, WatchOptions(polling=polling, poll_interval=interval, rescan=rescan),
                  on_ready=ready, lock=lock)
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
def serve_command(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, interval: int) -> None:
    """Serve the intake flow as a Prefect deployment that runs every --interval seconds.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api kipp serve --interval 60
    """
    intake_flow = _prepare(inbox, roster, out, edition, prior)
    params = {"inbox": str(inbox.resolve()), "roster": str(roster.resolve()), "out": str(out.resolve()),
              "edition": edition, "prior": str(prior.resolve()) if prior else None}
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
def themes() -> None:
    """Innovation themes: evaluate and train the model, record admins' corrections."""


def _themes_context(out: Path, taxonomy: Path | None):
    from models.ledger import Ledger
    from models.themes import ThemeError, load_taxonomy

    try:
        tax = load_taxonomy(taxonomy)
    except ThemeError as e:
        raise click.ClickException(str(e)) from e
    return tax, Ledger(out / "ledger.sqlite")


def _correction_samples(ledger, taxonomy, out: Path) -> list:
    """Each corrected participant's Inovasi proposal, labelled with the admin's theme, as a run builds them
    (so that a model trained here is the one the next run reuses)."""
    from models.themes import ThemeInput, correction_samples

    try:  # categories as the last run saw them; without them the next run merely retrains
        participants = json.loads((out / "screening.json").read_text(encoding="utf-8"))["participants"]
        categories = {p["id"]: p["category"] for p in participants}
    except (OSError, ValueError, KeyError, TypeError):
        categories = {}
    corrections = {pid: theme for pid, theme in ledger.theme_corrections().items() if theme in taxonomy}
    inputs = []
    for pid in corrections:
        sha = ledger.accepted_sha(pid, "inovasi")
        stored = ledger.extractions([sha], with_text=True).get(sha) if sha else None
        if stored and stored.extraction:
            inputs.append(ThemeInput(pid, categories.get(pid, ""), stored.extraction.cover, stored.extraction.text))
    return correction_samples(inputs, corrections)


_out_option = click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
                           help="The output folder whose ledger keeps the corrections.")
_taxonomy_option = click.option("--taxonomy", type=click.Path(path_type=Path), default=None,
                                help="A taxonomy JSON replacing the default themes.")


@themes.command("evaluate")
@_out_option
@_taxonomy_option
@click.option("--folds", type=int, default=5, show_default=True)
def themes_evaluate(out: Path, taxonomy: Path | None, folds: int) -> None:
    """Cross-validated accuracy, macro-F1 and confusion on the labelled data, and on held-out proposals.

    Example: kipp themes evaluate --out reports/
    """
    from models.themes import evaluate, evaluate_held_out, format_evaluation, seed_samples

    tax, ledger = _themes_context(out, taxonomy)
    with ledger:
        corrections = _correction_samples(ledger, tax, out)
    samples = seed_samples(tax) + corrections
    click.echo(f"Labelled data: {len(samples)} samples ({len(corrections)} from admins' corrections)")
    click.echo(format_evaluation(evaluate(tax, samples, folds=folds)))
    click.echo("")
    click.echo("Held-out proposals (a separate generator, every theme, cross-theme vocabulary):")
    click.echo(format_evaluation(evaluate_held_out(tax)))
    click.echo("")
    click.echo("Held-out, terse proposals (a stress test: short texts, where the review flag matters):")
    click.echo(format_evaluation(evaluate_held_out(tax, hard=True)))


@themes.command("train")
@_out_option
@_taxonomy_option
def themes_train(out: Path, taxonomy: Path | None) -> None:
    """Rebuild and save the theme model with its version and metrics.

    Example: kipp themes train --out reports/
    """
    from models.themes import seed_samples, train

    tax, ledger = _themes_context(out, taxonomy)
    with ledger:
        samples = seed_samples(tax) + _correction_samples(ledger, tax, out)
    path = out / ".kipp" / "theme_model.pickle"
    clf = train(tax, path, samples)
    click.echo(f"Model saved to {path} (format {clf.FORMAT_VERSION}, {len(samples)} samples)")
    for key, value in clf.metrics.items():
        click.echo(f"  {key}: {value}")


@themes.command("correct")
@_out_option
@_taxonomy_option
@click.argument("participant_id")
@click.argument("theme")
def themes_correct(out: Path, taxonomy: Path | None, participant_id: str, theme: str) -> None:
    """Record an admin's theme for a participant; it wins over the model from the next run on.

    Example: kipp themes correct sd-sawojajar-1 kesehatan --out reports/
    """
    tax, ledger = _themes_context(out, taxonomy)
    resolved = tax.resolve(theme)
    if resolved is None:
        raise click.ClickException(f"unknown theme {theme!r}; known: {', '.join(tax.ids)}")
    with ledger:
        ledger.save_theme_corrections({participant_id: resolved}, source="cli")
    click.echo(f"{participant_id}: {tax.label(resolved)} (berlaku mulai putaran berikutnya)")


@themes.command("import")
@_out_option
@_taxonomy_option
@click.argument("csv_file", type=click.Path(path_type=Path))
def themes_import(out: Path, taxonomy: Path | None, csv_file: Path) -> None:
    """Record admins' themes from a CSV `participant_id,theme`.

    Example: kipp themes import koreksi_tema.csv --out reports/
    """
    from models.themes import ThemeError, load_corrections

    tax, ledger = _themes_context(out, taxonomy)
    try:
        corrections = load_corrections(csv_file, tax)
    except ThemeError as e:
        raise click.ClickException(str(e)) from e
    with ledger:
        ledger.save_theme_corrections(corrections, source=str(csv_file))
    click.echo(f"{len(corrections)} koreksi tema disimpan")


@main.group()
def duplicates() -> None:
    """Admins' decisions on duplicate flags, kept across runs."""


def _decide(out: Path, key: str, decision: str, note: str | None) -> None:
    import json

    from models.ledger import Ledger

    try:
        flags = json.loads((out / "screening.json").read_text(encoding="utf-8")).get("duplicates", [])
    except FileNotFoundError:
        raise click.ClickException(f"{out / 'screening.json'}: no report yet; run kipp run first") from None
    if key not in {f.get("key") for f in flags}:
        raise click.ClickException(f"{key}: no such flag in {out / 'screening.json'} (see duplicates.html)")
    with Ledger(out / "ledger.sqlite") as ledger:
        ledger.save_duplicate_decision(key, decision, note)
    click.echo(f"{key}: {decision} (tampil di laporan mulai putaran berikutnya)")


@duplicates.command("confirm")
@_out_option
@click.argument("key")
@click.option("--note", default=None)
def duplicates_confirm(out: Path, key: str, note: str | None) -> None:
    """Confirm a flag: the two documents are copies.

    Example: kipp duplicates confirm near:3f2a...:9b1c... --out reports/
    """
    _decide(out, key, "confirmed", note)


@duplicates.command("dismiss")
@_out_option
@click.argument("key")
@click.option("--note", default=None)
def duplicates_dismiss(out: Path, key: str, note: str | None) -> None:
    """Dismiss a flag: not a copy; it stays in the report, marked dismissed.

    Example: kipp duplicates dismiss title:3f2a...:9b1c... --out reports/
    """
    _decide(out, key, "dismissed", note)


@main.command("retry")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True)
@click.option("--reason", "reasons", multiple=True, metavar="CODE",
              help="A reason code to read again (repeatable); default: timeout, resource_limit, extraction_crashed.")
def retry_command(out: Path, reasons: tuple[str, ...]) -> None:
    """Read again, on the next run, the files that could not be read for these reasons.

    A file that timed out stays `timeout` while the limits stay the same (a changed
    KIPP_EXTRACT_SECONDS or KIPP_EXTRACT_MEMORY_MB re-reads it by itself); this marks it, once.

    Example: kipp retry --out reports/ --reason timeout && kipp run --out reports/ ...
    """
    from models.errors import InputError
    from models.ledger import TRANSIENT_REASONS, Ledger
    from models.records import Reason

    # The reasons an extraction stores; the others (unidentified, ...) are decided afresh every run.
    readable = {Reason.EMPTY_FILE, Reason.UNSUPPORTED_FORMAT, Reason.CORRUPT_PDF, Reason.CORRUPT_DOCX,
                Reason.ENCRYPTED_PDF, Reason.TOO_MANY_PAGES, Reason.ZIP_BOMB, Reason.XML_ENTITIES,
                Reason.EXTRACTION_ERROR, *TRANSIENT_REASONS}
    codes = {r.value: r for r in readable}
    unknown = [r for r in reasons if r not in codes]
    if unknown:
        raise InputError(
            f"--reason {', '.join(unknown)}: bukan alasan gagal baca yang dapat diulang; pilih dari "
            + ", ".join(sorted(codes))
        )
    ledger_path = out / "ledger.sqlite"
    if not ledger_path.is_file():
        raise InputError(f"{out}: belum ada ledger.sqlite di folder ini; jalankan kipp run lebih dulu")
    chosen = [codes[r] for r in reasons] or sorted(TRANSIENT_REASONS)
    with Ledger(ledger_path) as ledger:
        marked = ledger.mark_for_retry(chosen)
    click.echo(f"{marked} isi berkas ({', '.join(chosen)}) akan dibaca ulang pada kipp run berikutnya")


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


@bench.command("duplicates", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_duplicates(args: tuple[str, ...]) -> None:
    """Duplicate detection: --eval (recall/precision on planted copies), --bench --docs 6000 --words 3000.

    Example: kipp bench duplicates --bench --docs 6000 --words 3000
    """
    from flows.bench_duplicates import main as run_bench

    sys.exit(run_bench(list(args)) or 0)


if __name__ == "__main__":
    main()
