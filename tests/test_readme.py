"""The README documents what the code publishes."""

from __future__ import annotations

import re
from pathlib import Path

from models.records import FileStatus, Reason

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_reason_code_is_documented_and_no_other() -> None:
    table = re.findall(r"^\| `([a-z_]+)` \| (accepted|quarantined|ignored|superseded) \|", README, re.M)
    assert {code for code, _ in table} == {r.value for r in Reason}
    assert {state for _, state in table} <= {s.value for s in FileStatus}
    # The state the README gives is the state the code puts a file with that reason in.
    assert {code: state for code, state in table} == {r.value: r.state.value for r in Reason}


def test_readme_set_up_commands_exist_in_the_makefile() -> None:
    makefile = (Path(__file__).parent.parent / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.M)


def test_the_layout_names_every_module_and_package() -> None:
    """README's Layout section matches the tree: every module and package of the code is named there."""
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    root = Path(__file__).parent.parent
    missing = []
    for top in ("flows", "extractors", "models"):
        for path in (root / top).rglob("*.py"):
            if "__pycache__" in path.parts or path.name == "__init__.py":
                continue
            if path.name not in layout:
                missing.append(path.relative_to(root).as_posix())
        for folder in (root / top).iterdir():
            if folder.is_dir() and folder.name != "__pycache__" and f"{folder.name}/" not in layout:
                missing.append(folder.relative_to(root).as_posix() + "/")
    assert not missing, f"README Layout does not name: {missing}"
