"""The `kipp` command: a thin layer over flows/ and models/, with one error boundary for every command."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flows.prefect_env import flow_run_settings, imports_frozen
from models.errors import ExitCode, InputError, KippError, OutputError
from models.language import LANGUAGES, both, current_language, pick, say, use_language

if TYPE_CHECKING:
    from rich.console import Console

    from flows.steps.context import RunResult
    from models.screening import Screening

OUT_KEY = "kipp.out"  # ctx.meta: the output folder of the command, for the error boundary
SETTINGS_KEY = "kipp.settings"
# Listed apart from the admins' commands in `kipp --help`: measurements whose figures go into the issues.
DEVELOPER_COMMANDS = ("bench", "evaluate")


# -- help pages in the reader's language -----------------------------------------------------------


def help_language() -> str:
    """The language of a help page: --lang's (an eager option, set as soon as it is read), else
    KIPP_LANG when the page is asked for before --lang is read (`kipp` alone), else Indonesian."""
    import os

    ctx = click.get_current_context(silent=True)
    if ctx is not None and "lang" not in ctx.find_root().params:
        env = os.environ.get("KIPP_LANG", "")
        if env in LANGUAGES:
            return env
    return current_language()


# click's own words in an option's [..] note, in Indonesian
_CLICK_NOTES = (("default: ", "bawaan: "), ("env var: ", "variabel lingkungan: "), ("required", "wajib"))


class _Help:
    """Help pages in the reader's language. Every help text (a command's docstring, an option's help=)
    is written in both languages, Indonesian, then `CUT` (click's form feed), then English (`both` for
    an option); it is cut to one language when the page is shown, not when the command is defined,
    since --lang is read after. click's own words on the page (usage, the headings, the --help option,
    its [default: ...] notes) follow too; click's usage errors stay in its English."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", both("[OPSI]", "[OPTIONS]"))
        if isinstance(self, click.Group):
            kwargs.setdefault("subcommand_metavar", both("PERINTAH [ARG]...", "COMMAND [ARGS]..."))
        super().__init__(*args, **kwargs)

    # click reads these three when it writes a page, so they are cut there
    help = property(lambda self: self._help if self._help is None else pick(self._help, help_language()),
                    lambda self, value: setattr(self, "_help", value))
    options_metavar = property(lambda self: pick(self._options_metavar, help_language()),
                               lambda self, value: setattr(self, "_options_metavar", value))
    subcommand_metavar = property(lambda self: pick(self._subcommand_metavar, help_language()),
                                  lambda self, value: setattr(self, "_subcommand_metavar", value))

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix=pick(both("Pemakaian: ", "Usage: "), help_language()) + " ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = help_language()
        rows = []
        for param in self.get_params(ctx):
            record = None if isinstance(param, click.Argument) else param.get_help_record(ctx)
            if record is not None:
                spec, text = record
                own = param.help or ""
                notes = text.removeprefix(own)  # click's [default: ...] after the help
                if lang == "id":
                    for english, indonesian in _CLICK_NOTES:
                        notes = notes.replace(english, indonesian)
                rows.append((spec, (pick(own, lang) + notes).strip()))
        if rows:
            with formatter.section(pick(both("Opsi", "Options"), lang)):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = both("Tampilkan bantuan ini lalu keluar.", "Show this help and exit.")
        return option


class KippCommand(_Help, click.Command):
    pass


class KippSubGroup(_Help, click.Group):
    """A group of commands (themes, duplicates, ledger, bench); its commands are listed as they come."""

    command_class = KippCommand
    developer_commands: tuple[str, ...] = ()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The user's commands, then the developers' under a heading of their own; every name still runs."""
        listed = [(name, cmd) for name in self.list_commands(ctx)
                  if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        headings = ((both("Perintah", "Commands"), False), (both("Perintah pengembang", "Developer commands"), True))
        for heading, developer in headings:
            rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in listed
                    if (name in self.developer_commands) is developer]
            if rows:
                with formatter.section(pick(heading, help_language())):
                    formatter.write_dl(rows)


# A group's groups are of this kind, never the top-level KippGroup: one error boundary, at the top.
KippSubGroup.group_class = KippSubGroup


# -- the error boundary ---------------------------------------------------------------------------


class KippGroup(KippSubGroup):
    """The kipp command. Every operational error ends as one line on stderr and a documented exit code
    (README, *Exit codes*).

    KippError exits with its own code; an OSError or SQLite error of the output folder with 4; a damaged
    ledger with 5; Ctrl-C with 130; anything else is a bug: one line naming a file that keeps the trace, exit 1.
    """

    developer_commands = DEVELOPER_COMMANDS

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """kipp's own --help waits for the eager --lang, wherever it stands: `kipp --help --lang en`."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.is_eager = False
        return option

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (Exception, KeyboardInterrupt) as e:
            code, message = explain(e, ctx.meta.get(OUT_KEY))
            click.echo(f"kipp: {clean(message, keep_newlines=isinstance(e, KippError))}", err=True)
            ctx.exit(int(code))


def explain(e: BaseException, out: Path | None) -> tuple[ExitCode, str]:
    """The exit code and the one line for an exception that reached the command line."""
    import sqlite3

    from models.ledger import ledger_error

    if isinstance(e, KippError):
        return e.exit_code, str(e)
    if isinstance(e, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, say("dihentikan (Ctrl-C); laporan yang sudah ada tetap utuh; jalankan lagi untuk melanjutkan",
                                         "stopped (Ctrl-C); the reports already written stay whole; run again to go on")
    if isinstance(e, sqlite3.Error):
        from flows.steps.context import OutputPaths

        err = ledger_error(OutputPaths(out or Path(".")).ledger, e)
        return err.exit_code, str(err)
    if isinstance(e, OSError) and _output_failure(e, out):
        from models.errors import os_reason

        where = f" ({e.filename})" if e.filename and Path(str(e.filename)) != out else ""
        return ExitCode.OUTPUT, say(f"{out or e.filename or 'disk'}: folder keluaran tidak dapat dipakai: {os_reason(e)}{where}; "
                                    "laporan sebelumnya tetap utuh",
                                    f"{out or e.filename or 'disk'}: the output folder cannot be used: {os_reason(e)}{where}; "
                                    "the earlier reports stay whole")
    trace = _keep_trace(e, out)
    return ExitCode.FAILED, say(f"kesalahan tak terduga di kipp ({type(e).__name__}: {e}); jejak lengkap di {trace}; "
                                "laporkan ke pengembang beserta berkas itu",
                                f"an unexpected error in kipp ({type(e).__name__}: {e}); the full trace is in {trace}; "
                                "report it to the developers with that file")


def _output_failure(e: OSError, out: Path | None) -> bool:
    import errno

    if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG):
        return True  # the state of a disk, whichever file met it
    if out is None or e.errno not in (errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST, errno.EISDIR,
                                      errno.ENOENT, errno.EIO):
        return False
    if e.filename is None:
        return True
    try:
        name = Path(str(e.filename)).absolute()
        return name == out.absolute() or out.absolute() in name.parents
    except (OSError, ValueError):
        return False


