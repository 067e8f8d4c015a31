"""Jinja2, loaded on the first page rendered (never on the API's import path), autoescaping on."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@cache
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    from . import filters

    env.filters.update(filters.FILTERS)
    return env


def render(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)


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
