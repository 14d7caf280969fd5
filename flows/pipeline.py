"""The intake path as plain functions: scan, record, extract what is new, decide, report.

Prefect flows in flows/intake.py call these steps; tests call them directly.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from extractors.sandbox import extract_many
from flows.reporting import check_output_folder, write_reports
from models.errors import InputError, KippError
from models.identify import Identifier
from models.inbox import scan_inbox, settle
from models.ledger import Ledger, check_ledger
from models.records import InboxItem, Outcome, Status
from models.roster import Roster, load_roster
from models.screening import MIN_TEXT_CHARS, Screening, StepError, internal_error, is_blank, screen, trace
from models.settings import Settings

log = logging.getLogger(__name__)
LEDGER_NAME = "ledger.sqlite"
QUARANTINE_DIR = "karantina"
NOTE_SUFFIX = ".alasan.txt"


@dataclass(frozen=True, slots=True)
class RunConfig:
    inbox: Path
    roster: Path
    out: Path
    edition: str
    settings: Settings = field(default_factory=Settings.from_env)
    prior: Path | None = None  # earlier editions: a folder of proposals or a previous run's ledger

    @property
    def ledger_path(self) -> Path:
        return self.out / LEDGER_NAME

    @property
    def theme_model_path(self) -> Path:
        return self.out / ".kipp" / "theme_model.pickle"


@dataclass(frozen=True, slots=True)
class RunResult:
    screening: Screening
    reports: dict[str, Path]
    files_seen: int
    files_extracted: int
    seconds: dict[str, float]

    @property
    def internal_errors(self) -> int:
        return self.screening.internal_errors


def check_inputs(config: RunConfig) -> Roster:
    check_inbox(config.inbox)
    if config.prior is not None and not config.prior.exists():
        raise InputError(f"{config.prior}: the earlier editions' folder or ledger does not exist")
    if config.out.resolve().is_relative_to(config.inbox.resolve()):
        raise KippError(f"{config.out}: the output folder must not be inside the inbox (the inbox is never written)")
    roster = load_roster(config.roster)
    check_output(config)
    return roster


def check_inbox(inbox: Path) -> None:
    """The inbox must be a folder kipp can list; each message says which of the ways it is not."""
    if inbox.is_file():
        raise InputError(f"{inbox}: kotak masuk adalah berkas, bukan folder; --inbox harus folder tempat proposal diletakkan")
    if not inbox.exists():
        raise InputError(f"{inbox}: folder kotak masuk tidak ada (does not exist)")
    if not inbox.is_dir():
        raise InputError(f"{inbox}: kotak masuk bukan folder")
    try:
        with os.scandir(inbox) as entries:
            next(entries, None)
    except OSError as e:
        raise InputError(f"{inbox}: folder kotak masuk tidak dapat dibaca ({e.strerror})") from e


def check_output(config: RunConfig) -> None:
    """The output folder can be written, its ledger is whole, and it holds this edition (or none yet)."""
    check_output_folder(config.out)
    check_edition(check_ledger(config.ledger_path).get("edition"), config)


def check_edition(recorded: str | None, config: RunConfig) -> None:
    """One output folder holds one edition: mixing two would mix their participants and duplicates."""
    if recorded is not None and recorded != config.edition:
        raise InputError(
            f"{config.out}: folder keluaran ini berisi edisi {recorded}, bukan {config.edition}; pakai folder --out "
            f"lain untuk edisi {config.edition} (misalnya --out reports-{config.edition}), atau --edition {recorded} "
            f"untuk melanjutkan edisi {recorded}"
        )


def record_inbox(config: RunConfig, ledger: Ledger) -> tuple[list[InboxItem], dict[str, str]]:
    items = scan_inbox(config.inbox)
    if config.settings.settle_seconds > 0:
        items = settle(config.inbox, items, wait=config.settings.settle_seconds)
    return items, ledger.sync_inbox(config.inbox, items)


def extract_pending(config: RunConfig, ledger: Ledger, hashes: dict[str, str]) -> int:
    """Extract every content not yet in the ledger; returns how many were read."""
    pending = ledger.missing_extractions(hashes.values())
    jobs = {}
    for path, sha in sorted(hashes.items()):
        if sha in pending and sha not in jobs:
            jobs[sha] = config.inbox / path
    settings = config.settings
    results = extract_many(jobs, settings.workers, settings.limits, isolate=settings.isolate)
    for sha, result in results:
        ledger.save_extraction(sha, result)  # saved one by one: an interrupted run keeps its work
    return len(jobs)


def decide(config: RunConfig, ledger: Ledger, roster: Roster, items: list[InboxItem], hashes: dict[str, str]) -> Screening:
    extractions = ledger.extractions(hashes.values())
    identifier = Identifier(roster, config.settings.generic_words)
    screening = screen(items, hashes, extractions, roster, ledger.removed_paths(), identifier,
                       blank=blank_contents(ledger, extractions))
    ledger.record_outcomes(screening.documents)
    ledger.set_meta("edition", config.edition)
    return screening


# A text this long has enough letters in words unless it is nearly all digits and dots: only
# shorter ones are read back from the ledger to be counted.
_BLANK_SUSPECT_CHARS = 20 * MIN_TEXT_CHARS


def blank_contents(ledger: Ledger, extractions: dict) -> set[str]:
    """The sha256 of every read content without readable text (see models.screening.is_blank)."""
    suspects = [sha for sha, s in extractions.items()
                if s.extraction is not None and (s.chars or 0) < _BLANK_SUSPECT_CHARS]
    texts = ledger.extractions(suspects, with_text=True)
    return {sha for sha, s in texts.items()
            if s.extraction is not None and is_blank(s.extraction.text, s.extraction.ocr_confidence)}


def flag_duplicates(config: RunConfig, ledger: Ledger, screening: Screening) -> Screening:
    """Duplicate flags; a document the comparison fails on is set aside as internal_error, and a
    comparison that fails as a whole leaves the run without flags, never without reports."""
    from flows.dedupe import flag_duplicates as flags_for

    try:
        return replace(screening, duplicates=flags_for(config, ledger, screening))
    except Exception as exc:  # noqa: BLE001 - find which documents, if any, it fails on
        first = exc
    from flows.dedupe import current_documents
    from models.duplicates import DuplicateSettings, find_duplicates

    docs = current_documents(ledger, screening)
    failed = failing_items(docs, lambda some: find_duplicates(some, settings=DuplicateSettings(workers=1)))
    if not failed:
        return replace(screening, errors=(*screening.errors, StepError("duplicates", trace(first))))
    screening = set_aside(screening, {d.path: exc for d, exc in failed})
    try:
        return replace(screening, duplicates=flags_for(config, ledger, screening))
    except Exception as exc:  # noqa: BLE001
        return replace(screening, errors=(*screening.errors, StepError("duplicates", trace(exc))))


def assign_themes(config: RunConfig, ledger: Ledger, screening: Screening) -> Screening:
    """Theme of every participant's Inovasi proposal; an admin's correction wins over the model.

    A proposal the text steps fail on is set aside as internal_error; a classifier that fails as a
    whole leaves every theme empty and the run goes on.
    """
    from models.themes import ThemeError, ThemeInput, check_input, classify, load_taxonomy

    taxonomy = load_taxonomy(config.settings.taxonomy)
    by_path = {o.path: o for o in screening.documents}
    wanted = {r.participant.id: by_path[r.inovasi].sha256 for r in screening.participants if r.inovasi}
    texts = ledger.extractions(wanted.values(), with_text=True)
    inputs, failed = [], {}
    for r in screening.participants:
        sha = wanted.get(r.participant.id)
        stored = texts.get(sha) if sha else None
        if stored and stored.extraction:
            ex = stored.extraction
            inp = ThemeInput(r.participant.id, r.participant.category.value, ex.cover, ex.text)
            try:
                check_input(inp)
            except Exception as exc:  # noqa: BLE001 - one proposal never stops the others
                failed[r.inovasi] = exc
                continue
            inputs.append(inp)
    if failed:
        screening = set_aside(screening, failed)
    try:
        assigned = classify(inputs, taxonomy, config.theme_model_path, ledger.theme_corrections())
    except ThemeError:
        raise  # the taxonomy or the corrections are wrong: the user's to fix, said in one line
    except Exception as exc:  # noqa: BLE001
        return replace(screening, errors=(*screening.errors, StepError("themes", trace(exc))))
    themes = {a.participant_id: a for a in assigned}
    participants = tuple(replace(r, theme=themes.get(r.participant.id)) for r in screening.participants)
    return replace(screening, participants=participants)


def failing_items(items: list, work) -> list[tuple[object, Exception]]:
    """The items `work` fails on when given alone or with others that pass, found by halving:
    about 2·k·log2(n) calls of `work` for k failing items among n. Empty when no single item is
    to blame (the failure needs the whole set)."""
    if not items:
        return []
    try:
        work(items)
        return []
    except Exception as exc:  # noqa: BLE001
        if len(items) == 1:
            return [(items[0], exc)]
    half = len(items) // 2
    return failing_items(items[:half], work) + failing_items(items[half:], work)


def set_aside(screening: Screening, failed: dict[str, Exception]) -> Screening:
    """Files kipp failed on after deciding become internal_error, and completeness follows."""
    from models.screening import completeness

    documents = tuple(
        internal_error(o.path, o.sha256, o.size, failed[o.path], o.participant_id, o.doc_type)
        if o.path in failed else o
        for o in screening.documents
    )
    roster = Roster(tuple(r.participant for r in screening.participants))
    # A theme stays with the Inovasi proposal it was given for.
    themes = {r.participant.id: (r.inovasi, r.theme) for r in screening.participants}
    participants = tuple(
        replace(r, theme=themes[r.participant.id][1] if themes[r.participant.id][0] == r.inovasi else None)
        for r in completeness(roster, documents)
    )
    return replace(screening, documents=documents, participants=participants)


def copy_quarantined(config: RunConfig, screening: Screening) -> Path:
    """Copy each quarantined file, with a note of the reason, to <out>/karantina/ (the inbox keeps its own).

    The folder mirrors the current decisions: a file that is no longer quarantined leaves it.
    """
    folder = config.out / QUARANTINE_DIR
    wanted: dict[Path, str] = {}
    for o in screening.documents:
        if o.status is Status.QUARANTINED and (config.inbox / o.path).is_file():
            target = folder / o.path
            wanted[target] = o.path
            note = target.with_name(target.name + NOTE_SUFFIX)
            wanted[note] = o.path
            if not target.exists() or target.stat().st_size != o.size:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(config.inbox / o.path, target)
            note.write_text(
                f"berkas: {o.path}\nsha256: {o.sha256}\nalasan: {o.reason}\nketerangan: {o.detail or ''}\n"
                f"dugaan peserta: {o.participant_id or '-'}\n",
                encoding="utf-8",
            )
    if folder.exists():
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file() and path not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return folder


def reportable(screening: Screening, edition: str) -> Screening:
    """The screening with every file the reports cannot show set aside as internal_error, so that
    one odd name or value never costs the admins all their reports."""
    from flows.reporting import render_reports

    try:
        render_reports(screening, edition)
        return screening
    except Exception as exc:  # noqa: BLE001 - find which files or participants
        first = exc

    def failing_documents(s: Screening) -> list:
        return failing_items(list(s.documents),
                             lambda docs: render_reports(replace(s, documents=tuple(docs), participants=()), edition))

    screening = set_aside(screening, {o.path: exc for o, exc in failing_documents(screening)})
    # A file whose very name or size the reports cannot show is shown by its escaped name alone.
    still = {o.path for o, _ in failing_documents(screening)}
    screening = replace(screening, documents=tuple(
        Outcome(ascii(o.path)[1:-1], o.sha256, o.size, o.status, o.reason, detail=o.reason.label if o.reason else None)
        if o.path in still else o
        for o in screening.documents
    ))
    failed = failing_items(list(screening.participants),
                           lambda rows: render_reports(replace(screening, documents=(), participants=tuple(rows)), edition))
    if failed:
        bare = {r.participant.id for r, _ in failed}
        screening = replace(screening, participants=tuple(
            replace(r, theme=None, history=(), review=()) if r.participant.id in bare else r
            for r in screening.participants
        ))
    if failed or not screening.internal_errors:
        screening = replace(screening, errors=(*screening.errors, StepError("reports", trace(first))))
    return screening


def report(config: RunConfig, screening: Screening) -> tuple[Screening, dict[str, Path]]:
    """Write every report and the quarantine copies; what was set aside on the way is recorded."""
    checked = reportable(screening, config.edition)
    if checked.documents != screening.documents:
        with Ledger(config.ledger_path) as ledger:
            ledger.record_outcomes(checked.documents)
    copy_quarantined(config, checked)
    return checked, write_reports(checked, config.out, config.edition)


def run_once(config: RunConfig) -> RunResult:
    """One whole intake run without Prefect (the flow runs the same steps)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    roster = check_inputs(config)
    with Ledger(config.ledger_path) as ledger:
        items, hashes = record_inbox(config, ledger)
        timings["scan"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        extracted = extract_pending(config, ledger, hashes)
        timings["extract"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        screening = decide(config, ledger, roster, items, hashes)
        timings["decide"] = time.perf_counter() - t2
        t_themes = time.perf_counter()
        screening = assign_themes(config, ledger, screening)
        timings["themes"] = time.perf_counter() - t_themes
        t_dupes = time.perf_counter()
        screening = flag_duplicates(config, ledger, screening)
        timings["duplicates"] = time.perf_counter() - t_dupes
        ledger.record_outcomes(screening.documents)  # files set aside by themes or duplicates
    t3 = time.perf_counter()
    screening, reports = report(config, screening)
    timings["report"] = time.perf_counter() - t3
    return RunResult(screening, reports, len(items), extracted, timings)