def _keep_trace(e: BaseException, out: Path | None) -> str:
    """Write the trace where a developer can find it: <out>/.kipp/last-error.txt, else a temporary file."""
    import os
    import tempfile
    import traceback
    from datetime import UTC, datetime

    text = (f"kipp {' '.join(sys.argv[1:])}\n{datetime.now(UTC).isoformat(timespec='seconds')}\n\n"
            + "".join(traceback.format_exception(e)))
    if out is not None and out.is_dir():
        try:
            from flows.steps.context import OutputPaths

            target = OutputPaths(out).last_error
            target.parent.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            return str(target)
        except OSError:
            pass
    try:
        fd, name = tempfile.mkstemp(prefix="kipp-error-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return name
    except OSError:
        return say("(tidak dapat disimpan)", "(could not be saved)")


def clean(text: object, keep_newlines: bool = False) -> str:
    """Escape control characters (a file name from the inbox may hold any): the terminal shows them,
    never runs them. A message of several lines keeps its line breaks when asked."""
    from models.inbox import printable

    lines = str(text).split("\n") if keep_newlines else [str(text)]
    return "\n".join(printable(line) for line in lines)


def _remember_out(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None:
        ctx.meta[OUT_KEY] = value
    return value


def _settings():
    """The KIPP_ settings, read once per command (a bad value is one line naming the variable, exit 3)."""
    from models.settings import Settings

    meta = click.get_current_context().meta
    if SETTINGS_KEY not in meta:
        meta[SETTINGS_KEY] = Settings.from_env()
    return meta[SETTINGS_KEY]


def _taxonomy(path: Path | None):
    """--taxonomy, else KIPP_TAXONOMY, else the default themes."""
    from models.themes import ThemeError, load_taxonomy

    from_env = _settings().taxonomy
    try:
        return load_taxonomy(path or from_env)
    except ThemeError as e:
        if path is None and from_env is not None:
            raise InputError(f"KIPP_TAXONOMY: {e}") from e
        raise


def _quiet_prefect_runs() -> None:
    """Flow and task run logs go to Prefect's API (and its UI) only: a failure reaches the terminal as kipp's
    own one line, not as Prefect's traceback."""
    import logging

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).propagate = False


# -- runs ------------------------------------------------------------------------------------------


@imports_frozen()  # the run's modules, once imported, outside every garbage collection
def _prepare(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None = None, panel=None,
             handoff: bool = False):
    """Check the inputs in one clear line, before Prefect starts; then configure Prefect."""
    from flows.lifecycle import start_embedded_api
    from flows.prefect_env import configure_prefect
    from flows.server import use_prefect_server
    from flows.steps.check import check_inputs
    from flows.steps.context import OutputPaths, PanelFiles, RunConfig

    settings = _settings()
    _taxonomy(None)  # a missing KIPP_TAXONOMY is one line now, not a failed task later
    new = not OutputPaths(out).holds_a_run
    check_inputs(RunConfig(inbox, roster, out, edition, settings, prior=prior, panel=panel or PanelFiles(),
                           handoff=handoff))
    if new:
        click.echo(say(f"folder keluaran baru: {clean(out.resolve())} (belum ada laporan di sana; periksa --out "
                       "bila bukan ini yang dimaksud)",
                       f"new output folder: {clean(out.resolve())} (no reports there yet; check --out if this is "
                       "not the one meant)"))
    # The local Prefect server every command reuses (flows/server.py), set before Prefect is imported;
    # with KIPP_PREFECT=ephemeral, Prefect's embedded server as kipp's supervised child, as before.
    api = use_prefect_server(OutputPaths(out).state, announce=click.echo)
    configure_prefect(OutputPaths(out).state)
    if api is None:
        start_embedded_api(OutputPaths(out).state)
    from flows.intake import (
        intake_flow,  # imports prefect, after its settings are in place
    )

    _quiet_prefect_runs()
    return intake_flow


def _run_flow(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None = None, panel=None,
              handoff: bool = False) -> RunResult:
    from flows.lock import OutputLock

    flow = _prepare(inbox, roster, out, edition, prior, panel, handoff)
    if handoff:
        from flows.intake import handoff_flow as flow
    with OutputLock(out, "handoff" if handoff else "run"), flow_run_settings():
        return flow(str(inbox), str(roster), str(out), edition, prior=str(prior) if prior else None,
                    **_panel_parameters(panel)).result  # flows.intake.Returned


def _panel_parameters(panel) -> dict:
    """--judges and its companions as the flow's parameters (plain strings, as Prefect stores them)."""
    if panel is None:
        return {}
    return {"judges": str(panel.judges) if panel.judges else None,
            "conflicts": str(panel.conflicts) if panel.conflicts else None,
            "criteria": str(panel.criteria) if panel.criteria else None, "per_proposal": panel.per_proposal}


def _exit_on_internal_errors(result: RunResult) -> None:
    """Reports written, but kipp failed on some files or steps: say so, and exit 6 for scripts."""
    screening = result.screening
    files = sum(1 for o in screening.documents if o.reason is not None and o.reason.value == "internal_error")
    steps = [e.step for e in screening.errors]
    if files or steps:
        what = [say(f"{files} berkas (internal_error; lihat documents.csv)",
                    f"{files} files (internal_error; see documents.csv)")] if files else []
        what += [say(f"langkah {', '.join(steps)} (lihat completeness.html)",
                     f"the step(s) {', '.join(steps)} (see completeness.html)")] if steps else []
        click.echo(say(f"kipp: laporan ditulis, tetapi kipp gagal pada {' dan '.join(what)}",
                       f"kipp: the reports are written, but kipp failed on {' and '.join(what)}"), err=True)
        click.get_current_context().exit(int(ExitCode.FILES_FAILED))


def _print_summary(result: RunResult, seconds: float, before: _Before | None) -> None:
    """What `kipp run` prints of a RunResult: counts, what changed since the last run, where the reports are."""
    from models.inbox import printable
    from models.records import FileStatus, ParticipantStatus

    lang = current_language()
    screening = result.screening
    files = Counter(o.status for o in screening.documents)
    states = ", ".join(f"{status.text(lang).lower()} {files[status]}" for status in FileStatus if files[status])
    states = states or say("kotak masuk kosong", "the inbox is empty")
    click.echo(say(f"{result.files_seen} berkas di kotak masuk, {result.files_extracted} baru dibaca",
                    f"{result.files_seen} files in the inbox, {result.files_extracted} newly read")
               + f" ({seconds:.1f} s): {states}")
    by_cat: dict = {}
    for r in screening.participants:
        by_cat.setdefault(r.participant.category, Counter())[r.status] += 1
    width = max((len(c.text(lang)) for c in by_cat), default=0)
    for category, counts in by_cat.items():
        parts = ", ".join(f"{s.text(lang).lower()} {counts[s]}" for s in ParticipantStatus if counts[s])
        click.echo(f"  {category.text(lang):<{width}} {sum(counts.values()):>4} {say('peserta', 'participants')}: {parts}")
    if screening.duplicates:
        kinds = Counter(f.kind.value for f in screening.duplicates)
        click.echo(f"{len(screening.duplicates)} {say('dugaan duplikat', 'possible duplicates')}: "
                   + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    quarantined = [o for o in screening.documents if o.status is FileStatus.QUARANTINED]
    if quarantined:
        click.echo(f"{len(quarantined)} " + say("berkas dikarantina (alasan di laporan):",
                                                 "files quarantined (reasons in the reports):"))
        for o in quarantined[:10]:
            click.echo(f"  {printable(o.path)}: {o.reason} ({o.reason.text(lang) if o.reason else ''})")
        if len(quarantined) > 10:
            click.echo(f"  ... {say('dan', 'and')} {len(quarantined) - 10} {say('lagi', 'more')}")
    judging = screening.judging
    if judging is not None and result.handoff is None:
        short = sum(1 for u in judging.unassigned if u.reason.value != "not_complete")
        state = (say("sejak penyerahan terakhir", "since the last hand-off") if judging.handed_at
                 else say("pratinjau; kipp handoff untuk menyerahkan", "a preview; kipp handoff hands it out"))
        new = sum(1 for a in judging.assignments if not a.frozen)
        click.echo(say(f"Juri: {len(judging.judges)} juri, {len(judging.assignments)} penugasan ({new} baru, "
                       f"{len(judging.withdrawn)} ditarik, {state}); {short} peserta kurang juri",
                       f"Judges: {len(judging.judges)} judges, {len(judging.assignments)} assignments ({new} new, "
                       f"{len(judging.withdrawn)} withdrawn, {state}); {short} participants short of judges"))
    click.echo(_changes(before, screening))
    _print_report_paths(result.reports)


def _print_report_paths(reports: dict[str, Path]) -> None:
    """Where the reports are: the folder, then the files an admin opens first."""
    if not reports:
        return
    folder = next(iter(reports.values())).parent
    first = {"completeness_xlsx": say("kelengkapan, untuk Excel", "completeness, for Excel"),
             "completeness_html": say("kelengkapan, untuk peramban", "completeness, for a browser"),
             "reminders_html": say("pengingat siap kirim", "reminders ready to send")}
    click.echo(say(f"Laporan di {clean(folder)}/ ({len(reports)} berkas):",
                    f"Reports in {clean(folder)}/ ({len(reports)} files):"))
    for key, what in first.items():
        if key in reports:
            click.echo(f"  {clean(reports[key])}  ({what})")


@dataclass(frozen=True, slots=True)
class _Before:
    """What the last run's screening.json said, read before this run replaces it."""

    files: dict[str, str | None]  # path -> sha256
    statuses: dict[str, str]  # participant id -> status code
    quarantined: frozenset[str]


def _before(out: Path) -> _Before | None:
    """The last run's state in `out`; None on a first run, or when its screening.json cannot be read
    (the run itself rewrites it)."""
    from flows.steps.context import OutputPaths

    try:
        doc = json.loads(OutputPaths(out).screening.read_text(encoding="utf-8"))
        return _Before({d["path"]: d["sha256"] for d in doc["documents"]},
                       {p["id"]: p["status"] for p in doc["participants"]},
                       frozenset(d["path"] for d in doc["documents"] if d["status"] == "quarantined"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _changes(before: _Before | None, screening: Screening) -> str:
    """One line: what changed since the last run in this output folder."""
    from models.records import FileStatus, ParticipantStatus

    if before is None:
        return say("Putaran pertama di folder ini.", "First run in this folder.")
    arrived = [o for o in screening.documents if o.status is not FileStatus.IGNORED
               and (o.path not in before.files or before.files[o.path] != o.sha256)]
    complete = ParticipantStatus.COMPLETE
    newly = [r.participant.name for r in screening.participants
             if r.status is complete and before.statuses.get(r.participant.id) != complete.value]
    lost = [r.participant.name for r in screening.participants
            if r.status is not complete and before.statuses.get(r.participant.id) == complete.value]
    quarantined = [o for o in screening.documents
                   if o.status is FileStatus.QUARANTINED and o.path not in before.quarantined]
    parts = []
    if arrived:
        parts.append(f"{len(arrived)} " + say("berkas baru atau berubah", "new or changed files"))
    if newly:
        parts.append(f"{len(newly)} " + say("peserta baru lengkap", "participants newly complete") + f" ({_few(newly)})")
    if lost:
        parts.append(f"{len(lost)} " + say("peserta tidak lagi lengkap", "participants no longer complete")
                     + f" ({_few(lost)})")
    if quarantined:
        parts.append(f"{len(quarantined)} " + say("berkas baru dikarantina", "files newly quarantined"))
    changed = "; ".join(parts) or say("tidak ada perubahan", "nothing changed")
    return say("Sejak putaran sebelumnya: ", "Since the last run: ") + changed + "."


def _few(names: list[str], shown: int = 5) -> str:
    from models.inbox import printable

    more = len(names) - shown
    text = ", ".join(printable(n) for n in names[:shown])
    return text + (f" {say('dan', 'and')} {more} {say('lagi', 'more')}" if more > 0 else "")


@contextmanager
def _progress(console: Console | None) -> Iterator[None]:
    """A live line while a run works, with files read of the total while it reads them and, once a
    scan is found, OCR pages read of those found; only on a terminal (`console` None: off), so that
    piped or captured output keeps its plain lines."""
    if console is None:
        yield
        return
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from flows.steps.extract import extract_progress, ocr_progress

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[files]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(say("Menyiapkan (Prefect)", "Starting (Prefect)"), total=None, files="")
        state = {"done": 0, "total": 0, "pages": 0, "scanned": 0}

        def show() -> None:
            done, total, pages, scanned = state["done"], state["total"], state["pages"], state["scanned"]
            if done >= total:
                what = say("Tema, duplikat, laporan", "Themes, duplicates, reports")
            elif pages < scanned:
                what = say("Membaca berkas (OCR)", "Reading files (OCR)")
            else:
                what = say("Membaca berkas", "Reading files")
            files = f"{done}/{total}"
            if scanned:
                files += say(f" · OCR {pages}/{scanned} hlm", f" · OCR {pages}/{scanned} pages")
            progress.update(task, description=what, total=max(total, 1), completed=done if total else 1,
                            files=files, refresh=True)

        def update(done: int, total: int) -> None:
            state.update(done=done, total=total)
            show()

        def update_ocr(pages: int, scanned: int) -> None:
            state.update(pages=pages, scanned=scanned)
            show()

        tokens = (extract_progress.set(update), ocr_progress.set(update_ocr))
        try:
            yield
        finally:
            extract_progress.reset(tokens[0])
            ocr_progress.reset(tokens[1])


def _terminal() -> Console | None:
    """A rich console when stdout is a terminal; None when it is a pipe or a file."""
    if not sys.stdout.isatty():
        return None
    from rich.console import Console

    return Console()


def _panel(f):
    """--judges and its companions, on every command that runs the flow; gathered into PanelFiles."""
    f = click.option("--per-proposal", type=click.IntRange(min=1), default=None,
                     help=both("Juri per proposal (K). Bawaan: seperti penyerahan terakhir, atau 2.",
                               "Judges per proposal (K). Default: the last hand-off's, else 2."))(f)
    f = click.option("--criteria", type=click.Path(path_type=Path), default=None,
                     help=both("Kriteria penilaian (CSV); bawaan: lima kriteria Kota Malang.",
                               "The judging criteria (CSV); default: Kota Malang's five."))(f)
    f = click.option("--conflicts", type=click.Path(path_type=Path), default=None,
                     help=both("Konflik kepentingan yang dinyatakan: CSV judge_id,participant_id.",
                               "Declared conflicts of interest: CSV judge_id,participant_id."))(f)
    return click.option("--judges", type=click.Path(path_type=Path), default=None,
                        help=both("Panel juri: CSV id,name,affiliation_id,expertise[,capacity][,contact]. Bawaan: panel "
                                  "penyerahan terakhir, bila ada.",
                                  "The panel: CSV id,name,affiliation_id,expertise[,capacity][,contact]. Default: the "
                                  "panel of the last hand-off, if any."))(f)


def _panel_files(judges: Path | None, conflicts: Path | None, criteria: Path | None, per_proposal: int | None):
    from flows.steps.context import PanelFiles

    return PanelFiles(judges, conflicts, criteria, per_proposal)


def _inputs(f):
    f = click.option("--prior", type=click.Path(path_type=Path), default=None,
                     help=both("Edisi sebelumnya: folder proposalnya (mis. prior/2020/...) atau ledger.sqlite "
                               "putaran sebelumnya.",
                               "The previous edition: its proposals' folder (e.g. prior/2020/...) or the ledger.sqlite "
                               "of its run."))(f)
    f = click.option("--edition", default="2021", show_default=True, help=both("Edisi (tahun) lomba.", "The competition's edition (year)."))(f)
    f = click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
                     callback=_remember_out, help=both("Folder keluaran: laporan, ledger dan karantina.",
                               "The output folder: reports, ledger and quarantine."))(f)
    f = click.option("--roster", type=click.Path(path_type=Path), default=Path("roster.csv"), show_default=True,
                     help=both("Daftar peserta, CSV id,name,category[,parent_id][,contact].",
                               "The participants, CSV id,name,category[,parent_id][,contact]."))(f)
    return click.option("--inbox", type=click.Path(path_type=Path), default=Path("inbox"), show_default=True,
                        help=both("Folder kotak masuk; tidak pernah diubah.", "The inbox folder; never changed."))(f)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kipp-intake")
    except PackageNotFoundError:
        return say("(tidak terpasang sebagai paket; pip install -e .)", "(not installed as a package; pip install -e .)")


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"kipp {_version()}")
        ctx.exit()


def _set_language(ctx: click.Context, _param: click.Parameter, lang: str) -> str:
    """--lang, set as soon as it is read (an eager option), so that a --help after it is in its language."""
    ctx.with_resource(use_language(lang))
    return lang


@click.group(cls=KippGroup)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help=both("Tampilkan versi kipp lalu keluar.", "Show kipp's version and exit."))
@click.option("--lang", type=click.Choice(LANGUAGES), default="id", show_default=True, envvar="KIPP_LANG",
              is_eager=True, callback=_set_language,
              help=both("Bahasa teks bantuan, laporan (HTML, XLSX, CSV, halaman paket juri), aplikasi kipp ui, ringkasan "
                        "putaran dan pesan galat (en: Inggris); juga KIPP_LANG. Pesan pengingat untuk peserta dan "
                        "screening.json tetap berbahasa Indonesia.",
                        "The language of the help, the reports (HTML, XLSX, CSV, the judges' packets), the kipp ui "
                        "app, the run summary and the error lines (id: Indonesian); also KIPP_LANG. The reminders "
                        "sent to participants and screening.json stay in Indonesian."))
def main(lang: str) -> None:
    """kipp-intake: penerimaan dan penyaringan awal proposal KIPP.

    Mulai dengan `kipp demo`, lalu `kipp run` untuk musim yang sebenarnya.
    \f
    kipp-intake: intake and pre-screening of KIPP proposals.

    Start with `kipp demo`, then `kipp run` for the real season.
    """


@main.command()
@_inputs
@_panel
def run(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, judges: Path | None,
        conflicts: Path | None, criteria: Path | None, per_proposal: int | None) -> None:
    """Saring semua berkas baru di kotak masuk sekali, lalu tulis laporannya; dengan --judges, pratinjau
    penugasan juri (assignments.html), yang diserahkan dengan `kipp handoff`.

    Contoh: kipp run --inbox inbox/ --roster roster.csv --out reports/ --edition 2021 --prior arsip/
    \f
    Screen every new file in the inbox once, then write the reports; with --judges, a preview of
    the judges' assignments (assignments.html), handed out with `kipp handoff`.

    Example: kipp run --inbox inbox/ --roster roster.csv --out reports/ --edition 2021 --prior archive/
    """
    start = time.perf_counter()
    before = _before(out)
    with _progress(_terminal()):
        result = _run_flow(inbox, roster, out, edition, prior, _panel_files(judges, conflicts, criteria, per_proposal))
    _print_summary(result, time.perf_counter() - start, before)
    _exit_on_internal_errors(result)


@main.command()
@_inputs
@_panel
def handoff(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, judges: Path | None,
            conflicts: Path | None, criteria: Path | None, per_proposal: int | None) -> None:
    """Saring kotak masuk, lalu serahkan peserta yang lengkap ke juri: penugasan dibekukan di ledger
    dan satu paket per juri ditulis ke <out>/paket/. Jalankan lagi setelah berkas susulan: yang sudah
    diserahkan tidak pernah dipindah, peserta baru ditambahkan.

    Contoh: kipp handoff --inbox inbox/ --roster roster.csv --out reports/ --judges juri.csv
    \f
    Screen the inbox, then hand the complete participants to the judges: the assignments are frozen
    in the ledger and one packet per judge is written to <out>/paket/. Run it again after late files:
    what was handed out is never moved, new participants are added.

    Example: kipp handoff --inbox inbox/ --roster roster.csv --out reports/ --judges judges.csv
    """
    start = time.perf_counter()
    before = _before(out)
    with _progress(_terminal()):
        result = _run_flow(inbox, roster, out, edition, prior, _panel_files(judges, conflicts, criteria, per_proposal),
                           handoff=True)
    _print_summary(result, time.perf_counter() - start, before)
    _print_handoff(result, out)
    _exit_on_internal_errors(result)


def _print_handoff(result: RunResult, out: Path) -> None:
    """What `kipp handoff` handed out now, per judge."""
    done = result.handoff
    if done is None:
        click.echo(say("kipp: penyerahan ke juri tidak dilakukan (lihat galat di completeness.html)",
                       "kipp: nothing was handed to the judges (see the error in completeness.html)"), err=True)
        return
    judging = result.screening.judging
    names = {j.id: j.name for j in judging.judges}
    click.echo(say(f"Diserahkan ke {len(judging.judges)} juri ({len(judging.assignments)} penugasan, "
                   f"{len(done.new)} baru, {len(done.withdrawn)} ditarik); paket di {clean(out / 'paket')}/:",
                   f"Handed to {len(judging.judges)} judges ({len(judging.assignments)} assignments, "
                   f"{len(done.new)} new, {len(done.withdrawn)} withdrawn); packets in {clean(out / 'paket')}/:"))
    for judge in judging.judges:
        new = sum(1 for a in done.new if a.judge_id == judge.id)
        gone = sum(1 for w in done.withdrawn if w.judge_id == judge.id)
        change = say(f" (+{new} baru, -{gone} ditarik)", f" (+{new} new, -{gone} withdrawn)") if new or gone else ""
        proposals = say("proposal", "proposals")
        click.echo(f"  {clean(names[judge.id])}: {judging.load(judge.id)} {proposals}{change}  {clean(done.packets[judge.id])}")
    short = [u for u in judging.unassigned if u.reason.value != "not_complete"]
    if short:
        click.echo(say(f"{len(short)} peserta kurang juri (lihat assignments.html)",
                       f"{len(short)} participants short of judges (see assignments.html)"))
    for problem in done.problems:
        click.echo(f"kipp: {clean(problem)}", err=True)


@main.command("watch")
@_inputs
@_panel
@click.option("--polling", is_flag=True, help=both("Periksa berkala, bukan inotify (folder jaringan, sebagian mount).",
                        "Look every --interval, not through inotify (network folders, some mounts)."))
@click.option("--interval", type=float, default=2.0, show_default=True, help=both("Detik antarpemeriksaan.", "Seconds between looks."))
@click.option("--rescan", type=float, default=300.0, show_default=True, help=both("Detik antarpemindaian penuh.", "Seconds between full scans."))
def watch_command(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, judges: Path | None,
                  conflicts: Path | None, criteria: Path | None, per_proposal: int | None, polling: bool,
                  interval: float, rescan: float) -> None:
    """Saring berkas baru begitu tiba, sampai Ctrl-C atau SIGTERM.

    Contoh: kipp watch --inbox inbox/ --roster roster.csv --out reports/
    \f
    Screen new files as they arrive, until Ctrl-C or SIGTERM.

    Example: kipp watch --inbox inbox/ --roster roster.csv --out reports/
    """
    import os

    from extractors.sandbox import keep_workers, release_workers
    from flows.lock import OutputLock
    from flows.reporting import check_output_folder
    from flows.server import use_prefect_server
    from flows.steps.check import check_folders
    from flows.steps.context import OutputPaths
    from flows.watch import WatchOptions, watch

    check_folders(inbox, out)  # before anything is written: the lock never lands in the inbox
    check_output_folder(out)
    lock = OutputLock(out, "watch").acquire()  # before Prefect and the workers start: a second watcher stops at once
    panel = _panel_files(judges, conflicts, criteria, per_proposal)
    intake_flow = _prepare(inbox, roster, out, edition, prior, panel)
    settings = _settings()
    keep_workers(settings.workers, settings.limits)

    def batch() -> None:
        start = time.perf_counter()
        try:
            use_prefect_server(OutputPaths(out).state, announce=click.echo)  # a server gone since is started again
            # The watcher has seen each file hold still: no second look needed in the flow.
            with flow_run_settings():
                result = intake_flow(str(inbox), str(roster), str(out), edition, settle_seconds=0.0,
                                     prior=str(prior) if prior else None, **_panel_parameters(panel)).result
        except KippError as e:  # e.g. the roster is being edited: say so, keep watching
            click.echo(f"[{time.strftime('%H:%M:%S')}] {say('galat', 'error')}: {clean(e, keep_newlines=True)}", err=True)
            return
        if result.files_extracted:
            _print_batch(result, time.perf_counter() - start)

    def ready(mode: str) -> None:
        click.echo(say(f"Mengawasi {inbox}/ ({mode}, pid {os.getpid()}); laporan di {out}/. Ctrl-C untuk berhenti.",
                       f"Watching {inbox}/ ({mode}, pid {os.getpid()}); reports in {out}/. Ctrl-C to stop."))

    try:
        n = watch(inbox, out, batch, WatchOptions(polling=polling, poll_interval=interval, rescan=rescan),
                  on_ready=ready, lock=lock)
    finally:
        release_workers()
    click.echo(say(f"Berhenti setelah {n} putaran; laporan terakhir di {out}/.",
                   f"Stopped after {n} runs; the last reports are in {out}/."))


def _print_batch(result: RunResult, seconds: float) -> None:
    """What `kipp watch` prints of a batch's RunResult."""
    from models.records import ParticipantStatus

    screening = result.screening
    complete = sum(1 for r in screening.participants if r.status is ParticipantStatus.COMPLETE)
    quarantined = sum(1 for o in screening.documents if o.status.value == "quarantined")
    click.echo(f"[{time.strftime('%H:%M:%S')}] " + say(
        f"{result.files_extracted} berkas baru dibaca ({seconds:.1f} s); "
        f"lengkap {complete}/{len(screening.participants)}; dikarantina {quarantined}",
        f"{result.files_extracted} new files read ({seconds:.1f} s); "
        f"complete {complete}/{len(screening.participants)}; quarantined {quarantined}"))


@main.command("serve")
@_inputs
@_panel
@click.option("--interval", type=int, default=60, show_default=True, help=both("Detik antarputaran terjadwal.", "Seconds between scheduled runs."))
def serve_command(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, judges: Path | None,
                  conflicts: Path | None, criteria: Path | None, per_proposal: int | None, interval: int) -> None:
    """Jalankan alur penyaringan sebagai deployment Prefect setiap --interval detik.

    Contoh: PREFECT_API_URL=http://127.0.0.1:4200/api kipp serve --interval 60
    \f
    Run the screening flow as a Prefect deployment every --interval seconds.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api kipp serve --interval 60
    """
    from flows.server import check_serve

    check_serve()  # Prefect's embedded server schedules nothing: one line saying what to use instead
    panel = _panel_files(*(p.resolve() if p else None for p in (judges, conflicts, criteria)), per_proposal)
    intake_flow = _prepare(inbox, roster, out, edition, prior, panel)
    params = {"inbox": str(inbox.resolve()), "roster": str(roster.resolve()), "out": str(out.resolve()),
              "edition": edition, "prior": str(prior.resolve()) if prior else None, **_panel_parameters(panel)}
    click.echo(say(f"Deployment kipp-intake/kipp-{edition}: setiap {interval} detik; Ctrl-C untuk berhenti.",
                   f"Deployment kipp-intake/kipp-{edition}: every {interval} seconds; Ctrl-C to stop."))
    import warnings

    # Prefect's runner, stopped by SIGTERM, leaves a coroutine unawaited: its warning is not the user's business.
    warnings.filterwarnings("ignore", message="coroutine 'Runner.astop' was never awaited", category=RuntimeWarning)
    intake_flow.serve(name=f"kipp-{edition}", interval=interval, parameters=params, print_starting_message=False)


@main.group("server")
def server_group() -> None:
    """Server Prefect lokal yang dipakai bersama oleh kipp run, watch, handoff dan serve.
    \f
    The local Prefect server that kipp run, watch, handoff and serve share.
    """


@server_group.command("status")
def server_status() -> None:
    """Alamat, pid, folder dan lama berjalan server Prefect lokal.

    Contoh: kipp server status
    \f
    The local Prefect server's URL, pid, home and uptime.

    Example: kipp server status
    """
    from flows.server import status_lines

    for line in status_lines():
        click.echo(line)


@server_group.command("start")
def server_start() -> None:
    """Mulai server Prefect lokal sekarang (kipp run memulainya sendiri bila perlu).

    Contoh: kipp server start
    \f
    Start the local Prefect server now (kipp run starts it by itself when needed).

    Example: kipp server start
    """
    from flows.server import ensure_server, server_home, status_lines

    ensure_server(server_home(), announce=click.echo)
    for line in status_lines():
        click.echo(line)


@server_group.command("stop")
def server_stop() -> None:
    """Hentikan server Prefect lokal beserta semua prosesnya; tidak ada yang tertinggal.

    Contoh: kipp server stop
    \f
    Stop the local Prefect server and every process of it.

    Example: kipp server stop
    """
    from flows.server import server_home, stop_server

    home = server_home()
    info = stop_server(home)
    click.echo(say(f"server Prefect lokal dihentikan (pid {info.pid}, {info.url})", f"local Prefect server stopped (pid {info.pid}, {info.url})")
               if info else say(f"server Prefect lokal tidak berjalan ({home})", f"the local Prefect server is not running ({home})"))


@main.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=Path("demo"), show_default=True,
              help=both("Folder demo: inbox/, roster.csv dan reports/.", "The demo folder: inbox/, roster.csv and reports/."))
