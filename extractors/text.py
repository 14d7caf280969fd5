"""Normalisation of extracted text: NFKC (ligatures, full-width forms) and hyphenated line ends."""

from __future__ import annotations

import re
import unicodedata

_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad]\n(\w)")
_SOFT_HYPHEN = "\u00ad"
_SPACES = re.compile(r"[ \t\u00a0]+")


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = text.replace(_SOFT_HYPHEN, "").replace("\x00", "")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
