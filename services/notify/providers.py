"""Providers' contact addresses for notify (the lock-date reminder): functional addresses from
the municipality's register of contracted providers, loaded into notify's own preferences.

``python -m services.notify.providers FILE`` with ``[{"provider_id", "email", "mobile"}]``.
Numbers go through the one Swedish-mobile rule; a contact that breaks it is refused, not stored.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..contracts.events import Recipient
from ..domain.phone import OptionalEmailAddress, OptionalMobilePhone
from .store import Prefs


class ProviderContact(BaseModel):
    model_config = ConfigDict(extra="ignore")
    provider_id: str
    email: OptionalEmailAddress = None
    mobile: OptionalMobilePhone = None


def load(store: Any, contacts: list[dict[str, Any]], at: datetime) -> int:
    n = 0
    for raw in contacts:
        c = ProviderContact.model_validate(raw)
        store.put_preferences(Recipient(kind="provider", ref=c.provider_id), "profile",
                              Prefs(email=c.email, phone=c.mobile, email_on=bool(c.email), sms_on=bool(c.mobile),
                                    changed_at=at))
        n += 1
    return n


def main(argv: list[str]) -> int:
    from .bootstrap import deps

    path = Path(argv[0])
    data = json.loads(path.read_text(encoding="utf-8"))
    at = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    print(f"providers loaded: {load(deps().store, data, at)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