@click.option("--size", type=click.Choice(["demo", "full"]), default="demo", show_default=True,
              help=both("demo: 40 peserta; full: seluruh Kota Malang (323 peserta).",
                        "demo: 40 participants; full: all of Kota Malang (323 participants)."))
@click.option("--seed", type=int, default=2021, show_default=True, help=both("Benih acak kotak masuk buatan.", "Random seed of the generated inbox."))
@click.option("--fresh", is_flag=True, help=both("Buat ulang kotak masuk demo meski sudah ada.", "Make the demo inbox again even if there is one."))
def demo(directory: Path, size: str, seed: int, fresh: bool) -> None:
    """Tulis kotak masuk demo yang berantakan seperti aslinya beserta rosternya, lalu saring.

    Contoh: kipp demo --dir demo --size demo
    \f
    Write a demo inbox as messy as the real one, with its roster, then screen it.

    Example: kipp demo --dir demo --size demo
    """
    import shutil

    from flows.corpora.demo import (
        generate_inbox,
        malang_roster,
        write_roster,
        write_truth,
    )

    inbox, roster = directory / "inbox", directory / "roster.csv"
    click.get_current_context().meta[OUT_KEY] = directory / "reports"
    if fresh and directory.exists():
        shutil.rmtree(directory)
    if not inbox.exists():
        rows = malang_roster(size, seed)
        write_roster(roster, rows)
        truth = generate_inbox(inbox, rows, seed)
        write_truth(directory / "truth.json", truth)
        click.echo(say(f"Demo: {len(rows)} peserta, {len(truth)} berkas ditulis ke {inbox}/",
                       f"Demo: {len(rows)} participants, {len(truth)} files written to {inbox}/"))
    else:
        click.echo(say(f"Demo: memakai kotak masuk yang ada di {inbox}/ (--fresh untuk membuat ulang)",
                       f"Demo: using the inbox already in {inbox}/ (--fresh to make it again)"))
    judges = directory / "juri.csv"
    if not judges.exists():  # the panel: academics and officials of competing units, for the preview
        from flows.corpora.judges import demo_judges
        from models.roster import load_roster

        judges.write_text(demo_judges(load_roster(roster)), encoding="utf-8")
    start = time.perf_counter()
    before = _before(directory / "reports")
    with _progress(_terminal()):
        result = _run_flow(inbox, roster, directory / "reports", "2021", panel=_panel_files(judges, None, None, None))
    _print_summary(result, time.perf_counter() - start, before)
    click.echo(say(f"Buka {directory / 'reports' / 'completeness.html'} di peramban, atau "
                    f"{directory / 'reports' / 'completeness.xlsx'} di Excel.",
                    f"Open {directory / 'reports' / 'completeness.html'} in a browser, or "
                    f"{directory / 'reports' / 'completeness.xlsx'} in Excel."))
    _exit_on_internal_errors(result)


