"""Who may import whom, read from the source with ``ast`` (every import, also those inside a
function): the shared ``services`` package never imports the deploy configuration (``infra``),
and the entrypoints (the HTTP operations, the web toolkit and its sections) form no import circle,
so a new web section can be added without touching the toolkit."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ROOT / "services"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The absolute names of the modules ``path`` imports (``from . import x`` as ``pkg.x``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{a.name}" for a in node.names)
    return found


def graph(folder: Path) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in folder.rglob("*.py")}
    return {name: {i for i in imports_of(path) if i in modules and i != name} for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_nothing_in_services_imports_the_deploy_configuration():
    offenders = sorted(module_name(p) for p in SERVICES.rglob("*.py")
                       if any(i == "infra" or i.startswith("infra.") for i in imports_of(p)))
    assert offenders == []


def test_the_entrypoints_and_the_web_toolkit_form_no_import_circle():
    edges = graph(SERVICES / "entrypoints")
    # a package imports its own modules only as ``from . import x``; that is not a circle
    edges = {name: {i for i in targets if not name.startswith(i + ".")} for name, targets in edges.items()}
    assert cycles(edges) == []


def test_the_web_toolkit_knows_no_section():
    """The toolkit (request cycle, sessions, rendering, form machinery) imports no section's views:
    each section is served by passing its ``Section`` to ``serve``."""
    web = SERVICES / "entrypoints" / "web"
    toolkit = [p for p in web.rglob("*.py") if "citizen" not in p.relative_to(web).parts]
    offenders = sorted(module_name(p) for p in toolkit
                       if any(".web.citizen" in i or i.endswith(".web.views") for i in imports_of(p)))
    assert offenders == []


def test_the_eservices_use_cases_know_no_http():
    """A use case takes domain values (an ``Acting``, the command's fields): nothing in the
    e-services imports the HTTP entrypoints or Chalice."""
    offenders = sorted(module_name(p) for p in (SERVICES / "eservices").rglob("*.py")
                       if any(i.startswith(("services.entrypoints", "chalice")) for i in imports_of(p)))
    assert offenders == []
