"""Which registered participant sent a file: from its folders, its name and its cover page.

A unit name is split into its kind ("sd", "kelurahan", "dinas", "upt"), its distinctive words
("sawojajar", "kesehatan"), its numbers ("1") and its region ("Kota Malang"). A piece of text (a
folder name, a file name, a cover line or up to three cover lines together) names a participant when
it holds the same kind (or no kind at all, at a lower score), every distinctive word (a typo allowed
in long words), and exactly the participant's numbers right after the name: "SMPN 5" never names SMP
Negeri 15. A nested name ("UPTD PPA Dinas ...", "UPT ... pada Satpol PP") holds its parent's words
too; where both match, the one whose words contain the other's is named. A region mentioned in the
file's name or on its cover that is not the participant's own rules the participant out. A wrong
assignment is worse than none, so a file is left unidentified when the best candidate is weak, when
two candidates are close, or when the file name and the cover page disagree.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rapidfuzz import fuzz, process

from models.names import (
    DEFAULT_GENERIC,
    JATIM_REGIONS,
    KIND_REQUIRED,
    KINDS,
    REGION_ABBREVIATIONS,
    REGION_MARKERS,
    Region,
    regions_agree,
    split_regions,
    tokens,
)
from models.records import Identification, Participant, Reason
from models.roster import Roster
from models.sources import source_digest

ACCEPT = 80.0  # lowest score that names a participant
MARGIN = 8.0  # how far ahead the best must be of any other candidate that is not its parent
TYPO_CUTOFF = 85.0  # similarity of a misspelt distinctive word to the real one
NO_KIND_FACTOR = 0.9  # "Bunulrejo.pdf" names Kelurahan Bunulrejo less surely than "Kel. Bunulrejo"
COVER_LINES = 40  # a cover page; lines further down are the body
COVER_LINE_CHARS = 120  # longer lines are prose, where units are mentioned in passing
COVER_WINDOW = 3  # a long agency name wraps over up to three cover lines
MOST = 0.5  # a word in more than this share of the roster's names is generic, unless it tells two apart
MIN_ROSTER_FOR_GENERIC = 6  # below this a roster is too small to say what is common
_ORGANISER = frozenset({"kipp", "kompetisi"})  # words of the competition's own line on a cover
# Bump when identification changes in a way the fingerprint's source hash would not see (a data file).
IDENTIFIER_VERSION = 1


@dataclass(frozen=True, slots=True)
class NameKey:
    """A participant's name, split for matching."""

    participant_id: str
    kind: str | None
    distinctive: tuple[str, ...]
    numbers: frozenset[str]
    regions: frozenset[Region] = frozenset()
    # "PPA Dinas Pemberdayaan ...": words come before the first kind, so that kind is one of the name's
    # words and `kind` is None.
    kind_inside: bool = False

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.distinctive) | self.numbers | ({self.kind} if self.kind else set())


def name_key(
    p: Participant,
    generic: frozenset[str] = DEFAULT_GENERIC,
    places: dict[str, frozenset[str]] | None = None,
) -> NameKey:
    toks, regions = split_regions(tokens(p.name, generic), JATIM_REGIONS if places is None else places)
    kind_at = next((i for i, t in enumerate(toks) if t in KINDS), None)
    numbers = frozenset(t for t in toks if t.isdigit())
    if kind_at is not None and any(not t.isdigit() for t in toks[:kind_at]):
        return NameKey(p.id, None, tuple(t for t in toks if not t.isdigit()), numbers, regions, True)
    kind = toks[kind_at] if kind_at is not None else None
    distinctive = tuple(t for t in toks if t != kind and not t.isdigit())
    return NameKey(p.id, kind, distinctive, numbers, regions)


def roster_places(roster: Roster, generic: frozenset[str] = DEFAULT_GENERIC) -> dict[str, frozenset[str]]:
    """The Jawa Timur regions and every "Kota X" / "Kabupaten Y" the roster's names mention."""
    places = {place: set(levels) for place, levels in JATIM_REGIONS.items()}
    for p in roster:
        toks = tokens(p.name, generic)
        for i, tok in enumerate(toks[:-1]):
            nxt = toks[i + 1]
            if tok in REGION_MARKERS and not nxt.isdigit() and nxt not in KINDS and not (i and toks[i - 1] in KINDS):
                places.setdefault(nxt, set()).add(REGION_MARKERS[tok])
    return {place: frozenset(levels) for place, levels in places.items()}


