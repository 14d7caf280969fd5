"""The language a person reads kipp in: Indonesian, or English (`kipp --lang en`, KIPP_LANG).

One setting for the whole command, like a locale: the CLI sets it once, and every page, spreadsheet,
summary line and error message made under it reads it, inside the flow too (Prefect runs a sync flow
and its tasks in the caller's thread and context). It lives in models/ because the errors raised
here are user-facing lines too; it imports nothing of kipp. What stays Indonesian whatever the
setting: screening.json and the ledger (codes and what was recorded), the messages sent to
participants (README, *Language*). Help texts, written before the language is known, carry both
languages in one string (`both`) and are cut to one (`pick`) when shown. Light to import: `kipp --help` reads LANGUAGES.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

LANGUAGES = ("id", "en")

_current: ContextVar[str] = ContextVar("kipp_language", default="id")


def current_language() -> str:
    return _current.get()


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Render in `lang` within the block."""
    if lang not in LANGUAGES:
        raise ValueError(f"{lang!r}: not one of {', '.join(LANGUAGES)}")
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


@dataclass(frozen=True, slots=True)
class Words:
    """A header or a phrase in both languages, written together like a Labelled code."""

    id: str
    en: str

    def text(self, lang: str | None = None) -> str:
        return self.en if (lang or current_language()) == "en" else self.id


def say(indonesian: str, english: str) -> str:
    """A message in the current language; both are written where the message is, so neither can be missing."""
    return english if current_language() == "en" else indonesian


# Between the two languages of a text written before the language is known (a command's help): click's
# own mark for "the help ends here", so a plain click command still shows the Indonesian only.
CUT = "\f"


def both(indonesian: str, english: str) -> str:
    """One text in both languages, for a place that is filled before the language is chosen (a help text)."""
    return f"{indonesian}{CUT}{english}"


def pick(text: str, lang: str | None = None) -> str:
    """The part of a `both` text (or of a docstring with `CUT` between the languages) in `lang`; a text
    in one language only is itself."""
    from inspect import cleandoc

    indonesian, cut, english = cleandoc(text).partition(CUT)
    return (english if cut and (lang or current_language()) == "en" else indonesian).strip()


YES_NO = (Words("ya", "yes"), Words("tidak", "no"))


def yes_no(value: bool) -> str:
    return YES_NO[0 if value else 1].text()
