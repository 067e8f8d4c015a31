"""Files and redirects as HTTP answers: the one place that decides bytes or a 303."""
from __future__ import annotations

from chalice import Response

from ..domain.results import FileResult, Redirect

PRIVATE = {"Cache-Control": "private, no-store"}  # personal data: never kept by a cache


def accepts(accept: str, content_type: str) -> bool:
    return content_type.split(";")[0].strip() in accept


def render_file(result: FileResult | Redirect, accept: str) -> Response:
    if isinstance(result, Redirect):
        return Response(body="", status_code=303, headers={**PRIVATE, "Location": result.location})
    if result.link is not None and not accepts(accept, result.content_type):
        return Response(body="", status_code=303, headers={**PRIVATE, "Location": result.link()})
    headers = {**PRIVATE, "Content-Type": result.content_type,
               "Content-Disposition": f'attachment; filename="{result.filename}"'}
    if result.next_cursor:
        headers["X-Next-Cursor"] = result.next_cursor
    return Response(body=result.content(), status_code=200, headers=headers)