def roster_generic(keys: list[NameKey]) -> frozenset[str]:
    """Words in most of the roster's names that never tell two of them apart.

    Regions are not words here: "Kota Malang" and "Kabupaten Malang" are read apart from the name
    (`split_regions`), so a region shared by every entry only rules out texts of other regions, and
    Kota and Kabupaten Malang stay apart however many entries name them.
    """
    if len(keys) < MIN_ROSTER_FOR_GENERIC:
        return frozenset()

    def distinct_names(drop: frozenset[str]) -> int:
        return len({(k.kind, tuple(w for w in k.distinctive if w not in drop), k.numbers, k.regions) for k in keys})

    df = Counter(w for key in keys for w in set(key.distinctive))
    out: frozenset[str] = frozenset()
    for word, count in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])):
        if count <= MOST * len(keys):
            break
        if distinct_names(out | {word}) == distinct_names(out):
            out |= {word}
    return out


class Identifier:
    """Matches text against a roster; build once per run, call for every file.

    `generic` is the fixed list of words without identity (KIPP_GENERIC_WORDS replaces it); the words
    the roster shows to be uninformative are added to it.
    """

    def __init__(self, roster: Roster, generic: frozenset[str] = DEFAULT_GENERIC):
        self.roster = roster
        base = frozenset(generic) - REGION_MARKERS.keys()  # "kota" must stay to read "Kota Malang"
        self.places = roster_places(roster, base)
        first = [name_key(p, base, self.places) for p in roster]
        self.derived_generic = roster_generic(first)
        self.generic = base | self.derived_generic
        keys = first if not self.derived_generic else [name_key(p, self.generic, self.places) for p in roster]
        self._ancestors = {p.id: roster.ancestors(p.id) for p in roster}
        # A unit whose name has no region has its supervising unit's: Dinas Kesehatan Kota Malang's puskesmas.
        by_id = {k.participant_id: k for k in keys}
        for pid, key in list(by_id.items()):
            if not key.regions:
                for parent in _ancestor_chain(roster, pid):
                    if by_id[parent].regions:
                        by_id[pid] = NameKey(key.participant_id, key.kind, key.distinctive, key.numbers,
                                             by_id[parent].regions, key.kind_inside)
                        break
        self.keys = by_id
        self._by_word: dict[str, set[str]] = defaultdict(set)
        self._by_kind_number: dict[tuple[str, str], set[str]] = defaultdict(set)
        for key in self.keys.values():
            for word in key.distinctive:
                self._by_word[word].add(key.participant_id)
            joined = "".join(key.distinctive)
            if len(key.distinctive) > 1:
                self._by_word[joined].add(key.participant_id)
            if not key.distinctive and key.kind:
                self._by_kind_number[(key.kind, min(key.numbers, default=""))].add(key.participant_id)
        self._vocabulary = list(self._by_word)
        self._joined = {pid: "".join(k.distinctive) for pid, k in self.keys.items() if len(k.distinctive) > 1}
        # The kinds a supervising unit's participants are: Disdikbud's are sd and smp; Bappeda's are the
        # bidang whose names hold Bappeda's, with or without a parent_id.
        self._child_kinds: dict[str, set[str]] = defaultdict(set)
        for p in roster:
            if p.parent_id and self.keys[p.id].kind:
                self._child_kinds[p.parent_id].add(self.keys[p.id].kind)
        for outer, inner in self._nested_pairs():
            if self.keys[outer].kind:
                self._child_kinds[inner].add(self.keys[outer].kind)
        # Identification runs for every file of every run; covers repeat their title lines and words.
        self._word_cache: dict[str, tuple[str, ...]] = {}
        self._segment_cache: dict[tuple[tuple[str, ...], tuple[frozenset[Region], ...]], dict[str, float]] = {}
        self._token_cache: dict[tuple[str, bool], tuple[tuple[str, ...], frozenset[Region]]] = {}
        self._organiser_cache: dict[str, bool] = {}
        self._agree_cache: dict[tuple[frozenset[Region], tuple[frozenset[Region], ...]], bool] = {}

    # -- one piece of text ------------------------------------------------------------

    def _name_tokens(self, text: str, abbreviations: bool = False) -> tuple[list[str], frozenset[Region]]:
        # Covers repeat their lines (titles, the competition's line, the government's): each text is
        # split once per Identifier. Callers only read the list; each gets its own copy all the same.
        key = (text, abbreviations)
        found = self._token_cache.get(key)
        if found is None:
            toks, regions = split_regions(tokens(text, self.generic), self.places,
                                          REGION_ABBREVIATIONS if abbreviations else None, keep_places=True)
            found = (tuple(toks), regions)
            if len(self._token_cache) > 200_000:
                self._token_cache.clear()
            self._token_cache[key] = found
        return list(found[0]), found[1]

    def _score_tokens(self, toks: list[str], mentioned: tuple[frozenset[Region], ...] = ()) -> dict[str, float]:
        if not toks:
            return {}
        cache_key = (tuple(toks), mentioned)
        cached = self._segment_cache.get(cache_key)
        if cached is not None:
            return cached
        words = _word_positions(toks)
        candidates: set[str] = set()
        matched: set[str] = set()  # the roster's words some word of the text is close enough to
        for word in words:
            for match in self._vocabulary_matches(word):
                matched.add(match)
                candidates |= self._by_word[match]
        numbers = [""] + [t for t in toks if t.isdigit()]
        for kind in KINDS.intersection(toks):
            for number in numbers:
                candidates |= self._by_kind_number.get((kind, number), set())
        digits = frozenset(numbers[1:])
        scores: dict[str, float] = {}
        for pid in candidates:
            key = self.keys[pid]
            # Candidates _score_key would refuse, told apart cheaply (at national size most are): a
            # number of the name not in the text (numbers are exact); a region other than the file
            # mentions (the same test as _decide's: a Dinas or a place name is in every region's
            # roster); a word of the name that no word of the text is close to (fuzz.ratio is
            # symmetric, so `matched` holds every roster word _align could pair with a word of the
            # text, its joined form included).
            if key.numbers and not key.numbers <= digits:
                continue
            if not self._regions_agree(key.regions, mentioned):
                continue
            if key.distinctive and not (matched.issuperset(key.distinctive) or self._joined.get(pid) in matched):
                continue
            score = _score_key(key, toks, words)
            if score is not None:
                scores[pid] = score
        if len(self._segment_cache) > 50_000:
            self._segment_cache.clear()
        self._segment_cache[cache_key] = scores
        return scores

    def _regions_agree(self, own: frozenset[Region], mentioned: tuple[frozenset[Region], ...]) -> bool:
        """regions_agree with every mentioned set; the roster has a few hundred region sets at most."""
        found = self._agree_cache.get((own, mentioned))
        if found is None:
            found = all(regions_agree(own, m) for m in mentioned)
            if len(self._agree_cache) > 200_000:
                self._agree_cache.clear()
            self._agree_cache[(own, mentioned)] = found
        return found

    def _vocabulary_matches(self, word: str) -> tuple[str, ...]:
        found = self._word_cache.get(word)
        if found is None:
            found = tuple(
                match
                for match, _score, _ in process.extract(
                    word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=None
                )
            )
            if len(self._word_cache) > 200_000:
                self._word_cache.clear()
            self._word_cache[word] = found
        return found

    # -- one file ---------------------------------------------------------------------

    def identify(self, path: str, cover: str = "") -> Identification:
        """Identify the participant of an inbox file from its relative path and cover text."""
        mentioned = (self.regions_mentioned(path, in_path=True), self.regions_mentioned(cover))
        by_path = self._decide(*self._best_over(path_segments(path), mentioned, abbreviations=True), mentioned)
        by_cover = self._decide(*self._best_over(cover_segments(cover), mentioned), mentioned)
        return self._combine(by_path, by_cover)

    def regions_mentioned(self, text: str, in_path: bool = False) -> frozenset[Region]:
        """The regions a file's path (abbreviations understood) or its cover mentions.

        The competition's own line ("KIPP KOTA MALANG 2021") names the organiser, not the sender; a
        region said vaguely ("Malang") and precisely ("Kabupaten Malang") is the precise one.
        """
        if in_path:
            _, found = self._name_tokens(text, abbreviations=True)
        else:
            lines = [line for line in _cover_lines(text) if not self._organisers_line(line)]
            _, found = self._name_tokens("\n".join(lines))
        return frozenset(r for r in found if not (r[0] is None and any(o[1] == r[1] and o[0] for o in found)))

    def _organisers_line(self, line: str) -> bool:
        found = self._organiser_cache.get(line)  # covers repeat their lines: each is read once
        if found is None:
            found = bool(_ORGANISER.intersection(tokens(line, frozenset())))
            if len(self._organiser_cache) > 200_000:
                self._organiser_cache.clear()
            self._organiser_cache[line] = found
        return found

    def _best_over(self, segments: list[str], mentioned: tuple[frozenset[Region], ...] = (),
                   abbreviations: bool = False) -> tuple[dict[str, float], set[str]]:
        """Best score per participant over the segments, and the kinds that begin a segment; a
        participant of a region other than the file mentions is not scored (_decide drops it)."""
        best: dict[str, float] = {}
        leading: set[str] = set()
        for seg in segments:
            toks, _ = self._name_tokens(seg, abbreviations)
            if toks and toks[0] in KINDS:
                leading.add(toks[0])
            for pid, score in self._score_tokens(toks, mentioned).items():
                if score > best.get(pid, 0.0):
                    best[pid] = score
        return best, leading

    def _decide(
        self, scores: dict[str, float], leading_kinds: set[str], mentioned: tuple[frozenset[Region], ...] = ()
    ) -> _SourceVerdict:
        # SMP Negeri 17 Kabupaten Malang is no candidate for a file that says Surabaya, in its name or on its cover.
        scores = {
            pid: s for pid, s in scores.items() if all(regions_agree(self.keys[pid].regions, m) for m in mentioned)
        }
        # "SDN Pandanwangi 8 / Dinas Pendidikan dan Kebudayaan" is a school that is not registered,
        # under its Dinas: a supervising unit is no sender where a unit of its children's kind is named.
        scores = {pid: s for pid, s in scores.items() if not (self._child_kinds.get(pid, set()) & leading_kinds)}
        strong = {pid: s for pid, s in scores.items() if s >= ACCEPT}
        if not strong:
            top = max(scores.values(), default=0.0)
            return _SourceVerdict(None, top, ())
        # A cover names the school and, below it, its Dinas: the parent is context, not a sender. So is a
        # unit whose whole name is inside another candidate's (the Dinas of "UPTD PPA Dinas ...").
        parents = set().union(*(self._ancestors[pid] for pid in strong))
        parents |= {a for a in strong for b in strong if a != b and self._name_inside(a, b)}
        strong = {pid: s for pid, s in strong.items() if pid not in parents}
        ranked = sorted(strong.items(), key=lambda kv: (-kv[1], kv[0]))
        top_pid, top_score = ranked[0]
        rivals = tuple(pid for pid, s in ranked[1:] if top_score - s < MARGIN)
        if rivals:
            return _SourceVerdict(None, top_score, (top_pid, *rivals))
        return _SourceVerdict(top_pid, top_score, ())

    def _nested_pairs(self) -> list[tuple[str, str]]:
        """(outer, inner) where a name holds another unit's whole name: "UPT ... pada Satpol PP"."""
        pairs = []
        for outer in self.keys.values():
            if not outer.kind_inside and not (KINDS & set(outer.distinctive)):
                continue
            near = set().union(*(self._by_word.get(w, set()) for w in outer.distinctive))
            pairs += [(outer.participant_id, inner) for inner in near
                      if inner != outer.participant_id and self._name_inside(inner, outer.participant_id)]
        return pairs

    def _name_inside(self, inner: str, outer: str) -> bool:
        a, b = self.keys[inner], self.keys[outer]
        return a.words < b.words and regions_agree(a.regions, b.regions)

    def _combine(self, by_path: _SourceVerdict, by_cover: _SourceVerdict) -> Identification:
        p, c = by_path, by_cover
        if p.pid and c.pid:
            if p.pid == c.pid:
                return Identification(p.pid, max(p.score, c.score), "path+cover")
            if p.pid in self._ancestors[c.pid] or self._name_inside(p.pid, c.pid):
                return Identification(c.pid, c.score, "cover")
            if c.pid in self._ancestors[p.pid] or self._name_inside(c.pid, p.pid):
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
    """Short lines of the cover page, alone and joined to the next one and two (a long agency name
    wraps over up to three lines)."""
    lines = _cover_lines(cover)
    segments = list(lines)
    for width in range(2, COVER_WINDOW + 1):
        segments += [" ".join(lines[i : i + width]) for i in range(len(lines) - width + 1)]
    return segments


