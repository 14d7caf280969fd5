"""A run with nothing new is cheap: the themes of unchanged proposals are the model's predictions of
the last run (ledger meta theme_cache) and the reports are left as they were written (ledger meta
reports_written). Anything they were computed from that changes computes them again."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from flows.corpora.demo import generate_inbox, malang_roster, write_roster
from flows.reporting import REPORT_FILES
from flows.steps import RunConfig, run_once
from flows.steps.context import OutputPaths
from models import themes as classifier
from models.language import use_language
from models.ledger import Ledger
from models.settings import Settings
from models.themes import ThemeClassifier, ThemeInput, load_taxonomy
from models.themes.model import classify
from tests.conftest import make_pdf


def _edition(root: Path) -> RunConfig:
    rows = malang_roster("demo")
    generate_inbox(root / "inbox", rows[::3], seed=0, noise=False)
    write_roster(root / "roster.csv", rows)
    return RunConfig(root / "inbox", root / "roster.csv", root / "out", "2021",
                     Settings(workers=1, settle_seconds=0, isolate=False))


@pytest.fixture(scope="module")
def screened(tmp_path_factory) -> tuple[RunConfig, dict]:
    """A third of the demo edition (14 proposals) screened once."""
    config = _edition(tmp_path_factory.mktemp("rerun"))
    return config, _themes(run_once(config))


@pytest.fixture
def edition(screened, tmp_path: Path) -> tuple[RunConfig, dict]:
    """A copy of the screened edition (inbox, roster and output) that a test may change."""
    config, first = screened
    root = config.out.parent
    for name in ("inbox", "out"):
        shutil.copytree(root / name, tmp_path / name)
    shutil.copy(config.roster, tmp_path / "roster.csv")
    return RunConfig(tmp_path / "inbox", tmp_path / "roster.csv", tmp_path / "out", config.edition, config.settings), first


def _themes(result) -> dict[str, tuple[str, float, bool, str]]:
    return {r.participant.id: (r.theme.theme, r.theme.theme_confidence, r.theme.needs_review, r.theme.theme_source.value)
            for r in result.screening.participants if r.theme}


@pytest.fixture
def predicted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The participants the model predicts a theme for (the real predict, counted)."""
    seen: list[str] = []
    real = ThemeClassifier.predict

    def counting(self, inputs):
        inputs = list(inputs)
        seen.extend(i.participant_id for i in inputs)
        return real(self, inputs)

    monkeypatch.setattr(ThemeClassifier, "predict", counting)
    return seen


def _age_reports(out: Path) -> None:
    """Every report file dated 2000, so that a file written again shows by its time."""
    for name in REPORT_FILES.values():
        os.utime(out / name, ns=(946684800 * 10**9, 946684800 * 10**9))


def _rewritten(out: Path) -> set[str]:
    return {name for name in REPORT_FILES.values() if (out / name).stat().st_mtime_ns != 946684800 * 10**9}


# -- themes ----------------------------------------------------------------------------------------


def test_an_unchanged_rerun_classifies_nothing_and_gives_the_same_themes(edition, predicted) -> None:
    config, first = edition
    assert first  # the edition has themed proposals
    assert _themes(run_once(config)) == first
    assert predicted == []


def test_a_correction_applies_at_once_without_classifying_again(edition, predicted) -> None:
    config, first = edition
    pid, (theme, *_rest) = sorted(first.items())[0]
    other = "pendidikan" if theme != "pendidikan" else "kesehatan"
    with Ledger(OutputPaths(config.out).ledger) as ledger:
        ledger.save_theme_corrections({pid: other}, source="test")
    again = _themes(run_once(config))
    assert again[pid][0] == other and again[pid][3] == "correction"
    assert {p: t for p, t in again.items() if p != pid} == {p: t for p, t in first.items() if p != pid}
    assert predicted == []
    with Ledger(OutputPaths(config.out).ledger) as ledger:  # taken back: the model's theme again, at once
        ledger.db.execute("DELETE FROM theme_corrections")
    assert _themes(run_once(config)) == first
    assert predicted == []


