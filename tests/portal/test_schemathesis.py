"""The API keeps the promises of its own OpenAPI schema: generated requests, no 5xx, conforming
responses. Schemathesis calls Django's WSGI app in-process, against the test database."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.throttling import ScopedRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# A few examples per operation keep the whole file to seconds. They are the same examples on
# every run, so that a red build means the change broke something; `make fuzz` draws new ones,
# and many more, to find what these have not.
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
EXPLORE = os.environ.get("SCHEMATHESIS_EXPLORE") == "1"
HYPOTHESIS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=not EXPLORE,
    deadline=None,
    # No shrinking: it costs most of the time; the failing example is printed as a curl command.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    # The database fixture is per test, not per example: examples share one test's rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Loaded at collection: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def api(db, demo_articles, monkeypatch):
    """Articles to suggest and deflect with; throttles out of the way of many examples."""
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        dict.fromkeys(["suggest", "deflect", "tickets", "widget"], "100000/min"),
    )
    # The WSGI handler closes the connection after each request, which would end the test's
    # transaction; Django's own test client disconnects the same receivers.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def customer_token(customer):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=customer).key


# No 5xx; every documented response has its schema's content type and headers. Must pass for
# every operation, anonymous and signed in.
NO_SERVER_ERRORS = [not_a_server_error, content_type_conformance, response_headers_conformance]


def token(key: str) -> dict:
    # Token authentication, as an API client would; it needs no CSRF token.
    return {"Authorization": f"Token {key}"}


@schema.parametrize()
@HYPOTHESIS
def test_api_has_no_server_errors_for_anonymous_visitors(case, api):
    case.call_and_validate(checks=NO_SERVER_ERRORS)


@schema.parametrize()
@HYPOTHESIS
def test_api_has_no_server_errors_for_a_signed_in_customer(case, api, customer_token):
    case.call_and_validate(headers=token(customer_token), checks=NO_SERVER_ERRORS)


@schema.parametrize()
@HYPOTHESIS
def test_api_responses_match_their_schemas(case, api, customer_token):
    case.call_and_validate(checks=[response_schema_conformance])
    case.call_and_validate(headers=token(customer_token), checks=[response_schema_conformance])


@schema.parametrize()
@HYPOTHESIS
def test_api_rejects_requests_its_schema_rules_out(case, api, customer_token):
    case.call_and_validate(headers=token(customer_token), checks=[negative_data_rejection])


@schema.parametrize()
@HYPOTHESIS
def test_api_documents_every_status_it_answers_with(case, api, customer_token):
    case.call_and_validate(checks=[status_code_conformance])
    case.call_and_validate(headers=token(customer_token), checks=[status_code_conformance])
