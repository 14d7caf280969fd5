"""`kipp bench themes`: every figure of the README's Themes section, from one command.

Sets: the seed's 5-fold cross-validation ("cv"), the generated long proposals ("long") and terse ones
("terse", flows/corpora/themes.build_held_out), and the public innovations written from memory
("public", build_public: frozen, never fitted on). Calibrations compared, each measured per set:
raw probabilities, the temperature fitted on the seed alone (the old way), a temperature fitted on the
mix of generated sets, a temperature per text length, CalibratedClassifierCV (sigmoid and isotonic,
cv=5, on the seed), and the confidence model (models/themes/calibration.py). Whatever is fitted on the
generated sets is measured cross-fitted (5 folds of the mix, stratified by set); the public set is
scored once by the calibration fitted on the whole mix. For each, the review threshold is chosen from
the mix's curve (evaluation.choose_threshold), and the curve itself (share flagged, wrong themes caught)
is printed per set, with the top-2 margin alone as another flag signal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flows.corpora.themes import build_held_out, build_public
from models.themes import (
    SIGNALS,
    ThemeClassifier,
    calibrate,
    choose_threshold,
    cross_fitted,
    fit_temperature,
    load_taxonomy,
    merge,
    out_of_fold,
    review_curve,
    score,
    scores_of,
    seed_samples,
    temperature_only,
)
from models.themes.calibration import _softmax
from models.themes.evaluation import REVIEW_RECALL_GOAL, REVIEW_SHARE_LIMIT, OutOfFold

# Texts up to this many characters count as short for the temperature per length (the seed's rows and
# a bare description are below it, a proposal's text above).
SHORT_CHARS = 600


@dataclass(frozen=True, slots=True)
class _PerLength:
    """A temperature for short texts and one for long ones: calibration per kind of set."""

    short: float
    long: float

    def confidence(self, logits, lexicon, lengths):
        import numpy as np

        t = np.where(np.asarray(lengths) <= SHORT_CHARS, self.short, self.long)[:, None]
        return _softmax(np.asarray(logits) / t).max(axis=1)


def _fit_per_length(oof: OutOfFold) -> _PerLength:
    from models.themes.evaluation import take

    short = [i for i, n in enumerate(oof.lengths) if n <= SHORT_CHARS]
    long = [i for i, n in enumerate(oof.lengths) if n > SHORT_CHARS]
    whole = fit_temperature(oof)
    return _PerLength(fit_temperature(take(oof, short)) if short else whole,
                      fit_temperature(take(oof, long)) if long else whole)


@dataclass(frozen=True, slots=True)
class _Method:
    name: str
    sets: tuple[OutOfFold, ...]  # the generated sets then the public one, as this method predicts them
    confidence: tuple[tuple[float, ...], ...]  # per set
    # the review threshold is chosen on the first this many sets: the seed's cross-validation alone for
    # what is fitted on the seed alone (as before this bench), the generated mix otherwise
    threshold_on: int = 3


def _fitted(name: str, sets: Sequence[OutOfFold], public: OutOfFold | None, fit: Callable,
            threshold_on: int = 3) -> _Method:
    """Cross-fitted on the generated sets; the public set scored by the fit on all of them."""
    measured = cross_fitted(sets, fit)
    out = [tuple(c) for c in measured]
    if public is not None:
        out.append(tuple(float(c) for c in fit(merge(sets)).confidence(public.logits, public.lexicon, public.lengths)))
    return _Method(name, tuple(sets) + ((public,) if public is not None else ()), tuple(out), threshold_on)


def _cccv(taxonomy, samples, sets_proposals, method: str, cv: OutOfFold, public) -> _Method:
    """CalibratedClassifierCV(LogisticRegression, cv=5) on the seed: the cv set by an outer 5-fold as
    out_of_fold splits it, the other sets by the one fitted on the whole seed."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    from models.records import Category
    from models.themes import C, compose_document, lexicon_samples
    from models.themes.features import _Features, boilerplate_words
    from models.themes.samples import reference_samples

    def fit(rows):
        boilerplate = boilerplate_words(rows)
        rows = lexicon_samples(taxonomy) + reference_samples(taxonomy) + list(rows)
        features = _Features(False, boilerplate).fit([r.text for r in rows], [r.category for r in rows])
        model = CalibratedClassifierCV(LogisticRegression(C=C, max_iter=3000), method=method, cv=5)
        with threadpool_limits(1):
            model.fit(features.transform([r.text for r in rows], [r.category for r in rows]), [r.theme for r in rows])
        return features, model

    def probs(fitted, docs, categories):
        features, model = fitted
        with threadpool_limits(1):
            p = model.predict_proba(features.transform(docs, categories))
        order = [list(model.classes_).index(c) for c in cv.classes]
        return p[:, order]

    truth = [s.theme for s in samples]
    p_cv = np.zeros((len(samples), len(cv.classes)))
    for train_idx, test_idx in StratifiedKFold(cv.folds, shuffle=True, random_state=0).split(truth, truth):
        fitted = fit([samples[i] for i in train_idx])
        p_cv[test_idx] = probs(fitted, [samples[i].text for i in test_idx], [samples[i].category for i in test_idx])
    whole = fit(samples)
    scored, conf = [], []
    for oof, proposals in [(cv, None)] + sets_proposals + ([(public, build_public)] if public is not None else []):
        if proposals is None:
            p = p_cv
        else:
            items = proposals()
            p = probs(whole, [compose_document(x.title, x.text) for x in items], [Category(x.category) for x in items])
        # log-probabilities as scores, so that a set's predicted theme is this calibrated model's own
        scored.append(OutOfFold(oof.folds, oof.classes, oof.truth, np.log(p + 1e-12), oof.lexicon, oof.lengths,
                                oof.method))
        conf.append(tuple(float(c) for c in p.max(axis=1)))
    return _Method(f"CalibratedClassifierCV {method}, cv=5 (seed)", tuple(scored), tuple(conf), 1)


def _row(taxonomy, oof: OutOfFold, conf, threshold: float) -> str:
    ev = score(oof, taxonomy, conf, threshold)
    rr = "  -  " if ev.review_recall is None else f"{ev.review_recall:.2f}"
    rp = "  -  " if ev.review_precision is None else f"{ev.review_precision:.2f}"
    return (f"    {oof.method:<17} n={ev.n_samples:<4} accuracy {ev.accuracy:.3f}  macro-F1 {ev.macro_f1:.3f}  "
            f"ECE {ev.calibration_error:.3f}  flag recall {rr} precision {rp} "
            f"flagged {ev.n_flagged / ev.n_samples:.2f} ({ev.n_flagged_wrong}/{ev.n_wrong} wrong caught)")


def _curve(label: str, conf, wrong) -> list[str]:
    points = review_curve(conf, wrong)
    fits = [p for p in points if p[1] <= REVIEW_SHARE_LIMIT and p[2] is not None]
    best = max(fits, key=lambda p: (p[2], -p[0]), default=None)
    meets = [p for p in fits if p[2] >= REVIEW_RECALL_GOAL]
    verdict = (f"meets both targets from threshold {meets[0][0]:.2f}" if meets else
               "no threshold meets both targets" + (f" (best within 1/5 flagged: {best[0]:.2f} flags "
                                                    f"{best[1]:.2f}, catches {best[2]:.2f})" if best else ""))
    line = "  ".join(f"{t:.2f}:{s:.2f}/{'-' if r is None else f'{r:.2f}'}" for t, s, r in points[5:])
    return [f"    {label}: {verdict}", f"      threshold:flagged/caught  {line}"]


def _margin_curve(oof: OutOfFold, temperature: float) -> tuple[list[float], list[bool]]:
    p = _softmax(oof.logits / temperature)
    p.sort(axis=1)
    return [float(x) for x in p[:, -1] - p[:, -2]], oof.wrong()


def _meaning(taxonomy, method: _Method) -> list[str]:
    """What a confidence of 0.8 (0.8-0.9) means, per set: how often the theme was right."""
    out = []
    for oof, conf in zip(method.sets, method.confidence):
        wrong = oof.wrong()
        picked = [w for c, w in zip(conf, wrong) if 0.8 <= c < 0.9]
        above = [w for c, w in zip(conf, wrong) if c >= 0.8]
        if picked:
            out.append(f"    {oof.method}: {len(picked) - sum(picked)} of {len(picked)} right at 0.8-0.9 "
                       f"({(len(picked) - sum(picked)) / len(picked):.0%}); {len(above) - sum(above)} of "
                       f"{len(above)} right at 0.8 or more")
        else:
            out.append(f"    {oof.method}: none at 0.8-0.9; {len(above) - sum(above)} of {len(above)} right at 0.8 or more")
    return out


