"""The hand-off step (`kipp handoff` only): freeze the judges step's assignment and write one packet per judge.

The packets are written first and the ledger records the hand-off only once all of them are in
place, in one transaction: a hand-off that fails halfway (a full disk) is not recorded, and the next
`kipp handoff` does it again. A frozen assignment is never moved by a later run (flows/steps/judges.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from flows.packets import PacketProposal, build_packet, safe_dir_name
from flows.steps.context import Handoff, Run
from flows.steps.guard import step_failed
from flows.steps.judges import panel_from_json, panel_json
from models.errors import KippError
from models.duplicates import derive_title
from models.inbox import open_regular
from models.language import say
from models.records import Judge, JudgeAssignment, Outcome


def handoff(run: Run) -> None:
    if not run.config.handoff or run.screening.judging is None or run.panel is None:
        return  # no hand-off asked for, or the judges step failed (listed in errors)
    try:
        run.handoff = hand_off(run)
    except KippError:
        raise  # the output folder (a full disk): one line, nothing recorded
    except Exception as exc:  # noqa: BLE001 - the reports are still written; nothing is recorded
        run.screening = step_failed(run.screening, "handoff", exc)


def hand_off(run: Run) -> Handoff:
    screening, judging, panel = run.screening, run.screening.judging, run.panel
    handed_at = datetime.now(UTC).isoformat(timespec="seconds")
    before = run.ledger.frozen_assignments()
    new = tuple(a for a in judging.assignments if not a.frozen)
    changed = {a.judge_id for a in new} | {w.judge_id for w in judging.withdrawn}
    first = min(before.values(), default=handed_at)
    packets, problems = {}, []
    for judge in panel.judges:
        mine = [a for a in judging.assignments if a.judge_id == judge.id]
        # An unchanged packet keeps its time, so it is byte-identical after the hand-off.
        at = handed_at if judge.id in changed else max((before[(judge.id, a.participant_id)] for a in mine), default=first)
        files = build_packet(run.paths.packets, judge, packet_proposals(run, mine), panel.criteria,
                             run.config.edition, at, lambda o: read_original(run.config.inbox, o))
        packets[judge.id] = files.zip
        problems += [f"{judge.id}: {p.path}: {p.reason}" for p in files.problems]
    stored = run.ledger.meta("panel")
    if stored is not None:
        _remove_packets_of_judges_gone(run.paths.packets, panel_from_json(stored).judges, panel.judges)
    run.ledger.record_handoff(new, judging.withdrawn, handed_at, panel_json(panel))
    run.screening = replace(screening, judging=replace(
        judging, assignments=tuple(replace(a, frozen=True) for a in judging.assignments), handed_at=handed_at))
    return Handoff(handed_at, new, judging.withdrawn, packets, tuple(problems))


def packet_proposals(run: Run, assignments: list[JudgeAssignment]) -> list[PacketProposal]:
    """What a judge receives of each assigned participant: its two documents, their history, the
    innovation's name and every duplicate flag touching either (nothing of another judge's assignments)."""
    screening = run.screening
    documents = {o.path: o for o in screening.documents}
    results = {r.participant.id: r for r in screening.participants}
    mine = [results[a.participant_id] for a in assignments]
    covers = run.ledger.extractions({documents[r.inovasi].sha256 for r in mine} - {None})  # covers, not texts
    proposals = []
    for a, r in zip(assignments, mine, strict=True):
        paths = {r.inovasi, r.kinerja}
        flags = tuple(f for f in screening.duplicates if f.a in paths or f.b in paths)
        stored = covers.get(documents[r.inovasi].sha256)
        title = derive_title(stored.extraction.cover) if stored and stored.extraction else None
        proposals.append(PacketProposal(r, documents[r.inovasi], documents[r.kinerja],
                                        tuple(documents[p] for p in r.history if p in documents), flags,
                                        a.expertise_match, title))
    return proposals


def read_original(inbox: Path, o: Outcome) -> bytes:
    """The bytes of a counting document, read without following a link, and only if they are still
    the ones screened (else ValueError: the packet says the file changed)."""
    with open_regular(inbox, o.path) as (fd, _):
        blocks = []
        while block := os.read(fd, 1 << 20):
            blocks.append(block)
    data = b"".join(blocks)
    if o.sha256 and hashlib.sha256(data).hexdigest() != o.sha256:
        raise ValueError(say("isi berkas berubah setelah disaring (sha256 berbeda); kirim ulang lewat kotak masuk",
                             "the file changed after it was screened (another sha256); send it again through the inbox"))
    return data


def _remove_packets_of_judges_gone(root: Path, before: tuple[Judge, ...], now: tuple[Judge, ...]) -> None:
    """A judge who left the panel keeps no packet: only the folder and zip kipp wrote for them go."""
    current = {j.id for j in now}
    for judge in before:
        if judge.id not in current:
            name = safe_dir_name(judge.id)
            for path in (root / name, root / f"{name}.zip"):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                elif path.is_file() or path.is_symlink():
                    path.unlink()
