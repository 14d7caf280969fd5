"""One hierarchy for the errors that kipp-intake raises itself."""

from __future__ import annotations

from models.records import Reason


class KippError(Exception):
    """Base class of every error raised by kipp-intake."""


class RosterError(KippError):
    """The roster file cannot be used; the message names the file and the lines."""


class ExtractionError(KippError):
    """A file could not be read; `reason` is the code published for it."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason
