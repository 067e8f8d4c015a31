"""Besöksappen's files: its script, stylesheet and icon (``static/``), its web app manifest and its
service worker, which names the app shell it keeps and a version made of the shell files' contents
(any change to them installs a new worker, which replaces the kept shell)."""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from ..render import STATIC as TOOLKIT_STATIC
from .section import visits_config

STATIC = Path(__file__).resolve().parent / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
FILES = ("staffapp.js", "staffapp.css", "staffapp-icon.svg")  # the shell's
OTHER_FILES = ("staffapp-logout.js",)  # the logged-out page's: clears the app's day from the phone
WORKER = "staffapp-sw.js"


def app_path(inner: str = "") -> str:
    return visits_config().url("/personal/app" + inner)


def shell_urls() -> list[str]:
    """What the service worker keeps: the shell page, the section's and the app's styles, the
    script, the icon and the manifest (never a personal page, never the day's data)."""
    config = visits_config()
    return [app_path("/skal"), config.url("/web/static/app.css"),
            *(app_path(f"/filer/{name}") for name in FILES), app_path("/manifest.webmanifest")]


def manifest() -> str:
    return json.dumps({
        "name": "Insats Besöksappen", "short_name": "Besök", "lang": "sv", "dir": "ltr",
        "description": "Registrera hemtjänstens besök vid dörren, även utan nät.",
        "start_url": app_path(), "scope": app_path(), "id": app_path(), "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1f4e79",
        "icons": [{"src": app_path("/filer/staffapp-icon.svg"), "sizes": "any", "type": "image/svg+xml",
                   "purpose": "any"}]}, ensure_ascii=False)


@cache
def _version() -> str:
    digest = hashlib.sha256()
    for name in FILES + (WORKER,):
        digest.update((STATIC / name).read_bytes())
    digest.update((TOOLKIT_STATIC / "app.css").read_bytes())
    digest.update((Path(__file__).resolve().parent / "templates" / "staffapp.html").read_bytes())
    digest.update(manifest().encode())
    return digest.hexdigest()[:16]


def worker() -> str:
    source = (STATIC / WORKER).read_text(encoding="utf-8")
    return (source.replace('"__VERSION__"', json.dumps(_version()))
                  .replace('"__SHELL__"', json.dumps(shell_urls()))
                  .replace('"__APP__"', json.dumps(app_path())))


def app_file(name: str) -> tuple[str, str, dict[str, str]] | None:
    """(body, content type, headers) of the app's file, or None."""
    if name == "manifest.webmanifest":
        return manifest(), "application/manifest+json", {"Cache-Control": "no-cache"}
    if name == WORKER:  # always asked again: a new version reaches the phones at their next start
        return worker(), TYPES[".js"], {"Cache-Control": "no-cache"}
    if name not in FILES + OTHER_FILES:
        return None
    path = STATIC / name
    return path.read_text(encoding="utf-8"), TYPES[path.suffix], {"Cache-Control": "no-cache"}
