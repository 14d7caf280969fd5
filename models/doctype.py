"""Which of the two proposals a file is: Inovasi or Kinerja, from its cover and its name."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from rapidfuzz import fuzz

from models.names import fold
from models.records import DocType

# Cover titles. The competition's own name ("Kompetisi Inovasi Pelayanan Publik") stands on
# Kinerja covers too, so "inovasi" alone proves nothing while "kinerja" in a title does.
_STRONG = {
    DocType.KINERJA: re.compile(
        r"proposal\s+kinerja|kinerja\s+penyelenggaraan|penyelenggaraan\s+pelayanan\s+publik"
    ),
    DocType.INOVASI: re.compile(
        r"proposal\s+(kompetisi\s+)?inovasi|(judul|nama)\s+inovasi|inovasi\s+pelayanan\s+publik"
    ),
}
_COMPETITION = re.compile(r"kompetisi\s+inovasi\s+pelayanan\s+publik")
_WORDS = {DocType.INOVASI: ("inovasi", "inov"), DocType.KINERJA: ("kinerja", "knj")}
COVER_CHARS = 1500


def doc_type_from_cover(cover: str) -> DocType | None:
    """The type whose title stands first on the cover; None when the cover names neither."""
    text = " ".join(re.sub(r"[^0-9a-z]+", " ", fold(cover[:COVER_CHARS])).split())
    # "Proposal Kompetisi Inovasi Pelayanan Publik" is an Inovasi title, but the bare competition
    # name under a Kinerja title is not: judge it only after the Kinerja patterns had their turn.
    first: tuple[int, DocType] | None = None
    for doc_type, pattern in _STRONG.items():
        for m in pattern.finditer(text):
            if doc_type is DocType.INOVASI and _is_competition_name(text, m.start()):
                continue
            if first is None or m.start() < first[0]:
                first = (m.start(), doc_type)
            break
    return first[1] if first else None


def _is_competition_name(text: str, pos: int) -> bool:
    start = max(0, pos - len("kompetisi "))
    return bool(_COMPETITION.match(text, start)) and not text.startswith("proposal", max(0, start - 9))


def doc_type_from_path(path: str) -> DocType | None:
    """The type a file's name or folders say, when they say exactly one."""
    p = PurePosixPath(path)
    words = re.sub(r"[^a-z]+", " ", fold(" ".join([*p.parts[:-1], p.stem]))).split()
    found = {
        doc_type
        for doc_type, wanted in _WORDS.items()
        for word in words
        for want in wanted
        if word == want or (len(want) >= 5 and len(word) >= 5 and fuzz.ratio(word, want) >= 85)
    }
    return found.pop() if len(found) == 1 else None


def detect_doc_type(path: str, cover: str) -> DocType | None:
    """The cover decides when it has a title; the name when it does not."""
    return doc_type_from_cover(cover) or doc_type_from_path(path)
