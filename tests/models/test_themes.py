"""Theme classification: taxonomy, predictions, review flag, corrections, persistence and held-out quality."""

from __future__ import annotations

import json
import pickle

import pytest

from models.language import use_language
from models.themes import (
    CorrectionsError,
    IncompatibleModelError,
    LabelledText,
    ModelTaxonomyMismatchError,
    TaxonomyError,
    ThemeClassifier,
    ThemeInput,
    ThemeModelError,
    classify,
    evaluate,
    evaluate_held_out,
    format_evaluation,
    load_corrections,
    load_taxonomy,
    seed_samples,
    sidecar_path,
)

DEFAULT_IDS = ("kesehatan", "pendidikan", "administrasi_kependudukan", "pendapatan_daerah",
               "perlindungan_anak_keluarga", "kesejahteraan_sosial", "lingkungan_hidup", "ekonomi_umkm",
               "tata_kelola_perencanaan", "perizinan_investasi", "infrastruktur_transportasi",
               "ketertiban_kebencanaan")


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def classifier(taxonomy):
    return ThemeClassifier.train(taxonomy, seed_samples(taxonomy))


def _input(pid: str, category: str, title: str, text: str) -> ThemeInput:
    return ThemeInput(pid, category, title, text)


def test_default_taxonomy_has_the_twelve_themes_with_labels(taxonomy):
    assert taxonomy.ids == DEFAULT_IDS
    assert all(t.label and t.description and t.keywords for t in taxonomy.themes)
    assert taxonomy.label("lingkungan_hidup") == "Lingkungan Hidup"


def test_custom_taxonomy_replaces_default_and_trains_from_descriptions(tmp_path):
    path = tmp_path / "sdgs.json"
    path.write_text(json.dumps({"themes": [
        {"id": "sdg3", "label": "Kehidupan Sehat dan Sejahtera", "description": "Kesehatan ibu, anak, imunisasi",
         "keywords": ["puskesmas", "imunisasi", "balita", "pasien"]},
        {"id": "sdg4", "label": "Pendidikan Berkualitas", "description": "Pendidikan dan literasi anak",
         "keywords": ["sekolah", "guru", "membaca", "literasi"]},
        {"id": "sdg13", "label": "Penanganan Perubahan Iklim", "description": "Sampah, emisi dan penghijauan",
         "keywords": ["sampah", "pohon", "kompos", "emisi"]},
    ]}), encoding="utf-8")
    custom = load_taxonomy(path)
    assert custom.ids == ("sdg3", "sdg4", "sdg13")
    assert seed_samples(custom) == []  # no seed rows: the lexicon alone trains the model
    result = classify([_input("P1", "kelurahan", "Bank Sampah RW", "Warga memilah sampah dan membuat kompos.")],
                      custom, None, {})
    assert result[0].theme == "sdg13"


def test_bad_taxonomy_is_rejected_with_the_file_name(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"themes": [{"id": "A B", "label": "x"}, {"id": "ok", "label": ""}]}))
    with pytest.raises(TaxonomyError, match="bad.json"):
        load_taxonomy(path)


@pytest.mark.parametrize(("category", "title", "text", "expected"), [
    ("puskesmas", "SI IMUN: Aplikasi Pengingat Imunisasi",
     "Puskesmas mengembangkan aplikasi yang mengingatkan orang tua jadwal imunisasi balita dan mencatat "
     "vaksinasi di posyandu.", "kesehatan"),
    ("kelurahan", "Bank Sampah Berseri",
     "Kelurahan membentuk bank sampah: warga menabung sampah plastik dan kertas yang sudah dipilah, "
     "saldo tabungan dicatat setiap minggu.", "lingkungan_hidup"),
    ("sd", "Kantin Sehat Sekolah",
     "Sekolah menata kantin sehat: jajanan siswa bebas pewarna dan boraks, menu sayur dan buah bergizi, "
     "diperiksa petugas UKS.", "kesehatan"),
])
def test_obvious_proposals_get_their_theme(classifier, category, title, text, expected):
    [a] = classifier.predict([_input("P1", category, title, text)])
    assert a.theme == expected
    assert a.theme_source == "model"
    assert a.theme_runner_up not in (None, expected)
    assert not a.needs_review


