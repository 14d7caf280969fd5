"""Editions of any size for `kipp bench scale`: Kota Malang up to its 323 participants, the Jawa Timur
province beyond, grown past its ~2,800 with more SD Negeri per region up to a national size (3,000).

The inbox is written by the demo's own generator (flows/corpora/demo.generate_inbox), so its files are
as messy as the demo's: folders, abbreviations, resubmissions, unregistered units, planted copies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flows.corpora.demo import RosterRow, generate_inbox, malang_roster, province_roster, write_roster

MALANG_FULL = 323


def scale_roster(participants: int, seed: int = 2021) -> list[RosterRow]:
    """`participants` entries: the first of Kota Malang's full roster up to 323, the province's
    beyond, and past the province's own size more SD Negeri (numbers 4, 5, ... of the places each
    region already has). Parents always come before their units, so a prefix is a valid roster."""
    if participants <= 0:
        raise ValueError("participants must be positive")
    if participants <= MALANG_FULL:
        return malang_roster("full", seed)[:participants]
    rows = province_roster(seed)
    if participants <= len(rows):
        return rows[:participants]
    taken = {r.id for r in rows}
    places: dict[str, list[tuple[str, str, str]]] = {}  # region slug -> (place slug, place, parent)
    for r in rows:
        if r.category == "sd" and (m := re.fullmatch(r"(.+)-sd-(.+)-\d+", r.id)):
            name = re.fullmatch(r"SD Negeri (.+) \d+", r.name)
            if name and (m[2], name[1], r.parent_id) not in places.setdefault(m[1], []):
                places[m[1]].append((m[2], name[1], r.parent_id))
    extra: list[RosterRow] = []
    n = 4
    while len(rows) + len(extra) < participants:
        for region, spots in places.items():
            for slug, place, parent in spots:
                pid = f"{region}-sd-{slug}-{n}"
                if pid not in taken:
                    taken.add(pid)
                    extra.append(RosterRow(pid, f"SD Negeri {place} {n}", "sd", parent))
        n += 1
    return rows + extra[: participants - len(rows)]


def edition(folder: Path, participants: int, seed: int = 2021) -> tuple[Path, Path, int]:
    """The edition of this size in `folder` (inbox/, roster.csv), written once: a folder holding a
    complete one (its `edition.json` is written last) is reused. Returns (inbox, roster, files)."""
    folder = Path(folder)
    inbox, roster, done = folder / "inbox", folder / "roster.csv", folder / "edition.json"
    if done.exists():
        meta = json.loads(done.read_text(encoding="utf-8"))
        if meta.get("participants") == participants and meta.get("seed") == seed:
            return inbox, roster, int(meta["files"])
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    rows = scale_roster(participants, seed)
    write_roster(roster, rows)
    truth = generate_inbox(inbox, rows, seed)
    done.write_text(json.dumps({"participants": len(rows), "seed": seed, "files": len(truth)}), encoding="utf-8")
    return inbox, roster, len(truth)
