"""The embeddable help widget's rules: which sites may embed it, and who their users are.

A host application lists its origin (and gets a shared secret) in the Django admin. To file
tickets as one of its signed-in users, it passes a token in the script tag:

    token = b64url(json.dumps({"email": ..., "name": ..., "exp": unix_seconds}))
    token += "." + b64url(hmac_sha256(secret, first_part))

The portal verifies the signature with that origin's secret and the expiry; a forged, altered
or expired token is ignored (the visitor is treated as anonymous).
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.validators import validate_email

from .models import WidgetOrigin

ORIGINS_CACHE_KEY = "widget:origins"
ORIGINS_CACHE_SECONDS = 30
WIDGET_PATH = "/api/v1/widget/"


def allowed_origins() -> dict[str, str]:
    """Active embedding origins and their secrets (cached briefly: checked on every request)."""
    origins = cache.get(ORIGINS_CACHE_KEY)
    if origins is None:
        origins = dict(WidgetOrigin.objects.filter(active=True).values_list("origin", "secret"))
        cache.set(ORIGINS_CACHE_KEY, origins, ORIGINS_CACHE_SECONDS)
    return origins


def forget_origins() -> None:
    cache.delete(ORIGINS_CACHE_KEY)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def user_token(*, secret: str, email: str, name: str = "", lifetime: int = 3600) -> str:
    """What a host application computes (here for tests and documentation)."""
    payload = _b64(
        json.dumps({"email": email, "name": name, "exp": int(time.time()) + lifetime}).encode()
    )
    signature = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


@dataclass(frozen=True)
class WidgetUser:
    email: str
    name: str


def verify_user_token(token: str, *, secret: str) -> WidgetUser | None:
    """The user a host vouches for, or None if the token is forged, altered or expired."""
    try:
        payload, signature = token.split(".")
        expected = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            return None
        data = json.loads(_unb64(payload))
        if int(data.get("exp", 0)) < time.time():
            return None
        email = str(data["email"]).strip().lower()
        validate_email(email)
        return WidgetUser(email=email, name=str(data.get("name", ""))[:150])
    except Exception:  # noqa: BLE001  (any malformed token is simply not trusted)
        return None


class WidgetCorsMiddleware:
    """CORS for the widget's API, for the admins' list of origins only; others are refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(WIDGET_PATH):
            return self.get_response(request)
        from django.http import HttpResponse, JsonResponse

        origin = request.headers.get("origin", "")
        own = f"{request.scheme}://{request.get_host()}"
        if origin and origin != own and origin not in allowed_origins():
            return JsonResponse({"detail": "This site may not embed the help widget."}, status=403)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        else:
            response = self.get_response(request)
        if origin and origin != own:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
        # The widget never needs the portal's cookies, and must not receive any.
        response.cookies.clear()
        return response