@main.command()
@click.option("--size", type=click.Choice(["demo", "full", "province"]), default="full", show_default=True,
              help=both("Ukuran edisi buatan (province: Jawa Timur).", "Size of the generated edition (province: East Java)."))
@click.option("--seed", "seeds", type=int, multiple=True, default=(1, 2, 3), show_default=True,
              help=both("Benih acak; boleh diulang.", "Random seed; may be repeated."))
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help=both("Simpan korpus buatan di sini (bawaan: folder sementara).",
                        "Keep the generated corpus here (default: a temporary folder)."))
def evaluate(size: str, seeds: tuple[int, ...], directory: Path | None) -> None:
    """Ukur identifikasi dan kelengkapan pada kotak masuk buatan yang jawabannya diketahui.

    Contoh: kipp evaluate --size full --seed 1 --seed 2
    \f
    Measure identification and completeness on a generated inbox whose answers are known.

    Example: kipp evaluate --size full --seed 1 --seed 2
    """
    from flows.bench.evaluation import evaluate_corpus, format_report

    reports = [evaluate_corpus(size, seed, directory) for seed in seeds]
    click.echo(format_report(reports))
    if any(not r.passed for r in reports):
        sys.exit(1)


@main.group()
def ledger() -> None:
    """Ledger (<out>/ledger.sqlite, atau PostgreSQL bila KIPP_DATABASE_URL diset): periksa; bangun ulang berkas
    yang rusak.
    \f
    The ledger (<out>/ledger.sqlite, or PostgreSQL when KIPP_DATABASE_URL is set): check it; rebuild a damaged
    file.
    """


@ledger.command("check")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              callback=_remember_out, help=both("Folder keluaran yang ledgernya diperiksa.",
                                      "The output folder whose ledger is checked."))
def ledger_check(out: Path) -> None:
    """Periksa ledger: berkas ledger.sqlite utuh, atau basis data PostgreSQL di KIPP_DATABASE_URL menjawab dan
    menerima penggunanya; skemanya dikenal kipp ini. Satu baris, atau kesalahannya (kode keluar 5).

    Contoh: kipp ledger check --out reports/
    \f
    Check the ledger: the ledger.sqlite file is whole, or the PostgreSQL database of KIPP_DATABASE_URL answers
    and lets its user in; its schema is one this kipp knows. One line, or what is wrong (exit code 5).

    Example: kipp ledger check --out reports/
    """
    with _existing_ledger(out) as opened:  # one line when there is none yet, or it is damaged or newer
        version, edition = opened.meta("schema_version"), opened.meta("edition") or "-"
        click.echo(say(f"{clean(opened.path)}: ledger dapat dipakai (skema {version}, edisi {edition})",
                       f"{clean(opened.path)}: the ledger can be used (schema {version}, edition {edition})"))


@ledger.command("rebuild")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              callback=_remember_out, help=both("Folder keluaran yang ledger.sqlite-nya rusak.",
                                      "The output folder whose ledger.sqlite is damaged."))
def ledger_rebuild(out: Path) -> None:
    """Salin ledger yang rusak ke cadangan bertanggal dan mulai ledger baru berisi keputusan admin yang masih
    terbaca; putaran berikutnya membaca ulang kotak masuk.

    Contoh: kipp ledger rebuild --out reports/
    \f
    Copy a damaged ledger to a dated backup and start a new ledger with the admins' decisions that
    can still be read; the next run reads the inbox again.

    Example: kipp ledger rebuild --out reports/
    """
    from flows.lock import OutputLock
    from flows.steps.context import OutputPaths
    from models.ledger import rebuild_ledger

    if _settings().database_url:
        raise InputError(say("kipp ledger rebuild hanya untuk berkas ledger.sqlite; ledger ini di PostgreSQL "
                             "(KIPP_DATABASE_URL), yang memulihkan dirinya sendiri: pakai cadangan basis data itu",
                             "kipp ledger rebuild applies to the ledger.sqlite file only; this ledger is on PostgreSQL "
                             "(KIPP_DATABASE_URL), which keeps its pages whole: restore that database's backup"))
    path = OutputPaths(out).ledger
    if not path.is_file():
        raise InputError(say(f"{path}: tidak ada ledger di sini; periksa --out", f"{path}: no ledger here; check --out"))
    with OutputLock(out, "ledger rebuild"):
        done = rebuild_ledger(path)
    click.echo(say(f"Ledger lama disalin utuh ke {clean(done.backup)}", f"The old ledger is copied whole to {clean(done.backup)}"))
    labels = {"theme_corrections": say("koreksi tema", "theme corrections"),
              "duplicate_decisions": say("keputusan duplikat", "duplicate decisions"),
              "assignments": say("penugasan juri yang sudah diserahkan", "judge assignments handed out"),
              "scores": say("nilai juri dari lembar penilaian", "judges' scores from the scoring sheets"),
              "files": say("catatan berkas yang pernah diterima", "records of files received")}
    for table, label in labels.items():
        state = "" if done.complete[table] else say(" (SEBAGIAN: sisanya tidak terbaca; masih ada di cadangan)",
                                                    " (IN PART: the rest cannot be read; it is still in the backup)")
        click.echo(f"  {label}: {done.kept[table]} {say('diselamatkan', 'saved')}{state}")
    if not (done.complete["theme_corrections"] and done.complete["duplicate_decisions"] and done.complete["assignments"]
            and done.complete["scores"] and done.complete["score_sheets"]):
        click.echo(say("kipp: PERHATIAN: sebagian keputusan admin tidak dapat dibaca dari ledger yang rusak; periksa "
                       "dan masukkan lagi (kipp themes import, kipp duplicates confirm|dismiss); "
                       f"cadangan: {clean(done.backup)}",
                       "kipp: ATTENTION: some admin decisions cannot be read from the damaged ledger; check them and "
                       "enter them again (kipp themes import, kipp duplicates confirm|dismiss); "
                       f"backup: {clean(done.backup)}"), err=True)
    click.echo(say(f"Ledger baru di {clean(path)}; jalankan kipp run untuk membaca ulang kotak masuk.",
                   f"A new ledger in {clean(path)}; run kipp run to read the inbox again."))


@main.group()
def themes() -> None:
    """Tema inovasi: catat koreksi admin; latih dan ukur modelnya.
    \f
    Innovation themes: record the admins' corrections; train and measure the model.
    """


def _existing_ledger(out: Path):
    """The ledger of an earlier run in `out`; a mistyped --out is refused instead of getting a new empty ledger."""
    from flows.steps.context import OutputPaths
    from models.ledger import check_ledger, ledger_exists, open_ledger

    if out.exists() and not out.is_dir():
        raise _not_a_folder(out)
    path, settings = OutputPaths(out).ledger, _settings()
    if not ledger_exists(path, settings):
        if settings.database_url:
            from models.ledger_postgres import shown

            raise InputError(say(f"{shown(settings.database_url)}: belum ada ledger di basis data ini; jalankan kipp run "
                                 "dulu",
                                 f"{shown(settings.database_url)}: no ledger in this database yet; run kipp run first"))
        raise InputError(say(f"{out}: belum ada {path.name} di sini (salah ketik --out?); jalankan kipp run dengan "
                             "--out ini dulu",
                             f"{out}: no {path.name} here yet (--out mistyped?); run kipp run with this --out first"))
    check_ledger(path, settings)
    return open_ledger(path, settings)


def _not_a_folder(out: Path) -> OutputError:
    return OutputError(say(f"{out}: adalah berkas, bukan folder; --out harus folder keluaran kipp run",
                           f"{out}: is a file, not a folder; --out must be the output folder of kipp run"))


def _known_participants(out: Path, roster: Path | None) -> tuple[set[str], str]:
    """Participant ids of --roster, else of the last run (screening.json), and where they came from."""
    from models.roster import load_roster

    if roster is not None:
        return {p.id for p in load_roster(roster)}, str(roster)
    from flows.steps.context import OutputPaths

    path = OutputPaths(out).screening
    try:
        return {p["id"] for p in json.loads(path.read_text(encoding="utf-8"))["participants"]}, str(path)
    except FileNotFoundError:
        raise InputError(say(f"{path}: belum ada, jadi id peserta tidak dapat diperiksa; jalankan kipp run dulu, "
                             "atau beri --roster",
                             f"{path}: not there yet, so the participant ids cannot be checked; run kipp run first, "
                             "or give --roster")) from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(say(f"{path}: tidak terbaca ({e}), jadi id peserta tidak dapat diperiksa; jalankan kipp run "
                             "lagi, atau beri --roster",
                             f"{path}: cannot be read ({e}), so the participant ids cannot be checked; run kipp run "
                             "again, or give --roster")) from e


def _check_participants(ids, known: set[str], source: str) -> None:
    from rapidfuzz import process

    unknown = sorted(set(ids) - known)
    if not unknown:
        return
    hint = ""
    if len(unknown) == 1:
        close = [m[0] for m in process.extract(unknown[0], sorted(known), limit=3, score_cutoff=60)]
        hint = say(f"; mungkin: {', '.join(close)}", f"; perhaps: {', '.join(close)}") if close else ""
    more = say(f" dan {len(unknown) - 10} lagi", f" and {len(unknown) - 10} more") if len(unknown) > 10 else ""
    shown = ", ".join(unknown[:10]) + more
    raise InputError(say(f"peserta tidak dikenal: {shown} (tidak ada di {source}){hint}; tidak ada yang disimpan",
                         f"unknown participants: {shown} (not in {source}){hint}; nothing was saved"))


def _correction_samples(ledger, taxonomy, out: Path) -> list:
    """Each corrected participant's Inovasi proposal, labelled with the admin's theme, as a run builds them
    (so that a model trained here is the one the next run reuses)."""
    from flows.steps.themes import correction_inputs
    from models.themes import correction_samples

    if ledger is None:
        return []
    try:  # categories as the last run saw them; without them the next run merely retrains
        from flows.steps.context import OutputPaths

        participants = json.loads(OutputPaths(out).screening.read_text(encoding="utf-8"))["participants"]
        categories = {p["id"]: p["category"] for p in participants}
    except (OSError, ValueError, KeyError, TypeError):
        categories = {}
    corrections = {pid: theme for pid, theme in ledger.theme_corrections().items() if theme in taxonomy}
    return correction_samples(correction_inputs(ledger, corrections, categories), corrections)


def _admins_corrections(out: Path, taxonomy) -> list:
    """Training samples from the corrections in `out`'s ledger; none when there is no ledger yet."""
    from flows.steps.context import OutputPaths
    from models.ledger import ledger_exists

    if not ledger_exists(OutputPaths(out).ledger, _settings()):
        return []
    with _existing_ledger(out) as ledger:
        return _correction_samples(ledger, taxonomy, out)