def test_vague_proposal_is_marked_for_review(classifier):
    [a] = classifier.predict([_input("P1", "kelurahan", "Inovasi Kami",
                                     "Inovasi ini meningkatkan pelayanan kepada masyarakat dengan lebih baik.")])
    assert a.needs_review
    assert a.theme_confidence < classifier.threshold
    published = _published(a)
    assert published["theme_needs_review"] is True and published["theme"] == a.theme


def test_a_correction_wins_alone_and_becomes_training_data_only_at_a_deliberate_train(taxonomy, tmp_path):
    from models.themes import changes, correction_samples, keep, list_versions

    odd = ("GEROBAK ZORBLAT", "Zorblat keliling mendatangi gang-gang kampung setiap sore membawa zorblat segar.")
    inputs = [_input("P1", "kelurahan", *odd), _input("P2", "kelurahan", *odd),
              _input("P3", "puskesmas", "Posyandu Balita", "Penimbangan balita dan imunisasi di posyandu.")]
    model_path = tmp_path / "themes.pickle"
    plain = {a.participant_id: a for a in classify(inputs, taxonomy, model_path, {})}  # first run: trained once
    fix = plain["P2"].theme_runner_up  # the admin's theme for P1, which the model does not give P2
    trained_at = model_path.stat().st_mtime_ns
    result = classify(inputs, taxonomy, model_path, {"P1": fix})
    by_id = {a.participant_id: a for a in result}
    assert by_id["P1"].theme == fix and by_id["P1"].theme_source == "correction"
    assert by_id["P1"].theme_confidence == 1.0 and not by_id["P1"].needs_review
    # P2 has P1's text and no correction: the correction moved nothing but P1, and the model was reused.
    assert by_id["P2"] == plain["P2"] and by_id["P3"] == plain["P3"]
    assert model_path.stat().st_mtime_ns == trained_at
    # At a deliberate train (what `kipp themes train` keeps) P2 learns from P1's corrected label.
    before = ThemeClassifier.load(model_path, taxonomy)
    corrected = ThemeClassifier.train(taxonomy, seed_samples(taxonomy)
                                      + correction_samples(inputs, {"P1": fix}))
    corrected.base_fingerprint = before.base_fingerprint
    assert [c.participant_id for c in changes(before, corrected, inputs, {"P1": fix})] == ["P2"]
    assert keep(corrected, model_path) == 2 and [v.active for v in list_versions(model_path)] == [False, True]
    again = {a.participant_id: a for a in classify(inputs, taxonomy, model_path, {"P1": fix})}
    assert again["P2"].theme == fix and again["P2"].theme_source == "model"
    saved = json.loads(sidecar_path(model_path).read_text())
    assert saved["n_samples"] > len(seed_samples(taxonomy)) and saved["version"] == 2


def test_save_load_round_trip(taxonomy, classifier, tmp_path):
    path = tmp_path / "model" / "themes.pickle"
    assert ThemeClassifier.load(path, taxonomy) is None
    classifier.save(path)
    loaded = ThemeClassifier.load(path, taxonomy)
    inputs = [_input("P1", "smp", "Literasi Pagi", "Siswa membaca buku lima belas menit sebelum pelajaran.")]
    assert loaded.predict(inputs) == classifier.predict(inputs)
    sidecar = json.loads(sidecar_path(path).read_text())
    assert sidecar["format_version"] == ThemeClassifier.FORMAT_VERSION
    assert sidecar["taxonomy_hash"] == taxonomy.hash
    assert {"trained_at", "n_samples", "metrics"} <= sidecar.keys()


