"""What is signed: the digest of a draft's form and answers. The signing itself goes through the
e-ID provider behind the ``Signer`` port (``ports.py``; its adapters in ``adapters/signing.py``)."""
from __future__ import annotations

import hashlib
import json
from typing import Any


def digest_of(form_id: str, answers: dict[str, Any]) -> str:
    canonical = json.dumps({"form": form_id, "answers": answers}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