def _describe(taxonomy) -> str:
    where = taxonomy.source or "models/data/themes.json"
    return f"Taksonomi: {taxonomy.name or where} ({len(taxonomy.ids)} tema, {where})"


_out_option = click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
                           callback=_remember_out, help=both("Folder keluaran yang ledger-nya menyimpan koreksi.",
                                            "The output folder whose ledger keeps the corrections."))
_taxonomy_option = click.option("--taxonomy", type=click.Path(path_type=Path), default=None,
                                help=both("Taksonomi JSON pengganti tema bawaan (bawaan: KIPP_TAXONOMY, atau "
                                          "models/data/themes.json).",
                                          "A JSON taxonomy in place of the built-in themes (default: KIPP_TAXONOMY, "
                                          "else models/data/themes.json)."))
_roster_option = click.option("--roster", type=click.Path(path_type=Path), default=None,
                              help=both("Periksa id peserta pada roster ini (bawaan: screening.json putaran terakhir).",
                                        "Check participant ids against this roster (default: the last run's "
                                        "screening.json)."))


@themes.command("evaluate")
@_out_option
@_taxonomy_option
@click.option("--folds", type=int, default=5, show_default=True, help=both("Lipatan validasi silang.", "Cross-validation folds."))
def themes_evaluate(out: Path, taxonomy: Path | None, folds: int) -> None:
    """Akurasi validasi silang, macro-F1, presisi dan recall per tema, pasangan tema yang tertukar,
    kalibrasi (ECE) dan ketepatan tanda perlu ditinjau, pada data berlabel, proposal buatan dan inovasi
    publik (kipp bench themes membandingkan cara kalibrasi).

    Contoh: kipp themes evaluate --out reports/
    \f
    Cross-validated accuracy, macro-F1, per-theme precision and recall, the confused pairs, calibration
    (ECE) and the needs-review flag's precision and recall, on labelled data, generated proposals and
    public innovations (kipp bench themes compares the calibrations).

    Example: kipp themes evaluate --out reports/
    """
    from flows.corpora.themes import build_held_out, build_public
    from models.themes import (
        DEFAULT_THEME_IDS,
        ThemeClassifier,
        ThemeError,
        calibrate,
        choose_threshold,
        confidences,
        cross_fitted,
        format_evaluation,
        merge,
        out_of_fold,
        score,
        scores_of,
        seed_samples,
    )

    tax = _taxonomy(taxonomy)
    click.echo(_describe(tax))
    corrections = _admins_corrections(out, tax)
    samples = seed_samples(tax) + corrections
    click.echo(f"Labelled data: {len(samples)} samples ({len(corrections)} from admins' corrections)")
    default = set(DEFAULT_THEME_IDS) <= set(tax.ids)
    try:
        oof = out_of_fold(tax, samples, folds=folds)
    except ThemeError as e:  # a new taxonomy has no seed set: say what is missing
        oof = None
        click.echo(f"Cross-validation skipped: {e}")
    if not default:
        click.echo("Held-out proposals: skipped; they are written for the default themes, not this taxonomy")
    if oof is None:
        return
    clf = ThemeClassifier.train(tax, samples)
    sets = [oof]
    if default:
        sets += [scores_of(clf, build_held_out(), "held-out (generated)"),
                 scores_of(clf, build_held_out(hard=True), "held-out (generated, terse)")]
    # As kipp themes train does: the confidence calibrated on the mix, each set measured cross-fitted, the
    # review threshold chosen from the mix's confidences.
    measured = cross_fitted(sets)
    threshold = choose_threshold([c for conf in measured for c in conf], [w for s in sets for w in s.wrong()])
    model = calibrate(merge(sets))
    for i, (s, conf) in enumerate(zip(sets, measured)):
        if i:
            click.echo("")
        click.echo(format_evaluation(score(s, tax, conf, threshold, model.temperature)))
    if default:
        public = scores_of(clf, build_public(), "public innovations (written from memory, never tuned on)")
        click.echo("")
        click.echo(format_evaluation(score(public, tax, confidences(model, public), threshold, model.temperature)))


def _last_run(out: Path, taxonomy) -> tuple[list, dict[str, str]]:
    """Every participant's Inovasi proposal as the last run read it, and the admins' corrections in use:
    what `kipp themes train|rollback` compare two models on. Empty without a ledger or a screening.json."""
    from flows.steps.context import OutputPaths
    from flows.steps.themes import correction_inputs
    from models.ledger import ledger_exists

    paths = OutputPaths(out)
    if not ledger_exists(paths.ledger, _settings()):
        return [], {}
    try:
        participants = json.loads(paths.screening.read_text(encoding="utf-8"))["participants"]
        categories = {p["id"]: p["category"] for p in participants}
    except (OSError, ValueError, KeyError, TypeError):
        return [], {}
    with _existing_ledger(out) as ledger:
        corrections = {pid: theme for pid, theme in ledger.theme_corrections().items() if theme in taxonomy}
        return correction_inputs(ledger, categories, categories), corrections


def _model_in_use(path: Path, taxonomy):
    """The model runs use now, None (and why, on stdout) when there is none that can be used."""
    from models.themes import ThemeClassifier, ThemeModelError

    try:
        clf = ThemeClassifier.load(path, taxonomy)
    except ThemeModelError as e:
        click.echo(say(f"Model yang dipakai sekarang tidak dapat dibandingkan: {e}",
                       f"The model in use cannot be compared: {e}"))
        return None
    if clf is None:
        click.echo(say("Belum ada model yang dipakai (putaran berikutnya akan memakai model ini).",
                       "No model in use yet (the next run will use this one)."))
    return clf


def _show_changes(before, after, inputs: list, corrections: dict[str, str]) -> None:
    """Which participants the next run would give another theme or review flag, before -> after."""
    from models.themes import changes

    if not inputs:
        click.echo(say("Tidak ada proposal putaran terakhir untuk dibandingkan (jalankan kipp run dulu).",
                       "No proposals of a last run to compare on (run kipp run first)."))
        return
    if before is None:
        return
    changed = changes(before, after, inputs, corrections)
    n = len(inputs) - len([i for i in inputs if i.participant_id in corrections])
    click.echo(say(f"Yang berubah pada putaran berikutnya: {len(changed)} dari {n} peserta "
                   f"(tanpa {len(inputs) - n} yang dikoreksi admin; koreksi tetap menang)",
                   f"What the next run would change: {len(changed)} of {n} participants "
                   f"(besides {len(inputs) - n} corrected by admins; a correction still wins)"))
    review = say("perlu ditinjau", "needs review")
    for c in changed:
        b, a = c.before, c.after
        was = f"{b.theme} {b.theme_confidence:.2f}" + (f" ({review})" if b.needs_review else "")
        now = f"{a.theme} {a.theme_confidence:.2f}" + (f" ({review})" if a.needs_review else "")
        click.echo(f"  {clean(c.participant_id)}: {was} -> {now}")


@themes.command("train")
@_out_option
@_taxonomy_option
@click.option("--dry-run", is_flag=True, help=both("Tampilkan saja apa yang akan berubah; tidak ada yang disimpan.",
                                                   "Only show what would change; nothing is kept."))
def themes_train(out: Path, taxonomy: Path | None, dry_run: bool) -> None:
    """Latih ulang model tema dengan sengaja (benih + koreksi admin); tampilkan dulu peserta yang
    temanya akan berubah, lalu simpan sebagai versi baru (kipp themes rollback untuk kembali).

    Contoh: kipp themes train --out reports/
    \f
    Train the theme model again on purpose (seed + admins' corrections); first show which participants'
    themes would change, then keep it as a new version (kipp themes rollback to return).

    Example: kipp themes train --out reports/
    """
    from flows.corpora.themes import build_held_out
    from models.themes import DEFAULT_THEME_IDS, keep, seed_samples, train

    tax = _taxonomy(taxonomy)
    click.echo(_describe(tax))
    seed = seed_samples(tax)
    corrections = _admins_corrections(out, tax)
    from flows.steps.context import OutputPaths

    path = OutputPaths(out).theme_model
    calibration = ({"long (generated)": build_held_out(), "terse (generated)": build_held_out(hard=True)}
                   if set(DEFAULT_THEME_IDS) <= set(tax.ids) else None)
    clf = train(tax, path, seed, calibration=calibration, corrections=corrections, save=False)
    if "cv_skipped" in clf.metrics:
        # A new taxonomy (KIPP_TAXONOMY) starts with its lexicon and a few corrections: too few to cross-validate.
        click.echo("Cross-validation skipped: it needs at least two labelled samples of every theme")
    inputs, in_use = _last_run(out, tax)
    _show_changes(_model_in_use(path, tax), clf, inputs, in_use)
    n = len(seed) + len(corrections)
    if dry_run:
        click.echo(say(f"--dry-run: tidak ada yang disimpan ({n} sampel, {len(corrections)} dari koreksi admin)",
                       f"--dry-run: nothing kept ({n} samples, {len(corrections)} from admins' corrections)"))
    else:
        number = keep(clf, path)
        click.echo(f"Model saved to {path} (format {clf.FORMAT_VERSION}, {n} samples) as version {number}; "
                   f"{len(corrections)} samples from admins' corrections")
        if number > 1:
            click.echo(say("Kembali ke model sebelumnya: kipp themes rollback", "To return to the previous model: "
                           "kipp themes rollback"))
    for key, value in clf.metrics.items():
        click.echo(f"  {key}: {value}")


@themes.command("versions")
@_out_option
def themes_versions(out: Path) -> None:
    """Versi model tema yang disimpan di folder keluaran; yang dipakai ditandai *.

    Contoh: kipp themes versions --out reports/
    \f
    The theme model versions kept in the output folder; the one in use is marked *.

    Example: kipp themes versions --out reports/
    """
    from flows.steps.context import OutputPaths
    from models.themes import list_versions

    kept = list_versions(OutputPaths(out).theme_model)
    if not kept:
        click.echo(say("Belum ada versi model tersimpan.", "No model versions kept yet."))
        return
    for v in kept:
        sc, m = v.sidecar, v.sidecar.get("metrics") or {}
        # format 3 keeps the temperature in its confidence model, format 2 beside it
        temperature = (sc.get("confidence") or {}).get("temperature", sc.get("temperature", "?"))
        cv = m.get("cross-validation") or {}
        click.echo(f"{'*' if v.active else ' '} {v.number}  {sc.get('trained_at', '?')}  "
                   f"{sc.get('n_samples', '?')} samples, {sc.get('corrected', 0)} corrections, "
                   f"temperature {temperature}, review < {sc.get('threshold', '?')}"
                   + (f", cv accuracy {cv['accuracy']}" if "accuracy" in cv else ""))


@themes.command("rollback")
@_out_option
@_taxonomy_option
@click.argument("version", type=int, required=False)
@click.option("--dry-run", is_flag=True, help=both("Tampilkan saja apa yang akan berubah; tidak ada yang diganti.",
                                                   "Only show what would change; nothing is replaced."))
def themes_rollback(out: Path, taxonomy: Path | None, version: int | None, dry_run: bool) -> None:
    """Kembali ke versi model sebelumnya, atau pakai VERSION (lihat kipp themes versions); tampilkan
    dulu peserta yang temanya akan berubah.

    Contoh: kipp themes rollback --out reports/
    \f
    Return to the previous model version, or use VERSION (see kipp themes versions); first show which
    participants' themes would change.

    Example: kipp themes rollback --out reports/
    """
    from flows.steps.context import OutputPaths
    from models.themes import (
        ThemeClassifier,
        ThemeModelError,
        activate,
        list_versions,
        version_path,
    )

    tax = _taxonomy(taxonomy)
    path = OutputPaths(out).theme_model
    kept = list_versions(path)
    active = next((v.number for v in kept if v.active), None)
    if version is None:
        older = [v.number for v in kept if active is None or v.number < active]
        if not older:
            raise InputError(say(f"{out}: tidak ada versi model sebelum yang dipakai sekarang (kipp themes versions)",
                                 f"{out}: no model version before the one in use (kipp themes versions)"))
        version = older[-1]
    elif version not in {v.number for v in kept}:
        shown = ", ".join(str(v.number) for v in kept) or say("tidak ada", "none")
        raise InputError(say(f"{out}: versi model {version} tidak disimpan (yang ada: {shown})",
                             f"{out}: model version {version} is not kept (kept: {shown})"))
    try:
        target = ThemeClassifier.load(version_path(path, version), tax)
    except ThemeModelError as e:
        raise InputError(say(f"versi model {version} tidak dapat dipakai: {e}",
                             f"model version {version} cannot be used: {e}")) from e
    inputs, in_use = _last_run(out, tax)
    _show_changes(_model_in_use(path, tax), target, inputs, in_use)
    if dry_run:
        click.echo(say("--dry-run: model yang dipakai tidak diganti", "--dry-run: the model in use is not replaced"))
        return
    activate(path, version)
    click.echo(say(f"Versi model {version} dipakai (dilatih {target.trained_at})",
                   f"Model version {version} in use (trained {target.trained_at})"))


