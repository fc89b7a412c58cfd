"""The host application's user tokens: HS256 JSON Web Tokens signed with its origin's secret."""

import base64
import json
import time

import jwt
import pytest
from django.test import Client

from tests.factories import make_user
from tickets.models import Ticket, WidgetOrigin
from tickets.widget.access import UserTokenRefused, user_token, verify_user_token

pytestmark = pytest.mark.django_db
HOST = "https://app.example.com"
SECRET = "the origin's shared secret, " * 3  # long enough for HS512: no key-length warning


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _signed(claims: dict, *, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def _claims(**overrides) -> dict:
    now = int(time.time())
    return {"email": "Pat@Acme.example", "name": "Pat", "iat": now, "exp": now + 600, **overrides}


def _refusal(token: str, *, secret: str = SECRET) -> str:
    with pytest.raises(UserTokenRefused) as refused:
        verify_user_token(token, secret=secret)
    return str(refused.value)


def test_a_token_signed_with_the_origins_secret_vouches_for_its_user():
    user = verify_user_token(_signed(_claims()), secret=SECRET)
    assert (user.email, user.name) == ("pat@acme.example", "Pat")


def test_a_token_any_jwt_library_makes_is_accepted_and_name_and_iat_are_optional():
    # What the README's Node example produces: the claims, HS256, nothing Deflect-specific.
    token = _signed({"email": "pat@acme.example", "exp": int(time.time()) + 60})
    assert verify_user_token(token, secret=SECRET).name == ""
    assert verify_user_token(user_token(secret=SECRET, email="pat@acme.example"), secret=SECRET)


def test_an_expired_token_is_refused_saying_so():
    assert "expired" in _refusal(_signed(_claims(exp=int(time.time()) - 120)))


def test_a_token_signed_with_another_key_is_refused():
    another = "another origin's shared secret, just as long"
    assert "signature" in _refusal(_signed(_claims(), secret=another))


def test_an_unsigned_token_alg_none_is_refused():
    unsigned = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims()) + "."
    assert "HS256" in _refusal(unsigned)
    assert "HS256" in _refusal(_signed(_claims(), algorithm="HS512"))


def test_a_tampered_token_is_refused():
    header, _payload, signature = _signed(_claims()).split(".")
    tampered = f"{header}.{_b64(_claims(email='boss@acme.example'))}.{signature}"
    assert "signature" in _refusal(tampered)
    assert "JSON Web Token" in _refusal("garbage")


@pytest.mark.parametrize("claim", ["email", "exp"])
def test_a_token_without_a_required_claim_is_refused_naming_it(claim):
    claims = _claims()
    del claims[claim]
    assert f"“{claim}”" in _refusal(_signed(claims))


def test_a_token_whose_email_is_not_an_address_is_refused():
    assert "e-mail address" in _refusal(_signed(_claims(email="pat")))


def test_a_token_from_an_unlisted_site_cannot_be_checked():
    assert "not listed" in _refusal(_signed(_claims()), secret=None)


def test_the_widget_files_as_the_vouched_customer_and_explains_a_refused_token():
    origin = WidgetOrigin.objects.create(origin=HOST)
    customer = make_user("pat@acme.example")
    widget = Client(HTTP_ORIGIN=HOST)
    data = {"subject": "Card refused", "description": "Payment fails", "path": "/billing"}
    good = _signed(_claims(), secret=origin.secret)
    filed = widget.post("/api/v1/widget/tickets", {**data, "user_token": good}, "application/json")
    assert filed.status_code == 201 and filed.json()["as_account"] is True
    assert Ticket.objects.get().customer == customer

    expired = _signed(_claims(exp=int(time.time()) - 120), secret=origin.secret)
    refused = widget.post(
        "/api/v1/widget/tickets", {**data, "user_token": expired}, "application/json"
    )
    assert refused.status_code == 400
    assert "email" in refused.json() and "expired" in refused.json()["user_token"][0]
    assert Ticket.objects.count() == 1
