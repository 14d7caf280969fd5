"""The comparison of a run: every pair of documents judges should see together (`find_duplicates`)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.duplicates.flags import (
    _KIND_RANK,
    _SEVERITY_RANK,
    PRIOR_PREFIX,
    DocText,
    DuplicateFlag,
    DuplicateKind,
    DuplicateSettings,
    Passage,
    Severity,
)
from models.duplicates.text import (
    _bits_for,
    _build_index,
    _matching_passages,
    _pack,
    _shingles,
    _without_page_furniture,
    _Words,
    _words,
)
from models.duplicates.titles import (
    _parse_title,
    _Title,
    derive_title,
    same_innovation_name,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Doc:
    doc: DocText
    path: str
    prior: bool

    @property
    def participant(self) -> str | None:
        return self.doc.participant_id


def _same_participant(x: _Doc, y: _Doc) -> bool:
    return x.participant is not None and x.participant == y.participant


def _ordered(x: _Doc, y: _Doc) -> tuple[_Doc, _Doc]:
    """The current document first; two current documents by path."""
    if x.prior != y.prior:
        return (y, x) if x.prior else (x, y)
    return (x, y) if x.path <= y.path else (y, x)


def _flag(
    x: _Doc, y: _Doc, kind: DuplicateKind, score: float, evidence: tuple[Passage, ...], severity: Severity
) -> DuplicateFlag:
    a, b = _ordered(x, y)
    return DuplicateFlag(
        a.path, b.path, kind, float(score), evidence, severity,
        edition=b.doc.edition if b.prior else None,
        a_sha256=a.doc.sha256, b_sha256=b.doc.sha256,
        a_participant=a.participant, b_participant=b.participant,
    )


def _prior_severity(x: _Doc, y: _Doc) -> Severity:
    """An old innovation entered again is serious; a Kinerja text reused from last year less so."""
    current = y if x.prior else x
    return Severity.MEDIUM if current.doc.doc_type == "kinerja" else Severity.HIGH


def _cap(n_texts: int, settings: DuplicateSettings) -> int:
    return max(2, min(settings.max_df, math.ceil(settings.max_df_share * n_texts)))


def find_duplicates(
    current: Sequence[DocText],
    prior: Sequence[DocText] = (),
    *,
    settings: DuplicateSettings = DuplicateSettings(),
    templates: Sequence[str] = (),
) -> list[DuplicateFlag]:
    """Every pair of documents judges should see together, most severe first.

    1. Texts equal once case, spacing, punctuation and line-end hyphens are folded away form one
       group: the same bytes are `exact`, other files `cross_format`.
    2. Each distinct text becomes a set of 5-word shingles (names masked, see _words). A shingle
       found in more than a few texts is template (regulations, standard tables, a school format)
       and is dropped; the rest are counted per pair of texts through one sort (see _Index).
    3. A pair whose shared shingles cover near_threshold of the smaller text's own shingles is
       `near`, or `prior_edition` against an earlier edition; two files in different formats
       that are almost the same text in full are `cross_format`.
    4. Innovations whose whole names agree (acronym and spelt-out name; an acronym alone never
       does) are `title`, when nothing else is.

    `prior` is the archive of earlier editions: compared with the current documents (and used to
    recognise template text), never with each other. `templates` are texts known to be template
    (the official proposal format): their passages never count as copying. One participant's
    files are not compared with each other (resubmissions are screening's business), except to
    find one text in two formats.
    """
    started = time.perf_counter()
    docs = [_Doc(d, d.path, False) for d in current]
    docs += [_Doc(d, d.path if d.path.startswith(PRIOR_PREFIX) else PRIOR_PREFIX + d.path, True) for d in prior]
    docs.sort(key=lambda d: (d.prior, d.path))  # the same flags whatever order the documents came in
    seen: set[str] = set()
    for d in docs:
        if d.path in seen:
            raise ValueError(f"{d.path}: given twice")
        seen.add(d.path)
    k = settings.shingle_words

    # 1. The same text, whatever the layout: one group per text (per file for near-empty texts).
    groups: dict[bytes | str, list[int]] = {}
    packed: list[np.ndarray] = []
    bits = _bits_for(len(docs))
    for i, d in enumerate(docs):
        words = _words(d.doc.text, settings.mask_names)
        readable = words.chars >= settings.min_text_chars
        key: bytes | str = words.key if readable else "sha:" + d.doc.sha256
        if key not in groups:
            if readable:
                packed.append(_pack(_shingles(words.hashes, k), len(groups), bits))
            groups[key] = []
        groups[key].append(i)
    members = list(groups.values())
    tokenised = time.perf_counter()

    # 2. Shingles shared between texts, template shingles dropped.
    template_shingles = np.concatenate(
        [np.zeros(0, dtype=np.uint64)] + [_shingles(_words(t, settings.mask_names).hashes, k) for t in templates]
    )
    all_prior = np.array([all(docs[i].prior for i in m) for m in members], dtype=bool)
    cap = _cap(len(members), settings)
    index = _build_index(packed, len(members), bits, cap, all_prior, template_shingles)
    indexed = time.perf_counter()

    cache: dict[int, _Words] = {}

    def words_of(i: int) -> _Words:
        if i not in cache:
            cache[i] = _words(docs[i].doc.text, settings.mask_names)
        return cache[i]

    def text_likeness(i: int, j: int) -> float:
        """Jaccard of all shingles, template and names included: near 1.0 for one text in two layouts
        (page numbers and running headers differ)."""
        x, y = (np.unique(_shingles(_words(_without_page_furniture(docs[n].doc.text), False).hashes, k))
                for n in (i, j))
        both = len(np.intersect1d(x, y, assume_unique=True))
        return both / max(1, len(x) + len(y) - both)

    def evidence(i: int, j: int, skip_common: bool) -> tuple[Passage, ...]:
        x, y = _ordered(docs[i], docs[j])
        ix, iy = (i, j) if x is docs[i] else (j, i)
        found = _matching_passages(words_of(ix), words_of(iy), k, index if skip_common else None, settings)
        if not found and skip_common:
            found = _matching_passages(words_of(ix), words_of(iy), k, None, settings)
        return found

    flags: list[DuplicateFlag] = []
    flagged: set[tuple[int, int]] = set()

    def add(i: int, j: int, kind: DuplicateKind, score: float, severity: Severity, skip_common: bool) -> None:
        flags.append(_flag(docs[i], docs[j], kind, score, evidence(i, j, skip_common), severity))
        flagged.add((min(i, j), max(i, j)))

    # 3. Within one group: the same bytes, or the same text in another file.
    for member in members:
        for p, i in enumerate(member):
            for j in member[p + 1 :]:
                x, y = docs[i], docs[j]
                if x.prior and y.prior:
                    continue
                if x.prior or y.prior:
                    add(i, j, DuplicateKind.PRIOR_EDITION, 1.0, _prior_severity(x, y), False)
                    continue
                same = _same_participant(x, y)
                if x.doc.sha256 == y.doc.sha256:
                    if same and x.doc.doc_type == y.doc.doc_type:
                        continue  # an identical copy of one's own file: screening reports it
                    add(i, j, DuplicateKind.EXACT, 1.0, Severity.INFO if same else Severity.HIGH, False)
                else:
                    add(i, j, DuplicateKind.CROSS_FORMAT, 1.0, Severity.INFO if same else Severity.HIGH, False)

    # 4. Between groups: edited copies and earlier editions.
    if len(index.shared):
        sa, sb = index.sizes[index.pair_a], index.sizes[index.pair_b]
        smaller = np.maximum(np.minimum(sa, sb), 1)
        score = index.shared / smaller
        hit = (index.shared >= settings.min_shared) & (score >= settings.near_threshold)
        pairs = zip(index.pair_a[hit].tolist(), index.pair_b[hit].tolist(), score[hit].tolist(), strict=True)
        for ga, gb, s in pairs:
            s = min(s, 1.0)
            for i in members[ga]:
                for j in members[gb]:
                    x, y = docs[i], docs[j]
                    if x.prior and y.prior:
                        continue
                    if x.prior or y.prior:
                        add(i, j, DuplicateKind.PRIOR_EDITION, s, _prior_severity(x, y), True)
                        continue
                    # One text in two files (a PDF with page numbers and its DOCX) rather than a copy.
                    unknown = x.doc.format is None or y.doc.format is None
                    likeness = text_likeness(i, j) if unknown or x.doc.format != y.doc.format else 0.0
                    same_text = likeness >= settings.same_text_similarity
                    if _same_participant(x, y):
                        if same_text:
                            add(i, j, DuplicateKind.CROSS_FORMAT, likeness, Severity.INFO, False)
                        continue  # one participant's own versions: resubmissions, handled elsewhere
                    if same_text:
                        add(i, j, DuplicateKind.CROSS_FORMAT, likeness, Severity.HIGH, False)
                    else:
                        severity = Severity.HIGH if s >= settings.near_high else Severity.MEDIUM
                        add(i, j, DuplicateKind.NEAR, s, severity, True)
    compared = time.perf_counter()

    # 5. The same innovation name, where nothing stronger was found.
    flags += _title_flags(docs, flagged, settings)
    flags.sort(key=lambda f: (_SEVERITY_RANK[f.severity], _KIND_RANK[f.kind], -round(f.score, 6), f.a, f.b))
    log.info(
        "duplicates: %d documents, %d texts, template cap %d, %d candidate pairs, %d flags "
        "(words %.1fs, index %.1fs, pairs %.1fs, titles %.1fs)",
        len(docs), len(members), cap, len(index.shared), len(flags),
        tokenised - started, indexed - tokenised, compared - indexed, time.perf_counter() - compared,
    )
    return flags


def _title_flags(
    docs: Sequence[_Doc], flagged: set[tuple[int, int]], settings: DuplicateSettings
) -> list[DuplicateFlag]:
    """Innovations whose whole names agree (see same_innovation_name).

    Candidates are the pairs whose spelt-out names (words sorted) are within title_threshold of
    each other by rapidfuzz's cdist, in blocks of rows so memory stays linear: quadratic, but names
    are short, and 4,500 of them take about a second. Each candidate is then checked word by word.
    """
    from rapidfuzz import fuzz, process

    who: list[int] = []
    titles: list[_Title] = []
    for i, d in enumerate(docs):
        if d.doc.doc_type not in (None, "inovasi"):
            continue  # a Kinerja proposal names no innovation
        raw = d.doc.title or derive_title(d.doc.text)
        title = _parse_title(raw) if raw else None
        if title and title.words and not title.generic:
            who.append(i)
            titles.append(title)
    names = [" ".join(t.words) for t in titles]
    scores: dict[tuple[int, int], float] = {}
    block = 1024
    for start in range(0, len(names), block):
        matrix = process.cdist(
            names[start : start + block], names, scorer=fuzz.token_sort_ratio,
            score_cutoff=settings.title_threshold, dtype=np.uint8, workers=settings.workers,
        )
        rows, cols = np.nonzero(matrix)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            s = start + r
            if s < c and same_innovation_name(titles[s], titles[c]):
                scores[(s, c)] = matrix[r, c] / 100
    flags = []
    for (s, t), score in scores.items():
        i, j = who[s], who[t]
        x, y = docs[i], docs[j]
        if (x.prior and y.prior) or (min(i, j), max(i, j)) in flagged:
            continue
        if not (x.prior or y.prior) and _same_participant(x, y):
            continue
        first, second = (titles[s], titles[t]) if _ordered(x, y)[0] is x else (titles[t], titles[s])
        passage = Passage(first.raw, second.raw, len(first.raw.split()), fuzz.ratio(first.raw, second.raw) / 100)
        flags.append(_flag(x, y, DuplicateKind.TITLE, score, (passage,), Severity.LOW))
    return flags
