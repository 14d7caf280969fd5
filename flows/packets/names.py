"""Names of what goes into a packet: whatever a participant or judge id holds, a plain ASCII name.

Ids come from CSV files an admin typed and paths from whatever was submitted, and a packet is
unzipped on the judge's own machine (Windows, macOS): a name there must never climb out of the
folder (`..`, `/`, `\\`, a drive, an absolute path), hide (a leading dot), reorder what is read
(`\\u202e`), hold a control character, or exceed what a file system takes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Letters, digits, `-` and `_`: never a separator, a dot, a space or anything a shell or Windows reads.
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9_-]+")
_EDGE = "-_"
MAX_ID_CHARS = 60  # of a participant or judge id in a name; 2 + 1 + 60 + 1 + 20 + 1 + 8 = 93 < 255
MAX_DOC_CHARS = 20
MAX_EXT_CHARS = 8
# Names Windows refuses for a file or folder, whatever the extension (CON.txt is the console too).
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def safe_segment(text: str, max_chars: int = MAX_ID_CHARS, fallback: str = "x") -> str:
    """`text` as one name segment of ASCII letters, digits, `-` and `_`, at most `max_chars` long.

    Accented letters lose their accents (`é` -> `e`), every other run of characters becomes one `-`,
    and `-`/`_` are trimmed from both ends; nothing left gives `fallback`.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if ch.isascii())
    segment = _UNSAFE_RUN.sub("-", ascii_text).strip(_EDGE)[:max_chars].strip(_EDGE)
    return segment or fallback


def safe_name(number: int, participant_id: str, doc: str, ext: str) -> str:
    """The name of one file of a packet: `03_sd-sawojajar-1_inovasi.pdf`.

    `number` is the proposal's place in the packet (two digits at least), so two ids that read the
    same once made safe still give two names. `ext` is what the file is (its InputFormat), never
    the submitted name's suffix; an extension with nothing safe in it is left off.
    """
    if number < 0:
        raise ValueError(f"a packet number is never negative: {number}")
    name = f"{number:02d}_{safe_segment(participant_id)}_{safe_segment(doc, MAX_DOC_CHARS, 'berkas')}"
    extension = re.sub(r"[^a-z0-9]", "", ext.lower())[:MAX_EXT_CHARS]
    return f"{name}.{extension}" if extension else name


def safe_dir_name(judge_id: str) -> str:
    """A judge's packet folder (and zip) name: the id itself when it is already safe, else its safe
    form with a short hash of the id, so that `a/b` and `a_b` never share a folder."""
    segment = safe_segment(judge_id)
    if segment == judge_id and segment.lower() not in _WINDOWS_RESERVED:
        return segment
    digest = hashlib.sha256(judge_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{segment}-{digest}"
