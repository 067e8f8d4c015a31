"""The e-services. Adding one is adding a module here that defines ``FORM``; the registry
finds it.

A new e-service, step by step (see ``contact_monthly_report.py`` for a small one):

1. ``services/eservices/domain/forms/<name>.py`` with ``FORM = FormDefinition(id=..., title=..., steps=(...))``:
   steps of ``Field``s with Swedish labels and help, ``required`` / ``required_when=When(...)`` /
   ``must_be_true``, ``kind="rows"`` with ``columns`` for "Lägg till rad", ``prefill="first_name"``
   etc. for register and profile values; ``common.about_you_step()`` for the usual "Information om
   dig" step with contact details, notification choice and confirmation.
2. Optional: ``computed`` (values the server derives), ``rules`` (cross-field checks returning
   ``FieldError``s), ``roles`` (who may fill it in), ``category_of`` (the inbox category from the
   answers), ``own_behalf_only`` (no relative acting for someone), ``after_submit=("report_another",)``.
3. Nothing else: ``GET /eservices/forms`` lists it, ``GET /eservices/forms/{id}`` gives its JSON
   Schema, and drafts, preview, signing, submit, the receipt PDF and Mina sidor work for it.
   Add its rules' failing cases to ``tests/unit/eservices``.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from ....domain.errors import NotFound
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
        from ..citizen_problems import citizen_error

        raise citizen_error(NotFound, "E-tjänsten finns inte") from None


def openapi_schemas() -> dict[str, object]:
    """Components for the OpenAPI document: each form's draft answers, and their union."""
    from .engine import draft_answers_schema

    per_form = {f"FormAnswers_{form_id}": draft_answers_schema(form) for form_id, form in registry().items()}
    union = {"description": "The answers of the draft's form (form_id): FormAnswers_<form_id>",
             "anyOf": [{"$ref": f"#/components/schemas/{name}"} for name in per_form]}
    return {**per_form, "FormAnswers": union}
