"""The README documents what the code publishes."""

from __future__ import annotations

import re
from pathlib import Path

from models.records import Reason, Status

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_reason_code_is_documented_and_no_other() -> None:
    table = re.findall(r"^\| `([a-z_]+)` \| (accepted|quarantined|ignored|superseded) \|", README, re.M)
    assert {code for code, _ in table} == {r.value for r in Reason}
    assert {state for _, state in table} <= {s.value for s in Status}
    # The state the README gives is the state the code puts a file with that reason in.
    assert {code: state for code, state in table} == {r.value: r.state.value for r in Reason}


def test_readme_set_up_commands_exist_in_the_makefile() -> None:
    makefile = (Path(__file__).parent.parent / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.M)
