"""Labelled samples the classifier learns from: the seed set, each theme's lexicon, admins' corrections."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from models.language import say
from models.records import Category
from models.themes import features
from models.themes.features import LabelledText, ThemeInput, compose_document
from models.themes.taxonomy import (
    DATA_DIR,
    DEFAULT_THEME_IDS,
    CorrectionsError,
    Taxonomy,
    ThemeError,
)

SEED_PATH = DATA_DIR / "theme_seed.csv"
# The urusan pemerintahan of UU 23/2014's annex and the program nomenclature of Kepmendagri 050-5889/2021,
# mapped onto the default themes, each entry with its source (transcribed, see the file's note).
VOCABULARY_PATH = DATA_DIR / "urusan_vocabulary.json"
USE_VOCABULARY = True  # a switch for measuring with and without it


def _read_seed_rows(path: Path = SEED_PATH) -> list[LabelledText]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [LabelledText(r["text"], r["theme"], Category(r["category"]) if r.get("category") else None)
                for r in csv.DictReader(fh)]


def lexicon_samples(taxonomy: Taxonomy) -> list[LabelledText]:
    """Training rows from each theme's label, description and keywords: the cold start of a custom taxonomy."""
    out: list[LabelledText] = []
    for theme in taxonomy.themes:
        out.append(LabelledText(f"{theme.label}. {theme.description}", theme.id))
        for sentence in re.split(r"[:;.]\s+", theme.description):
            if len(sentence.split()) >= 3:
                out.append(LabelledText(sentence, theme.id))
        keywords = list(theme.keywords)
        rng = random.Random(theme.id)  # stable across runs, so the model fingerprint is too
        for _ in range(2):
            rng.shuffle(keywords)
            out.extend(LabelledText(", ".join(keywords[i:i + 3]), theme.id) for i in range(0, len(keywords), 3))
    return out


@lru_cache(maxsize=1)
def _vocabulary_entries() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    raw = json.loads(VOCABULARY_PATH.read_text(encoding="utf-8"))
    return tuple((e["theme"], e["name"], tuple(e["terms"])) for e in raw["entries"])


def _vocabulary_hash() -> str:
    return hashlib.sha256(VOCABULARY_PATH.read_bytes()).hexdigest()[:16] if USE_VOCABULARY else "-"


def reference_samples(taxonomy: Taxonomy) -> list[LabelledText]:
    """Training rows from the official vocabulary (urusan_vocabulary.json) for the default themes: each
    entry whole, and its terms three at a time. [] for a taxonomy without every default theme."""
    if not USE_VOCABULARY or not set(DEFAULT_THEME_IDS) <= set(taxonomy.ids):
        return []
    out: list[LabelledText] = []
    for theme, name, terms in _vocabulary_entries():
        out.append(LabelledText(f"{name}: {', '.join(terms)}", theme))
        out.extend(LabelledText(", ".join(terms[i:i + 3]), theme) for i in range(0, len(terms), 3))
    return out


def seed_samples(taxonomy: Taxonomy) -> list[LabelledText]:
    """The committed seed rows whose theme the taxonomy has; [] for a taxonomy with other ids."""
    return [s for s in _read_seed_rows() if s.theme in taxonomy]


def _check_samples(taxonomy: Taxonomy, samples: Sequence[LabelledText]) -> None:
    unknown = sorted({s.theme for s in samples if s.theme not in taxonomy})
    if unknown:
        raise ThemeError(say(f"sampel latih memakai tema yang tidak ada di taksonomi: {', '.join(unknown)}",
                             f"training samples use themes missing from the taxonomy: {', '.join(unknown)}"))


def _features_hash() -> str:
    """What preprocessing drops: a change of the word lists is a change of model."""
    return hashlib.sha256(" ".join(sorted(features._DROPPED)).encode()).hexdigest()[:8]


def _fingerprint(taxonomy: Taxonomy, samples: Sequence[LabelledText], stem: bool) -> str:
    """The same for the same samples in any order: `kipp themes train` and a run list them differently."""
    h = hashlib.sha256(f"{taxonomy.hash}|{stem}|{_vocabulary_hash()}|{_features_hash()}".encode())
    for line in sorted(f"\x1e{s.theme}\x1f{s.category or ''}\x1f{s.text}" for s in samples):
        h.update(line.encode("utf-8"))
    return h.hexdigest()[:16]


# ------------------------------------------------------------------------------------------ corrections

def load_corrections(path: Path, taxonomy: Taxonomy) -> dict[str, str]:
    """participant_id -> theme id from an admin's CSV `participant_id,theme`; every bad line is reported."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            lines = list(csv.reader(fh))
    except FileNotFoundError as e:
        raise CorrectionsError(say(f"{path}: berkas koreksi tidak ada", f"{path}: corrections file not found")) from e
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CorrectionsError(say(f"{path}: koreksi tidak dapat dibaca: {e}", f"{path}: cannot read corrections: {e}")) from e
    if not lines:
        return {}
    header = [h.strip().lower() for h in lines[0]]
    if "participant_id" not in header or "theme" not in header:
        raise CorrectionsError(say(f"{path}: baris 1: diharapkan judul kolom participant_id,theme, "
                                   f"ternyata {','.join(lines[0])!r}",
                                   f"{path}: line 1: expected a header with columns participant_id,theme, "
                                   f"found {','.join(lines[0])!r}"))
    pid_col, theme_col = header.index("participant_id"), header.index("theme")
    result: dict[str, str] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for lineno, row in enumerate(lines[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        at = say(f"baris {lineno}", f"line {lineno}")
        if len(row) <= max(pid_col, theme_col):
            problems.append(say(f"{at}: diharapkan participant_id,theme, ternyata {','.join(row)!r}",
                                f"{at}: expected participant_id,theme, found {','.join(row)!r}"))
            continue
        pid, value = row[pid_col].strip(), row[theme_col].strip()
        if not pid:
            problems.append(say(f"{at}: participant_id kosong", f"{at}: empty participant_id"))
            continue
        theme = taxonomy.resolve(value) if value else None
        if theme is None:
            problems.append(say(f"{at}: tema {value!r} tidak dikenal (yang ada: {', '.join(taxonomy.ids)})",
                                f"{at}: unknown theme {value!r} (known: {', '.join(taxonomy.ids)})"))
            continue
        if pid in result and result[pid] != theme:
            problems.append(say(f"{at}: {pid} dikoreksi menjadi {theme}, tetapi menjadi {result[pid]} "
                                f"di baris {first_line[pid]}",
                                f"{at}: {pid} corrected to {theme} but to {result[pid]} on line {first_line[pid]}"))
            continue
        result[pid] = theme
        first_line.setdefault(pid, lineno)
    if problems:
        raise CorrectionsError(f"{path}: " + "; ".join(problems))
    return result


def correction_samples(inputs: Iterable[ThemeInput], corrections: Mapping[str, str]) -> list[LabelledText]:
    """A corrected participant's proposal, labelled with the corrected theme, as training data."""
    return [LabelledText(compose_document(i.title, i.text), corrections[i.participant_id], i.category)
            for i in inputs if i.participant_id in corrections]
