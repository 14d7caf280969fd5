"""Imports run one way: flows/ -> extractors/ -> models/, never back, and never in a circle.

The graph is read from the source with ast, every import counted: at the top, inside a function,
or under `if TYPE_CHECKING:` (a circle there is still a circle to a reader).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "extractors")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """module -> the modules it imports (any top-level name, ours or not), for every module of `packages`."""
    files = {module_name(root, p): p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's own package, `level` steps up
                    package = name.split(".") if is_package else name.split(".")[:-1]
                    package = package[: len(package) - node.level + 1]
                    base = ".".join([*package, base] if base else package)
                for alias in node.names:
                    # `from models.themes import model` imports the module models.themes.model
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in files else base)
        graph[name] = targets
    return graph


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that runs the wrong way, and every circle among the modules of the graph."""
    found = []
    for module, targets in sorted(graph.items()):
        if module.split(".")[0] != "models":
            continue
        for target in sorted(targets):
            top = target.split(".")[0]
            if top in ("flows", "extractors"):
                found.append(f"{module} imports {target}: models/ is the domain and imports neither flows/ nor extractors/")
    for module, target in sorted((m, t) for m, ts in graph.items() for t in ts):
        if module.split(".")[0] == "extractors" and target.split(".")[0] == "flows":
            found.append(f"{module} imports {target}: extractors/ never imports flows/")
    found += [" -> ".join(cycle) for cycle in cycles(graph)]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan), written as a path back to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue  # another library, or flows/: not part of this graph
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph.get(v, ()):
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path(graph, group) for group in groups]


def _path(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A circle through the group's first module, found breadth first."""
    start, members = group[0], set(group)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & members):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if w not in previous:
                previous[w] = v
                queue.append(w)
    return [*group, start]


def test_models_import_nothing_from_flows_or_extractors_and_nothing_imports_in_a_circle() -> None:
    graph = import_graph(ROOT)
    assert {"models.records", "models.themes.model", "models.duplicates.compare", "extractors.limits"} <= graph.keys()
    assert violations(graph) == []


def test_the_check_finds_a_wrong_way_import_and_a_circle_through_type_checking(tmp_path: Path) -> None:
    # The circle issue 16 found: errors -> records -> themes -> errors, the middle step under TYPE_CHECKING.
    files = {
        "models/__init__.py": "",
        "models/errors.py": "from models.records import Reason\n",
        "models/records.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from models.themes import T\n",
        "models/themes/__init__.py": "from .model import T\n",
        "models/themes/model.py": "from models.errors import InputError\n\ndef f():\n    from flows.theme_corpus import x\n",
        "models/settings.py": "from extractors.limits import Limits\n",
        "extractors/__init__.py": "",
        "extractors/limits.py": "from models.errors import E\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = violations(import_graph(tmp_path))
    assert "models.themes.model imports flows.theme_corpus: models/ is the domain and imports neither flows/ nor extractors/" in found
    assert any(v.startswith("models.settings imports extractors.limits") for v in found)
    circle = [v for v in found if " -> " in v]
    assert circle == ["models.errors -> models.records -> models.themes -> models.themes.model -> models.errors"]


def kipp_variables_read_outside(root: Path, allowed: str = "models/settings.py") -> list[str]:
    """`file: KIPP_X` for every KIPP_ variable named in models/ or extractors/ outside `allowed`."""
    import re

    name = re.compile(r"^KIPP_[A-Z0-9_]+$")
    found = []
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                is_name = isinstance(node, ast.Constant) and isinstance(node.value, str) and name.match(node.value)
                if is_name and rel != allowed:
                    found.append(f"{rel}: {node.value}")
    return found


def test_kipp_variables_are_read_in_models_settings_only(tmp_path: Path) -> None:
    assert kipp_variables_read_outside(ROOT) == []
    (tmp_path / "extractors").mkdir()
    (tmp_path / "extractors" / "limits.py").write_text('import os\nS = os.environ.get("KIPP_OCR_PAGES")\n')
    assert kipp_variables_read_outside(tmp_path) == ["extractors/limits.py: KIPP_OCR_PAGES"]
