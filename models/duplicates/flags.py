"""Duplicate flags as published: their kinds, severities, admins' decisions and settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from models.records import DocType, InputFormat, Labelled

PRIOR_PREFIX = "prior/"
# Bumped whenever the same documents may give other flags, so that flags cached by an earlier
# version (the duplicates step keys its cache on it) are computed again.
# 2: title flags need the whole innovation name to agree (issue 18, point 8).
FLAGS_VERSION = 2


class DuplicateKind(Labelled):
    EXACT = ("exact", "berkas identik", "identical files")  # the same bytes
    # the same text in another file: a PDF and a DOCX of one proposal
    CROSS_FORMAT = ("cross_format", "teks sama, format lain", "same text, another format")
    NEAR = ("near", "salinan yang disunting", "edited copy")  # an edited copy between participants
    # the text of a proposal from an earlier edition
    PRIOR_EDITION = ("prior_edition", "sama dengan edisi sebelumnya", "same as an earlier edition")
    TITLE = ("title", "nama inovasi sama", "same innovation name")  # the same innovation name


class Severity(Labelled):
    HIGH = ("high", "tinggi", "high")
    MEDIUM = ("medium", "sedang", "medium")
    LOW = ("low", "rendah", "low")
    INFO = ("info", "info", "info")  # one participant's own files, e.g. its PDF and DOCX of one proposal


class Decision(Labelled):
    """An admin's verdict on a flag; flags never block, the verdict is only shown."""

    CONFIRMED = ("confirmed", "dikonfirmasi", "confirmed")
    DISMISSED = ("dismissed", "ditolak", "dismissed")


_SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2, Severity.INFO: 3}
_KIND_RANK = {kind: rank for rank, kind in enumerate(DuplicateKind)}


@dataclass(frozen=True, slots=True)
class DocText:
    """One document's text, as the intake read it."""

    path: str  # inbox-relative, or "prior/<path>" for an earlier edition
    sha256: str
    text: str  # full extracted text, already NFKC-normalised
    participant_id: str | None
    doc_type: DocType | None
    title: str | None = None  # the innovation's name if known; otherwise read from the text's first lines
    edition: str | None = None  # set for earlier editions' documents, e.g. "2020"
    format: InputFormat | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """Matching text of the two documents, side by side."""

    a: str
    b: str
    words: int  # length of the match in a, in words
    similarity: float  # 0-1, character-level (rapidfuzz ratio) of a and b

    def to_json(self) -> dict:
        return {"a": self.a, "b": self.b, "words": self.words, "similarity": round(self.similarity, 3)}


@dataclass(frozen=True, slots=True)
class DuplicateFlag:
    """Two documents that judges should see together; a flag never blocks a document."""

    a: str  # a current document (of two, the one whose path sorts first)
    b: str  # the other current document, or the earlier edition's as "prior/<path>"
    kind: DuplicateKind
    score: float  # 0-1; for near: share of the smaller document's own text found in the other
    evidence: tuple[Passage, ...]  # longest first
    severity: Severity
    edition: str | None = None  # of b, for an earlier edition's document
    a_sha256: str | None = None
    b_sha256: str | None = None
    a_participant: str | None = None
    b_participant: str | None = None
    decision: Decision | None = None

    @property
    def key(self) -> str:
        return decision_key(self)

    def to_json(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind.value,
            "score": round(self.score, 4),
            "evidence": [p.to_json() for p in self.evidence],
            "severity": self.severity.value,
            "edition": self.edition,
            "decision": self.decision.value if self.decision else None,
            "a_participant": self.a_participant,
            "b_participant": self.b_participant,
            "a_sha256": self.a_sha256,
            "b_sha256": self.b_sha256,
            "key": self.key,
        }


@dataclass(frozen=True, slots=True)
class DuplicateSettings:
    shingle_words: int = 5  # a shingle is this many consecutive words
    mask_names: bool = True  # every run of capitalised words counts as one and the same word
    # A shingle in more than this many distinct texts is template (regulations, standard tables,
    # a shared school format) and is ignored; a copy ring rarely has more members than this.
    max_df: int = 10
    # In a small corpus the cap is this share of the texts instead (never below 2), so that a
    # passage shared by 4 of 6 documents counts as template too.
    max_df_share: float = 0.25
    # Measured with `kipp bench duplicates --eval`: planted copies (names changed, 20-40%
    # of sentences edited) score 0.46 and up, unrelated and merely templated pairs 0.08 at most.
    near_threshold: float = 0.25
    near_high: float = 0.5  # near flags at or above this are high severity, below it medium
    min_shared: int = 20  # fewer shared shingles than this are a coincidence, whatever the share
    # Two files in different formats whose shingles (all of them) overlap this much hold one text.
    same_text_similarity: float = 0.9
    min_text_chars: int = 200  # shorter texts (an unreadable scan) are compared by bytes only
    # Two innovation names are compared word by word (same_innovation_name) when the rapidfuzz
    # token_sort_ratio of their spelt-out names reaches this; it only picks the candidates.
    title_threshold: float = 80.0
    evidence_passages: int = 3
    evidence_chars: int = 400
    evidence_min_words: int = 8
    workers: int = 1  # threads for rapidfuzz's title comparison


def decision_key(flag: DuplicateFlag) -> str:
    """A key for an admin's decision that survives reruns: the kind and the two contents.

    Content hashes, not paths, so renaming a file keeps its decision and a new version of a file
    (a new sha256) is looked at again. Paths stand in only when a hash is unknown.
    """
    x, y = sorted((flag.a_sha256 or flag.a, flag.b_sha256 or flag.b))
    return f"{flag.kind.value}:{x}:{y}"


def apply_decisions(flags: Iterable[DuplicateFlag], decisions: Mapping[str, str]) -> list[DuplicateFlag]:
    """The flags with the stored decisions (key -> "confirmed" | "dismissed") carried on them."""
    out = []
    for flag in flags:
        value = decisions.get(decision_key(flag))
        if value is None:
            out.append(flag)
            continue
        try:
            decision = Decision(value)
        except ValueError:
            raise ValueError(f"{decision_key(flag)}: unknown decision {value!r}") from None
        out.append(replace(flag, decision=decision))
    return out
