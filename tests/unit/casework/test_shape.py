"""Case work keeps the shape of every context: only ``adapters/`` talks to DynamoDB, and no
import of a case-work module leads back to it, not even one inside a function or for type
checkers only (the repositories once imported key constants from use cases, which name the
e-services' bootstrap, which built the repositories)."""
from __future__ import annotations

import ast
from pathlib import Path

import services

ROOT = Path(services.__file__).parent
CASEWORK = ROOT / "eservices" / "casework"
STORE_MODULES = ("boto3", "botocore", "services.adapters.aws", "services.adapters.dynamo", "services.adapters.store")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, typing_too: bool = False) -> set[str]:
    """What a module imports anywhere in it; for type checkers too if ``typing_too``."""
    module, tree = _module(path), ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if not typing_too and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            todo.extend(node.orelse)  # what is under it is for type checkers only
            continue
        todo.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor) + (f".{base}" if base else "")
            found.update(f"{base}.{a.name}" for a in node.names)
            found.add(base)
    return found


def _modules(folder: Path) -> dict[str, Path]:
    return {_module(p): p for p in folder.rglob("*.py")}


def test_given_case_work_when_its_modules_are_read_then_only_adapters_import_the_store():
    outside = {m: sorted(i for i in _imports(p) if i.startswith(STORE_MODULES))
               for m, p in _modules(CASEWORK).items() if ".casework.adapters" not in m}
    assert {m: found for m, found in outside.items() if found} == {}


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that import one another round (strongly connected, more than one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = set()
            while True:
                n = stack.pop()
                group.add(n)
                if n == m:
                    break
            if len(group) > 1:
                found.append(group)

    for m in graph:
        if m not in index:
            visit(m)
    return found


def test_given_the_eservices_when_imports_are_followed_from_case_work_then_none_leads_back():
    modules = _modules(CASEWORK.parent)
    graph = {m: {i for i in _imports(p, typing_too=True) if i in modules and i != m} for m, p in modules.items()}
    assert [sorted(c) for c in _circles(graph) if any(".casework" in m for m in c)] == []
