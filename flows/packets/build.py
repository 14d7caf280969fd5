"""One judge's packet: `<root>/<judge>/` with the originals, sheets and scoring sheet, and `<root>/<judge>.zip`.

The packet is written whole into a folder beside the old one and then swapped in, so a reader sees
the old packet or the new one, never half of one, and files no longer assigned are gone with the
old folder. Every file carries the hand-off time and the same mode, and the zip is sorted: the same
inputs give the same bytes, so an unchanged packet is byte-identical after a re-run.

An original that is gone or changed since it was screened does not stop the packet: its sheet and
the index say so, and PacketFiles.problems lists it for the secretariat.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flows.packets.archive import fixed_time, write_zip
from flows.packets.criteria import Criteria
from flows.packets.names import safe_dir_name, safe_name
from flows.packets.pages import DocumentView, entries, index_html, sheet_html, size_text
from flows.packets.records import PacketFiles, PacketProblem, PacketProposal
from flows.packets.sheets import ScoringRow, scoring_csv, scoring_xlsx
from models.errors import ExtractionError, OutputError, os_reason
from models.language import say
from models.records import DocType, Judge, Outcome, ParticipantStatus

INDEX = "index.html"
_STAGING = "baru"  # .<judge>.baru-XXXX: the packet being written
_RETIRED = "lama"  # .<judge>.lama-XXXX: the packet being replaced


@dataclass(frozen=True, slots=True)
class _Packet:
    """What every file of one packet is written from."""

    judge: Judge
    name: str  # of its folder, zip and scoring sheet
    id: str
    criteria: Criteria
    edition: str
    handed_at: str  # as given, shown on the index
    when: datetime  # stamped on every file


def packet_id(judge_id: str, proposals: Sequence[PacketProposal], criteria: Criteria, edition: str) -> str:
    """Names what a judge was handed: their participants with the exact documents, and the sheet's
    columns and scale. A returned scoring sheet carries it, so it can be matched to this hand-off."""
    content = {
        "judge": judge_id,
        "edition": edition,
        "proposals": sorted([p.participant_id, p.inovasi.sha256, p.kinerja.sha256] for p in proposals),
        "criteria": [c.id for c in criteria.items],
        "scale": [criteria.low, criteria.high],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def build_packet(root: Path, judge: Judge, proposals: Sequence[PacketProposal], criteria: Criteria, edition: str,
                 handed_at: str, read_original: Callable[[Outcome], bytes]) -> PacketFiles:
    """Write one judge's packet under `root` (<out>/paket) and return where it is.

    `read_original(outcome)` gives a file's bytes, checked against outcome.sha256; it raises OSError
    or ValueError (or ExtractionError) when the file is gone or changed. The bytes are checked here
    once more. `handed_at` (ISO) is shown on the index and stamped on every file.
    """
    ordered = _ordered(proposals)
    name = safe_dir_name(judge.id)
    packet = _Packet(judge, name, packet_id(judge.id, ordered, criteria, edition), criteria, edition, handed_at,
                     fixed_time(handed_at))
    stamp = (packet.when.timestamp(), packet.when.timestamp())
    folder, archive = root / name, root / f"{name}.zip"
    staging: Path | None = None
    zip_tmp = root / f".{name}.zip.{_STAGING}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(root, name)
        staging = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}.{_STAGING}-"))
        files, problems = _write_contents(staging, packet, ordered, read_original)
        for path in (*staging.iterdir(), staging):
            os.utime(path, stamp)
        staging.chmod(0o755)
        write_zip(zip_tmp, staging, name, packet.when)
        zip_tmp.chmod(0o644)
        os.utime(zip_tmp, stamp)
        _swap_in(staging, folder)
        staging = None
        os.replace(zip_tmp, archive)
    except OSError as e:
        raise OutputError(say(f"{folder}: paket juri tidak dapat ditulis: {os_reason(e)}; paket sebelumnya tetap utuh",
                              f"{folder}: the judge's packet cannot be written: {os_reason(e)}; the earlier packet "
                              "stays whole")) from e
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        zip_tmp.unlink(missing_ok=True)
    return PacketFiles(judge.id, packet.id, folder, archive, files, problems)


def _ordered(proposals: Sequence[PacketProposal]) -> list[PacketProposal]:
    """The packet's order, by participant id; a participant twice or not complete is a caller's bug."""
    ordered = sorted(proposals, key=lambda p: p.participant_id)
    twice = sorted(i for i, n in Counter(p.participant_id for p in ordered).items() if n > 1)
    if twice:
        raise ValueError(f"a participant is in one packet once: {twice}")
    incomplete = [p.participant_id for p in ordered if p.participant.status is not ParticipantStatus.COMPLETE]
    if incomplete:
        raise ValueError(f"only complete participants are handed off: {incomplete}")
    return ordered


def _write_contents(folder: Path, packet: _Packet, ordered: list[PacketProposal],
                    read_original: Callable[[Outcome], bytes]) -> tuple[tuple[str, ...], tuple[PacketProblem, ...]]:
    """Every file of the packet, written into `folder`; the names written and the originals left out."""
    documents: dict[str, tuple[DocumentView, ...]] = {}
    sheets: dict[str, str] = {}
    problems: list[PacketProblem] = []
    for number, proposal in enumerate(ordered, 1):
        views = []
        for doc_type, outcome in ((DocType.INOVASI, proposal.inovasi), (DocType.KINERJA, proposal.kinerja)):
            view = _copy_original(folder, number, proposal.participant_id, doc_type, outcome, read_original)
            if view.missing:
                problems.append(PacketProblem(proposal.participant_id, doc_type, outcome.path, view.missing))
            views.append(view)
        documents[proposal.participant_id] = tuple(views)
        sheets[proposal.participant_id] = safe_name(number, proposal.participant_id, "lembar", "html")
    rows = entries(ordered, documents, sheets)
    for entry in rows:
        _write(folder / entry.sheet, sheet_html(entry, packet.judge, packet.edition, len(rows)).encode("utf-8"))
    stem = f"penilaian_{packet.name}"
    scoring_rows = [ScoringRow.of(e.number, e.proposal) for e in rows]
    _write(folder / f"{stem}.xlsx", scoring_xlsx(packet.judge, packet.id, packet.edition, packet.when, scoring_rows,
                                                 packet.criteria))
    _write(folder / f"{stem}.csv", scoring_csv(packet.judge, packet.id, scoring_rows, packet.criteria))
    index = index_html(packet.judge, packet.id, packet.edition, packet.handed_at, rows, packet.criteria,
                       (f"{stem}.xlsx", f"{stem}.csv"), problems)
    _write(folder / INDEX, index.encode("utf-8"))
    return tuple(sorted(p.name for p in folder.iterdir())), tuple(problems)


def _copy_original(folder: Path, number: int, participant_id: str, doc_type: DocType, outcome: Outcome,
                   read_original: Callable[[Outcome], bytes]) -> DocumentView:
    """One original under its safe name, or the view saying why it is not in the packet."""
    ext = outcome.format.value if outcome.format else Path(outcome.path).suffix
    name = safe_name(number, participant_id, doc_type.value, ext)
    try:
        data = read_original(outcome)
    except (OSError, ValueError, ExtractionError) as e:
        return DocumentView(doc_type, outcome, None, _why_missing(e), size_text(outcome.size))
    if outcome.sha256 and hashlib.sha256(data).hexdigest() != outcome.sha256:
        return DocumentView(doc_type, outcome, None, say(
            "isi berkas berubah sejak disaring (sha256 lain); jalankan kipp run lagi lalu buat ulang paket",
            "the file's content changed since it was screened (another sha256); run kipp run again, then "
            "build the packet again"), size_text(outcome.size))
    _write(folder / name, data)
    return DocumentView(doc_type, outcome, name, None, size_text(len(data)))


def _why_missing(e: BaseException) -> str:
    """Why an original is not in the packet, in the words the secretariat and the judge read."""
    if isinstance(e, ExtractionError):
        return str(e)  # a reason's detail, as recorded (extractors/source.py)
    if isinstance(e, FileNotFoundError):
        return say("berkas tidak ada lagi di kotak masuk", "the file is no longer in the inbox")
    if isinstance(e, PermissionError):
        return say("berkas tidak dapat dibaca: izin akses ditolak", "the file cannot be read: permission denied")
    if isinstance(e, OSError):
        return say(f"berkas tidak dapat dibaca ({e.strerror or e})", f"the file cannot be read ({e.strerror or e})")
    return say(f"isi berkas berubah sejak disaring; jalankan kipp run lagi lalu buat ulang paket ({e})",
               f"the file's content changed since it was screened; run kipp run again, then build the packet "
               f"again ({e})")


def _write(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:  # a fresh folder: a name written twice is a bug, never overwritten
        fh.write(data)
    path.chmod(0o644)


def _swap_in(new: Path, folder: Path) -> None:
    """Put the new packet folder where the old one was; the old one (with files no longer assigned) goes."""
    retired = None
    if folder.exists() or folder.is_symlink():
        retired = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{_RETIRED}-"))
        os.replace(folder, retired / folder.name)
    os.rename(new, folder)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _remove_leftovers(root: Path, name: str) -> None:
    """Folders and zips of this judge's packet left by a build that was killed half-way."""
    for path in root.glob(f".{name}.*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
