"""The citizen e-services keep the shape of every context: only ``adapters/`` talks to the store
(case work and the web's sessions are reshaped on their own and not checked here)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ESERVICES = ROOT / "services" / "eservices"
STORE_MODULES = ("boto3", "botocore", "services.adapters.aws", "services.adapters.dynamo", "services.adapters.store")


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports made absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_of_the_citizen_e_services_outside_adapters_talks_to_the_store():
    # GIVEN every module of the e-services but its adapters, case work and the web
    checked = [p for p in ESERVICES.rglob("*.py")
               if not {"adapters", "casework", "web"} & set(p.relative_to(ESERVICES).parts[:-1])]
    assert len(checked) > 10
    # THEN none imports boto3, botocore, services.adapters.aws or the DynamoDB helpers
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in _imported(p)
                                                  if any(m == s or m.startswith(s + ".") for s in STORE_MODULES))
                 for p in checked}
    assert {p: m for p, m in offenders.items() if m} == {}


def test_the_domain_knows_no_use_case_port_or_adapter():
    domain = [p for p in (ESERVICES / "domain").rglob("*.py")]
    wrong = ("services.eservices.usecases", "services.eservices.adapters", "services.eservices.bootstrap")
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in _imported(p) if m.startswith(wrong)) for p in domain}
    assert {p: m for p, m in offenders.items() if m} == {}
