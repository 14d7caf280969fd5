"""Before a run writes anything: the inbox, the roster, the earlier editions and the output folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flows.reporting import check_output_folder
from flows.steps.context import Panel, RunConfig
from flows.steps.judges import PANEL_META, load_panel
from models.errors import InputError, OutputError
from models.inbox import printable
from models.language import say
from models.ledger import check_ledger
from models.roster import Roster, load_roster
from models.themes import load_taxonomy


def check_folders(inbox: Path, out: Path) -> None:
    """Refuse an output folder that is the inbox, inside it, or holds it, after resolving links.

    Either way round, writing the reports, the lock or the quarantine copies would change the inbox.
    """
    real_inbox, real_out = inbox.resolve(), out.resolve()
    if real_out == real_inbox or real_out.is_relative_to(real_inbox) or real_inbox.is_relative_to(real_out):
        raise OutputError(say(
            f"--out {printable(str(out))} dan --inbox {printable(str(inbox))}: folder keluaran dan "
            "kotak masuk tidak boleh sama atau saling memuat, juga lewat tautan; kotak masuk tidak pernah ditulis",
            f"--out {printable(str(out))} and --inbox {printable(str(inbox))}: the output folder and the inbox "
            "may not be the same or hold one another, through links either; the inbox is never written",
        ))


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the checks parsed, so that the run does not parse it again."""

    roster: Roster
    panel: Panel | None  # the judges, when there are any


def check_inputs(config: RunConfig) -> Inputs:
    """Every input checked, in the order an admin would fix them; returns the parsed roster and panel."""
    check_inbox(config.inbox)
    if config.prior is not None and not config.prior.exists():
        raise InputError(say(f"{printable(str(config.prior))}: folder atau ledger edisi sebelumnya tidak ada",
                             f"{printable(str(config.prior))}: the folder or ledger of the earlier edition does not exist"))
    check_folders(config.inbox, config.out)
    roster = load_roster(config.roster)
    meta = check_output(config)
    panel = load_panel(config.panel, roster, load_taxonomy(config.settings.taxonomy).ids, meta.get(PANEL_META))
    if config.handoff and panel is None:
        raise InputError(say("kipp handoff: belum ada panel juri; berikan --judges judges.csv",
                             "kipp handoff: no panel of judges yet; give --judges judges.csv"))
    return Inputs(roster, panel)


def check_inbox(inbox: Path) -> None:
    """The inbox must be a folder kipp can list; each message says which of the ways it is not."""
    if inbox.is_file():
        raise InputError(say(f"{inbox}: kotak masuk adalah berkas, bukan folder; --inbox harus folder tempat proposal diletakkan",
                             f"{inbox}: the inbox is a file, not a folder; --inbox must be the folder the proposals are put in"))
    if not inbox.exists():
        raise InputError(say(f"{inbox}: folder kotak masuk tidak ada (does not exist)",
                             f"{inbox}: the inbox folder does not exist"))
    if not inbox.is_dir():
        raise InputError(say(f"{inbox}: kotak masuk bukan folder", f"{inbox}: the inbox is not a folder"))
    try:
        with os.scandir(inbox) as entries:
            next(entries, None)
    except OSError as e:
        raise InputError(say(f"{inbox}: folder kotak masuk tidak dapat dibaca ({e.strerror})",
                             f"{inbox}: the inbox folder cannot be read ({e.strerror})")) from e


def check_output(config: RunConfig) -> dict[str, str]:
    """The output folder can be written, its ledger is whole, and it holds this edition (or none yet);
    returns the ledger's meta."""
    check_output_folder(config.out)
    meta = check_ledger(config.paths.ledger, config.settings)
    check_edition(meta.get("edition"), config)
    return meta


def check_edition(recorded: str | None, config: RunConfig) -> None:
    """One output folder holds one edition: mixing two would mix their participants and duplicates."""
    if recorded is not None and recorded != config.edition:
        raise InputError(say(
            f"{config.out}: folder keluaran ini berisi edisi {recorded}, bukan {config.edition}; pakai folder --out "
            f"lain untuk edisi {config.edition} (misalnya --out reports-{config.edition}), atau --edition {recorded} "
            f"untuk melanjutkan edisi {recorded}",
            f"{config.out}: this output folder holds the edition {recorded}, not {config.edition}; use another --out "
            f"folder for the edition {config.edition} (for example --out reports-{config.edition}), or --edition "
            f"{recorded} to go on with the edition {recorded}",
        ))
