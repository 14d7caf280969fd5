"""The intake path as plain functions: scan, record, extract what is new, decide, report.

Prefect flows in flows/intake.py call these steps; tests call them directly.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from extractors.sandbox import extract_many
from flows.reporting import write_reports
from models.errors import KippError
from models.identify import Identifier
from models.inbox import scan_inbox, settle
from models.ledger import Ledger
from models.records import InboxItem, Status
from models.roster import Roster, load_roster
from models.screening import Screening, screen
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


def check_inputs(config: RunConfig) -> Roster:
    if not config.inbox.is_dir():
        raise KippError(f"{config.inbox}: the inbox folder does not exist")
    if config.prior is not None and not config.prior.exists():
        raise KippError(f"{config.prior}: the earlier editions' folder or ledger does not exist")
    if config.out.resolve().is_relative_to(config.inbox.resolve()):
        raise KippError(f"{config.out}: the output folder must not be inside the inbox (the inbox is never written)")
    return load_roster(config.roster)


def record_inbox(config: RunConfig, ledger: Ledger) -> tuple[list[InboxItem], dict[str, str]]:
    items = scan_inbox(config.inbox)
    if config.settings.settle_seconds > 0:
        items = settle(config.inbox, items, wait=config.settings.settle_seconds)
    return items, ledger.sync_inbox(config.inbox, items)


def extract_pending(config: RunConfig, ledger: Ledger, hashes: dict[str, str]) -> int:
    """Extract every content not yet in the ledger (or to be read again); returns how many were read.

    Each job carries the sha256 the scan recorded: the worker reads the file from one descriptor
    and refuses other bytes (changed_since_scan, read again on the next run). A transient failure
    is kept with the limits it happened under, and read again once they change.
    """
    settings = config.settings
    limits_key = settings.limits.key()
    pending = ledger.missing_extractions(hashes.values(), limits_key)
    jobs: dict[str, tuple[Path, str]] = {}
    for path, sha in sorted(hashes.items()):
        if sha in pending and sha not in jobs:
            jobs[sha] = (config.inbox / path, sha)
    results = extract_many(jobs, settings.workers, settings.limits, isolate=settings.isolate)
    for sha, result in results:
        ledger.save_extraction(sha, result, limits_key)  # saved one by one: an interrupted run keeps its work
    return len(jobs)


def decide(config: RunConfig, ledger: Ledger, roster: Roster, items: list[InboxItem], hashes: dict[str, str]) -> Screening:
    extractions = ledger.extractions(hashes.values())
    identifier = Identifier(roster, config.settings.generic_words)
    screening = screen(items, hashes, extractions, roster, ledger.removed_paths(), identifier)
    ledger.record_outcomes(screening.documents)
    ledger.set_meta("edition", config.edition)
    return screening


def flag_duplicates(config: RunConfig, ledger: Ledger, screening: Screening) -> Screening:
    from flows.dedupe import flag_duplicates as flags_for

    return replace(screening, duplicates=flags_for(config, ledger, screening))


def assign_themes(config: RunConfig, ledger: Ledger, screening: Screening) -> Screening:
    """Theme of every participant's Inovasi proposal; an admin's correction wins over the model."""
    from models.themes import ThemeInput, classify, load_taxonomy

    taxonomy = load_taxonomy(config.settings.taxonomy)
    by_path = {o.path: o for o in screening.documents}
    wanted = {r.participant.id: by_path[r.inovasi].sha256 for r in screening.participants if r.inovasi}
    texts = ledger.extractions(wanted.values(), with_text=True)
    inputs = []
    for r in screening.participants:
        sha = wanted.get(r.participant.id)
        stored = texts.get(sha) if sha else None
        if stored and stored.extraction:
            ex = stored.extraction
            inputs.append(ThemeInput(r.participant.id, r.participant.category.value, ex.cover, ex.text))
    themes = {a.participant_id: a for a in classify(inputs, taxonomy, config.theme_model_path, ledger.theme_corrections())}
    participants = tuple(replace(r, theme=themes.get(r.participant.id)) for r in screening.participants)
    return replace(screening, participants=participants)


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
    t3 = time.perf_counter()
    copy_quarantined(config, screening)
    reports = write_reports(screening, config.out, config.edition)
    timings["report"] = time.perf_counter() - t3
    return RunResult(screening, reports, len(items), extracted, timings)
