"""A correction is local: on a generated edition (flows/corpora/demo.py), correcting one participant's
theme changes no other participant's theme or review flag on the next run; the model changes only at
`kipp themes train`, which shows who would change, keeps the model as a new version, and
`kipp themes rollback` returns to the previous one."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.corpora.demo import generate_inbox, malang_roster, write_roster
from flows.steps import RunConfig, run_once
from flows.steps.context import OutputPaths
from models.ledger import Ledger
from models.settings import Settings


def _edition(root: Path, size: str, every: int = 1) -> RunConfig:
    rows = malang_roster(size)
    # stray files are not what this is about; with `every`, the others of the roster send nothing
    generate_inbox(root / "inbox", rows[::every], seed=0, noise=False)
    write_roster(root / "roster.csv", rows)
    return RunConfig(root / "inbox", root / "roster.csv", root / "out", "2021",
                     Settings(workers=1, settle_seconds=0, isolate=False))


def _themes(config: RunConfig) -> dict[str, tuple[str, bool, str]]:
    result = run_once(config)
    return {r.participant.id: (r.theme.theme, r.theme.needs_review, r.theme.theme_source.value)
            for r in result.screening.participants if r.theme}


def _correct(config: RunConfig, participant_id: str, theme: str) -> None:
    with Ledger(OutputPaths(config.out).ledger) as ledger:
        ledger.save_theme_corrections({participant_id: theme}, source="test")


@pytest.fixture(scope="module")
def screened(tmp_path_factory) -> tuple[RunConfig, dict]:
    """The demo edition with a third of its participants sending (14, of every category), screened once; the whole
    Kota Malang edition is the slow test below."""
    config = _edition(tmp_path_factory.mktemp("demo"), "demo", every=3)
    return config, _themes(config)


@pytest.fixture
def edition(screened, tmp_path: Path) -> tuple[RunConfig, dict]:
    """A copy of the screened edition's output that a test may correct."""
    config, first = screened
    shutil.copytree(config.out, tmp_path / "out")
    return RunConfig(config.inbox, config.roster, tmp_path / "out", config.edition, config.settings), first


def _other_theme(theme: str) -> str:
    return "pendidikan" if theme != "pendidikan" else "kesehatan"


def test_one_correction_changes_no_other_participant_on_the_next_run(edition) -> None:
    config, first = edition
    assert len(first) >= 10
    target = sorted(first)[len(first) // 2]
    theme = _other_theme(first[target][0])
    model = OutputPaths(config.out).theme_model
    trained = model.stat().st_mtime_ns
    _correct(config, target, theme)
    again = _themes(config)
    assert again[target] == (theme, False, "correction")  # in effect for its participant at this run
    moved = {p: (first[p], again.get(p)) for p in first if p != target and again.get(p) != first[p]}
    assert moved == {}
    assert model.stat().st_mtime_ns == trained  # the model was not retrained behind the admin's back


@pytest.mark.slow
def test_train_shows_who_would_change_keeps_a_version_and_rollback_returns(edition, monkeypatch) -> None:
    """Slow: `kipp themes train` cross-validates (two folds here) and fits a model: three fits, seconds."""
    import flows.corpora.themes as theme_corpus
    import models.themes as themes_module
    from flows.cli import main

    monkeypatch.setattr(themes_module, "train", partial(themes_module.train, folds=2))
    monkeypatch.setattr(theme_corpus, "build_held_out", partial(theme_corpus.build_held_out, n_per_theme=2))
    config, first = edition
    target = min(first)
    _correct(config, target, _other_theme(first[target][0]))
    cli, out = CliRunner(), str(config.out)
    dry = cli.invoke(main, ["--lang", "en", "themes", "train", "--dry-run", "--out", out])
    assert dry.exit_code == 0, dry.output
    assert "What the next run would change:" in dry.output and "nothing kept" in dry.output
    versions = cli.invoke(main, ["themes", "versions", "--out", out])
    assert versions.output.count("\n") == 1 and versions.output.startswith("* 1 ")
    trained = cli.invoke(main, ["--lang", "en", "themes", "train", "--out", out])
    assert trained.exit_code == 0, trained.output
    assert "as version 2" in trained.output and "1 samples from admins' corrections" in trained.output
    listed = cli.invoke(main, ["themes", "versions", "--out", out]).output.splitlines()
    assert [line[:3] for line in listed] == ["  1", "* 2"]
    back = cli.invoke(main, ["--lang", "en", "themes", "rollback", "--out", out])
    assert back.exit_code == 0, back.output
    assert "Model version 1 in use" in back.output
    after = _themes(config)
    assert {p: v for p, v in after.items() if p != target} == {p: v for p, v in first.items() if p != target}
    missing = cli.invoke(main, ["--lang", "en", "themes", "rollback", "7", "--out", out])
    assert missing.exit_code == 3 and "model version 7 is not kept (kept: 1, 2)" in missing.output


@pytest.mark.slow
def test_one_correction_changes_no_other_participant_in_the_full_demo(tmp_path: Path) -> None:
    """Slow: the full demo edition (323 participants, ~600 files) is generated and screened twice."""
    config = _edition(tmp_path, "full")
    first = _themes(config)
    target = sorted(first)[len(first) // 3]
    theme = _other_theme(first[target][0])
    _correct(config, target, theme)
    again = _themes(config)
    assert again[target] == (theme, False, "correction")
    assert {p for p in first if p != target and again.get(p) != first[p]} == set()
