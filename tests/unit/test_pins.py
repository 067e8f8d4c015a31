"""Every third-party package the tests (and the benchmark) import is pinned in a requirements
file, so a fresh checkout tests against the versions we tested with."""
import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"services", "infra", "tests", "bench", "chalicelib", "app"}


def imported_top_level_modules():
    found = set()
    for folder in ("tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - OURS - set(sys.stdlib_module_names)


def pinned():
    names = set()
    for req in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / req).read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==", line.strip())
            if match:
                names.add(match.group(1).lower().replace("_", "-"))
    return names


def test_every_package_the_tests_import_is_pinned():
    distributions = packages_distributions()
    unpinned = {}
    for module in imported_top_level_modules():
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        assert dists, f"{module} is imported by the tests but not installed"
        if not dists & pinned():
            unpinned[module] = sorted(dists)
    assert unpinned == {}
