"""Identifications kept in the ledger: an unchanged file under an unchanged roster is not identified
again; a changed roster, generic word list or file is. The cache is observed through the ledger: a
row altered by hand is what a rerun reports only if the rerun took it from the cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from flows.steps import STEPS, RunConfig, open_run, run_step
from models.identify import CachingIdentifier, cover_key, identifier_fingerprint
from models.ledger import Ledger, rebuild_ledger
from models.records import FileStatus
from models.roster import load_roster
from models.settings import Settings
from tests.conftest import BODY, cover, make_docx, make_pdf

SMP = "SMPN 15/kinerja.pdf"
SD = "Proposal Inovasi - SDN Sawojajar 1.pdf"


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    make_pdf(inbox / SD, [cover("PROPOSAL INOVASI PELAYANAN PUBLIK", "SD NEGERI SAWOJAJAR 1"), BODY])
    make_pdf(inbox / SMP, [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", "SMPN 15"), BODY])
    make_docx(inbox / "Kel. Bunulrejo" / "inovasi.docx", ["PROPOSAL INOVASI", "KELURAHAN BUNULREJO", BODY])
    (inbox / "~$proposal.docx").write_bytes(b"lock")
    return inbox


def _config(tmp_path: Path, inbox: Path, roster: Path, **settings) -> RunConfig:
    return RunConfig(inbox, roster, tmp_path / "reports", "2021",
                     Settings(workers=1, settle_seconds=0, isolate=False, **settings))


def _decide(config: RunConfig) -> dict[str, tuple[FileStatus, str | None]]:
    """The steps up to decide (the rest reads what decide wrote): (status, participant) by path."""
    with open_run(config) as run:
        for step in STEPS[:3]:
            run_step(run, step)
        return {o.path: (o.status, o.participant_id) for o in run.screening.documents}


def _rows(config: RunConfig) -> list[tuple]:
    db = sqlite3.connect(config.paths.ledger)
    try:
        return list(db.execute("SELECT fingerprint, path, participant_id FROM identifications ORDER BY path"))
    finally:
        db.close()


def _alter(config: RunConfig, path: str, participant: str) -> None:
    db = sqlite3.connect(config.paths.ledger)
    with db:
        changed = db.execute("UPDATE identifications SET participant_id=? WHERE path=?", (participant, path)).rowcount
    db.close()
    assert changed == 1


def test_an_unchanged_inbox_and_roster_are_answered_from_the_ledger(tmp_path, inbox, roster_file) -> None:
    config = _config(tmp_path, inbox, roster_file)
    first = _decide(config)
    assert first[SMP] == (FileStatus.ACCEPTED, "smp-15")
    rows = _rows(config)
    assert {path for _, path, _ in rows} == {SD, SMP, "Kel. Bunulrejo/inovasi.docx"}  # the lock file is never read
    assert len({fp for fp, _, _ in rows}) == 1

    assert _decide(config) == first  # from the cache: the same decisions
    _alter(config, SMP, "smp-05")
    assert _decide(config)[SMP] == (FileStatus.ACCEPTED, "smp-05")  # taken as kept, not worked out again


def test_nothing_new_builds_no_identifier(tmp_path, inbox, roster_file) -> None:
    config = _config(tmp_path, inbox, roster_file)
    _decide(config)
    roster = load_roster(roster_file)
    generic = config.settings.generic_words
    fingerprint = identifier_fingerprint(roster, generic)
    with Ledger(config.paths.ledger) as ledger:
        known = ledger.identifications(fingerprint)
    cached = CachingIdentifier(roster, generic, known, fingerprint)
    # The same (path, cover) pairs again: answered without building the Identifier.
    with Ledger(config.paths.ledger) as ledger, open_run(config) as run:
        for step in STEPS[:2]:
            run_step(run, step)
        covers = {sha: s.extraction.cover for sha, s in ledger.extractions(run.hashes.values()).items()}
        for path, sha in run.hashes.items():
            if path.endswith((".pdf", ".docx")) and not path.startswith("~$"):
                cached.identify(path, covers[sha])
    assert cached.new == {} and cached._identifier is None
    cached.identify("SMPN 5/kinerja.pdf")  # a new one is worked out, and kept for the ledger
    assert list(cached.new) == [("SMPN 5/kinerja.pdf", cover_key(""))] and cached._identifier is not None


def test_a_changed_roster_identifies_everything_again(tmp_path, inbox, roster_file) -> None:
    config = _config(tmp_path, inbox, roster_file)
    _decide(config)
    old = {fp for fp, _, _ in _rows(config)}
    _alter(config, SMP, "smp-05")
    # SMP Negeri 15 leaves the roster: its file is no one's now, whatever the ledger kept.
    roster_file.write_text("\n".join(line for line in roster_file.read_text(encoding="utf-8").splitlines()
                                     if not line.startswith("smp-15,")) + "\n", encoding="utf-8")
    decided = _decide(config)
    assert decided[SMP] == (FileStatus.QUARANTINED, None)
    assert decided[SD] == (FileStatus.ACCEPTED, "sd-sawojajar-1")
    rows = _rows(config)
    assert len(rows) == 3 and not old & {fp for fp, _, _ in rows}  # the old fingerprint's rows are gone


def test_other_generic_words_identify_everything_again(tmp_path, inbox, roster_file) -> None:
    config = _config(tmp_path, inbox, roster_file)
    _decide(config)
    _alter(config, SMP, "smp-05")
    again = _config(tmp_path, inbox, roster_file, generic_words=frozenset({"negeri", "dan"}))
    assert _decide(again)[SMP] == (FileStatus.ACCEPTED, "smp-15")


def test_a_changed_file_is_identified_again(tmp_path, inbox, roster_file) -> None:
    config = _config(tmp_path, inbox, roster_file)
    _decide(config)
    _alter(config, SMP, "smp-05")
    # Same path, new content: the cover names another school.
    make_pdf(inbox / SMP, [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", "SD NEGERI SAWOJAJAR 2"), BODY])
    decided = _decide(config)
    assert decided[SMP] == (FileStatus.QUARANTINED, None)  # the path says SMPN 15, the cover Sawojajar 2
    assert decided[SD] == (FileStatus.ACCEPTED, "sd-sawojajar-1")


def test_the_fingerprint_follows_roster_words_and_version(tmp_path, roster_file, monkeypatch) -> None:
    import models.identify as identify

    roster = load_roster(roster_file)
    base = identifier_fingerprint(roster)
    assert identifier_fingerprint(load_roster(roster_file)) == base
    assert identifier_fingerprint(roster, frozenset({"dan"})) != base
    monkeypatch.setattr(identify, "IDENTIFIER_VERSION", identify.IDENTIFIER_VERSION + 1)
    assert identifier_fingerprint(roster) != base


def test_a_rebuilt_ledger_starts_with_no_identifications(tmp_path, inbox, roster_file) -> None:
    config = _config(tmp_path, inbox, roster_file)
    first = _decide(config)
    rebuild_ledger(config.paths.ledger)
    assert _rows(config) == []
    assert _decide(config) == first
    assert len(_rows(config)) == 3


def test_a_file_that_names_nobody_is_kept_as_unidentified_and_stays_so(tmp_path, inbox, roster_file) -> None:
    nobody = "Document - Rina Setiawan, S.Pd.pdf"
    make_pdf(inbox / nobody, [cover("PROPOSAL INOVASI PELAYANAN PUBLIK", "UNIT YANG TIDAK TERDAFTAR"), BODY])
    config = _config(tmp_path, inbox, roster_file)
    first = _decide(config)
    assert first[nobody] == (FileStatus.QUARANTINED, None)
    assert (nobody, None) in {(path, pid) for _, path, pid in _rows(config)}  # kept, as naming nobody
    assert _decide(config) == first  # from the cache: still unidentified, with the same reason
    _alter(config, nobody, "sd-sawojajar-2")
    assert _decide(config)[nobody] == (FileStatus.ACCEPTED, "sd-sawojajar-2")  # the rerun took the kept row
