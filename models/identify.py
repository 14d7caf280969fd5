"""Which registered participant sent a file: from its folders, its name and its cover page.

A unit name is split into its kind ("sd", "kelurahan", "dinas"), its distinctive words
("sawojajar", "kesehatan") and its numbers ("1"). A piece of text (a folder name, a file name,
a cover line) names a participant when it holds the same kind (or no kind at all, at a lower
score), every distinctive word (a typo allowed in long words), and exactly the participant's
numbers right after the name: "SMPN 5" never names SMP Negeri 15. A wrong assignment is worse
than none, so a file is left unidentified when the best candidate is weak, when two candidates
are close, or when the file name and the cover page disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

from rapidfuzz import fuzz, process

from models.names import DEFAULT_GENERIC, KIND_REQUIRED, KINDS, tokens
from models.records import Identification, Participant, Reason
from models.roster import Roster

ACCEPT = 80.0  # lowest score that names a participant
MARGIN = 8.0  # how far ahead the best must be of any other candidate that is not its parent
TYPO_CUTOFF = 85.0  # similarity of a misspelt distinctive word to the real one
NO_KIND_FACTOR = 0.9  # "Bunulrejo.pdf" names Kelurahan Bunulrejo less surely than "Kel. Bunulrejo"
COVER_LINES = 40  # a cover page; lines further down are the body
COVER_LINE_CHARS = 120  # longer lines are prose, where units are mentioned in passing


@dataclass(frozen=True, slots=True)
class NameKey:
    """A participant's name, split for matching."""

    participant_id: str
    kind: str | None
    distinctive: tuple[str, ...]
    numbers: frozenset[str]


def name_key(p: Participant, generic: frozenset[str] = DEFAULT_GENERIC) -> NameKey:
    toks = tokens(p.name, generic)
    kind = next((t for t in toks if t in KINDS), None)
    distinctive = tuple(t for t in toks if t != kind and not t.isdigit())
    numbers = frozenset(t for t in toks if t.isdigit())
    return NameKey(p.id, kind, distinctive, numbers)


class Identifier:
    """Matches text against a roster; build once per run, call for every file."""

    def __init__(self, roster: Roster, generic: frozenset[str] = DEFAULT_GENERIC):
        self.roster = roster
        self.generic = generic
        self.keys = {p.id: name_key(p, generic) for p in roster}
        self._by_word: dict[str, set[str]] = defaultdict(set)
        self._by_kind_only: dict[str, set[str]] = defaultdict(set)
        for key in self.keys.values():
            for word in key.distinctive:
                self._by_word[word].add(key.participant_id)
            joined = "".join(key.distinctive)
            if len(key.distinctive) > 1:
                self._by_word[joined].add(key.participant_id)
            if not key.distinctive and key.kind:
                self._by_kind_only[key.kind].add(key.participant_id)
        self._vocabulary = list(self._by_word)
        self._ancestors = {p.id: roster.ancestors(p.id) for p in roster}
        # The kinds a supervising unit's participants are: Disdikbud's are sd and smp.
        self._child_kinds: dict[str, set[str]] = defaultdict(set)
        for p in roster:
            if p.parent_id and self.keys[p.id].kind:
                self._child_kinds[p.parent_id].add(self.keys[p.id].kind)

    # -- one piece of text ------------------------------------------------------------

    def score_segment(self, text: str) -> dict[str, float]:
        """Score of every participant this text could name (absent means no match)."""
        toks = tokens(text, self.generic)
        if not toks:
            return {}
        words = _word_positions(toks)
        candidates: set[str] = set()
        for word in words:
            for match, _score, _ in process.extract(
                word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=None
            ):
                candidates |= self._by_word[match]
        for kind in KINDS.intersection(toks):
            candidates |= self._by_kind_only.get(kind, set())
        scores: dict[str, float] = {}
        for pid in candidates:
            score = _score_key(self.keys[pid], toks, words)
            if score is not None:
                scores[pid] = score
        return scores

    # -- one file ---------------------------------------------------------------------

    def identify(self, path: str, cover: str = "") -> Identification:
        """Identify the participant of an inbox file from its relative path and cover text."""
        by_path = self._decide(*self._best_over(path_segments(path)))
        by_cover = self._decide(*self._best_over(cover_segments(cover)))
        return self._combine(by_path, by_cover)

    def _best_over(self, segments: list[str]) -> tuple[dict[str, float], set[str]]:
        """Best score per participant over the segments, and the kinds that begin a segment."""
        best: dict[str, float] = {}
        leading: set[str] = set()
        for seg in segments:
            toks = tokens(seg, self.generic)
            if toks and toks[0] in KINDS:
                leading.add(toks[0])
            for pid, score in self.score_segment(seg).items():
                if score > best.get(pid, 0.0):
                    best[pid] = score
        return best, leading

    def _decide(self, scores: dict[str, float], leading_kinds: set[str]) -> _SourceVerdict:
        # "SDN Pandanwangi 8 / Dinas Pendidikan dan Kebudayaan" is a school that is not registered,
        # under its Dinas: a supervising unit is no sender where a unit of its children's kind is named.
        scores = {pid: s for pid, s in scores.items() if not (self._child_kinds.get(pid, set()) & leading_kinds)}
        strong = {pid: s for pid, s in scores.items() if s >= ACCEPT}
        if not strong:
            top = max(scores.values(), default=0.0)
            return _SourceVerdict(None, top, ())
        # A cover names the school and, below it, its Dinas: the parent is context, not a sender.
        parents = set().union(*(self._ancestors[pid] for pid in strong))
        strong = {pid: s for pid, s in strong.items() if pid not in parents}
        ranked = sorted(strong.items(), key=lambda kv: (-kv[1], kv[0]))
        top_pid, top_score = ranked[0]
        rivals = tuple(pid for pid, s in ranked[1:] if top_score - s < MARGIN)
        if rivals:
            return _SourceVerdict(None, top_score, (top_pid, *rivals))
        return _SourceVerdict(top_pid, top_score, ())

    def _combine(self, by_path: _SourceVerdict, by_cover: _SourceVerdict) -> Identification:
        p, c = by_path, by_cover
        if p.pid and c.pid:
            if p.pid == c.pid:
                return Identification(p.pid, max(p.score, c.score), "path+cover")
            if p.pid in self._ancestors[c.pid]:
                return Identification(c.pid, c.score, "cover")
            if c.pid in self._ancestors[p.pid]:
                return Identification(p.pid, p.score, "path")
            return Identification(
                None, max(p.score, c.score), None, Reason.CONFLICTING_PARTICIPANT, (p.pid, c.pid)
            )
        for one, other, source in ((p, c, "path"), (c, p, "cover")):
            if one.pid and not other.rivals:
                return Identification(one.pid, one.score, source)
            if one.pid and one.pid in other.rivals:
                return Identification(one.pid, one.score, source)
            if one.pid:
                return Identification(
                    None, one.score, None, Reason.CONFLICTING_PARTICIPANT, (one.pid, *other.rivals)
                )
        rivals = p.rivals or c.rivals
        if rivals:
            return Identification(None, max(p.score, c.score), None, Reason.AMBIGUOUS_PARTICIPANT, rivals)
        return Identification(None, max(p.score, c.score), None, Reason.UNIDENTIFIED)