def _cover_lines(cover: str) -> list[str]:
    lines = [" ".join(line.split()) for line in cover.splitlines()]
    return [line for line in lines if line and len(line) <= COVER_LINE_CHARS][:COVER_LINES]


def _ancestor_chain(roster: Roster, participant_id: str) -> list[str]:
    """The supervising units above a participant, nearest first."""
    chain: list[str] = []
    current = roster.get(participant_id)
    while current is not None and current.parent_id and current.parent_id not in chain:
        chain.append(current.parent_id)
        current = roster.get(current.parent_id)
    return chain


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
    kind_at = [i for i, t in enumerate(toks) if t == key.kind] if key.kind else []
    covered: set[int] = set()
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
        score, starts, ends, covered = aligned
        # The kind names this unit only right before its name ("Kelurahan Tulusrejo", "SDN 1
        # Sawojajar"); "Kelurahan Tulusrejo Kecamatan Lowokwaru" does not name Kelurahan Lowokwaru.
        before = sorted(
            {k for k in kind_at for first in starts
             if 1 <= first - k <= 2 and all(toks[j].isdigit() for j in range(k + 1, first))}
        )
        # A nested name ("PPA Dinas Pemberdayaan ...") carries its kind among its own words.
        named_by_kind = bool(before) or key.kind_inside
        anchors = before + ends
    # Kinds of the text that are not words of this name name some other unit.
    kinds_here = {t for i, t in enumerate(toks) if t in KINDS and i not in covered}
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
) -> tuple[float, list[int], list[int], set[int]] | None:
    """Mean similarity of each wanted word to its best text word, where the first one starts, where
    each ends, and every position the matched words cover."""
    total = 0.0
    starts: list[int] = []
    ends: list[int] = []
    covered: set[int] = set()
    for n, want in enumerate(wanted):
        cutoff = 100.0 if len(want) <= 4 else TYPO_CUTOFF
        best_score, best_spans = 0.0, None
        spans = words.get(want)
        if spans is not None:
            best_score, best_spans = 100.0, spans
        else:
            for word, spans in words.items():
                s = fuzz.ratio(want, word, score_cutoff=cutoff)
                if s > best_score:
                    best_score, best_spans = s, spans
        if best_spans is None:
            return None
        total += best_score
        if n == 0:
            starts = [start for start, _ in best_spans]
        ends.extend(end for _, end in best_spans)
        for start, end in best_spans:
            covered.update(range(start, end + 1))
    return total / len(wanted), starts, ends, covered


