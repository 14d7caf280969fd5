"""The themes a proposal may have: the taxonomy file, its checks, and the errors of the theme package."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import InputError
from models.language import say

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_TAXONOMY_PATH = DATA_DIR / "themes.json"
# The themes of the default taxonomy, which the held-out generator writes proposals for.
DEFAULT_THEME_IDS = ("kesehatan", "pendidikan", "administrasi_kependudukan", "pendapatan_daerah",
                     "perlindungan_anak_keluarga", "kesejahteraan_sosial", "lingkungan_hidup", "ekonomi_umkm",
                     "tata_kelola_perencanaan", "perizinan_investasi", "infrastruktur_transportasi",
                     "ketertiban_kebencanaan")

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------------------------- errors

class ThemeError(InputError):
    """A theme input (taxonomy, corrections, samples) cannot be used; the message says which and why."""


class TaxonomyError(ThemeError):
    """The taxonomy file is missing, not JSON, or has bad or duplicate theme ids."""


class CorrectionsError(ThemeError):
    """The corrections CSV cannot be used; the message names the file and the line numbers."""


class ThemeModelError(ThemeError):
    """The saved theme model cannot be used; the caller should retrain it."""


class IncompatibleModelError(ThemeModelError):
    """The saved model was written with another FORMAT_VERSION or another scikit-learn version."""


class ModelTaxonomyMismatchError(ThemeModelError):
    """The saved model was trained for another taxonomy (its hash differs)."""


class CorruptModelError(ThemeModelError):
    """The saved model file is truncated or not a theme model."""


# ------------------------------------------------------------------------------------------- taxonomy

@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    label: str
    description: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    name: str = ""
    source: Path | None = None
    _by_id: dict[str, Theme] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((t.id, t) for t in self.themes)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def get(self, theme_id: str) -> Theme:
        return self._by_id[theme_id]

    def label(self, theme_id: str) -> str:
        return self._by_id[theme_id].label

    @property
    def hash(self) -> str:
        """Content hash: a saved model is only reused for the very same themes, labels and lexicons."""
        canon = json.dumps([[t.id, t.label, t.description, list(t.keywords)] for t in self.themes],
                           ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]

    def resolve(self, value: str) -> str | None:
        """Theme id for an id or a label typed by an admin, in any case; None when unknown."""
        key = value.strip().casefold()
        for t in self.themes:
            if key in (t.id.casefold(), t.label.casefold()):
                return t.id
        return None


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The default KIPP taxonomy, or a user's replacement (e.g. the SDGs) in the same JSON shape."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise TaxonomyError(say(f"{path}: berkas taksonomi tidak ada", f"{path}: taxonomy file not found")) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TaxonomyError(say(f"{path}: bukan taksonomi JSON yang terbaca: {e}",
                                f"{path}: not a readable JSON taxonomy: {e}")) from e
    entries = raw.get("themes") if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(say(f"{path}: diharapkan daftar yang tidak kosong di bawah \"themes\"",
                                f"{path}: expected a non-empty list under \"themes\""))
    themes: list[Theme] = []
    problems: list[str] = []
    for i, entry in enumerate(entries, 1):
        at = say(f"tema #{i}", f"theme #{i}")
        if not isinstance(entry, dict):
            problems.append(say(f"{at}: bukan objek", f"{at}: not an object"))
            continue
        tid, label = entry.get("id"), entry.get("label")
        description, keywords = entry.get("description", ""), entry.get("keywords", [])
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            problems.append(say(f"{at}: id {tid!r} harus huruf kecil, angka dan garis bawah",
                                f"{at}: id {tid!r} must be lowercase letters, digits and underscores"))
            continue
        if any(t.id == tid for t in themes):
            problems.append(say(f"{at}: id {tid!r} ganda", f"{at}: duplicate id {tid!r}"))
            continue
        at = say(f"tema {tid!r}", f"theme {tid!r}")
        if not isinstance(label, str) or not label.strip():
            problems.append(say(f"{at}: label tidak ada", f"{at}: missing label"))
            continue
        if not isinstance(description, str):
            problems.append(say(f"{at}: description harus teks", f"{at}: description must be text"))
            continue
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            problems.append(say(f"{at}: keywords harus daftar teks", f"{at}: keywords must be a list of strings"))
            continue
        themes.append(Theme(tid, label.strip(), description.strip(), tuple(k.strip() for k in keywords if k.strip())))
    if problems:
        raise TaxonomyError(f"{path}: " + "; ".join(problems))
    if len(themes) < 2:
        raise TaxonomyError(say(f"{path}: taksonomi perlu paling sedikit dua tema", f"{path}: a taxonomy needs at least two themes"))
    name = raw.get("name", "") if isinstance(raw, dict) else ""
    return Taxonomy(tuple(themes), str(name), path)