def test_wrong_format_version_raises_typed_error_and_classify_retrains(taxonomy, tmp_path):
    path = tmp_path / "themes.pickle"
    with path.open("wb") as fh:
        pickle.dump(ThemeClassifier.FORMAT_VERSION + 99, fh)
        pickle.dump({}, fh)
    with pytest.raises(IncompatibleModelError) as err:
        ThemeClassifier.load(path, taxonomy)
    assert isinstance(err.value, ThemeModelError)
    [a] = classify([_input("P1", "puskesmas", "Posyandu", "Imunisasi balita")], taxonomy, path, {})
    assert a.theme == "kesehatan"
    assert ThemeClassifier.load(path, taxonomy) is not None  # replaced by the retrained model


def test_model_of_another_taxonomy_is_refused(classifier, tmp_path):
    path = tmp_path / "themes.pickle"
    classifier.save(path)
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"id": "a", "label": "A", "description": "a"},
                                 {"id": "b", "label": "B", "description": "b"}]))
    with pytest.raises(ModelTaxonomyMismatchError):
        ThemeClassifier.load(path, load_taxonomy(other))


def test_corrections_csv_is_read_by_id_or_label(taxonomy, tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text("participant_id,theme\nP1,kesehatan\n\nP2,Lingkungan Hidup\nP1,kesehatan\n", encoding="utf-8")
    assert load_corrections(path, taxonomy) == {"P1": "kesehatan", "P2": "lingkungan_hidup"}


def test_bad_corrections_csv_reports_file_and_line_numbers(taxonomy, tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text("participant_id,theme\nP1,kesehatan\nP2,olahraga\n,pendidikan\nP1,pendidikan\n",
                    encoding="utf-8")
    with pytest.raises(CorrectionsError) as err:
        load_corrections(path, taxonomy)
    message = str(err.value)
    assert "corrections.csv" in message
    assert "baris 3: tema 'olahraga' tidak dikenal" in message
    assert "baris 4" in message and "baris 5" in message and "baris 2" in message
    with use_language("en"), pytest.raises(CorrectionsError) as err:
        load_corrections(path, taxonomy)
    assert "line 3: unknown theme 'olahraga'" in str(err.value) and "line 5: P1 corrected to" in str(err.value)
    bad_header = tmp_path / "header.csv"
    bad_header.write_text("id;tema\nP1;kesehatan\n", encoding="utf-8")
    with pytest.raises(CorrectionsError, match="baris 1"):
        load_corrections(bad_header, taxonomy)


def test_cross_validation_report_is_readable(taxonomy):
    per_theme: dict[str, list[LabelledText]] = {}
    for s in seed_samples(taxonomy):
        per_theme.setdefault(s.theme, []).append(s)
    small = [s for rows in per_theme.values() for s in rows[:9]]
    ev = evaluate(taxonomy, small, folds=3)
    assert ev.folds == 3 and ev.n_samples == len(small)
    assert sum(map(sum, ev.confusion)) == len(small)
    assert ev.macro_f1 > 0.7
    report = format_evaluation(ev)
    assert "macro-F1" in report and "ketertiban_kebencanaan" in report and "Confusion" in report


def test_held_out_proposals_reach_macro_f1_085(taxonomy, classifier):
    # The domain takes held-out proposals; it never builds them (models/ imports nothing from flows/).
    from flows.corpora.themes import build_held_out

    ev = evaluate_held_out(taxonomy, build_held_out(n_per_theme=8, seed=3), classifier=classifier)
    assert ev.n_samples == 96 and set(ev.labels) == set(DEFAULT_IDS)
    assert ev.macro_f1 >= 0.85, format_evaluation(ev)
    # The review flag's recall is the share of wrong themes it flagged (None when none was wrong).
    assert ev.review_recall == (ev.n_flagged_wrong / ev.n_wrong if ev.n_wrong else None)
    assert ev.n_flagged_wrong <= min(ev.n_flagged, ev.n_wrong)
    assert 0.5 < ev.mean_confidence <= 1.0 and ev.calibration_error < 0.3, format_evaluation(ev)
    assert "expected calibration error" in format_evaluation(ev)


def test_calibration_error_weighs_each_bin_by_its_share():
    from models.themes import _calibration_error

    # Bin 0.9: two at 0.95, one right (|0.95 - 0.5| = 0.45); bin 0.6: two at 0.6, both right (0.4).
    confidence, wrong = [0.95, 0.95, 0.6, 0.6], [False, True, False, False]
    assert _calibration_error(confidence, wrong) == pytest.approx(0.5 * 0.45 + 0.5 * 0.4)
    assert _calibration_error([0.8] * 5, [False, False, False, False, True]) == pytest.approx(0.0)


def test_review_threshold_is_the_lowest_that_catches_two_thirds_within_a_fifth():
    from models.themes import choose_threshold

    # 20 proposals, 3 wrong at 0.32, 0.52 and 0.93: 0.35 catches one, 0.55 two (2/3), flagging 2 and 3.
    confidence = [0.32, 0.52, 0.93] + [0.5] + [0.97] * 16
    wrong = [True, True, True] + [False] * 17
    assert choose_threshold(confidence, wrong) == 0.55
    # When 2/3 cannot be caught within a fifth, the highest threshold that stays within it.
    many = [0.1] * 3 + [0.9] * 17
    assert choose_threshold(many, [False] * 3 + [True] * 17) == 0.9


def test_temperature_fitted_out_of_fold_sharpens_under_confident_scores():
    import numpy as np

    from models.themes import OutOfFold, fit_temperature

    # Scores whose softmax says ~0.58 for the top class, which is always right: the fit sharpens (T < 1).
    logits = np.tile([1.0, 0.0, 0.0], (40, 1))
    oof = OutOfFold(5, ("a", "b", "c"), ("a",) * 40, logits)
    assert fit_temperature(oof) < 0.3
    # Right only half of the time: softened (T > 1).
    half = OutOfFold(5, ("a", "b", "c"), ("a", "b") * 20, np.tile([3.0, 0.0, 0.0], (40, 1)))
    assert fit_temperature(half) > 1.0


def test_report_gives_reliability_and_confused_pairs():
    from models.themes import _score

    ev = _score("held-out", 0, ("a", "b", "c"), ["a", "a", "b", "c", "c"], ["a", "b", "b", "b", "c"],
                [0.95, 0.55, 0.85, 0.58, 0.9], 0.7)
    assert ev.confusion_pairs() == [("a", "b", 1), ("c", "b", 1)]
    assert ev.reliability[0][:2] == (0.5, 2) and ev.reliability[0][3] == 0.0  # 0.55 and 0.58, both wrong
    assert (ev.n_flagged, ev.n_flagged_wrong, ev.review_recall) == (2, 2, 1.0)
    report = format_evaluation(ev)
    assert "a -> b: 1, c -> b: 1" in report and "0.5-0.6: 2 at 0.56, 0% right" in report
    assert ev.to_json()["confusion_pairs"] == [["a", "b", 1], ["c", "b", 1]]


def _published(assignment) -> dict:
    """The participant as screening.json publishes it, with this theme."""
    from flows.reporting import screening_document
    from models.records import (
        Category,
        Participant,
        ParticipantResult,
        ParticipantStatus,
    )
    from models.screening import Screening

    result = ParticipantResult(Participant(assignment.participant_id, "Kelurahan Bunulrejo", Category.KELURAHAN),
                               ParticipantStatus.MISSING_KINERJA, "inovasi.pdf", None, theme=assignment)
    doc = screening_document(Screening((), (result,)), "2021")
    return json.loads(json.dumps(doc))["participants"][0]


def test_published_theme_holds_plain_values(classifier):
    [a] = classifier.predict([_input("P1", "kelurahan", "Lapor Jalan Rusak", "Warga melaporkan jalan berlubang.")])
    published = _published(a)
    assert type(published["theme"]) is str and type(published["theme_runner_up"]) is str
    assert type(published["theme_confidence"]) is float and 0 < published["theme_confidence"] <= 1
    assert published["theme_label"] == a.theme_label and published["theme_source"] == "model"


def test_a_model_trained_in_this_process_is_reused_for_another_output_folder(tmp_path):
    from models.themes import get_classifier

    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps([{"id": "air", "label": "Air", "description": "air bersih, sumur, pipa PDAM"},
                                {"id": "jalan", "label": "Jalan", "description": "jalan rusak, aspal, trotoar"}]))
    lexicon = load_taxonomy(path)
    first = get_classifier(lexicon, [], tmp_path / "a" / "model.pickle")
    second = get_classifier(lexicon, [], tmp_path / "b" / "model.pickle")
    assert second is first  # not trained again
    assert ThemeClassifier.load(tmp_path / "b" / "model.pickle", lexicon).fingerprint == first.fingerprint
    other = get_classifier(lexicon, [LabelledText("sumur warga kering", "air")], tmp_path / "c" / "model.pickle")
    assert other is not first and other.fingerprint != first.fingerprint  # other samples, another model


@pytest.mark.parametrize("text", ["aplikasi sistem informasi online digital",
                                  "Aplikasi sistem informasi online berbasis web dan Android, digital dan terintegrasi"])
def test_generic_e_government_words_alone_decide_no_theme(classifier, text):
    # Every proposal has an application: these words are no theme's evidence (features.GENERIC_WORDS),
    # so a text of nothing else gets a low confidence and goes to review, in any category.
    for category in ("kelurahan", "puskesmas", "perangkat_daerah"):
        [a] = classifier.predict([_input("P1", category, "", text)])
        assert a.needs_review and a.theme_confidence < 0.5, a
    # The same words around a theme's own words do not hide it.
    [a] = classifier.predict([_input("P1", "kelurahan", "", text + " untuk pendaftaran imunisasi balita di posyandu")])
    assert a.theme == "kesehatan"


def test_lexicon_scores_count_a_themes_own_words_never_generic_ones(taxonomy):
    from models.themes import lexicon_scores

    classes = list(taxonomy.ids)
    scores = lexicon_scores(taxonomy, classes, ["aplikasi sistem informasi online digital",
                                                "bank sampah dan kompos di kampung iklim"])
    assert scores[0].sum() == 0
    assert classes[scores[1].argmax()] == "lingkungan_hidup" and scores[1].max() >= 3


def test_temperature_alone_is_a_confidence_model_of_the_top_probability():
    import numpy as np

    from models.themes import temperature_only
    from models.themes.calibration import _softmax

    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.0, 0.3]])
    conf = temperature_only(0.5).confidence(logits, np.zeros((2, 3)), [100, 900])
    assert conf == pytest.approx(_softmax(logits / 0.5).max(axis=1))


