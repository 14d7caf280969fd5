"""How sure the classifier is: the probability that its top theme is right, from signals of one prediction.

A temperature alone could not be honest on terse proposals: fitted on the seed's clean rows it left them
over-confident (ECE 0.118), since their wrong themes are confident ones. The confidence is therefore a
logistic regression over six signals of a prediction (SIGNALS), fitted out of fold on a mix of short and
long texts (the seed's cross-validation and the generated long and terse proposals): the log-odds of
the top probability under the temperature, the margin between the top two, the text's length, and
whether the themes' own words (each theme's keywords and, for the default themes, the official
vocabulary) point to the same theme, and the log-odds scaled by the length. Measured against the temperature and CalibratedClassifierCV by
`kipp bench themes` (flows/bench/themes.py); the README's Themes section has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from models.themes.features import preprocess
from models.themes.samples import USE_VOCABULARY, _vocabulary_entries
from models.themes.taxonomy import DEFAULT_THEME_IDS, Taxonomy

SIGNALS = ("log-odds of the top probability", "margin between the top two probabilities", "log of the length",
           "the themes' own words point to the top theme", "share of the themes' words that are the top theme's",
           "log-odds times log of the length")


@dataclass(frozen=True, slots=True)
class ConfidenceModel:
    """P(top theme right) = sigmoid(intercept + weights . signals), the signals taken at `temperature`."""

    temperature: float
    weights: tuple[float, ...]  # one per SIGNALS entry
    intercept: float

    def confidence(self, logits, lexicon, lengths):
        """One confidence per row of `logits` (classes in the model's order), `lexicon` scores alike."""
        import numpy as np

        x = signals(logits, self.temperature, lexicon, lengths)
        return 1.0 / (1.0 + np.exp(-(x @ np.array(self.weights) + self.intercept)))

    def to_json(self) -> dict:
        return {"temperature": self.temperature, "weights": dict(zip(SIGNALS, self.weights)),
                "intercept": self.intercept}


def signals(logits, temperature: float, lexicon, lengths):
    """Rows of SIGNALS for each prediction."""
    import numpy as np

    probs = _softmax(np.asarray(logits) / temperature)
    ordered = np.sort(probs, axis=1)
    top = np.clip(ordered[:, -1], 1e-6, 1 - 1e-6)
    predicted = probs.argmax(axis=1)
    lexicon = np.asarray(lexicon, dtype=float)
    rows = np.arange(len(predicted))
    points = (lexicon.argmax(axis=1) == predicted) & (lexicon.max(axis=1) > 0)
    share = lexicon[rows, predicted] / np.maximum(lexicon.sum(axis=1), 1.0)
    odds, length = np.log(top / (1 - top)), np.log1p(np.asarray(lengths, dtype=float))
    # odds x length lets the sharpness depend on the length: without it terse proposals stayed
    # over-confident (ECE 0.054 against 0.043 with it, cross-fitted, kipp bench themes)
    return np.column_stack([odds, ordered[:, -1] - ordered[:, -2], length, points.astype(float), share,
                            odds * length])


def _softmax(z):
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_confidence(logits, truth: Sequence[int], lexicon, lengths, temperature: float) -> ConfidenceModel:
    """The logistic regression of `right` on the signals (weak penalty: a handful of weights, a thousand rows)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = signals(logits, temperature, lexicon, lengths)
    right = np.asarray(logits).argmax(axis=1) == np.asarray(truth)
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, right)
    return ConfidenceModel(temperature, tuple(round(float(w), 4) for w in model.coef_[0]),
                           round(float(model.intercept_[0]), 4))


# ------------------------------------------------------------------------------------------------ lexicon

@lru_cache(maxsize=8)
def _terms(taxonomy: Taxonomy, boilerplate: frozenset[str]) -> dict[str, frozenset[str]]:
    terms: dict[str, set[str]] = {t.id: set() for t in taxonomy.themes}
    for theme in taxonomy.themes:
        terms[theme.id].update(preprocess(k, boilerplate=boilerplate) for k in theme.keywords)
    if USE_VOCABULARY and set(DEFAULT_THEME_IDS) <= set(taxonomy.ids):
        for theme, _name, words in _vocabulary_entries():
            terms[theme].update(preprocess(w, boilerplate=boilerplate) for w in words)
    return {t: frozenset(w for w in ws if w) for t, ws in terms.items()}


def lexicon_scores(taxonomy: Taxonomy, classes: Sequence[str], documents: Sequence[str],
                   boilerplate: frozenset[str] = frozenset()):
    """Per document and class, how many of the theme's own terms it holds (generic words and the model's
    learned `boilerplate` never count: preprocess drops them, so 'aplikasi sistem informasi' or
    'anggaran' point nowhere)."""
    import numpy as np

    terms = _terms(taxonomy, boilerplate)
    out = np.zeros((len(documents), len(classes)))
    for i, doc in enumerate(documents):
        padded = f" {preprocess(doc, boilerplate=boilerplate)} "
        for j, c in enumerate(classes):
            out[i, j] = sum(1 for w in terms.get(c, ()) if f" {w} " in padded)
    return out

