"""Billing over HTTP and SQS against the moto server: the app and a finance token."""
import pytest


@pytest.fixture
def billing(app_client):
    return app_client("billing")


@pytest.fixture
def finance(token):
    return token("ordering_unit", user_id="ekonom")