def test_calibration_fitted_on_a_mix_is_measured_cross_fitted_per_set():
    import numpy as np

    from models.themes import (
        OutOfFold,
        calibrate,
        cross_fitted,
        fit_temperature,
        merge,
        temperature_only,
    )
    from models.themes.evaluation import _calibration_error

    rng = np.random.default_rng(0)

    def scored(n: int, length: int, noise: float, method: str) -> OutOfFold:
        # the true class gets +2; `noise` decides how often another class wins, so short clean texts are
        # right more often than long noisy ones at the same scores
        truth = rng.integers(0, 3, n)
        logits = rng.normal(0, noise, (n, 3))
        logits[np.arange(n), truth] += 2.0
        return OutOfFold(0, ("a", "b", "c"), tuple("abc"[t] for t in truth), logits, np.zeros((n, 3)),
                         (length,) * n, method)

    sets = [scored(300, 150, 0.5, "short"), scored(300, 900, 2.5, "long")]
    measured = cross_fitted(sets)
    assert [len(c) for c in measured] == [300, 300]
    errors = [_calibration_error(conf, s.wrong()) for s, conf in zip(sets, measured)]
    # One temperature for both kinds is off on at least one of them; the signals (length among them) are not.
    one_temperature = cross_fitted(sets, lambda o: temperature_only(fit_temperature(o)))
    worst = max(_calibration_error(conf, s.wrong()) for s, conf in zip(sets, one_temperature))
    assert max(errors) < 0.06 < worst, (errors, worst)
    assert calibrate(merge(sets)).temperature == fit_temperature(merge(sets))


