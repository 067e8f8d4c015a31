"""Swedish mobile numbers and e-mail addresses: one rule, used by every field that takes one."""
import pytest
from pydantic import BaseModel, ValidationError

from services.domain.phone import (MOBILE_PREFIXES, OptionalEmailAddress, OptionalMobilePhone, display,
                                   normalize_mobile)
from services.eservices.usecases.contact_repair import repaired_item

WRITTEN = ["070-765 43 21", "0707654321", "+46 70 765 43 21", "0046707654321", "+46 (0)70-765 43 21",
           "+46707654321", "070 765 43 21", "070.765.43.21", "+46 070 765 43 21"]


@pytest.mark.parametrize("written", WRITTEN)
def test_the_ways_swedes_write_a_mobile_number_are_stored_as_e164(written):
    assert normalize_mobile(written) == "+46707654321"


@pytest.mark.parametrize("prefix", MOBILE_PREFIXES)
def test_every_mobile_series_is_accepted(prefix):
    assert normalize_mobile(f"0{prefix}1234567") == f"+46{prefix}1234567"


@pytest.mark.parametrize("bad", [
    "08-123 456 78",  # a landline
    "031-123 45 67",
    "071-123 45 67",  # machine-to-machine
    "074-123 45 67", "075-123 45 67", "077-123 45 67", "078-123 45 67",
    "+47 412 34 567",  # Norwegian
    "0047412345678",
    "070-765 43 2",  # a digit short
    "070-765 43 210",  # a digit too many
    "707654321",  # no trunk 0 or country code
    "٠٧٠٧٦٥٤٣٢١",  # Arabic-Indic digits
    "070-765 43 21 ring efter 17", "", "+",
])
def test_what_is_not_a_swedish_mobile_number_is_refused(bad):
    with pytest.raises(ValueError):
        normalize_mobile(bad)


class Form(BaseModel):
    mobile: OptionalMobilePhone = None
    phone2: OptionalMobilePhone = None
    email: OptionalEmailAddress = None


def test_a_refusal_is_swedish_and_names_the_field():
    with pytest.raises(ValidationError) as bad:
        Form(mobile="08-123 456 78", phone2="0311234567", email="inte en adress")
    messages = {e["loc"][0]: e["msg"].removeprefix("Value error, ") for e in bad.value.errors()}
    assert messages["mobile"].startswith("Mobiltelefon: ange ett svenskt mobilnummer")
    assert messages["phone2"].startswith("Telefon 2: ange ett svenskt mobilnummer")
    assert messages["email"].startswith("E-postadress: ange en giltig e-postadress")


def test_empty_means_no_number_and_addresses_are_trimmed():
    form = Form(mobile=" ", email="  Kari@Exempel.SE ")
    assert form.mobile is None and form.email == "Kari@exempel.se"
    assert display("+46707654321") == "070-765 43 21"


def test_the_repair_normalises_what_it_can_and_drops_the_rest_switching_that_channel_off():
    profile = {"pk": "PERSON#x", "sk": "PROFILE", "mobile": "070-765 43 21", "email": "a@b.se",
               "notify_sms": True, "notify_email": True}
    fixed, dropped = repaired_item(profile)
    assert fixed["mobile"] == "+46707654321" and fixed["notify_sms"] and not dropped
    assert repaired_item(fixed) == (fixed, [])  # idempotent
    landline, dropped = repaired_item({**profile, "mobile": "08-123 456 78"})
    assert landline["mobile"] is None and landline["notify_sms"] is False and dropped == ["mobile"]
    messaging = {"pk": "PERSON#x", "sk": "MESSAGING", "phone1": "0701234567", "phone2": "08-1234567",
                 "sms_alert": True, "sms_phone": 2, "email": None, "email_alert": False}
    fixed, dropped = repaired_item(messaging)
    assert fixed["phone1"] == "+46701234567" and fixed["phone2"] is None and dropped == ["phone2"]
    assert fixed["sms_alert"] is False and fixed["sms_phone"] is None
