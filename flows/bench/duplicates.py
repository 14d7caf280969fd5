"""Duplicate detection measured on generated KIPP proposals with known copies: `--eval` and `--bench`.

    python -m flows.bench.duplicates --eval                       # recall, precision, templated pairs
    python -m flows.bench.duplicates --bench --docs 6000 --words 3000   # wall time and peak RSS
    python -m flows.bench.duplicates --compare                    # other methods on the same corpus

Both --eval and --bench count the title flags per participant: the generated names are realistic
(popular acronyms such as SIMPEL spelt out differently by many units, names written in several
forms, generic titles), with planted pairs that share the whole name and pairs that share only an
acronym.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass

from flows.corpora.duplicates import Corpus, generate_corpus
from models.duplicates import DuplicateFlag, DuplicateKind, DuplicateSettings, find_duplicates

TARGET_RECALL = 0.95
TARGET_PRECISION = 0.95
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 2048.0

# --------------------------------------------------------------------------- scoring


@dataclass
class Scores:
    truth: int
    flagged: int  # content flags: every kind but title
    found: int
    kind_right: int
    templated_pairs: int  # content flags between two documents that share only template text
    title_found: int
    title_truth: int
    title_extra: int  # title flags on pairs not planted: names that happen to be close
    misses: list[str]
    false: list[str]
    title_flags: int = 0
    participants: int = 0  # current participants, to count title flags per participant
    title_distinct: int = 0  # planted pairs sharing only a part of the name (an acronym)
    title_wrong: int = 0  # ... of them, given a title flag: none should be

    @property
    def titles_per_participant(self) -> float:
        return self.title_flags / self.participants if self.participants else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.flagged if self.flagged else 1.0

    @property
    def passed(self) -> bool:
        return (self.recall >= TARGET_RECALL and self.precision >= TARGET_PRECISION
                and self.templated_pairs == 0 and self.title_found == self.title_truth and self.title_wrong == 0)


def score(corpus: Corpus, flags: list[DuplicateFlag]) -> Scores:
    content = {frozenset((f.a, f.b)): f for f in flags if f.kind is not DuplicateKind.TITLE}
    titles = {frozenset((f.a, f.b)) for f in flags if f.kind is DuplicateKind.TITLE}
    found = [pair for pair in corpus.truth if pair in content]
    kind_right = sum(content[pair].kind is corpus.truth[pair] for pair in found)
    # Title flags are left out: two schools' names can be alike whatever their template.
    templated = sum(1 for f in content.values() if f.a in corpus.templated and f.b in corpus.templated)
    title_found = sum(1 for pair in corpus.title_truth if pair in titles or pair in content)
    misses = [f"{sorted(pair)} ({corpus.truth[pair]})" for pair in corpus.truth if pair not in content]
    false = [f"{f.a} | {f.b} {f.kind} {f.score:.2f}" for pair, f in content.items() if pair not in corpus.truth]
    extra = titles - corpus.title_truth - corpus.title_distinct
    return Scores(len(corpus.truth), len(content), len(found), kind_right, templated, title_found,
                  len(corpus.title_truth), len(extra), misses, false,
                  title_flags=sum(f.kind is DuplicateKind.TITLE for f in flags),
                  participants=len({d.participant_id for d in corpus.current}),
                  title_distinct=len(corpus.title_distinct), title_wrong=len(titles & corpus.title_distinct))


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _print_scores(s: Scores, flags: list[DuplicateFlag]) -> None:
    kinds = Counter(f.kind.value for f in flags)
    print(f"flags: {len(flags)} {dict(sorted(kinds.items()))}")
    print(f"pair recall:    {s.recall:.3f} ({s.found}/{s.truth}; right kind {s.kind_right}/{s.found})")
    print(f"pair precision: {s.precision:.3f} ({s.found}/{s.flagged} content flags)")
    print(f"templated pairs flagged: {s.templated_pairs}")
    print(f"same-name pairs found: {s.title_found}/{s.title_truth}; same-acronym-or-part pairs flagged: "
          f"{s.title_wrong}/{s.title_distinct}; other title flags: {s.title_extra}")
    print(f"title flags: {s.title_flags} for {s.participants} participants "
          f"({s.titles_per_participant:.3f} per participant)")
    for line in s.misses[:10]:
        print(f"  missed: {line}")
    for line in s.false[:10]:
        print(f"  false:  {line}")


def run_eval(docs: int, words: int, seed: int, settings: DuplicateSettings, n_prior: int | None) -> Scores:
    corpus = generate_corpus(docs, words, seed, n_prior=n_prior)
    print(f"corpus: {dict(corpus.counts)}, {words} words each, generated in {corpus.seconds:.1f}s")
    start = time.perf_counter()
    flags = find_duplicates(corpus.current, corpus.prior, settings=settings)
    print(f"find_duplicates: {time.perf_counter() - start:.2f}s")
    s = score(corpus, flags)
    _print_scores(s, flags)
    _print_margins(corpus, flags, settings)
    print("PASS" if s.passed else "FAIL")
    return s


def _print_margins(corpus: Corpus, flags: list[DuplicateFlag], settings: DuplicateSettings) -> None:
    """The lowest score of a planted near copy, against the threshold."""
    near = [f.score for f in flags if f.kind in (DuplicateKind.NEAR, DuplicateKind.PRIOR_EDITION)
            and frozenset((f.a, f.b)) in corpus.truth]
    if near:
        print(f"planted near/prior scores: min {min(near):.3f}, median {sorted(near)[len(near) // 2]:.3f} "
              f"(threshold {settings.near_threshold})")


def run_bench(docs: int, words: int, seed: int, settings: DuplicateSettings, n_prior: int | None) -> bool:
    corpus = generate_corpus(docs, words, seed, n_prior=n_prior)
    total_words = sum(d.text.count(" ") + d.text.count("\n") + 1 for d in corpus.current + corpus.prior)
    print(f"corpus: {len(corpus.current)} current + {len(corpus.prior)} prior documents, "
          f"{total_words / 1e6:.1f}M words, generated in {corpus.seconds:.1f}s")
    print(f"RSS before find_duplicates (the texts and the generator): {_peak_rss_mb():.0f} MB")
    start = time.perf_counter()
    flags = find_duplicates(corpus.current, corpus.prior, settings=settings)
    wall = time.perf_counter() - start
    peak = _peak_rss_mb()
    print(f"find_duplicates wall time: {wall:.1f} s (target < {TARGET_SECONDS:.0f} s)")
    print(f"peak RSS: {peak:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)")
    s = score(corpus, flags)
    _print_scores(s, flags)
    ok = wall < TARGET_SECONDS and peak < TARGET_RSS_MB and s.passed
    print("PASS" if ok else "FAIL")
    return ok


def _separation(scores: dict, truth: set, templated: set) -> tuple[float, float, float, float, float]:
    """Lowest planted score, highest other, highest between templated documents, and recall and
    precision at the midpoint between the first two."""
    planted = [scores.get(pair, 0.0) for pair in truth]
    other = [v for pair, v in scores.items() if pair not in truth] or [0.0]
    between_templated = [v for pair, v in scores.items() if pair not in truth and pair <= templated] or [0.0]
    low, high = min(planted), max(other)
    cut = (low + high) / 2
    found = sum(v >= cut for v in planted)
    flagged = found + sum(v >= cut for v in other)
    return low, high, max(between_templated), found / len(truth), found / flagged if flagged else 1.0


def run_compare(docs: int, words: int, seed: int) -> int:
    """This engine against plain shingle containment and TF-IDF cosine, each at its best threshold.

    The alternatives score every pair with a sparse matrix product (memory grows with the square of
    the documents), so they run on the eval corpus only.
    """
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    from models.duplicates import _shingles, _words

    corpus = generate_corpus(docs, words, seed)
    everything = corpus.current + corpus.prior
    n_current = len(corpus.current)
    index = {d.path: i for i, d in enumerate(everything)}

    def wanted(i: int, j: int) -> bool:
        # The pairs the engine looks at: not two earlier editions, not one participant's own files.
        if i >= n_current and j >= n_current:
            return False
        x, y = everything[i], everything[j]
        return i >= n_current or j >= n_current or x.participant_id != y.participant_id

    truth = {pair for pair in corpus.truth if wanted(*sorted(index[p] for p in pair))}
    print(f"corpus: {len(everything)} documents, {len(truth)} planted pairs between participants")
    print("Scores: the lowest of a planted pair, the highest of any other pair and of two templated")
    print("documents; recall and precision with the threshold midway between the first two.")
    print(f"{'method':44} {'seconds':>7} {'planted':>8} {'other':>6} {'templ.':>6} {'recall':>6} {'prec.':>6}")

    def report(name: str, seconds: float, scores: dict) -> None:
        low, high, templated, recall, precision = _separation(scores, truth, corpus.templated)
        print(f"{name:44} {seconds:7.1f} {low:8.3f} {high:6.3f} {templated:6.3f} {recall:6.3f} {precision:6.3f}")

    start = time.perf_counter()
    # A low threshold, to see how low the engine scores the pairs it would not flag.
    everything_scored = DuplicateSettings(near_threshold=0.05, min_shared=3)
    flags = find_duplicates(corpus.current, corpus.prior, settings=everything_scored)
    seconds = time.perf_counter() - start
    engine = {}
    for f in flags:
        i, j = sorted((index[f.a], index[f.b]))
        if f.kind is not DuplicateKind.TITLE and wanted(i, j):
            engine[frozenset((f.a, f.b))] = f.score
    report("shingles, template cap (this engine)", seconds, engine)

    def pair_scores(matrix, normalise=None) -> dict:
        matrix = sparse.triu(matrix.tocoo(), k=1).tocoo()
        out = {}
        for i, j, v in zip(matrix.row.tolist(), matrix.col.tolist(), matrix.data.tolist(), strict=True):
            if wanted(i, j):
                out[frozenset((everything[i].path, everything[j].path))] = normalise(i, j, v) if normalise else v
        return out

    start = time.perf_counter()
    rows, cols = [], []
    for i, d in enumerate(everything):
        sh = np.unique(_shingles(_words(d.text).hashes, 5))
        rows.append(np.full(len(sh), i))
        cols.append(sh)
    col_ids, cols_flat = np.unique(np.concatenate(cols), return_inverse=True)
    binary = sparse.csr_matrix((np.ones(len(cols_flat), dtype=np.float32), (np.concatenate(rows), cols_flat)),
                               shape=(len(everything), len(col_ids)))
    sizes = np.asarray(binary.sum(axis=1)).ravel()
    shared = binary @ binary.T
    scores = pair_scores(shared, lambda i, j, v: v / max(1.0, min(sizes[i], sizes[j])))
    report("shingles, no template filter (containment)", time.perf_counter() - start, scores)

    start = time.perf_counter()
    df = np.asarray((binary > 0).sum(axis=0)).ravel()
    idf = sparse.diags(np.log((1 + len(everything)) / (1 + df)).astype(np.float32) + 1)
    weighted = binary @ idf
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    weighted = sparse.diags(1 / np.maximum(norms, 1e-9)) @ weighted
    report("shingles, IDF-weighted cosine", time.perf_counter() - start, pair_scores(weighted @ weighted.T))

    start = time.perf_counter()
    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.5, dtype=np.float32)
    matrix = tfidf.fit_transform([d.text for d in everything])
    report("TF-IDF word 1-2 grams, cosine (sklearn)", time.perf_counter() - start, pair_scores(matrix @ matrix.T))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.bench.duplicates", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--eval", action="store_true", help="recall, precision and templated pairs")
    mode.add_argument("--bench", action="store_true", help="wall time and peak RSS")
    mode.add_argument("--compare", action="store_true", help="other methods on the eval corpus")
    parser.add_argument("--docs", type=int, default=None, help="current documents (eval 1200, bench 6000)")
    parser.add_argument("--words", type=int, default=None, help="words per document (eval 1500, bench 3000)")
    parser.add_argument("--prior", type=int, default=None, help="earlier editions' documents (default docs/4)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    settings = DuplicateSettings(workers=args.workers)
    if args.eval:
        return 0 if run_eval(args.docs or 1200, args.words or 1500, args.seed, settings, args.prior).passed else 1
    if args.bench:
        return 0 if run_bench(args.docs or 6000, args.words or 3000, args.seed, settings, args.prior) else 1
    return run_compare(args.docs or 1200, args.words or 1500, args.seed)


if __name__ == "__main__":
    raise SystemExit(main())
