"""A citizen's messaging settings, and how the "To client" search compares names."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from pydantic import BaseModel

from ....domain.personnummer import Personnummer

SEARCH_LIMIT = 200  # read per name index; the answer shows at most 50


class MessagingSettings(BaseModel):
    citizen: Personnummer
    first_name: str
    last_name: str
    enabled: bool
    phone1: str | None = None
    phone2: str | None = None
    sms_alert: bool = False
    sms_phone: int | None = None
    email_alert: bool = False
    email: str | None = None
    changed_by: str
    changed_at: datetime
    version: int = 1

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def search_key(name: str) -> str:
    """A name as the search compares it: case, spacing and Unicode form aside."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
