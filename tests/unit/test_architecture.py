"""The shape of services/ (docs/architecture.md, "Layers"), checked on the source itself:

- only code in a folder named ``adapters`` talks to AWS: no other module imports boto3, botocore
  or the shared DynamoDB helpers, and only the entrypoints (which wire them) the lazy clients of
  ``services/adapters/aws.py``;
- the shared package never imports deployment configuration (``infra``);
- no import circle between the modules of ``services/``;
- every context has its ports, its adapters and its composition root.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
AWS_MODULES = ("boto3", "botocore", "services.adapters.dynamo", "services.adapters.store")
CLIENT_FACTORY = "services.adapters.aws"  # the lazy clients: for adapters, and the entrypoints that wire them
CONTEXTS = ["eservices", "eservices/casework", "visits", "reports", "billing", "notify", "identity"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth (deferred imports inside functions count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return found


def service_files() -> list[Path]:
    return sorted(p for p in SERVICES.rglob("*.py") if "__pycache__" not in p.parts)


def in_adapters(path: Path) -> bool:
    return "adapters" in path.relative_to(SERVICES).parts[:-1]


def test_only_adapters_talk_to_aws():
    offenders = {}
    for path in service_files():
        if in_adapters(path):
            continue
        forbidden = AWS_MODULES if path.is_relative_to(SERVICES / "entrypoints") else (*AWS_MODULES, CLIENT_FACTORY)
        bad = sorted(m for m in imports_of(path) if any(m == a or m.startswith(a + ".") for a in forbidden))
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_the_shared_package_never_imports_deployment_configuration():
    offenders = sorted(str(p.relative_to(ROOT)) for p in service_files()
                       if any(m == "infra" or m.startswith("infra.") for m in imports_of(p)))
    assert offenders == []


def test_no_import_circle_in_services():
    """Counting every import, deferred and type-checking ones too: a circle a deferred import
    hides still ties two modules that should each stand alone."""
    modules = {module_name(p): p for p in service_files()}
    graph = {name: {m for m in imports_of(path) if m in modules and m != name}
             for name, path in modules.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def connect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # the walk is as deep as the longest import chain
    try:
        for v in graph:
            if v not in index:
                connect(v)
    finally:
        sys.setrecursionlimit(limit)  # others in this process rely on the default (deep JSON is refused)
    assert cycles == []


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_context_has_its_ports_adapters_and_composition_root(context):
    folder = SERVICES / context
    assert (folder / "ports.py").is_file()
    assert (folder / "adapters").is_dir()
    assert (folder / "domain").is_dir() and (folder / "usecases").is_dir()
    assert (folder / "bootstrap.py").is_file() or (folder / "stores.py").is_file()


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_contexts_domain_knows_no_use_case_port_adapter_or_wiring(context):
    package = "services." + context.replace("/", ".")
    wrong = tuple(f"{package}.{part}" for part in ("usecases", "adapters", "ports", "bootstrap"))
    offenders = {str(p.relative_to(ROOT)): bad for p in sorted((SERVICES / context / "domain").rglob("*.py"))
                 if (bad := sorted(m for m in imports_of(p) if m.startswith(wrong) or m.startswith("services.adapters")))}
    assert offenders == {}


def test_no_context_knows_http():
    """A use case takes domain values (a principal, who is acted for, the command's fields): no
    context imports the HTTP entrypoints or Chalice; the apps and the web call into the contexts."""
    contexts = {SERVICES / c.split("/")[0] for c in CONTEXTS}
    offenders = sorted(module_name(p) for folder in contexts for p in folder.rglob("*.py")
                       if any(m.startswith(("services.entrypoints", "chalice")) for m in imports_of(p)))
    assert offenders == []


def test_the_web_toolkit_knows_no_section():
    """The toolkit (request cycle, sessions, rendering, form machinery) imports no section's views:
    a section is served by passing its ``Section`` to ``serve``, so staff sections go beside it."""
    web = SERVICES / "entrypoints" / "web"
    sections = {"citizen"}
    toolkit = [p for p in web.rglob("*.py") if not sections & set(p.relative_to(web).parts)]
    offenders = sorted(module_name(p) for p in toolkit
                       if any(m.startswith(tuple(f"services.entrypoints.web.{s}" for s in sections))
                              for m in imports_of(p)))
    assert offenders == []