def test_a_replaced_proposal_is_classified_again_and_only_it(edition, predicted) -> None:
    config, first = edition
    proposals = sorted(p for p in config.inbox.rglob("*") if p.is_file() and "inovasi" in p.name.lower())
    a, b = proposals[0], proposals[1]
    before = {r.participant.id: r.inovasi for r in run_once(config).screening.participants if r.inovasi}
    owner = next(pid for pid, path in before.items() if (config.inbox / path) == a)
    predicted.clear()
    shutil.copy(b, a)  # a's file now holds b's proposal: its text changed
    result = run_once(config)
    assert owner in predicted or not any(r.participant.id == owner and r.theme for r in result.screening.participants)
    assert len(predicted) <= 2  # the changed file (and at most the participant it now names), not the 14


def test_the_model_cache_follows_the_model_file_and_each_input(tmp_path: Path, predicted) -> None:
    taxonomy = load_taxonomy(None)
    path = tmp_path / "theme_model.pickle"
    inputs = [ThemeInput("a", None, "Posyandu Digital", "pemeriksaan balita ibu hamil puskesmas imunisasi gizi " * 20),
              ThemeInput("b", None, "Sekolah Ramah Anak", "siswa guru kurikulum sekolah belajar membaca " * 20)]
    cache: dict = {}
    first = classify(inputs, taxonomy, path, {}, cache=cache)
    assert sorted(predicted) == ["a", "b"] and set(cache["themes"]) == {"a", "b"}
    predicted.clear()
    assert classify(inputs, taxonomy, path, {}, cache=cache) == first and predicted == []
    changed = [inputs[0], ThemeInput("b", None, "Sekolah Ramah Anak", "pajak daerah retribusi pendapatan " * 20)]
    classify(changed, taxonomy, path, {}, cache=cache)
    assert predicted == ["b"]
    predicted.clear()
    path.unlink()  # another model (here: none, so one is trained and kept): every input again
    assert classify(changed, taxonomy, path, {}, cache=cache)[0] == first[0]
    assert sorted(predicted) == ["a", "b"]


@pytest.fixture
def trainings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The fingerprints of the theme models trained (the real training, counted), with a cache folder
    of the test's own and nothing trained earlier in this process to reuse."""
    from models.themes import model as model_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(model_module, "_TRAINED", {})
    seen: list[str] = []
    real = ThemeClassifier.train.__func__

    def counting(cls, taxonomy, samples, **kw):
        clf = real(cls, taxonomy, samples, **kw)
        seen.append(clf.fingerprint)
        return clf

    monkeypatch.setattr(ThemeClassifier, "train", classmethod(counting))
    return seen


def _in_new_folder(config: RunConfig, name: str) -> RunConfig:
    return RunConfig(config.inbox, config.roster, config.out.parent / name, config.edition, config.settings)


def test_a_new_output_folder_starts_from_the_model_a_run_trained_elsewhere(edition, trainings) -> None:
    from flows.steps.themes import shared_cache_dir, shared_model_key

    config, first = edition
    taxonomy = load_taxonomy(None)
    cached = shared_cache_dir() / f"{shared_model_key(taxonomy)}.pickle"
    assert _themes(run_once(_in_new_folder(config, "a"))) == first
    assert len(trainings) == 1 and cached.is_file()
    assert _themes(run_once(_in_new_folder(config, "b"))) == first
    assert len(trainings) == 1  # not trained again
    model = OutputPaths(config.out.parent / "b").theme_model
    used = ThemeClassifier.load(model, taxonomy)
    assert used.version == 1 and used.fingerprint == trainings[0]
    assert json.loads(classifier.sidecar_path(model).read_text(encoding="utf-8"))["version"] == 1


