"""The hand-off in kipp ui: the judging state of the last run, and `kipp handoff` behind a button.

The button runs what `kipp handoff` runs, the step list of flows/steps with the hand-off asked for
(screen the inbox, the judges step, the hand-off step that freezes the assignment and writes one
packet per judge, the reports), through `run_once` under the output folder's lock; nothing of the
hand-off is written here. Then the ledger records who asked for it, beside the time the step recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from flows.packets import safe_dir_name
from flows.steps.context import Handoff, OutputPaths, PanelFiles
from flows.ui.security import Refused
from models.language import say
from models.ledger import Ledger, ledger_exists, open_ledger
from models.records import Judging
from models.settings import Settings

HANDED_BY = "handed_by"  # the ledger's meta key: {"by", "at", "via"} of the last hand-off asked for in kipp ui
PANEL = "panel"  # the ledger's meta key where the hand-off step keeps the panel it handed to


@dataclass(frozen=True, slots=True)
class HandoffInputs:
    """What `kipp handoff` is given besides the output folder and the inbox: kipp ui's --roster,
    --prior and panel options (--judges, --conflicts, --criteria, --per-proposal)."""

    roster: Path = Path("roster.csv")
    panel: PanelFiles = field(default_factory=PanelFiles)
    prior: Path | None = None
    settings: Settings | None = None  # None: the KIPP_ settings, read when handing off


@dataclass(frozen=True, slots=True)
class HandedBy:
    by: str
    at: str
    via: str


def handed_by(ledger: Ledger | None, judging: Judging | None) -> HandedBy | None:
    """Who asked for the last hand-off, when kipp ui recorded it for the hand-off the report shows."""
    if ledger is None or judging is None or judging.handed_at is None:
        return None
    try:
        doc = json.loads(ledger.meta(HANDED_BY) or "null")
        record = HandedBy(str(doc["by"]), str(doc["at"]), str(doc["via"])) if doc else None
    except (ValueError, KeyError, TypeError):
        return None
    return record if record and record.at == judging.handed_at else None


def blocker(inbox: Path | None, inputs: HandoffInputs, stored_panel: bool) -> str | None:
    """Why the hand-off cannot be asked for from this kipp ui, in one line; None when it can."""
    if not stored_panel and inputs.panel.judges is None:
        return say("belum ada panel juri: jalankan kipp ui dengan --judges juri.csv (atau kipp handoff --judges ...); "
                   "tidak ada yang diserahkan",
                   "no panel of judges yet: start kipp ui with --judges judges.csv (or kipp handoff --judges ...); "
                   "nothing was handed out")
    if inbox is None:
        return say("penyerahan membaca kotak masuk (paket berisi berkas asli): jalankan kipp ui dengan --inbox; "
                   "tidak ada yang diserahkan",
                   "the hand-off reads the inbox (the packets hold the originals): start kipp ui with --inbox; "
                   "nothing was handed out")
    return None


def hand_off(out: Path, inbox: Path | None, inputs: HandoffInputs, edition: str, by: str) -> Handoff:
    """`kipp handoff` for the output folder `out`, asked for by the admin `by`; raises Refused with the
    reason when it cannot be done (no panel, no inbox, the judges step failed), or a KippError of the run."""
    from flows.lock import OutputLock
    from flows.steps import RunConfig, run_once

    paths = OutputPaths(out)
    settings = inputs.settings or Settings.from_env()
    stored = False
    if ledger_exists(paths.ledger, settings):
        with open_ledger(paths.ledger, settings) as ledger:
            stored = ledger.meta(PANEL) is not None
    if why := blocker(inbox, inputs, stored):
        raise Refused(409, why)
    config = RunConfig(inbox, inputs.roster, out, edition, settings, inputs.prior, inputs.panel, handoff=True)
    with OutputLock(out, "handoff (kipp ui)", settings):
        result = run_once(config)
        if result.handoff is None:
            steps = ", ".join(e.step for e in result.screening.errors) or "judges"
            raise Refused(500, say(f"penyerahan tidak dilakukan: langkah {steps} gagal (lihat completeness.html); "
                                   "laporan sudah ditulis ulang, tidak ada yang diserahkan",
                                   f"the hand-off was not done: the step(s) {steps} failed (see completeness.html); "
                                   "the reports are written again, nothing was handed out"))
        with open_ledger(paths.ledger, settings) as ledger:
            ledger.set_meta(HANDED_BY, json.dumps({"by": by, "at": result.handoff.handed_at, "via": "kipp ui"},
                                                  ensure_ascii=False))
    return result.handoff


def packet_path(judge_id: str) -> str:
    """A judge's packet zip, relative to the output folder (the hand-off step's own name for it)."""
    return f"{OutputPaths(Path('.')).packets.name}/{safe_dir_name(judge_id)}.zip"
