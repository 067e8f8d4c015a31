"""Jinja2, loaded on the first page rendered (never on the API's import path), autoescaping on.

Every section renders with its own templates first and the toolkit's after them: the layout
(``base.html``), the components (``components.html``: error summary, tables, timeline, identity
bar) and the form machinery's fields (``form_fields.html``) are shared by every section."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@cache
def environment(section_templates: Path) -> Any:
    import jinja2

    loader = jinja2.FileSystemLoader([str(section_templates), str(TEMPLATES)])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    from . import filters

    env.filters.update(filters.FILTERS)
    return env


def render(section_templates: Path, template: str, context: dict[str, Any]) -> str:
    return environment(section_templates).get_template(template).render(**context)


CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml", ".ico": "image/x-icon"}


@cache
def static_file(name: str) -> tuple[bytes, str] | None:
    """An asset by its file name (no folders: nothing outside ``static/`` can be named)."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = STATIC / name
    if path.suffix not in CONTENT_TYPES or not path.is_file():
        return None
    return path.read_bytes(), CONTENT_TYPES[path.suffix]