def test_a_damaged_or_foreign_model_in_the_cache_is_never_used(edition, trainings) -> None:
    """A file that does not load is trained over; a model that is not what a run trains (here: another
    confidence model, as `kipp themes train` fits one) is not used, however it got there."""
    from flows.steps.themes import shared_cache_dir, shared_model_key
    from models.themes import model as model_module

    config, first = edition
    taxonomy = load_taxonomy(None)
    cached = shared_cache_dir() / f"{shared_model_key(taxonomy)}.pickle"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not a model")
    assert _themes(run_once(_in_new_folder(config, "a"))) == first
    assert len(trainings) == 1
    clf = ThemeClassifier.load(cached, taxonomy)  # replaced by the model the run trained
    assert clf.fingerprint == trainings[0]
    clf.confidence = dataclasses.replace(clf.confidence, temperature=1.0)
    clf.save(cached)
    model_module._TRAINED.clear()  # nothing of this process to reuse either
    assert _themes(run_once(_in_new_folder(config, "b"))) == first
    assert len(trainings) == 2
    assert ThemeClassifier.load(OutputPaths(config.out.parent / "b").theme_model, taxonomy).confidence == classifier.CONFIDENCE


def test_the_cache_key_follows_the_taxonomy_and_the_seed(tmp_path: Path) -> None:
    from flows.steps.themes import shared_model_key

    taxonomy = load_taxonomy(None)
    data = json.loads(classifier.DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    data["themes"][0]["label"] += " (diubah)"
    other = tmp_path / "themes.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    assert shared_model_key(taxonomy) == shared_model_key(load_taxonomy(None))
    assert shared_model_key(load_taxonomy(other)) != shared_model_key(taxonomy)


# -- reports ---------------------------------------------------------------------------------------


def test_an_unchanged_rerun_leaves_every_report_as_it_was(edition) -> None:
    config, _ = edition
    _age_reports(config.out)
    before = (config.out / "screening.json").read_bytes()
    started = datetime.now(timezone.utc).replace(microsecond=0)
    result = run_once(config)
    assert _rewritten(config.out) == set()
    assert (config.out / "screening.json").read_bytes() == before
    with Ledger(OutputPaths(config.out).ledger) as ledger:  # the ledger, not the reports, says when kipp looked
        assert datetime.fromisoformat(json.loads(ledger.meta("last_run"))["at"]) >= started
    assert set(result.reports) == set(REPORT_FILES) and all(p.exists() for p in result.reports.values())


@pytest.mark.parametrize("change", ["deleted", "edited"])
def test_a_deleted_or_edited_report_has_every_report_written_again(edition, change: str) -> None:
    config, _ = edition
    _age_reports(config.out)
    target = config.out / REPORT_FILES["completeness_html"]
    if change == "deleted":
        target.unlink()
    else:
        target.write_text("diubah tangan", encoding="utf-8")
        os.utime(target, ns=(946684800 * 10**9, 946684800 * 10**9))
    run_once(config)
    assert _rewritten(config.out) == set(REPORT_FILES.values())
    assert "diubah tangan" not in target.read_text(encoding="utf-8")
    _age_reports(config.out)
    run_once(config)
    assert _rewritten(config.out) == set()  # and then kept again


def test_a_correction_the_roster_or_the_language_writes_every_report_again(edition) -> None:
    config, first = edition
    pid = sorted(first)[0]
    with Ledger(OutputPaths(config.out).ledger) as ledger:
        ledger.save_theme_corrections({pid: "pendidikan" if first[pid][0] != "pendidikan" else "kesehatan"}, source="t")
    _age_reports(config.out)
    run_once(config)
    assert _rewritten(config.out) == set(REPORT_FILES.values())

    rows = malang_roster("demo")
    parents = {r.parent_id for r in rows}
    gone = next(i for i in range(len(rows) - 1, 0, -1) if i % 3 and rows[i].id not in parents)
    write_roster(config.roster, rows[:gone] + rows[gone + 1:])  # one who sent nothing leaves the roster
    _age_reports(config.out)
    result = run_once(config)
    assert rows[gone].id not in {r.participant.id for r in result.screening.participants}
    assert _rewritten(config.out) == set(REPORT_FILES.values())

    _age_reports(config.out)
    with use_language("en"):
        run_once(config)
    assert _rewritten(config.out) == set(REPORT_FILES.values())
    _age_reports(config.out)
    with use_language("en"):
        run_once(config)
    assert _rewritten(config.out) == set()


def test_an_edited_inbox_file_writes_every_report_again(edition) -> None:
    config, _ = edition
    _age_reports(config.out)
    (config.inbox / "surat baru.txt").write_text("bukan berkas lomba", encoding="utf-8")
    result = run_once(config)
    assert any(o.path == "surat baru.txt" for o in result.screening.documents)
    assert _rewritten(config.out) == set(REPORT_FILES.values())


def test_the_theme_cache_is_in_the_ledger(edition) -> None:
    config, first = edition
    with Ledger(OutputPaths(config.out).ledger) as ledger:
        cache = json.loads(ledger.meta("theme_cache"))
    assert set(cache["themes"]) == set(first)
    assert classifier.classify is classify  # the step looks it up on models.themes at call time


# -- decide ----------------------------------------------------------------------------------------


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose document type is worked out (the real detect_doc_type, counted)."""
    import models.screening as screening_module

    seen: list[str] = []
    real = screening_module.detect_doc_type

    def counting(path: str, cover: str):
        seen.append(path)
        return real(path, cover)

    monkeypatch.setattr(screening_module, "detect_doc_type", counting)
    return seen


def _outcomes(result) -> list:
    return sorted((o.path, o.status.value, o.reason.value if o.reason else None,
                   o.doc_type.value if o.doc_type else None, o.participant_id) for o in result.screening.documents)


def test_an_unchanged_rerun_types_no_file_again_and_decides_the_same(edition, typed) -> None:
    config, _ = edition
    first = _outcomes(run_once(config))
    typed.clear()
    assert _outcomes(run_once(config)) == first
    assert typed == []


def test_a_renamed_file_is_typed_again_and_only_it(edition, typed) -> None:
    config, _ = edition
    run_once(config)
    typed.clear()
    proposal = next(p for p in sorted(config.inbox.rglob("*")) if p.is_file() and "inovasi" in p.name.lower())
    renamed = proposal.with_name("berkas " + proposal.name)
    proposal.rename(renamed)
    result = run_once(config)
    rel = renamed.relative_to(config.inbox).as_posix()
    assert typed == [rel]
    assert {o.path: o.doc_type for o in result.screening.documents}[rel] is not None


def test_a_blank_text_is_known_blank_on_the_rerun_without_reading_it(edition, monkeypatch) -> None:
    config, _ = edition
    make_pdf(config.inbox / "kosong.pdf", ["1.\n2.\n3.", "..."])  # no readable words
    first = {o.path: o.reason for o in run_once(config).screening.documents}
    assert first["kosong.pdf"] is not None and first["kosong.pdf"].value == "no_text"
    read: list[str] = []
    real = Ledger.extractions

    def counting(self, hashes, with_text=False):
        hashes = list(hashes)
        if with_text:
            read.extend(hashes)
        return real(self, hashes, with_text)

    monkeypatch.setattr(Ledger, "extractions", counting)
    from flows.steps.decide import blank_contents

    with Ledger(OutputPaths(config.out).ledger) as ledger:
        extractions = real(ledger, [o.sha256 for o in run_once(config).screening.documents if o.sha256])
        read.clear()
        blank = blank_contents(ledger, extractions)
    assert read == []
    sha = next(o.sha256 for o in run_once(config).screening.documents if o.path == "kosong.pdf")
    assert sha in blank
