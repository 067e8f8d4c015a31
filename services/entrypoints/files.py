"""Made files (exports) and redirects as HTTP answers; a stored file goes through ``downloads.py``."""
from __future__ import annotations

from chalice import Response

from ..domain.results import FileResult, Redirect
from .downloads import PRIVATE


def render_file(result: FileResult | Redirect) -> Response:
    if isinstance(result, Redirect):
        return Response(body="", status_code=303, headers={**PRIVATE, "Location": result.location})
    headers = {**PRIVATE, "Content-Type": result.content_type,
               "Content-Disposition": f'attachment; filename="{result.filename}"'}
    if result.next_cursor:
        headers["X-Next-Cursor"] = result.next_cursor
    body = result.body
    if isinstance(body, bytes) and result.content_type.startswith("text/"):
        body = body.decode("utf-8")  # Chalice sends bytes only as a binary type (base64); text goes as text
    return Response(body=body, status_code=200, headers=headers)
