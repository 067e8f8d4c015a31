"""The one way a stored file is downloaded: the bytes to a client that accepts its type, any
other client (a browser) a 303 to a short-lived presigned S3 address, since API Gateway returns
binary bodies only to a matching ``Accept``. Never cached: the files are personal."""
from __future__ import annotations

from typing import Any

from chalice import Response

from ..domain.files import StoredFile

PRIVATE = {"Cache-Control": "private, no-store"}


def header(headers: dict[str, str] | None, name: str) -> str:
    return next((v for k, v in (headers or {}).items() if k.lower() == name.lower()), "")


def download(documents: Any, file: StoredFile, headers: dict[str, str] | None) -> Response:
    """``documents``: the store with ``get(key)`` and ``presigned_get(key, filename=...)``."""
    if file.content_type not in header(headers, "accept"):
        return redirect_to(documents, file)
    return Response(body=documents.get(file.key), status_code=200,
                    headers={**PRIVATE, "Content-Type": file.content_type,
                             "Content-Disposition": f'attachment; filename="{file.filename}"'})


def redirect_to(documents: Any, file: StoredFile) -> Response:
    return Response(body="", status_code=303,
                    headers={**PRIVATE, "Location": documents.presigned_get(file.key, filename=file.filename)})
