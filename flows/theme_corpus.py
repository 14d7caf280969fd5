"""Compatibility alias: models/themes.py still imports `build_held_out` from here. The generator lives in
flows/corpora/themes.py; delete this module once models/ takes the held-out set as a parameter (issue 16)."""

from flows.corpora.themes import build_held_out

__all__ = ["build_held_out"]
