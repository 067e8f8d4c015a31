"""Fakturaunderlag, the billing section's pages (``/billing/personal/fakturaunderlag``), in-process over
moto: the month's providers with their status, one provider's basis with its reference codes,
amounts and files, "Gör slutligt" (refused before the lock date naming it; a reason when visits are
not verified), the versions and their difference, the reconciliation entered or uploaded as CSV;
who may (finance and the ordering unit; everyone else 403; nobody a login; a bad address 404/422)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from services.billing.bootstrap import deps
from services.domain.calendar import lock_date
from services.entrypoints.web.billing.section import BILLING, billing_config
from tests.integration.billing.helpers import feed
from tests.integration.web.helpers import Browser, text
from tests.support.people import new_pnr
from tests.support.staff_login import staff_principal, staff_session
from tests.unit.billing.events import decision, visit_changed

MONTH, YEAR, MM = "2025-05", 2025, 5  # long past its lock date, under Haninge's 2025 pack
T = datetime(2025, 5, 5, 8, tzinfo=timezone.utc)
BOUNDARY = "----insatsgrans"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Chromium's


@dataclass
class BillingBrowser(Browser):
    """The in-process browser with the billing section's cookie."""

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookie:
            headers["Cookie"] = f"{billing_config().cookie_name}={self.cookie}"
        return headers

    def get(self, path):  # as a browser asks: the PDF is a binary type, served only to an Accept that takes it
        return self._keep(self.es.request("GET", path, headers=self._headers({"Accept": ACCEPT})))

    def upload(self, path, fields: dict, filename: str, data: bytes, csrf=True):
        fields = {**fields, **({"csrf": self.csrf} if csrf is True else {"csrf": csrf} if csrf else {})}
        parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="fil"; filename="{filename}"\r\n'
                     f"Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
        headers = self._headers({"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
        return self._keep(self.es.request("POST", path, headers=headers, raw=body))


def logged_in(app_client, role="finance", **claims):
    who = staff_principal(role, **claims)
    return BillingBrowser(app_client("billing"), cookie=staff_session(deps().sessions, who, section=BILLING)), who


def page(provider, tail=""):
    return f"/personal/fakturaunderlag/{provider}/{MONTH}{tail}"


@pytest.fixture(scope="module")
def world(app_client):
    """Provider X (named in billing's register): an old client (780201) with visits of 60 and 45
    minutes and a young one (350101) with 30; provider Y: one old client, 90 minutes."""
    billing = app_client("billing")
    x, y = f"prov-x-{uuid.uuid4().hex[:6]}", f"prov-y-{uuid.uuid4().hex[:6]}"
    old, young, other = new_pnr(1940), new_pnr(1985), new_pnr(1938)
    feed(billing, decision(old, 3040, date(2025, 1, 1)), decision(young, 3040, date(2025, 1, 1)),
         decision(other, 3040, date(2025, 1, 1)),
         visit_changed(f"v1-{x}", old, provider=x, minutes=60, start=T, year=YEAR, month=MM),
         visit_changed(f"v2-{x}", old, provider=x, minutes=45, start=T + timedelta(days=1), year=YEAR, month=MM),
         visit_changed(f"v3-{x}", young, provider=x, minutes=30, start=T, year=YEAR, month=MM),
         visit_changed(f"v1-{y}", other, provider=y, minutes=90, start=T, year=YEAR, month=MM))
    deps().store.put_provider(x, "Omsorg Nord AB")
    return {"x": x, "y": y, "old": old, "young": young, "other": other, "billing": billing}


def amount(minutes: int) -> int:
    return round(minutes * 46800 / 60)  # Haninge 2025: 468 kr an hour


def sv_kr(ore: int) -> str:
    return f"{ore // 100:,}".replace(",", " ") + f",{ore % 100:02d} kr"


class TestTheMonth:
    def test_lists_every_provider_with_status_totals_and_the_lock_date(self, app_client, world):
        b, _ = logged_in(app_client)
        r = b.get(f"/personal/fakturaunderlag?manad={MONTH}")
        assert r.status == 200, text(r)
        page_text = text(r)
        assert "Omsorg Nord AB" in page_text and world["y"] in page_text
        assert f"Spärrdatum för {MONTH}: {lock_date(YEAR, MM).isoformat()}" in page_text
        assert "Preliminärt" in page_text and sv_kr(amount(135)) in page_text
        assert f'href="/billing/personal/fakturaunderlag/{world["x"]}/{MONTH}"' in r.body.decode()
        assert r.headers["cache-control"] == "no-store"

    def test_a_bad_month_is_an_error_summary_naming_the_field(self, app_client, world):
        b, _ = logged_in(app_client)
        r = b.get("/personal/fakturaunderlag?manad=maj")
        assert r.status == 422 and "Skriv månaden som ÅÅÅÅ-MM" in text(r) and 'href="#manad"' in r.body.decode()

    def test_the_section_lands_on_the_months_bases(self, app_client, world):
        b, _ = logged_in(app_client)
        r = b.get("/personal")
        assert r.status in (302, 303) and r.headers["location"].endswith("/billing/personal/fakturaunderlag")


class TestOneProvider:
    def test_shows_status_codes_hours_amounts_rule_pack_and_files(self, app_client, world):
        b, _ = logged_in(app_client, "ordering_unit")
        r = b.get(page(world["x"]))
        assert r.status == 200, text(r)
        t = text(r)
        assert "Fakturaunderlag Omsorg Nord AB" in t and "Preliminärt" in t and "version 2025.1" in t
        assert lock_date(YEAR, MM).isoformat() in t and "30 dagar" in t
        body = r.body.decode()
        rows = dict(re.findall(r'<th scope="row" class="nowrap">(\d{12})[^<]*</th>\s*<td>(\d{6})<', body))
        assert rows == {world["old"]: "780201", world["young"]: "350101"}
        assert "1,75 h" in t and sv_kr(amount(105)) in t and sv_kr(amount(135)) in t  # 105 min; the sum
        assert world["other"] not in t  # Y's client

    def test_amounts_past_the_packs_period_are_marked_preliminary(self, app_client, world, monkeypatch):
        """GIVEN a rule pack used past the period it was decided for WHEN the basis is shown THEN it says
        'preliminärt belopp' with the figure's year, by the rule pack and on every amount."""
        from services.billing.domain.rules import PreliminaryAmount

        b, _ = logged_in(app_client)
        assert "Preliminärt belopp" not in text(b.get(page(world["x"])))
        monkeypatch.setattr(deps().rules, "preliminary",
                            lambda pack, year, month: [PreliminaryAmount.of("timersättning och tillägg", 2024, 2025)])
        t = text(b.get(page(world["x"])))
        assert "Preliminärt belopp Preliminärt belopp preliminärt belopp: timersättning och tillägg 2024" in t
        assert t.count("(preliminärt belopp)") == 2  # each client's amount

    def test_the_files_are_served_with_the_session(self, app_client, world):
        b, _ = logged_in(app_client)
        r = b.get(page(world["x"], "/fakturaunderlag.csv"))
        assert r.status == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"] and world["old"] in r.body.decode("utf-8-sig")
        pdf = b.get(page(world["x"], "/fakturaunderlag.pdf"))
        assert pdf.status == 200 and pdf.body.startswith(b"%PDF") and pdf.headers["cache-control"] == "no-store"

    @pytest.mark.parametrize("path, status", [("/personal/fakturaunderlag/prov..x!/2025-05", 404),
                                              ("/personal/fakturaunderlag/prov-okand/2025-05", 404),
                                              ("/personal/fakturaunderlag/prov-okand/maj", 422)])
    def test_a_bad_or_unknown_address_is_a_page_saying_so(self, app_client, world, path, status):
        b, _ = logged_in(app_client)
        r = b.get(path)
        assert r.status == status and "<h1>" in r.body.decode()


class TestMakingItFinal:
    def test_before_the_lock_date_it_is_refused_naming_the_lock_date_and_nothing_is_stored(
            self, app_client, world, monkeypatch):
        monkeypatch.setattr(deps(), "clock", lambda: datetime(2025, 6, 2, 10, tzinfo=timezone.utc))
        b, _ = logged_in(app_client)
        b.get(page(world["y"]))
        r = b.post(page(world["y"], "/gor-slutligt"), {})
        assert r.status == 409
        assert f"Underlaget kan göras slutligt efter spärrdatum {lock_date(YEAR, MM).isoformat()}" in text(r)
        assert deps().store.latest_final(world["y"], YEAR, MM) is None

    def test_after_the_lock_date_it_is_version_one_then_a_correction_version_two_with_its_difference(
            self, app_client, world):
        b, who = logged_in(app_client)
        b.get(page(world["y"]))
        assert b.post(page(world["y"], "/gor-slutligt"), {}, csrf="fel").status == 400
        r = b.post(page(world["y"], "/gor-slutligt"), {})
        assert r.status == 303, text(r)
        shown = b.get(page(world["y"]))
        assert "Slutligt, version 1" in text(shown) and f"av {who.user_id} (ekonomi)" in text(shown)
        assert "Underlaget för 2025-05 är slutligt, version 1." in text(shown)
        # a late correction: 30 minutes more; made final again it is version 2
        feed(world["billing"], visit_changed(f"v9-{world['y']}", world["other"], provider=world["y"], minutes=30,
                                             start=T + timedelta(days=3), year=YEAR, month=MM))
        b.post(page(world["y"], "/gor-slutligt"), {})
        versions = b.get(page(world["y"], "/versioner"))
        assert versions.status == 200 and "Version 1" in text(versions) and "Version 2" in text(versions)
        t = text(versions)
        assert "Från version 1 till version 2: 1 brukare med ändringar" in t
        assert "Ersättningsgrundande tid" in t and "1,50 h" in t and "2,00 h" in t and "+0,50 h" in t
        assert f"+{sv_kr(amount(30))}" in t
        listing = text(b.get(f"/personal/fakturaunderlag?manad={MONTH}"))
        assert "Slutligt, version 2" in listing
        one = b.get(page(world["y"]) + "?version=1")
        assert "Slutligt, version 1" in text(one) and sv_kr(amount(90)) in text(one)
        assert b.get(page(world["y"], "/versioner?fran=1&till=9")).status == 404
        # the latest version against the figures as they are now: no difference until something changes
        now = b.get(page(world["y"], "/versioner?fran=2&till=nu"))
        assert now.status == 200 and "Ingen skillnad mellan version 2 och som det ser ut nu." in text(now)

    def test_with_unverified_visits_a_reason_is_asked_and_a_missing_one_is_an_error_summary(self, app_client, world):
        billing = world["billing"]
        z, client = f"prov-z-{uuid.uuid4().hex[:6]}", new_pnr(1941)
        feed(billing, decision(client, 3040, date(2025, 1, 1)),
             visit_changed(f"v1-{z}", client, provider=z, minutes=60, start=T, year=YEAR, month=MM),
             visit_changed(f"v2-{z}", client, provider=z, minutes=20, start=T, year=YEAR, month=MM,
                           status="registered"))
        b, _ = logged_in(app_client)
        shown = b.get(page(z))
        assert "Ej attesterade besök (1)" in text(shown) and 'id="motivering"' in shown.body.decode()
        r = b.post(page(z, "/gor-slutligt"), {"motivering": " "})
        assert r.status == 422 and 'href="#motivering"' in r.body.decode()
        assert deps().store.latest_final(z, YEAR, MM) is None
        r = b.post(page(z, "/gor-slutligt"), {"motivering": "Utföraren har inte attesterat i tid"})
        assert r.status == 303
        final = text(b.get(page(z)))
        assert "Slutligt, version 1" in final and "Motivering: Utföraren har inte attesterat i tid" in final


class TestReconciliation:
    def test_entered_lines_are_compared_line_by_line_with_the_due_date(self, app_client, world):
        b, _ = logged_in(app_client)
        form = b.get(page(world["x"], "/avstamning"))
        assert form.status == 200 and "Kund" in text(form) and world["old"] in form.body.decode()
        rows = dict(re.findall(r'name="klient-(\d+)"[^>]*value="(\d{12})"', form.body.decode()))
        by_client = {c: i for i, c in rows.items()}
        i_old, i_young = by_client[world["old"]], by_client[world["young"]]
        r = b.post(page(world["x"], "/avstamning"), {
            "inkommen": "2025-06-10", f"klient-{i_old}": world["old"], f"timmar-{i_old}": "1,75",
            f"belopp-{i_old}": f"{amount(105) // 100},{amount(105) % 100:02d}",
            f"klient-{i_young}": world["young"], f"timmar-{i_young}": "0,5", f"belopp-{i_young}": "300"})
        assert r.status == 200, text(r)
        t = text(r)
        assert "1 rad skiljer sig" in t and "Förfallodag 2025-07-10" in t.replace("\n", " ")
        assert "Beloppet skiljer sig" in t and "Tiden skiljer sig" not in t
        assert t.count("Stämmer") == 1

    def test_an_uploaded_csv_with_a_missing_and_an_extra_client(self, app_client, world):
        b, _ = logged_in(app_client)
        b.get(page(world["x"], "/avstamning"))
        stranger = new_pnr(1950)
        csv_text = ("Kund;Timmar;Belopp (kr)\r\n"
                    f"{world['old']};1,75;{amount(105) / 100:.2f}\r\n{stranger};1;468,00\r\n").replace(".", ",")
        r = b.upload(page(world["x"], "/avstamning/fil"), {"inkommen-fil": "2025-06-10"}, "faktura.csv",
                     csv_text.encode())
        assert r.status == 200, text(r)
        t = text(r)
        assert "2 rader skiljer sig" in t and "Saknas på fakturan" in t and "Finns inte i underlaget" in t

    def test_a_bad_csv_names_the_line_and_compares_nothing(self, app_client, world):
        b, _ = logged_in(app_client)
        b.get(page(world["x"], "/avstamning"))
        data = f"Kund;Timmar;Belopp (kr)\n{world['old']};1,75;100\n{world['young']};mycket;100\n".encode()
        r = b.upload(page(world["x"], "/avstamning/fil"), {"inkommen-fil": "2025-06-10"}, "faktura.csv", data)
        assert r.status == 422 and "Rad 3: timmarna ska vara ett tal" in text(r) and 'href="#fil"' in r.body.decode()
        assert "skiljer sig" not in text(r)

    def test_the_upload_needs_the_pages_csrf_token(self, app_client, world):
        b, _ = logged_in(app_client)
        b.get(page(world["x"], "/avstamning"))
        r = b.upload(page(world["x"], "/avstamning/fil"), {"inkommen-fil": "2025-06-10"}, "f.csv", b"x", csrf="fel")
        assert r.status == 400

    def test_a_bad_entered_row_is_an_error_summary_naming_the_row(self, app_client, world):
        b, _ = logged_in(app_client)
        b.get(page(world["x"], "/avstamning"))
        r = b.post(page(world["x"], "/avstamning"), {"inkommen": "10 juni", "klient-0": world["old"],
                                                     "timmar-0": "1,75", "belopp-0": "många"})
        assert r.status == 422
        body = r.body.decode()
        assert 'href="#inkommen"' in body and 'href="#belopp-0"' in body and "Rad 1: beloppet" in text(r)


PAGES = ["/personal/fakturaunderlag?manad=2025-05", "{basis}", "{basis}/versioner", "{basis}/avstamning",
         "{basis}/fakturaunderlag.csv", "{basis}/fakturaunderlag.pdf"]


class TestWhoMay:
    @pytest.mark.parametrize("role", ["provider_coordinator", "provider_manager", "provider_staff", "case_worker",
                                      "auditor", "organisation_admin", "municipal_admin"])
    def test_everyone_but_finance_and_the_ordering_unit_is_refused_every_page(self, app_client, world, role):
        b, _ = logged_in(app_client, role, provider_id=world["x"]) if role.startswith("provider") \
            else logged_in(app_client, role)
        basis = page(world["x"])
        for path in PAGES:
            r = b.get(path.format(basis=basis))
            assert r.status == 403 and "Du har inte behörighet" in text(r), (role, path, r.status)
        for post in ("/gor-slutligt", "/avstamning"):
            assert b.post(basis + post, {}).status == 403, (role, post)
        assert deps().store.latest_final(world["x"], YEAR, MM) is None

    @pytest.mark.parametrize("role", ["finance", "ordering_unit"])
    def test_finance_and_the_ordering_unit_reach_every_providers_pages(self, app_client, world, role):
        b, _ = logged_in(app_client, role)
        for provider in (world["x"], world["y"]):
            for path in PAGES:
                r = b.get(path.format(basis=page(provider)))
                assert r.status == 200, (role, path, r.status)

    @pytest.mark.parametrize("path", PAGES)
    def test_nobody_logged_in_is_sent_to_the_sections_login(self, app_client, world, path):
        r = BillingBrowser(app_client("billing")).get(path.format(basis=page(world["x"])))
        assert r.status in (302, 303) and r.headers["location"].startswith("/billing/personal/logga-in?")