@themes.command("correct")
@_out_option
@_taxonomy_option
@_roster_option
@click.argument("participant_id")
@click.argument("theme")
def themes_correct(out: Path, taxonomy: Path | None, roster: Path | None, participant_id: str, theme: str) -> None:
    """Catat tema pilihan admin untuk satu peserta; berlaku di atas model mulai putaran berikutnya.

    Contoh: kipp themes correct sd-sawojajar-1 kesehatan --out reports/
    \f
    Record the theme an admin chose for one participant; it overrides the model from the next run.

    Example: kipp themes correct sd-sawojajar-1 kesehatan --out reports/
    """
    tax = _taxonomy(taxonomy)
    resolved = tax.resolve(theme)
    if resolved is None:
        raise InputError(say(f"{theme}: tema tidak dikenal di taksonomi {tax.name or tax.source or 'bawaan'}; "
                             f"yang ada: {', '.join(tax.ids)}",
                             f"{theme}: not a theme of the taxonomy {tax.name or tax.source or '(default)'}; "
                             f"its themes: {', '.join(tax.ids)}"))
    with _existing_ledger(out) as ledger:
        _check_participants([participant_id], *_known_participants(out, roster))
        ledger.save_theme_corrections({participant_id: resolved}, source="cli")
    click.echo(f"{clean(participant_id)}: {tax.label(resolved)} "
               + say("(berlaku mulai putaran berikutnya)", "(in effect from the next run)"))


@themes.command("import")
@_out_option
@_taxonomy_option
@_roster_option
@click.argument("csv_file", type=click.Path(path_type=Path))
def themes_import(out: Path, taxonomy: Path | None, roster: Path | None, csv_file: Path) -> None:
    """Catat tema pilihan admin dari CSV `participant_id,theme`; bila satu baris salah, tidak ada yang disimpan.

    Contoh: kipp themes import koreksi_tema.csv --out reports/
    \f
    Record the themes admins chose from a CSV `participant_id,theme`; if one row is wrong, nothing
    is saved.

    Example: kipp themes import theme_corrections.csv --out reports/
    """
    from models.themes import load_corrections

    tax = _taxonomy(taxonomy)
    corrections = load_corrections(csv_file, tax)
    with _existing_ledger(out) as ledger:
        _check_participants(corrections, *_known_participants(out, roster))
        ledger.save_theme_corrections(corrections, source=str(csv_file))
    click.echo(say(f"{len(corrections)} koreksi tema disimpan", f"{len(corrections)} theme corrections saved"))


@main.group()
def duplicates() -> None:
    """Keputusan admin atas dugaan duplikat, disimpan lintas putaran.
    \f
    The admins' decisions on possible duplicates, kept across runs.
    """


def _decide(out: Path, key: str, decision: str, note: str | None) -> None:
    from flows.steps.context import OutputPaths

    path = OutputPaths(out).screening
    try:
        flags = json.loads(path.read_text(encoding="utf-8")).get("duplicates", [])
    except FileNotFoundError:
        raise InputError(say(f"{path}: belum ada laporan; jalankan kipp run dulu (salah ketik --out?)",
                             f"{path}: no report yet; run kipp run first (--out mistyped?)")) from None
    except (OSError, ValueError, AttributeError) as e:
        raise InputError(say(f"{path}: tidak terbaca ({e}); jalankan kipp run lagi",
                             f"{path}: cannot be read ({e}); run kipp run again")) from e
    if key not in {f.get("key") for f in flags}:
        raise InputError(say(f"{clean(key)}: tidak ada dugaan duplikat dengan kunci ini di {path} (lihat duplicates.html)",
                             f"{clean(key)}: no possible duplicate with this key in {path} (see duplicates.html)"))
    with _existing_ledger(out) as ledger:
        ledger.save_duplicate_decision(key, decision, note)
    click.echo(f"{key}: {decision} " + say("(tampil di laporan mulai putaran berikutnya)", "(in the reports from the next run)"))


@duplicates.command("confirm")
@_out_option
@click.argument("key")
@click.option("--note", default=None, help=both("Catatan singkat atas keputusan ini.", "A short note on this decision."))
def duplicates_confirm(out: Path, key: str, note: str | None) -> None:
    """Konfirmasi dugaan: kedua dokumen memang salinan.

    Contoh: kipp duplicates confirm near:3f2a...:9b1c... --out reports/
    \f
    Confirm a possible duplicate: the two documents are copies indeed.

    Example: kipp duplicates confirm near:3f2a...:9b1c... --out reports/
    """
    _decide(out, key, "confirmed", note)


@duplicates.command("dismiss")
@_out_option
@click.argument("key")
@click.option("--note", default=None, help=both("Catatan singkat atas keputusan ini.", "A short note on this decision."))
def duplicates_dismiss(out: Path, key: str, note: str | None) -> None:
    """Tolak dugaan: bukan salinan; tetap tampil di laporan, bertanda ditolak.

    Contoh: kipp duplicates dismiss title:3f2a...:9b1c... --out reports/
    \f
    Dismiss a possible duplicate: not copies; it stays in the reports, marked dismissed.

    Example: kipp duplicates dismiss title:3f2a...:9b1c... --out reports/
    """
    _decide(out, key, "dismissed", note)


@main.command("ui")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              callback=_remember_out, help=both("Folder keluaran kipp run; keputusan disimpan di ledger-nya.",
                        "The output folder of kipp run; decisions go into its ledger."))
@click.option("--inbox", type=click.Path(path_type=Path), default=None,
              help=both("Kotak masuk, untuk mengunduh berkas asli yang disaring (bawaan: hanya salinan karantina).",
                        "The inbox, to download screened originals (default: only the quarantine copies)."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=both("Alamat yang didengarkan; selain loopback perlu KIPP_UI_PASSWORD.",
                        "Address to listen on; any other than loopback needs KIPP_UI_PASSWORD."))
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help=both("Port yang didengarkan.", "Port to listen on."))
@click.option("--roster", type=click.Path(path_type=Path), default=Path("roster.csv"), show_default=True,
              help=both("Daftar peserta, untuk penyerahan ke juri dari aplikasi (seperti kipp handoff).",
                        "The participants, for the hand-off to the judges from the app (as kipp handoff)."))
@click.option("--prior", type=click.Path(path_type=Path), default=None,
              help=both("Edisi sebelumnya, untuk penyerahan ke juri dari aplikasi (seperti kipp handoff).",
                        "The previous edition, for the hand-off to the judges from the app (as kipp handoff)."))
@_panel
def ui_command(out: Path, inbox: Path | None, host: str, port: int, roster: Path, prior: Path | None,
               judges: Path | None, conflicts: Path | None, criteria: Path | None, per_proposal: int | None) -> None:
    """Aplikasi web admin: ringkasan, peserta, karantina, duplikat, tema dan penyerahan ke juri, dengan keputusan.

    Contoh: kipp ui --out reports/ --inbox inbox/   (lalu buka http://127.0.0.1:8765/)

    Halaman penyerahan menjalankan kipp handoff dengan --inbox, --roster, --prior dan opsi panel yang diberikan di sini.
    \f
    The admin web app: overview, participants, quarantine, duplicates, themes and the hand-off, with decisions.

    Example: kipp ui --out reports/ --inbox inbox/   (then open http://127.0.0.1:8765/)

    The hand-off page runs kipp handoff with --inbox, --roster, --prior and the panel options given here.
    """
    import os

    from flows.steps.context import OutputPaths
    from flows.ui.edition import read_edition
    from flows.ui.security import is_loopback

    # Read here rather than in Settings: a secret should not travel in an object that is printed or logged.
    password = os.environ.get("KIPP_UI_PASSWORD") or None
    if password is None and not is_loopback(host):
        raise InputError(say(f"--host {host}: alamat ini dapat dijangkau mesin lain; set KIPP_UI_PASSWORD dulu, "
                             "atau pakai --host 127.0.0.1",
                             f"--host {host}: other machines can reach this address; set KIPP_UI_PASSWORD first, "
                             "or use --host 127.0.0.1"))
    if inbox is not None and not inbox.is_dir():
        raise InputError(say(f"{inbox}: kotak masuk tidak ada atau bukan folder",
                             f"{inbox}: the inbox does not exist or is not a folder"))
    read_edition(OutputPaths(out).screening)  # no report yet, or a damaged one: one line now, not a failing page
    from models.ledger import check_ledger

    check_ledger(OutputPaths(out).ledger, _settings())  # {} without a ledger file; on PostgreSQL, it answers
    _taxonomy(None)  # a bad KIPP_TAXONOMY is one line now
    import uvicorn

    from flows.ui.app import create_app

    sock = _listening_socket(host, port)
    from flows.ui.handoff import HandoffInputs

    inputs = HandoffInputs(roster, _panel_files(judges, conflicts, criteria, per_proposal), prior)
    server = uvicorn.Server(uvicorn.Config(create_app(out, inbox, password, handoff=inputs), log_level="warning"))
    shown = f"[{host}]" if ":" in host else host
    click.echo(say(f"Aplikasi admin kipp di http://{shown}:{port}/ (folder {clean(out)}); Ctrl-C untuk berhenti.",
                   f"The kipp admin app at http://{shown}:{port}/ (folder {clean(out)}); Ctrl-C to stop."))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops cleanly, then re-raises the signal: Ctrl-C is how a server ends
        pass
    click.echo(say("kipp ui berhenti.", "kipp ui stopped."))


