"""The e-services. Adding one is adding a module here that defines ``FORM``; the registry
finds it."""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from ...domain.errors import NotFound
from .engine import FormDefinition


@cache
def registry() -> dict[str, FormDefinition]:
    forms: dict[str, FormDefinition] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name == "engine":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        form = getattr(module, "FORM", None)
        if isinstance(form, FormDefinition):
            assert form.id not in forms, f"two forms share the id {form.id}"
            forms[form.id] = form
    return forms


def get_form(form_id: str) -> FormDefinition:
    try:
        return registry()[form_id]
    except KeyError:
        raise NotFound(f"no e-service {form_id!r}") from None
