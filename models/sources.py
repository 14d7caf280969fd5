"""The digest of source files: what a cached answer (an identification, a document type, a theme, a
judges' plan) was computed by, so that an upgraded or edited kipp never reuses an old answer."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def source_digest(paths: Iterable[Path], *extra: str) -> str:
    """The sha256 of these files' bytes, in order, and of `extra` (a version, say).

    A file that cannot be read (a frozen install without its sources) makes a digest of its own on
    every call: nothing kept under it is trusted, and the answer is computed again."""
    h = hashlib.sha256()
    for path in paths:
        try:
            h.update(hashlib.sha256(Path(path).read_bytes()).digest())
        except OSError:
            h.update(os.urandom(16))
    for text in extra:
        h.update(f"\n{text}".encode())
    return h.hexdigest()