def _listening_socket(host: str, port: int):
    """The app's socket, bound here so a port in use is one line (exit 3) rather than uvicorn's log and exit 1."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as e:
        raise InputError(say(f"--host {host}: alamat tidak dikenal ({e})", f"--host {host}: unknown address ({e})")) from e
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise InputError(say(f"--port {port}: {host}:{port} tidak dapat dipakai ({e.strerror}); pilih --port lain",
                             f"--port {port}: {host}:{port} cannot be used ({e.strerror}); choose another --port")) from e
    return sock


@main.command("retry")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              callback=_remember_out, help=both("Folder keluaran kipp run.", "The output folder of kipp run."))
@click.option("--reason", "reasons", multiple=True, metavar="CODE",
              help=both("Kode alasan yang dibaca ulang (boleh diulang); bawaan: timeout, resource_limit, "
                        "extraction_crashed.",
                        "A reason code to read again (may be repeated); default: timeout, resource_limit, "
                        "extraction_crashed."))
def retry_command(out: Path, reasons: tuple[str, ...]) -> None:
    """Baca ulang, pada putaran berikutnya, berkas yang gagal dibaca karena alasan ini.

    Berkas yang melewati batas waktu tetap `timeout` selama batasnya sama (KIPP_EXTRACT_SECONDS atau
    KIPP_EXTRACT_MEMORY_MB yang diubah membacanya ulang dengan sendirinya); perintah ini menandainya, sekali.

    Contoh: kipp retry --out reports/ --reason timeout && kipp run --out reports/ ...
    \f
    Read again, on the next run, the files that could not be read for these reasons.

    A file that ran out of time stays `timeout` as long as its limits are the same (a changed
    KIPP_EXTRACT_SECONDS or KIPP_EXTRACT_MEMORY_MB reads it again by itself); this command marks it, once.

    Example: kipp retry --out reports/ --reason timeout && kipp run --out reports/ ...
    """
    from models.ledger import TRANSIENT_REASONS
    from models.records import Reason

    # The reasons an extraction stores; the others (unidentified, ...) are decided afresh every run.
    readable = {Reason.EMPTY_FILE, Reason.UNSUPPORTED_FORMAT, Reason.CORRUPT_PDF, Reason.CORRUPT_DOCX,
                Reason.ENCRYPTED_PDF, Reason.TOO_MANY_PAGES, Reason.ZIP_BOMB, Reason.XML_ENTITIES,
                Reason.EXTRACTION_ERROR, *TRANSIENT_REASONS}
    codes = {r.value: r for r in readable}
    unknown = [r for r in reasons if r not in codes]
    if unknown:
        raise InputError(say(
            f"--reason {', '.join(unknown)}: bukan alasan gagal baca yang dapat diulang; pilih dari ",
            f"--reason {', '.join(unknown)}: not a reason a file failed to be read for that can be retried; choose from ",
        ) + ", ".join(sorted(codes)))
    chosen = [codes[r] for r in reasons] or sorted(TRANSIENT_REASONS)
    with _existing_ledger(out) as ledger:
        marked = ledger.mark_for_retry(chosen)
    click.echo(say(f"{marked} isi berkas ({', '.join(chosen)}) akan dibaca ulang pada kipp run berikutnya",
                   f"{marked} file contents ({', '.join(chosen)}) will be read again on the next kipp run"))


@main.command("reminders")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              callback=_remember_out, help=both("Folder keluaran kipp run: screening.json dibaca dari sini, pengingat "
                                                "ditulis ke sini.",
                                                "The output folder of kipp run: screening.json is read from it, the "
                                                "reminders are written to it."))
@click.option("--roster", type=click.Path(path_type=Path), default=Path("roster.csv"), show_default=True,
              help=both("Roster dengan kolom contact (e-mail atau nomor telepon) untuk tautan e-mail dan WhatsApp.",
                        "A roster with a contact column (e-mail or phone number) for the e-mail and WhatsApp "
                        "links."))
def reminders_command(out: Path, roster: Path) -> None:
    """Tulis ulang pengingat (pengingat.xlsx, pengingat.csv, pengingat.html) dari screening.json terakhir:
    untuk tiap peserta yang belum lengkap, apa yang kurang atau bermasalah, apa yang harus dikirim, dan pesan
    siap kirim dengan tautan e-mail dan WhatsApp. Tidak ada yang dikirim.

    Contoh: kipp reminders --out reports/ --roster roster.csv
    \f
    Write the reminders again (pengingat.xlsx, pengingat.csv, pengingat.html) from the last
    screening.json: for every participant not yet complete, what is missing or wrong, what to send, and a
    message ready to send with e-mail and WhatsApp links. Nothing is sent.

    Example: kipp reminders --out reports/ --roster roster.csv
    """
    from dataclasses import replace

    from flows.lock import OutputLock
    from flows.reporting import REMINDER_REPORTS, render_reports, write_rendered
    from models.reminders import reminders
    from models.roster import load_roster

    screening, edition = _last_screening(out)
    source = click.get_current_context().get_parameter_source("roster")
    if roster.exists() or source is not click.core.ParameterSource.DEFAULT:
        by_id = {p.id: p for p in load_roster(roster)}
        screening = replace(screening, participants=tuple(
            replace(r, participant=replace(r.participant, contact=by_id[r.participant.id].contact))
            if r.participant.id in by_id else r
            for r in screening.participants
        ))
    else:
        click.echo(say(f"{clean(roster)} tidak ada: pengingat tanpa kontak, jadi tanpa tautan (beri --roster)",
                       f"{clean(roster)} does not exist: reminders without contacts, so without links (give --roster)"))
    with OutputLock(out, "reminders"):
        paths = write_rendered(render_reports(screening, edition, REMINDER_REPORTS), out)
    found = reminders(screening, edition, "")
    linked = sum(1 for m in found if m.mailto or m.whatsapp)
    click.echo(say(f"{len(found)} peserta belum lengkap; {linked} dengan tautan e-mail atau WhatsApp",
                   f"{len(found)} participants not complete; {linked} with an e-mail or WhatsApp link"))
    unusable = [f"{m.participant.id} ({'; '.join(m.contact.unusable)})" for m in found if m.contact.unusable]
    if unusable:
        click.echo(say("kontak tidak dikenali (bukan e-mail atau nomor telepon): ",
                       "contacts not recognised (neither an e-mail nor a phone number): ") + _few(unusable))
    for path in paths.values():
        click.echo(f"  {clean(path)}")


def _last_screening(out: Path) -> tuple[Screening, str]:
    """The last run's screening.json in `out`, read back, and its edition; one line when there is none."""
    from flows.reporting.json_report import screening_from_document
    from flows.steps.context import OutputPaths

    if out.exists() and not out.is_dir():
        raise _not_a_folder(out)
    path = OutputPaths(out).screening
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return screening_from_document(doc), str(doc["edition"])
    except FileNotFoundError:
        raise InputError(say(f"{out}: belum ada {path.name} di folder ini (salah ketik --out?); jalankan kipp run "
                             "dengan --out ini dulu",
                             f"{out}: no {path.name} in this folder yet (--out mistyped?); run kipp run with this "
                             "--out first")) from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(say(f"{path}: tidak terbaca ({type(e).__name__}: {e}); jalankan kipp run lagi",
                             f"{path}: cannot be read ({type(e).__name__}: {e}); run kipp run again")) from e


@main.group()
def scores() -> None:
    """Nilai dari juri: impor lembar penilaian yang dikembalikan, lalu peringkat.
    \f
    The judges' scores: import the returned scoring sheets, then the ranking.
    """


@scores.command("import")
@click.option("--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
              callback=_remember_out, help=both("Folder keluaran kipp handoff: ledger dan paket juri.",
                                                "The output folder of kipp handoff: the ledger and the judges' packets."))
@click.option("--criteria", type=click.Path(path_type=Path), default=None,
              help=both("Berkas kriteria penyerahan; baris `# bobot kebaruan=30, ...` mengatur bobot (bawaan: sama).",
                        "The hand-off's criteria file; a line `# bobot kebaruan=30, ...` sets the weights (default: "
                        "equal)."))
@click.option("--threshold", type=click.FloatRange(min=0), default=None,
              help=both("Selisih skor z antarjuri yang ditandai perlu dibahas (bawaan: 1.0, atau yang terakhir dipakai).",
                        "The judges' z-score difference flagged to discuss (default: 1.0, or the last one used)."))
@click.option("--top", type=click.IntRange(min=1), default=None,
              help=both("Panjang daftar Top-N (bawaan: 10, atau yang terakhir dipakai).",
                        "The length of the Top-N list (default: 10, or the last one used)."))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def scores_import(out: Path, criteria: Path | None, threshold: float | None, top: int | None,
                  paths: tuple[Path, ...]) -> None:
    """Baca lembar penilaian (XLSX/CSV) yang dikembalikan juri, periksa, simpan di ledger, lalu tulis
    ranking.html, ranking.xlsx dan screening.json. Lembar yang salah ditolak utuh, setiap masalah satu baris.

    Contoh: kipp scores import lembar_kembali/ --out reports/
    \f
    Read the scoring sheets (XLSX/CSV) judges returned, check them, keep them in the ledger, then write
    ranking.html, ranking.xlsx and screening.json. A wrong sheet is refused whole, one line per problem.

    Example: kipp scores import returned_sheets/ --out reports/
    """
    from flows.lock import OutputLock
    from flows.scores import import_sheets

    with _existing_ledger(out) as ledger, OutputLock(out, "scores import"):
        result = import_sheets(list(paths), out, ledger, None, criteria, threshold, top)
    for line in result.duplicates:
        click.echo(clean(line))
    for sheet in result.imported:
        replaced = say(" (menggantikan lembar sebelumnya)", " (replaces the earlier sheet)") \
            if sheet.judge_id in result.superseded else ""
        click.echo(say(f"{clean(sheet.path)}: juri {clean(sheet.judge_id)}, {len({p for p, _, _ in sheet.scores})} "
                       f"proposal diimpor{replaced}",
                       f"{clean(sheet.path)}: judge {clean(sheet.judge_id)}, {len({p for p, _, _ in sheet.scores})} "
                       f"proposals imported{replaced}"))
    for problem in result.problems:
        click.echo(f"kipp: {clean(problem.line())}", err=True)
    if "ranking_html" in result.written:
        click.echo(say(f"Peringkat: {clean(result.written['ranking_html'])}", f"Ranking: {clean(result.written['ranking_html'])}"))
    if result.refused:
        click.echo(say(f"kipp: {len(set(result.refused))} lembar ditolak dan tidak mengubah apa pun; perbaiki lalu impor lagi",
                       f"kipp: {len(set(result.refused))} sheets refused, nothing changed by them; fix them and "
                       "import again"), err=True)
        sys.exit(int(ExitCode.BAD_INPUT))


@main.group()
def bench() -> None:
    """Pengukuran yang angkanya masuk ke catatan issue.
    \f
    Measurements whose figures go into the issues' notes.
    """


@bench.command("safety")
@click.option("--size", type=click.Choice(["demo", "full"]), default="demo", show_default=True)
@click.option("--bomb-mb", type=int, default=2048, show_default=True)
def bench_safety(size: str, bomb_mb: int) -> None:
    """Memori puncak putaran yang bertemu bom zip 2 GB; berkas/detik dengan dan tanpa isolasi.

    Contoh: kipp bench safety --size full
    \f
    Peak memory of a run that meets a 2 GB zip bomb; files per second with and without isolation.

    Example: kipp bench safety --size full
    """
    from flows.bench.safety import main as run_bench

    click.echo(run_bench(size, bomb_mb))


