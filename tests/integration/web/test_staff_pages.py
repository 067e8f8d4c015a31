"""The case workers' section in-process over moto: Att göra, the inbox and Koppla ansökan, their
errors, and who may reach them."""
from __future__ import annotations

import pytest

from tests.integration.web.helpers import text
from tests.integration.web.staff import staff


@pytest.fixture
def es(app_client):
    return app_client("eservices")


def test_a_case_worker_sees_att_gora(es):
    b, _ = staff(es)
    r = b.get("/personal/att-gora")
    assert r.status == 200, r.body
    assert "Nya e-ansökningar att koppla" in text(r)


def test_the_inbox_renders(es):
    b, _ = staff(es)
    r = b.get("/personal/inkorg")
    assert r.status == 200, r.body
    assert "Inkorg" in text(r)
