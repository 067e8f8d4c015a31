"""Loads the Chalice apps in one process (the local gateway and the tests).

Every app's module is ``app``; each is loaded under its own name (``eservices_app`` …), and
the app's folder is on ``sys.path`` only while it loads, so each app's ``chalicelib`` is its own.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from .resources import APPS

ROOT = Path(__file__).resolve().parent.parent


def app_dir(name: str) -> Path:
    return ROOT / f"{name}_svc"


def load_app(name: str) -> ModuleType:
    module_name = f"{name}_app"
    if module_name in sys.modules:
        return sys.modules[module_name]
    folder = app_dir(name)
    saved = {k: v for k, v in sys.modules.items() if k == "chalicelib" or k.startswith("chalicelib.")}
    for k in saved:
        del sys.modules[k]
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(module_name, folder / "app.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
        for k in [k for k in sys.modules if k == "chalicelib" or k.startswith("chalicelib.")]:
            del sys.modules[k]
        sys.modules.update(saved)
    return module


def load_all() -> dict[str, ModuleType]:
    return {name: load_app(name) for name in APPS}