def main(public: bool = True, cccv: bool = True) -> str:
    started = time.process_time()
    taxonomy = load_taxonomy()
    samples = seed_samples(taxonomy)
    cv = out_of_fold(taxonomy, samples, folds=5)
    clf = ThemeClassifier.train(taxonomy, samples)
    generated = {"long": lambda: build_held_out(), "terse": lambda: build_held_out(hard=True)}
    sets = [cv] + [scores_of(clf, make(), name) for name, make in generated.items()]
    public_set = scores_of(clf, build_public(), "public") if public else None

    seed_t = fit_temperature(cv)
    methods = [
        _fitted("raw probabilities (T = 1)", sets, public_set, lambda o: temperature_only(1.0)),
        _fitted(f"before: temperature fitted on the seed alone (T = {seed_t})", sets, public_set,
                lambda o: temperature_only(seed_t), threshold_on=1),
        _fitted("temperature fitted on the mix", sets, public_set, lambda o: temperature_only(fit_temperature(o))),
        _fitted(f"a temperature per length (<= {SHORT_CHARS} chars, longer), on the mix", sets, public_set,
                _fit_per_length),
    ]
    if cccv:
        for method in ("sigmoid", "isotonic"):
            methods.append(_cccv(taxonomy, samples, [(s, generated[s.method]) for s in sets[1:]], method, cv,
                                 public_set))
    chosen = _fitted("confidence model (calibration.py), on the mix", sets, public_set, calibrate)
    methods.append(chosen)

    lines = [("Theme confidence and review flag, per set (cv: seed 5-fold; long, terse: generated; "
              "public: written from memory, never fitted on)"),
             (f"Targets: ECE <= 0.05 on every set; the flag catches >= {REVIEW_RECALL_GOAL:.2f} of wrong themes "
              f"while flagging <= {REVIEW_SHARE_LIMIT:.2f} of proposals"), ""]
    n_generated = len(sets)
    for m in methods:
        mix_conf = [c for conf in m.confidence[:m.threshold_on] for c in conf]
        mix_wrong = [w for s in m.sets[:m.threshold_on] for w in s.wrong()]
        threshold = choose_threshold(mix_conf, mix_wrong)
        on = "the generated mix" if m.threshold_on > 1 else "the seed's cross-validation"
        lines.append(f"  {m.name}: review threshold {threshold:.2f} (chosen on {on})")
        lines += [_row(taxonomy, s, c, threshold) for s, c in zip(m.sets, m.confidence)]
    lines += ["", f"Review-flag curve of the {chosen.name} (threshold: share flagged / share of wrong themes caught):"]
    for s, conf in zip(chosen.sets, chosen.confidence):
        lines += _curve(s.method, conf, s.wrong())
    whole = calibrate(merge(sets))
    lines += ["", f"Review-flag curve of the top-2 margin alone (T = {whole.temperature}):"]
    for s in chosen.sets:
        lines += _curve(s.method, *_margin_curve(s, whole.temperature))
    lines += ["", "What a confidence of 0.8 means (confidence model):"] + _meaning(taxonomy, chosen)
    mix_conf = [c for conf in chosen.confidence[:n_generated] for c in conf]
    threshold = choose_threshold(mix_conf, [w for s in sets for w in s.wrong()])
    lines += ["", "Fitted on the whole generated mix (models/themes/model.py CONFIDENCE, REVIEW_THRESHOLD):",
              f"  CONFIDENCE = ConfidenceModel({whole.temperature}, {whole.weights}, {whole.intercept})",
              f"  REVIEW_THRESHOLD = {threshold}",
              "  signals: " + "; ".join(f"{n} {w:+.3f}" for n, w in zip(SIGNALS, whole.weights)),
              f"CPU {time.process_time() - started:.1f} s"]
    return "\n".join(lines)
