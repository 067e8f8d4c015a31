"""The cold-start benchmark (bench/cold_start.py) against the moto server: a fresh process imports
an app the way the Lambda runtime does and answers its first request, a real one, and what that
request loads stays within its route."""
import pytest

from bench import cold_start


@pytest.fixture(scope="module")
def cold(aws, issuer):
    requests = {r.app: r for r in cold_start.first_requests(issuer, ("eservices", "notify"))}
    return requests, cold_start.floor_request()


def test_given_a_fresh_process_when_the_benchmark_runs_an_app_then_it_times_the_import_and_an_answered_request(cold):
    """GIVEN the e-services' and notify's first requests WHEN each runs cold THEN the import and the
    answer are both timed (a request that is not answered 200, or leaves a failed record, raises)."""
    requests, get_item = cold
    for app in ("eservices", "notify"):
        timing = cold_start.cold_app(requests[app])
        assert timing.imported > 0 and timing.answered > 0 and timing.warm > 0, app
        assert timing.total == timing.imported + timing.answered
    floor = cold_start.cold_floor(get_item)
    assert floor.imported > 0 and floor.answered > 0


def test_given_a_request_that_fails_when_timed_cold_then_the_benchmark_refuses_it(cold, issuer):
    """GIVEN a route answered with a 401 (no valid token) WHEN timed cold THEN it is not a cold start."""
    broken = cold_start.FirstRequest("eservices", "app",
                                     lambda: cold_start.http_event("GET", "/my/cases", {}, "not-a-token"), "401")
    with pytest.raises(RuntimeError, match="not answered"):
        cold_start.cold_app(broken)


def test_given_a_citizens_first_request_for_their_cases_then_no_other_features_repositories_are_loaded(cold):
    """GIVEN a cold e-services Lambda WHEN its first request is a citizen's GET /my/cases THEN the
    message store, web sessions, signing, drafts and document store are not imported (each
    repository is built on first use)."""
    requests, _ = cold
    modules = cold_start.cold_app(requests["eservices"], modules=True).modules
    elsewhere = ("services.eservices.casework.usecases.messages", "services.eservices.casework.adapters.messages",
                 "services.eservices.casework.domain.messages", "services.entrypoints.web",
                 "services.eservices.domain.signing", "services.eservices.domain.drafts", "services.adapters.documents",
                 "services.eservices.adapters.signing", "services.eservices.adapters.drafts")
    assert [m for m in elsewhere if any(n == m or n.startswith(m + ".") for n in modules)] == []
    assert "services.eservices.usecases.mypages" in modules


def test_given_a_citizens_first_request_then_its_token_and_table_cost_no_x509_pyjwt_or_resource_model(cold):
    """GIVEN a cold e-services Lambda WHEN its first request (a bearer token, a DynamoDB table) is
    answered THEN the token was checked without PyJWT or X.509 and the table is no boto3 resource
    (boto3.dynamodb.table is what a Table resource's class is built with)."""
    requests, _ = cold
    modules = cold_start.cold_app(requests["eservices"], modules=True).modules
    heavy = ("jwt", "cryptography.x509", "boto3.dynamodb.table")
    assert [h for h in heavy if any(n == h or n.startswith(h + ".") for n in modules)] == []
    assert "services.auth.jws" in modules


def test_given_a_cold_identity_app_when_an_administrator_lists_its_accounts_then_it_is_answered(aws, issuer):
    """GIVEN the identity app's first request (an organisation's administrator's list) WHEN it runs
    cold THEN the import and the answer are timed, and no other feature's use case was loaded."""
    [request] = cold_start.first_requests(issuer, ("identity",))
    timing = cold_start.cold_app(request, modules=True)
    assert timing.imported > 0 and timing.answered > 0
    assert "services.identity.usecases.directory" in timing.modules
    assert not any(m.startswith(("services.identity.usecases.reminders", "jwt", "cryptography.x509"))
                   for m in timing.modules)
