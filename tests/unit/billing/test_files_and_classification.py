"""Issue 20 items 4 and 7: reconciliation takes hours as the basis's own CSV writes them (a
decimal comma) or with a point; the CSV and PDF are Swedish, the PDF names the provider and shows
Swedish local time; finance marks as mismanaged only real terminations of that client."""
from datetime import date, datetime, timezone

import pytest
from pydantic import ValidationError

from services.auth.principal import Principal, Role
from services.billing import exports
from services.billing.bootstrap import BillingDeps
from services.billing.domain.reconcile import ClaimedLine
from services.billing.domain.rules import rule_book
from services.billing.schemas import ClientProfileRequest, ReconcileRequest
from services.billing.usecases.classification import set_client_profile
from services.billing.usecases.consume import apply_batch
from services.billing.usecases.finalize import finalize
from services.billing.usecases.invoice_basis import basis_file, invoice_basis
from services.billing.usecases.reconciliation import reconcile
from services.domain.errors import ValidationFailed
from tests.support.fakes.billing import InMemoryBillingStore
from tests.support.pdf import pdf_text
from tests.support.people import new_pnr
from tests.unit.billing.events import absence_registered, decision, visit_changed

FINANCE = Principal(subject="f", role=Role.ORDERING_UNIT, user_id="ekonom")
AFTER_LOCK = datetime(2026, 4, 8, 9, tzinfo=timezone.utc)  # 11:00 in Stockholm (summer time)


def deps(now=AFTER_LOCK):
    return BillingDeps(store=InMemoryBillingStore(), rules=rule_book(), municipality="haninge", clock=lambda: now)


def with_month(d, minutes=(60, 45)):
    client = new_pnr(1940)
    apply_batch(d.store, [("d", decision(client, 3040, date(2026, 1, 1)))] +
                [(f"v{i}", visit_changed(f"v{i}", client, minutes=m)) for i, m in enumerate(minutes)])
    return client


# -- item 4: reconciliation reads decimal commas --------------------------------------------------

@pytest.mark.parametrize("hours", ["6,32", "6.32", 6.32, " 6,32 "])
def test_hours_take_a_decimal_comma_or_point(hours):
    assert str(ClaimedLine(client=new_pnr(1940), hours=hours, amount_ore=1).hours) == "6.32"


@pytest.mark.parametrize("hours", ["6,321", "6,32,1", "sex", "1e3", "-1", "6;32", "６,32", "1 234,5", ""])
def test_other_hours_are_refused_naming_the_field(hours):
    with pytest.raises(ValidationError) as caught:
        ReconcileRequest.model_validate({"received_on": "2026-04-08",
                                         "lines": [{"client": new_pnr(1940), "hours": hours, "amount_ore": 1}]})
    assert [e["loc"] for e in caught.value.errors()] == [("lines", 0, "hours")]


def test_a_claim_copied_from_the_basis_csv_matches_it():
    """GIVEN the basis as CSV WHEN the provider claims its hours and amount as written there
    THEN reconciliation finds no difference."""
    d = deps()
    client = with_month(d)
    row = basis_file(d, FINANCE, "p1", "2026-03", "csv").body.decode("utf-8-sig").splitlines()[1].split(";")
    header = exports.BASIS_COLUMNS
    hours, kronor = row[header.index("Ersättningsgrundande tid (h)")], row[header.index("Belopp (kr)")]
    assert hours == "1,75"
    claim = ReconcileRequest.model_validate({"received_on": "2026-04-08", "lines": [
        {"client": client, "hours": hours, "amount_ore": int(kronor.replace(",", ""))}]})
    assert reconcile(d, FINANCE, "p1", "2026-03", claim).matches


# -- item 4: Swedish files, the provider's name, local time --------------------------------------

