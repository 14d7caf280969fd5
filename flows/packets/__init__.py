"""The judges' packets: for each judge, the originals of their proposals, a screening sheet for each,
an index page with the criteria, and a scoring sheet (XLSX and CSV) to fill in and send back.

- names: safe file and folder names, whatever an id or a submitted name holds.
- criteria: the judging criteria and scale (Kota Malang's five by default, or a CSV).
- sheets: the scoring sheet, with hidden identifiers so a returned one can be read back.
- pages: index.html and the screening sheets (the report pages' templates, autoescaped).
- archive: reproducible zips (sorted, one fixed time and mode).
- build: one judge's packet folder and zip, swapped in whole.
"""

from __future__ import annotations

from flows.packets.build import INDEX, build_packet, packet_id
from flows.packets.criteria import DEFAULT_CRITERIA, Criteria, CriteriaError, Criterion, load_criteria, parse_criteria
from flows.packets.names import safe_dir_name, safe_name, safe_segment
from flows.packets.records import PacketFiles, PacketProblem, PacketProposal

__all__ = [
    "DEFAULT_CRITERIA", "INDEX", "Criteria", "CriteriaError", "Criterion", "PacketFiles", "PacketProblem",
    "PacketProposal", "build_packet", "load_criteria", "packet_id", "parse_criteria", "safe_dir_name", "safe_name",
    "safe_segment",
]