@pytest.mark.slow
def test_train_calibrates_on_the_generated_mix_within_005_on_every_set(taxonomy, tmp_path):
    from flows.corpora.themes import build_held_out
    from models.themes import train

    clf = train(taxonomy, tmp_path / "themes.pickle",
                calibration={"long": build_held_out(), "terse": build_held_out(hard=True)}, save=False)
    for name in ("cross-validation", "long", "terse"):
        assert clf.metrics[name]["ece"] <= 0.05, clf.metrics
    assert clf.metrics["calibrated_on"] == ["cross-validation", "long", "terse"]
    assert 0.05 <= clf.threshold <= 0.95 and clf.confidence.temperature == clf.metrics["temperature"]


def test_public_innovations_set_is_frozen_and_covers_every_theme(tmp_path):
    from flows.corpora.themes import PUBLIC_PATH, build_public

    public = build_public()
    assert len(public) == 84 and {p.theme for p in public} == set(DEFAULT_IDS)
    assert all(p.title and len(p.text) > 100 and p.agency and p.source for p in public)
    note = json.loads(PUBLIC_PATH.read_text(encoding="utf-8"))["note"]
    assert "FROM MEMORY, NOT COPIED" in note
    edited = tmp_path / "public.json"
    edited.write_text(PUBLIC_PATH.read_text(encoding="utf-8").replace("Makassar", "Malang"), encoding="utf-8")
    with pytest.raises(ValueError, match="not the frozen set"):
        build_public(edited)


