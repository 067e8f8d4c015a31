"""What a PDF says, for tests: its text as a reader extracts it (an embedded font writes glyph
ids, not letters), and its streams inflated (to prove something is not in it at all)."""
from __future__ import annotations

import io
import re
import zlib


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


def pdf_streams(body: bytes) -> bytes:
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            out.append(stream)
    return b"".join(out)
