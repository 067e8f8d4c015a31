"""``/dev/outbox`` as a page: each e-mail as it would look (its HTML, sandboxed in an iframe),
each SMS as text with its length and encoding. Local stage only."""
from __future__ import annotations

import html
from typing import Any


def page(emails: list[dict[str, Any]], sms: list[dict[str, Any]]) -> str:
    from services.notify.domain.gsm import is_gsm7, segments

    e = html.escape
    mails = "\n".join(
        f'<article><h2>{e(m.get("subject") or "")}</h2><p class="meta">Till: {e(", ".join(m.get("to") or []))}</p>'
        f'<iframe sandbox="" srcdoc="{e(m.get("body") or "", quote=True)}"></iframe></article>'
        for m in reversed(emails)) or "<p>Inga e-postmeddelanden.</p>"
    texts = "\n".join(
        f'<li><span class="meta">{e(s.get("to") or "")} · {len(s.get("body") or "")} tecken · '
        f'{"GSM-7" if is_gsm7(s.get("body") or "") else "UCS-2"} · {segments(s.get("body") or "")} del(ar)</span>'
        f'<p>{e(s.get("body") or "")}</p></li>' for s in reversed(sms)) or "<li>Inga SMS.</li>"
    return f"""<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Utkorg (lokalt)</title>
<style>body{{font-family:Arial,sans-serif;margin:24px;background:#fafafa}}iframe{{width:100%;height:420px;
border:1px solid #ccc;background:#fff}}article{{margin-bottom:32px}}.meta{{color:#555;font-size:13px}}
ul{{list-style:none;padding:0}}li{{background:#fff;border:1px solid #ddd;padding:8px 12px;margin:8px 0;max-width:420px}}
</style></head><body><h1>Utkorg (lokalt)</h1><p class="meta">Det som skickats med e-post (SES) och SMS (SNS),
senaste först. JSON: <code>curl /dev/outbox</code>.</p>
<h1>SMS</h1><ul>{texts}</ul><h1>E-post</h1>{mails}</body></html>"""