def test_boilerplate_is_what_every_themes_samples_say_alike(taxonomy):
    from models.records import Category
    from models.themes.features import boilerplate_words

    words = boilerplate_words(seed_samples(taxonomy))
    # the seed spreads the proposers' boilerplate over every theme on purpose
    assert {"anggaran", "survei", "sambat", "dievaluasi", "pimpinan", "warga"} <= words
    assert not {"imunisasi", "sampah", "pajak", "literasi", "bencana", "umkm", "perizinan", "musrenbang"} & words
    # it spreads the proposers too, but their own words are only in their category's samples: kept
    assert not {"siswa", "guru", "puskesmas", "kelurahan"} & words
    categories = (Category("sd"), Category("kelurahan"))
    rows = [LabelledText(f"{word} {i} dilaporkan lurah rutin" if i % 2 else f"{word} {i} dilaporkan rutin",
                         theme, categories[i % 2])
            for theme, word in (("a", "sumur"), ("b", "jalan"), ("c", "pasar")) for i in range(10)]
    assert boilerplate_words(rows) == {"dilaporkan", "rutin"}  # lurah: every theme, one category
    # too few samples of a theme to tell (a new taxonomy with a few corrections): nothing learned
    assert boilerplate_words(rows[:-1]) == frozenset()


def test_boilerplate_decides_no_theme_and_hides_none(classifier, taxonomy):
    from models.themes import lexicon_scores

    boilerplate = classifier.features.boilerplate
    text = "Anggaran masuk DPA. Keluhan lewat SAMBAT. Survei warga puas. Dievaluasi dan dilaporkan kepada pimpinan."
    classes = list(taxonomy.ids)
    # tata_kelola_perencanaan's own lexicon has anggaran and SAMBAT: without the learned boilerplate they count
    assert classes[lexicon_scores(taxonomy, classes, [text])[0].argmax()] == "tata_kelola_perencanaan"
    assert lexicon_scores(taxonomy, classes, [text], boilerplate)[0].sum() == 0
    [a] = classifier.predict([_input("P1", "kelurahan", "", text)])
    assert a.needs_review and a.theme_confidence < 0.5, a
    [a] = classifier.predict([_input("P1", "kelurahan", "", text + " Jemput bola imunisasi balita di posyandu.")])
    assert a.theme == "kesehatan"