@bench.command("text-cap")
@click.option("--files", type=int, default=3, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
def bench_text_cap(files: int, workers: int) -> None:
    """PDF formulir bersarang beberapa KB yang masing-masing menggambar 45 juta karakter: waktu, memori puncak,
    ukuran ledger.

    Contoh: kipp bench text-cap --files 3
    \f
    Nested-form PDFs of a few KB that each draw 45 million characters: time, peak memory, ledger size.

    Example: kipp bench text-cap --files 3
    """
    from flows.bench.text_cap import main as run_bench

    click.echo(run_bench(files, workers))


@bench.command("themes")
@click.option("--public/--no-public", default=True, show_default=True,
              help=both("Ukur juga himpunan inovasi publik (dibekukan, tidak pernah dipakai menyetel).",
                        "Also measure the public innovations set (frozen, never tuned on)."))
@click.option("--cccv/--no-cccv", default=True, show_default=True,
              help=both("Bandingkan juga CalibratedClassifierCV (sigmoid, isotonic; sekitar satu menit lebih).",
                        "Also compare CalibratedClassifierCV (sigmoid, isotonic; about a minute more)."))
def bench_themes(public: bool, cccv: bool) -> None:
    """Tema: akurasi, macro-F1, ECE dan tanda perlu ditinjau per himpunan, untuk tiap cara kalibrasi, dengan kurvanya.

    Contoh: kipp bench themes
    \f
    Themes: accuracy, macro-F1, ECE and the review flag per set, for each calibration, with its curve.

    Example: kipp bench themes
    """
    from flows.bench.themes import main as run_bench

    click.echo(run_bench(public, cccv))


@bench.command("latency")
@click.option("--drops", type=int, default=10, show_default=True)
@click.option("--polling", is_flag=True, help=both("Ukur cara pemeriksaan berkala, bukan inotify.", "Measure periodic looks, not inotify."))
def bench_latency(drops: int, polling: bool) -> None:
    """Detik sejak PDF 10 halaman tiba di kotak masuk sampai tampil di laporan, di bawah kipp watch.

    Contoh: kipp bench latency --drops 10
    \f
    Seconds from a 10-page PDF arriving in the inbox to its showing in the reports, under kipp watch.

    Example: kipp bench latency --drops 10
    """
    from flows.bench.watch import main as run_bench

    click.echo(run_bench(drops, polling))


@bench.command("duplicates", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_duplicates(args: tuple[str, ...]) -> None:
    """Deteksi duplikat: --eval (recall/presisi pada salinan tanam), --bench --docs 6000 --words 3000.

    Contoh: kipp bench duplicates --bench --docs 6000 --words 3000
    \f
    Duplicate detection: --eval (recall/precision on planted copies), --bench --docs 6000 --words 3000.

    Example: kipp bench duplicates --bench --docs 6000 --words 3000
    """
    from flows.bench.duplicates import main as run_bench

    sys.exit(run_bench(list(args)) or 0)


@bench.command("ocr", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_ocr(args: tuple[str, ...]) -> None:
    """OCR halaman/detik terhadap jumlah proses pembaca (--workers 1,2), waktu dan memori per halaman.

    Contoh: kipp bench ocr --workers 1,2
    \f
    OCR pages per second against the number of extraction workers (--workers 1,2), time and memory per page.

    Example: kipp bench ocr --workers 1,2
    """
    from flows.bench.ocr import main as run_bench

    sys.exit(run_bench(list(args)) or 0)


@bench.command("scale", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_scale(args: tuple[str, ...]) -> None:
    """Skala: kipp run pada edisi 323 sampai 3.000 peserta (dingin, ulang, kosong) melawan ekstraksi mentah.

    Contoh: kipp bench scale --participants 323,3000
    \f
    Scale: kipp run on editions of 323 to 3,000 participants (cold, rerun, empty) against raw extraction.

    Example: kipp bench scale --participants 323,3000
    """
    from flows.bench.scale import main as run_bench

    sys.exit(run_bench(list(args)) or 0)


@bench.command("judges", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_judges(args: tuple[str, ...]) -> None:
    """Penugasan juri: konflik, beban, kecocokan keahlian, waktu dan memori (--size malang|national, --seed, --k).

    Contoh: kipp bench judges --size national
    \f
    Judge assignment: conflicts, load, expertise match, time and memory (--size malang|national, --seed, --k).

    Example: kipp bench judges --size national
    """
    from flows.bench.judges import main as run_bench

    sys.exit(run_bench(list(args)) or 0)


@bench.command("scores", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_scores(args: tuple[str, ...]) -> None:
    """Peringkat nilai juri yang distandarkan vs rata-rata mentah pada simulasi juri ketat dan murah hati
    (--proposals, --judges, --k, --noise, --seeds).

    Contoh: kipp bench scores --seeds 10
    \f
    The standardised ranking of judges' scores vs the raw mean on a simulation with strict and lenient
    judges (--proposals, --judges, --k, --noise, --seeds).

    Example: kipp bench scores --seeds 10
    """
    from flows.bench.scores import main as run_bench

    sys.exit(run_bench(list(args)) or 0)


@bench.command("rerun")
@click.option("--size", type=click.Choice(["demo", "full"]), default="full", show_default=True)
@click.option("--repeat", type=int, default=3, show_default=True,
              help=both("Putaran tanpa berkas baru yang diukur.", "Reruns with nothing new that are timed."))
@click.option("--mode", "modes", type=click.Choice(["ephemeral", "server"]), multiple=True,
              default=("ephemeral", "server"), show_default=True)
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help=both("Folder kerja (dan JSON).", "Working folder (and the JSON)."))
def bench_rerun(size: str, repeat: int, modes: tuple[str, ...], directory: Path | None) -> None:
    """kipp run dingin, putaran ulang pertama dan tanpa berkas baru: server Prefect lokal lawan server bawaan.

    Contoh: kipp bench rerun --size full --repeat 3
    \f
    kipp run cold, its first rerun and a rerun with nothing new: the local Prefect server against the embedded one.

    Example: kipp bench rerun --size full --repeat 3
    """
    from flows.bench.rerun import main as run_bench

    click.echo(run_bench(size, repeat, modes, directory))


# -- kipp on several machines (flows/cluster.py; README, Scale-out) ----------------------------------------------


@main.group("cluster")
def cluster_group() -> None:
    """kipp di beberapa mesin untuk edisi besar: PostgreSQL, server Prefect, pool kerja, deployment, worker dan
    putaran (README, Scale-out).
    \f
    kipp on several machines: PostgreSQL, the Prefect server, work pools, deployments, workers and runs
    (README, Scale-out).
    """


@cluster_group.group("postgres")
def cluster_postgres() -> None:
    """PostgreSQL untuk server Prefect di mesin ini (atau arahkan server ke PostgreSQL yang ada).
    \f
    PostgreSQL for the Prefect server on this machine (or point the server at one you have).
    """


_PG_DATA = click.option("--data", type=click.Path(path_type=Path), default=None,
                        help=both("Folder data PostgreSQL. Bawaan: /var/lib/postgresql/kipp-prefect (root), "
                                  "selain itu <KIPP_CLUSTER_HOME>/postgres.",
                                  "PostgreSQL's data folder. Default: /var/lib/postgresql/kipp-prefect (root), else "
                                  "<KIPP_CLUSTER_HOME>/postgres."))


@cluster_postgres.command("start")
@_PG_DATA
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help=both("Port di 127.0.0.1; bawaan: port bebas.", "Port on 127.0.0.1; default: a free one."))
def cluster_postgres_start(data: Path | None, port: int | None) -> None:
    """Mulai PostgreSQL di 127.0.0.1 dengan basis data prefect; cetak URL-nya untuk `kipp cluster server start`.

    Contoh: kipp cluster postgres start
    \f
    Start PostgreSQL on 127.0.0.1 with a database prefect; print its URL for `kipp cluster server start`.

    Example: kipp cluster postgres start
    """
    from flows.cluster import default_postgres_data, start_postgres

    info = start_postgres(data or default_postgres_data(), port)
    click.echo(say(f"PostgreSQL berjalan (data {info.data}); basis data Prefect: {info.url}",
                   f"PostgreSQL is running (data {info.data}); Prefect's database: {info.url}"))


@cluster_postgres.command("stop")
@_PG_DATA
def cluster_postgres_stop(data: Path | None) -> None:
    """Hentikan PostgreSQL yang dimulai `kipp cluster postgres start`; datanya tetap ada dan dipakai lagi.

    Contoh: kipp cluster postgres stop
    \f
    Stop the PostgreSQL `kipp cluster postgres start` started; its data stays and is used again.

    Example: kipp cluster postgres stop
    """
    from flows.cluster import default_postgres_data, stop_postgres

    folder = data or default_postgres_data()
    click.echo(say(f"PostgreSQL di {folder} dihentikan", f"PostgreSQL in {folder} stopped") if stop_postgres(folder)
               else say(f"tidak ada PostgreSQL yang berjalan di {folder}", f"no PostgreSQL runs in {folder}"))


@cluster_group.group("server")
def cluster_server() -> None:
    """Server Prefect klaster di atas PostgreSQL, untuk semua mesin dan worker.
    \f
    The cluster's Prefect server, on PostgreSQL.
    """


@cluster_server.command("start")
@click.option("--database", default=None, metavar="URL",
              help=both("postgresql+asyncpg://user@host:port/prefect. Bawaan: PostgreSQL dari `kipp cluster postgres "
                        "start`.", "postgresql+asyncpg://user@host:port/prefect. Default: the PostgreSQL of `kipp "
                        "cluster postgres start`."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=both("Alamat yang didengarkan; 0.0.0.0 agar worker di mesin lain dapat menjangkaunya.",
                        "The address to listen on; 0.0.0.0 for workers on other machines."))
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help=both("Port; bawaan: port bebas.", "Port; default: a free one."))
def cluster_server_start(database: str | None, host: str, port: int | None) -> None:
    """Mulai server Prefect klaster di latar belakang (dipakai ulang selama menjawab) dan cetak PREFECT_API_URL-nya
    untuk semua mesin.

    Contoh: kipp cluster server start --host 0.0.0.0 --port 4200
    \f
    Start the cluster's Prefect server in the background (reused while it answers) and print its PREFECT_API_URL
    for every machine.

    Example: kipp cluster server start --host 0.0.0.0 --port 4200
    """
    from flows.cluster import ClusterError, recorded_postgres, start_server

    if database is None:
        found = recorded_postgres()
        if found is None:
            raise ClusterError(say("beri --database, atau mulai dulu `kipp cluster postgres start`",
                                   "give --database, or run `kipp cluster postgres start` first"))
        database = found.url
    info = start_server(database, host, port)
    click.echo(say(f"server Prefect klaster berjalan (pid {info.pid}); di setiap mesin: export PREFECT_API_URL={info.url}",
                   f"the cluster's Prefect server is running (pid {info.pid}); on every machine: export "
                   f"PREFECT_API_URL={info.url}"))


@cluster_server.command("stop")
def cluster_server_stop() -> None:
    """Hentikan server Prefect klaster beserta semua prosesnya; tidak ada yang tertinggal.

    Contoh: kipp cluster server stop
    \f
    Stop the cluster's Prefect server and every process of it.

    Example: kipp cluster server stop
    """
    from flows.cluster import stop_server

    info = stop_server()
    click.echo(say(f"server Prefect klaster dihentikan (pid {info.pid})", f"the cluster's Prefect server stopped (pid {info.pid})")
               if info else say("server Prefect klaster tidak berjalan", "the cluster's Prefect server is not running"))


@cluster_group.command("deploy")
@click.option("--batch-size", type=click.IntRange(min=1), default=25, show_default=True,
              help=both("Berkas per batch ekstraksi.", "Files per extraction batch."))
def cluster_deploy(batch_size: int) -> None:
    """Buat pool kerja kipp-control dan kipp-extract serta deployment-nya dari checkout ini.

    Contoh: kipp cluster deploy --batch-size 25
    \f
    Make the work pools kipp-control and kipp-extract and their deployments, from this checkout.

    Example: kipp cluster deploy --batch-size 25
    """
    from flows.cluster import use_cluster

    use_cluster()
    from flows.cluster import deploy

    for line in deploy(batch_size):
        click.echo(line)


@cluster_group.command("worker")
@click.option("--pool", type=click.Choice(["kipp-extract", "kipp-control"]), default="kipp-extract", show_default=True,
              help=both("kipp-extract membaca batch; kipp-control menjalankan putaran (satu cukup).",
                        "kipp-extract reads batches; kipp-control runs the runs (one is enough)."))
@click.option("--name", default=None, help=both("Nama worker; bawaan: pool, mesin dan pid.",
                                                "The worker's name; default: pool, machine and pid."))
def cluster_worker(pool: str, name: str | None) -> None:
    """Jalankan worker Prefect satu pool di latar depan untuk membaca berkas dari batch, satu flow run sekaligus
    (KIPP_WORKERS proses pembaca).

    Contoh: KIPP_WORKERS=4 kipp cluster worker --pool kipp-extract
    \f
    Run a Prefect worker of one pool in the foreground to read the batches' files, one flow run at a time
    (KIPP_WORKERS reader processes).

    Example: KIPP_WORKERS=4 kipp cluster worker --pool kipp-extract
    """
    from flows.cluster import default_worker_name, run_worker, use_cluster

    _settings()  # a bad KIPP_ variable is one line now, not a failed batch later
    use_cluster()
    run_worker(pool, name or default_worker_name(pool))


@cluster_group.command("run")
@_inputs
@_panel
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help=both("Berkas per batch; bawaan: nilai deployment.", "Files per batch; default: the deployment's."))
def cluster_run(inbox: Path, roster: Path, out: Path, edition: str, prior: Path | None, judges: Path | None,
                conflicts: Path | None, criteria: Path | None, per_proposal: int | None, batch_size: int | None) -> None:
    """Saring kotak masuk di klaster: ekstraksi dibagi ke worker kipp-extract, sisanya di worker kipp-control.

    Contoh: kipp cluster run --inbox /mnt/kipp/inbox --roster /mnt/kipp/roster.csv --out /mnt/kipp/reports
    \f
    Screen the inbox on the cluster: the extraction shared by the kipp-extract workers, the rest on kipp-control.

    Example: kipp cluster run --inbox /mnt/kipp/inbox --roster /mnt/kipp/roster.csv --out /mnt/kipp/reports
    """
    from flows.cluster import run_intake, use_cluster
    from flows.steps.check import check_inputs
    from flows.steps.context import RunConfig

    panel = _panel_files(judges, conflicts, criteria, per_proposal)
    check_inputs(RunConfig(inbox, roster, out, edition, _settings(), prior=prior, panel=panel))
    start = time.perf_counter()
    use_cluster()
    summary = run_intake(inbox, roster, out, edition, prior, _panel_parameters(panel), batch_size)
    files = ", ".join(f"{status} {n}" for status, n in summary["files"].items())
    click.echo(say(f"Selesai dalam {time.perf_counter() - start:.0f} detik: {files}; laporan di {clean(out)}/",
                   f"Done in {time.perf_counter() - start:.0f} s: {files}; reports in {clean(out)}/"))
    if summary["internal_errors"]:
        click.echo(say(f"kipp: {summary['internal_errors']} galat internal (lihat completeness.html)",
                       f"kipp: {summary['internal_errors']} internal errors (see completeness.html)"), err=True)
        click.get_current_context().exit(int(ExitCode.FILES_FAILED))



@bench.command("workers", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_workers(args: tuple[str, ...]) -> None:
    """Klaster di mesin ini dengan 1 dan 2 worker ekstraksi: halaman OCR/detik dan dokumen/detik (--workers 1,2,
    --scans, --pages, --json).

    Contoh: kipp bench workers --workers 1,2 --json workers.json
    \f
    The cluster on this machine with 1 and 2 extract workers: OCR pages/s and documents/s (--workers 1,2,
    --scans, --pages, --json).

    Example: kipp bench workers --workers 1,2 --json workers.json
    """
    from flows.bench.workers import main as run_bench

    sys.exit(run_bench(list(args)) or 0)

if __name__ == "__main__":
    main()