# -- identifications kept across runs ------------------------------------------------------------

# What an identification depends on besides the roster and the generic words: this code and the
# name rules. Their bytes are part of the fingerprint, so an edited rule never reuses an old answer.
_SOURCES = (Path(__file__), Path(__file__).with_name("names.py"))


def identifier_fingerprint(roster: Roster, generic: frozenset[str] = DEFAULT_GENERIC) -> str:
    """A digest of everything an Identifier's answers depend on: the roster as parsed (ids, names,
    categories, parents, in order), the generic words, IDENTIFIER_VERSION and the matching code.
    Equal fingerprints give equal answers for the same path and cover."""
    h = hashlib.sha256()
    h.update(f"identifier:{IDENTIFIER_VERSION}\n".encode())
    h.update(source_digest(_SOURCES).encode())  # no source to read: nothing kept is trusted, every run identifies
    h.update(json.dumps(sorted(generic)).encode())
    h.update(json.dumps([(p.id, p.name, str(getattr(p.category, "value", p.category)), p.parent_id)
                         for p in roster], ensure_ascii=False).encode())
    return h.hexdigest()


def cover_key(cover: str) -> str:
    """The identity of a cover text, for the cache: the identification reads nothing else of a file."""
    return hashlib.sha256(cover.encode("utf-8", "surrogatepass")).hexdigest()


class CachingIdentifier:
    """An Identifier's answers, taken from earlier runs where the roster, the generic words and the
    code are unchanged (`known`, under this `fingerprint`), and worked out only for new (path, cover)
    pairs; the Identifier itself is built only when one is needed. `new` holds what was worked out,
    for the caller to keep."""

    def __init__(self, roster: Roster, generic: frozenset[str] = DEFAULT_GENERIC,
                 known: Mapping[tuple[str, str], Identification] | None = None, fingerprint: str | None = None):
        self.roster = roster
        self.generic = generic
        self.fingerprint = fingerprint or identifier_fingerprint(roster, generic)
        self.known = dict(known or {})
        self.new: dict[tuple[str, str], Identification] = {}
        self._identifier: Identifier | None = None

    @property
    def identifier(self) -> Identifier:
        if self._identifier is None:
            self._identifier = Identifier(self.roster, self.generic)
        return self._identifier

    def identify(self, path: str, cover: str = "") -> Identification:
        key = (path, cover_key(cover))
        found = self.known.get(key) or self.new.get(key)
        if found is None:
            found = self.identifier.identify(path, cover)
            self.new[key] = found
        return found
