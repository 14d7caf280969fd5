"""The report step: every report, and a copy of each quarantined file with a note beside it.

The reports are rendered first; a file or participant they cannot show is set aside as
internal_error (found by halving), so one odd name or value never costs the admins all their reports.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import secrets
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from flows.reporting import REPORTS, render_reports, write_rendered
from flows.steps.context import OutputPaths, Run, RunConfig
from flows.steps.guard import failing_items, set_aside
from models.errors import OutputError
from models.inbox import hash_fd, open_regular, printable
from models.language import current_language, say
from models.records import FileStatus, Outcome, Reason
from models.screening import Screening, StepError, trace

log = logging.getLogger(__name__)


# The ledger's meta key of the last reports written: the digest of what they were rendered from and
# the sha256 of each file. While both hold, a run writes nothing again (nor renders anything).
REPORTS_WRITTEN = "reports_written"


def report(run: Run) -> None:
    """Record the files set aside by the steps before, then write every report and the quarantine
    copies; what was set aside on the way is recorded too.

    When the screening, the edition, the language, the report set and the renderers are those of the
    last reports written, and every one of those files is still there with the bytes kipp wrote, the
    reports are left as they are (with their timestamp: all of a run's reports carry one, so either
    all are written again or none)."""
    screening, out = run.screening, run.config.out
    key = reports_key(screening, run.config.edition)
    kept = reports_in_place(run.ledger.meta(REPORTS_WRITTEN), key, out)
    if kept is not None:
        checked = screening
    else:
        checked, rendered = reportable(screening, run.config.edition)
    run.ledger.record_outcomes(checked.documents)
    copy_quarantined(run.config, checked)
    run.screening = checked
    if kept is not None:
        run.reports = kept
        return
    run.ledger.set_meta(REPORTS_WRITTEN, "{}")  # from here until all are written, none is known good
    run.reports = write_rendered(rendered, out)
    if checked is screening:  # nothing set aside on the way: the same screening renders the same reports
        run.ledger.set_meta(REPORTS_WRITTEN, json.dumps({
            "key": key, "files": {k: hashlib.sha256(data).hexdigest() for k, data in rendered.items()}}))


def reports_key(screening: Screening, edition: str) -> str:
    """What the reports are rendered from: the whole screening (its repr: every field of every record),
    the edition, the language, the report set and the renderers' own code. The judges' solver time is
    left out: a rerun that assigns the same judges leaves assignments.html with the time of its solve."""
    if screening.judging is not None:
        screening = replace(screening, judging=replace(screening.judging, solve_seconds=0.0))
    h = hashlib.sha256(repr(screening).encode("utf-8", "surrogatepass"))
    h.update(f"|{edition}|{current_language()}|{','.join(REPORTS)}|{_renderers_digest()}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def reports_in_place(recorded: str | None, key: str, out: Path) -> dict[str, Path] | None:
    """The report files when the last ones written were rendered from `key` and each is still as
    written; else None (write them all again)."""
    try:
        last = json.loads(recorded or "{}")
    except ValueError:
        return None
    if not isinstance(last, dict) or last.get("key") != key or set(last.get("files", ())) != set(REPORTS):
        return None
    paths = {k: out / REPORTS[k].file_name for k in REPORTS}
    for k, path in paths.items():
        try:
            with open_regular(path.parent, path.name) as (fd, _):
                if hash_fd(fd) != last["files"][k]:
                    return None
        except OSError:
            return None
    return paths


@lru_cache(maxsize=1)
def _renderers_digest() -> str:
    """The reports' code and templates, and the models whose labels they print: an upgraded kipp writes anew."""
    import flows.reporting as reporting
    import models

    root, models_root = Path(reporting.__file__).parent, Path(models.__file__).parent
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".j2"))
    files += [models_root / name for name in ("records.py", "reminders.py", "scores.py", "language.py", "screening.py")]
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()[:16]


def note_path(out: Path, rel: str) -> Path:
    """Where the note about a quarantined inbox path is: keyed by a hash, so any name has one."""
    key = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return OutputPaths(out).notes / f"{key}.txt"


def quarantine_copy_path(out: Path, o: Outcome) -> Path:
    """Where the copy of a quarantined file goes: its own path under karantina/, or a hashed name
    in the notes folder when that path cannot be a file name (not UTF-8, or too long)."""
    if o.reason is Reason.BAD_FILE_NAME or len(o.path.encode("utf-8", "surrogateescape")) > 3000:
        return note_path(out, o.path).with_suffix(".berkas")
    return OutputPaths(out).quarantine / o.path


def copy_quarantined(config: RunConfig, screening: Screening) -> Path:
    """Copy each quarantined file to <out>/karantina/ with a note in <out>/karantina-alasan/.

    The inbox keeps its own file. Each copy is read from one descriptor opened without following
    links, written to a temporary name, checked against the sha256 recorded when the file was
    screened and only then renamed into place: a file swapped after screening, or a full disk,
    leaves no copy and no partial file (the note says so). Notes are named by a hash of the path,
    so no inbox name collides with one, and `daftar.txt` lists them. kipp deletes only what its
    manifest says it wrote itself: copies and notes of files no longer quarantined.
    """
    out, paths = config.out, config.paths
    folder = paths.quarantine
    manifest_file = paths.manifest
    written: dict[str, str] = _load_manifest(manifest_file)  # path relative to out -> sha256 or "note"
    wanted = {o.path: o for o in screening.documents if o.status is FileStatus.QUARANTINED}
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
        if wanted or paths.notes.exists():
            _atomic_write(paths.notes_index, "".join(index))
    finally:
        _save_manifest(manifest_file, written)
    return folder


def reportable(screening: Screening, edition: str) -> tuple[Screening, dict[str, bytes]]:
    """The screening with every file the reports cannot show set aside as internal_error, so that
    one odd name or value never costs the admins all their reports, and the reports rendered from it
    (rendered once on a good run; again, after the set-asides, only when something failed)."""
    try:
        return screening, render_reports(screening, edition)
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
    return screening, render_reports(screening, edition)


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
            raise OutputError(say(f"{printable(str(out))}: disk penuh saat menyalin ke karantina",
                                  f"{printable(str(out))}: the disk is full while copying to the quarantine")) from e
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
    """Write, then rename; a file that already holds exactly `text` is left as it is (a rerun with
    nothing new rewrote every note)."""
    if _holds(path, text.encode("utf-8")):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".kipp-{secrets.token_hex(8)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(say(f"{printable(str(path))}: catatan karantina tidak dapat ditulis ({e.strerror})",
                              f"{printable(str(path))}: the quarantine note cannot be written ({e.strerror})")) from e


def _load_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _holds(path: Path, data: bytes) -> bool:
    """`path` is a regular file (not a link) holding exactly `data`."""
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _save_manifest(path: Path, written: dict[str, str]) -> None:
    text = json.dumps(written, sort_keys=True, indent=0)
    if _holds(path, text.encode("utf-8")):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".kipp-{secrets.token_hex(8)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:  # forgetting what was written only means it is never deleted
        tmp.unlink(missing_ok=True)
        log.warning("%s: daftar salinan karantina tidak dapat ditulis (%s)", printable(str(path)), e.strerror)


