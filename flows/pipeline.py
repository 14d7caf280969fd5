"""The intake path as plain functions: scan, record, extract what is new, decide, report.

Prefect flows in flows/intake.py call these steps; tests call them directly.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from extractors.sandbox import extract_many
from flows.reporting import check_output_folder, write_reports
from models.errors import InputError, OutputError
from models.identify import Identifier
from models.inbox import hash_fd, open_regular, printable, scan_inbox, settle
from models.ledger import Ledger, check_ledger
from models.records import InboxItem, Outcome, Reason, Status
from models.roster import Roster, load_roster
from models.screening import MIN_TEXT_CHARS, Screening, StepError, internal_error, is_blank, screen, trace
from models.settings import Settings

log = logging.getLogger(__name__)
LEDGER_NAME = "ledger.sqlite"
QUARANTINE_DIR = "karantina"
NOTES_DIR = "karantina-alasan"  # beside karantina/, never inside it: no inbox name can collide with a note
INDEX_NAME = "daftar.txt"
MANIFEST = ".kipp/karantina-manifest.json"  # every file kipp wrote there; nothing else is ever deleted


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


def check_folders(inbox: Path, out: Path) -> None:
    """Refuse an output folder that is the inbox, inside it, or holds it, after resolving links.

    Either way round, writing the reports, the lock or the quarantine copies would change the inbox.
    """
    real_inbox, real_out = inbox.resolve(), out.resolve()
    if real_out == real_inbox or real_out.is_relative_to(real_inbox) or real_inbox.is_relative_to(real_out):
        raise OutputError(
            f"--out {printable(str(out))} dan --inbox {printable(str(inbox))}: folder keluaran dan "
            "kotak masuk tidak boleh sama atau saling memuat, juga lewat tautan; kotak masuk tidak pernah ditulis"
        )


def check_inputs(config: RunConfig) -> Roster:
    check_inbox(config.inbox)
    if config.prior is not None and not config.prior.exists():
        raise InputError(f"{printable(str(config.prior))}: folder atau ledger edisi sebelumnya tidak ada")
    check_folders(config.inbox, config.out)
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
    """Scan the inbox, wait for files still being written, and record and hash what is there."""
    items = scan_inbox(config.inbox)
    if config.settings.settle_seconds > 0:
        items = settle(config.inbox, items, wait=config.settings.settle_seconds)
    return ledger.sync_inbox(config.inbox, items)


def extract_pending(config: RunConfig, ledger: Ledger, hashes: dict[str, str]) -> int:
    """Extract every content not yet in the ledger (or to be read again); returns how many were read.

    Each job carries the sha256 the scan recorded: the worker reads the file from one descriptor
    and refuses other bytes (changed_since_scan, read again on the next run). A transient failure
    is kept with the limits it happened under, and read again once they change.
    """
    settings = config.settings
    limits_key = settings.limits.key()
    pending = ledger.missing_extractions(hashes.values(), limits_key)
    jobs: dict[str, tuple[Path, str, Path]] = {}
    for path, sha in sorted(hashes.items()):
        if sha in pending and sha not in jobs:
            jobs[sha] = (Path(path), sha, config.inbox)  # the stored path, opened folder by folder
    results = extract_many(jobs, settings.workers, settings.limits, isolate=settings.isolate)
    for sha, result in results:
        ledger.save_extraction(sha, result, limits_key)  # saved one by one: an interrupted run keeps its work
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


def note_path(out: Path, rel: str) -> Path:
    """Where the note about a quarantined inbox path is: keyed by a hash, so any name has one."""
    key = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return out / NOTES_DIR / f"{key}.txt"


def quarantine_copy_path(out: Path, o: Outcome) -> Path:
    """Where the copy of a quarantined file goes: its own path under karantina/, or a hashed name
    in the notes folder when that path cannot be a file name (not UTF-8, or too long)."""
    if o.reason is Reason.BAD_FILE_NAME or len(o.path.encode("utf-8", "surrogateescape")) > 3000:
        return note_path(out, o.path).with_suffix(".berkas")
    return out / QUARANTINE_DIR / o.path


def copy_quarantined(config: RunConfig, screening: Screening) -> Path:
    """Copy each quarantined file to <out>/karantina/ with a note in <out>/karantina-alasan/.

    The inbox keeps its own file. Each copy is read from one descriptor opened without following
    links, written to a temporary name, checked against the sha256 recorded when the file was
    screened and only then renamed into place: a file swapped after screening, or a full disk,
    leaves no copy and no partial file (the note says so). Notes are named by a hash of the path,
    so no inbox name collides with one, and `daftar.txt` lists them. kipp deletes only what its
    manifest says it wrote itself: copies and notes of files no longer quarantined.
    """
    out = config.out
    folder = out / QUARANTINE_DIR
    manifest_file = out / MANIFEST
    written: dict[str, str] = _load_manifest(manifest_file)  # path relative to out -> sha256 or "note"
    wanted = {o.path: o for o in screening.documents if o.status is Status.QUARANTINED}
    targets = {o.path: quarantine_copy_path(out, o) for o in wanted.values()}
    notes = {o.path: note_path(out, o.path) for o in wanted.values()}
    keep = {_rel(out, p) for p in (*targets.values(), *notes.values())}
    # Stale entries first: a copy of a file that is now a folder of the same name must go before it.
    for rel in sorted(set(written) - keep, reverse=True):
        _remove_written(out, rel)
        del written[rel]
    index = []
    try:
        for path, o in sorted(wanted.items()):
            target, note = targets[path], notes[path]
            copied = _copy_one(config.inbox, o, target, written.get(_rel(out, target)), out, written)
            _atomic_write(note, _note_text(o, out, target, copied))
            written[_rel(out, note)] = "note"
            index.append(f"{note.name}\t{o.reason}\t{printable(o.path)}\n")
        if wanted or (out / NOTES_DIR).exists():
            _atomic_write(out / NOTES_DIR / INDEX_NAME, "".join(index))
    finally:
        _save_manifest(manifest_file, written)
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


def _copy_one(inbox: Path, o: Outcome, target: Path, had: str | None, out: Path, written: dict[str, str]) -> str | None:
    """Copy one quarantined file; None when the copy is in place, else why there is none."""
    rel = _rel(out, target)
    if had is not None and had == o.sha256 and o.sha256 and target.is_file() and not target.is_symlink():
        return None  # the same bytes are there already
    if had is not None:
        _remove_written(out, rel)  # an older content: never leave a copy that disagrees with its note
        written.pop(rel, None)
    if o.reason in (Reason.UNREADABLE, Reason.SPECIAL_FILE) or o.reason is None:
        return "berkas tidak dapat dibuka"
    if os.path.lexists(target):
        if o.sha256 and _same_content(target, o.sha256):
            written[rel] = o.sha256  # a faithful copy from an earlier kipp without a manifest: kipp's own
            return None
        return "di tempat salinan sudah ada berkas lain yang bukan tulisan kipp"
    tmp = None
    try:
        with open_regular(inbox, o.path) as (fd, _):
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.parent / f".kipp-{secrets.token_hex(8)}.tmp"
            digest = hashlib.sha256()
            with open(tmp, "xb") as dst:
                while block := os.read(fd, 1 << 20):
                    digest.update(block)
                    dst.write(block)
                dst.flush()
                os.fsync(dst.fileno())
        if o.sha256 and digest.hexdigest() != o.sha256:
            return "isi berkas berubah setelah diperiksa (sha256 berbeda); salinan tidak dibuat"
        os.replace(tmp, target)
        tmp = None
        written[rel] = digest.hexdigest()
        return None
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise OutputError(f"{printable(str(out))}: disk penuh saat menyalin ke karantina") from e
        return f"salinan tidak dibuat: {e.strerror or type(e).__name__}"
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _same_content(path: Path, sha: str) -> bool:
    try:
        with open_regular(path.parent, path.name) as (fd, _):
            return hash_fd(fd) == sha
    except OSError:
        return False


def _note_text(o: Outcome, out: Path, target: Path, copy_problem: str | None) -> str:
    copy = printable(_rel(out, target)) if copy_problem is None else f"tidak ada ({copy_problem})"
    lines = {
        "berkas": o.path,
        "sha256": o.sha256 or "-",
        "alasan": str(o.reason),
        "keterangan": o.detail or "",
        "dugaan peserta": o.participant_id or "-",
        "salinan": copy,
    }
    # One line per field, whatever the name or the detail holds: no line can be forged.
    return "".join(f"{key}: {printable(value) if key != 'salinan' else value}\n" for key, value in lines.items())


def _rel(out: Path, path: Path) -> str:
    return path.relative_to(out).as_posix()


def _remove_written(out: Path, rel: str) -> None:
    """Remove a file kipp wrote, and the folders it leaves empty up to the output folder."""
    path = out / rel
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
    except FileNotFoundError:
        pass
    parent = path.parent
    while parent != out and parent.is_relative_to(out):
        try:
            parent.rmdir()  # only when empty: anything else in it stays
        except OSError:
            break
        parent = parent.parent


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".kipp-{secrets.token_hex(8)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{printable(str(path))}: catatan karantina tidak dapat ditulis ({e.strerror})") from e


def _load_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save_manifest(path: Path, written: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".kipp-{secrets.token_hex(8)}.tmp")
    try:
        tmp.write_text(json.dumps(written, sort_keys=True, indent=0), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:  # forgetting what was written only means it is never deleted
        tmp.unlink(missing_ok=True)
        log.warning("%s: daftar salinan karantina tidak dapat ditulis (%s)", printable(str(path)), e.strerror)


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