def test_the_csv_says_the_status_in_swedish():
    d = deps()
    with_month(d)
    status = exports.BASIS_COLUMNS.index("Status")
    rows = basis_file(d, FINANCE, "p1", "2026-03", "csv").body.decode("utf-8-sig").splitlines()
    assert {r.split(";")[status] for r in rows[1:]} == {"preliminärt"}
    finalize(d, FINANCE, "p1", "2026-03")
    rows = basis_file(d, FINANCE, "p1", "2026-03", "csv").body.decode("utf-8-sig").splitlines()
    assert {r.split(";")[status] for r in rows[1:]} == {"slutligt"}
    assert "preliminary" not in rows[1] and "final" not in rows[1]


def test_the_pdf_names_the_provider_and_says_swedish_local_time():
    """GIVEN the provider's name in billing's register WHEN the basis is printed
    THEN the PDF names it (with its id) and the time is Stockholm's, said in Swedish."""
    from services.billing.usecases import provider_register as providers

    d = deps()
    with_month(d)
    providers.load(d.store, [{"provider_id": "p1", "name": "Omsorg Åkesson AB"}])
    view = invoice_basis(d, FINANCE, "p1", "2026-03")
    assert view.provider_name == "Omsorg Åkesson AB"
    text = pdf_text(basis_file(d, FINANCE, "p1", "2026-03", "pdf").body)
    assert "utförare Omsorg Åkesson AB (p1)" in text
    assert "Beräknat 8 april 2026 kl. 11:00" in text and "09:00" not in text and "+00:00" not in text


def test_without_a_registered_name_the_pdf_names_the_provider_by_its_id():
    d = deps()
    with_month(d)
    assert invoice_basis(d, FINANCE, "p1", "2026-03").provider_name is None
    assert "utförare p1" in pdf_text(basis_file(d, FINANCE, "p1", "2026-03", "pdf").body)


@pytest.mark.parametrize("name", ["\u202eBA gsrmO", "Omsorg\nAB", ""])
def test_a_register_with_a_bad_name_stores_nothing(name):
    from services.billing.usecases import provider_register as providers

    store = InMemoryBillingStore()
    with pytest.raises(ValidationError):
        providers.load(store, [{"provider_id": "p1", "name": "Omsorg AB"}, {"provider_id": "p2", "name": name}])
    assert store.provider_names == {}


# -- item 7: only the client's own terminations, no control characters ----------------------------

def _terminated(d, client, absence_id, kind="terminated"):
    apply_batch(d.store, [(absence_id, absence_registered(absence_id, client, date(2026, 3, 20), kind=kind))])


def test_a_termination_of_the_client_may_be_marked_mismanaged():
    d = deps()
    client = with_month(d)
    _terminated(d, client, "t-1")
    got = set_client_profile(d, FINANCE, client, ClientProfileRequest(mismanaged_terminations=["t-1"]))
    assert got.mismanaged_terminations == ["t-1"]
    assert d.store.client(client).profile.mismanaged_terminations == ("t-1",)


@pytest.mark.parametrize("given", ["9999-99-99", "hello", "h-1", "t-other"])
def test_anything_but_a_termination_of_the_client_is_refused_and_nothing_stored(given):
    """GIVEN a client with a termination t-1 and a hospital stay h-1, another client with t-other
    WHEN finance names something else THEN 422 naming the field's item, and the profile is unchanged."""
    d = deps()
    client, other = with_month(d), with_month(d)
    _terminated(d, client, "t-1")
    _terminated(d, client, "h-1", kind="hospital")
    _terminated(d, other, "t-other")
    before = d.store.client(client)
    with pytest.raises(ValidationFailed) as caught:
        set_client_profile(d, FINANCE, client, ClientProfileRequest(area="rural",
                                                                             mismanaged_terminations=["t-1", given]))
    assert [e.field for e in caught.value.errors] == ["mismanaged_terminations.1"]
    assert d.store.client(client) == before


@pytest.mark.parametrize("given", ["\u202e" * 10, "t-1\u202e", "t\x00", "t-1\n"])
def test_control_and_bidirectional_characters_are_refused(given):
    with pytest.raises(ValidationError) as caught:
        ClientProfileRequest.model_validate({"mismanaged_terminations": [given]})
    assert caught.value.errors()[0]["loc"] == ("mismanaged_terminations", 0)