@dataclass(frozen=True, slots=True)
class _SourceVerdict:
    pid: str | None
    score: float
    rivals: tuple[str, ...]


def path_segments(path: str) -> list[str]:
    """Each folder name, the file name without its extension, and the whole path as one text."""
    parts = list(PurePosixPath(path).parts)
    if not parts:
        return []
    parts[-1] = PurePosixPath(parts[-1]).stem
    segments = list(parts)
    if len(parts) > 1:
        segments.append(" ".join(parts))
    return segments


def cover_segments(cover: str) -> list[str]:
    """Short lines of the cover page, alone and joined to the next (names broken over two lines)."""
    lines = [" ".join(line.split()) for line in cover.splitlines()]
    lines = [line for line in lines if line and len(line) <= COVER_LINE_CHARS][:COVER_LINES]
    return lines + [f"{a} {b}" for a, b in zip(lines, lines[1:])]


def _word_positions(toks: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Spans (first, last token) of every alphabetic token and of every pair of neighbours joined
    ("bunul rejo" is "bunulrejo")."""
    words: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, tok in enumerate(toks):
        if not tok.isdigit():
            words[tok].append((i, i))
            if i + 1 < len(toks) and not toks[i + 1].isdigit():
                words[tok + toks[i + 1]].append((i, i + 1))
    return words


def _score_key(key: NameKey, toks: list[str], words: dict[str, list[tuple[int, int]]]) -> float | None:
    kinds_here = KINDS.intersection(toks)
    kind_at = [i for i, t in enumerate(toks) if t == key.kind] if key.kind else []
    if not key.distinctive:
        # "SMP Negeri 5" is nothing but its kind and its number.
        if not kind_at:
            return None
        anchors, score, named_by_kind = kind_at, 100.0, True
    else:
        aligned = _align(key.distinctive, words)
        if len(key.distinctive) > 1:
            joined = _align(("".join(key.distinctive),), words)
            if joined is not None and (aligned is None or joined[0] > aligned[0]):
                aligned = joined
        if aligned is None:
            return None
        score, first, ends = aligned
        # The kind names this unit only right before its name ("Kelurahan Tulusrejo", "SDN 1
        # Sawojajar"); "Kelurahan Tulusrejo Kecamatan Lowokwaru" does not name Kelurahan Lowokwaru.
        before = [k for k in kind_at if 1 <= first - k <= 2 and all(toks[j].isdigit() for j in range(k + 1, first))]
        named_by_kind = bool(before)
        anchors = before + ends
    if not named_by_kind and (kinds_here or key.kind in KIND_REQUIRED):
        return None  # the text names a unit of some kind, and not this one; or names no unit at all
    found = {toks[i + 1] for i in anchors if i + 1 < len(toks) and toks[i + 1].isdigit()}
    if key.numbers and found != key.numbers:
        return None  # numbers are exact: SD Negeri Sawojajar 1 is never Sawojajar 2
    if key.kind and not named_by_kind:
        score *= NO_KIND_FACTOR
    return score


def _align(
    wanted: tuple[str, ...], words: dict[str, list[tuple[int, int]]]
) -> tuple[float, int, list[int]] | None:
    """Mean similarity of each wanted word to its best text word, where the first one starts,
    and where each ends."""
    total = 0.0
    first: int | None = None
    ends: list[int] = []
    for n, want in enumerate(wanted):
        cutoff = 100.0 if len(want) <= 4 else TYPO_CUTOFF
        best_score, best_spans = 0.0, None
        for word, spans in words.items():
            s = fuzz.ratio(want, word, score_cutoff=cutoff)
            if s > best_score:
                best_score, best_spans = s, spans
        if best_spans is None:
            return None
        total += best_score
        if n == 0:
            first = best_spans[0][0]
        ends.extend(end for _, end in best_spans)
    assert first is not None
    return total / len(wanted), first, ends
