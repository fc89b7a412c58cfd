"""The embeddable help widget's rules: which sites may embed it, and who their users are.

A host application lists its origin (and gets a shared secret) in the Django admin. Only those
origins get CORS access to the widget's API (django-cors-headers asks `cors_for_listed_origins`);
any other site is refused. To file tickets as one of its signed-in users, the host passes a JSON
Web Token signed with HS256 and that secret, carrying `email`, `exp` and optionally `name` and
`iat` (README: "The help widget"). A forged, altered, expired or incomplete token is refused
with a reason saying what is wrong.
"""

import logging
import time
from dataclasses import dataclass

import jwt
from corsheaders.signals import check_request_enabled
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from tickets.models import WidgetOrigin

logger = logging.getLogger(__name__)

ORIGINS_CACHE_KEY = "widget:origins"
ORIGINS_CACHE_SECONDS = 30
WIDGET_PATH = "/api/v1/widget/"  # settings.CORS_URLS_REGEX says the same
TOKEN_ALGORITHM = "HS256"
TOKEN_REQUIRED_CLAIMS = ["email", "exp"]
TOKEN_LEEWAY_SECONDS = 30  # the host's clock and ours may differ a little


def allowed_origins() -> dict[str, str]:
    """Active embedding origins and their secrets (cached briefly: checked on every request)."""
    origins = cache.get(ORIGINS_CACHE_KEY)
    if origins is None:
        origins = dict(WidgetOrigin.objects.filter(active=True).values_list("origin", "secret"))
        cache.set(ORIGINS_CACHE_KEY, origins, ORIGINS_CACHE_SECONDS)
    return origins


@receiver(post_save, sender=WidgetOrigin)
@receiver(post_delete, sender=WidgetOrigin)
def forget_origins(**kwargs) -> None:
    """A site added, changed or removed anywhere (admin, shell, migration) counts at once."""
    cache.delete(ORIGINS_CACHE_KEY)


def _is_widget_request(request) -> bool:
    return request.path_info.startswith(WIDGET_PATH)


@receiver(check_request_enabled)
def cors_for_listed_origins(sender, request, **kwargs) -> bool:
    """django-cors-headers' question: may this request's origin read the widget's API?"""
    return _is_widget_request(request) and request.headers.get("origin", "") in allowed_origins()


class WidgetOriginMiddleware:
    """Refuses the widget's API to sites that are not listed, and keeps cookies out of it.

    CORS headers only stop a browser from reading a response; refusing outright also keeps
    other sites from filing tickets or spending the portal's rate limits through a visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_widget_request(request):
            return self.get_response(request)
        origin = request.headers.get("origin", "")
        own = f"{request.scheme}://{request.get_host()}"
        if origin and origin != own and origin not in allowed_origins():
            refusal = JsonResponse(
                {"detail": _("This site may not embed the help widget.")}, status=403
            )
            patch_vary_headers(refusal, ("origin",))
            return refusal
        response = self.get_response(request)
        # The widget never needs the portal's cookies, and must not receive any.
        response.cookies.clear()
        return response


class UserTokenRefused(ValueError):
    """A host's user token that the portal does not trust; the message says why."""


@dataclass(frozen=True)
class WidgetUser:
    email: str
    name: str


def user_token(*, secret: str, email: str, name: str = "", lifetime: int = 3600) -> str:
    """What a host application computes (here for tests; README shows Python and Node)."""
    now = int(time.time())
    claims = {"email": email, "name": name, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def verify_user_token(token: str, *, secret: str | None) -> WidgetUser:
    """The user a host vouches for; UserTokenRefused says why a token is not trusted."""
    if not secret:
        raise UserTokenRefused(_("This site is not listed, so its user tokens cannot be checked."))
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],  # never "none", never the token's own choice
            options={"require": TOKEN_REQUIRED_CLAIMS},
            leeway=TOKEN_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError as exc:
        raise UserTokenRefused(_("The user token has expired (exp): sign a new one.")) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise UserTokenRefused(
            _("The user token has no “%(claim)s” claim.") % {"claim": exc.claim}
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise UserTokenRefused(
            _("The user token's signature does not match this site's shared secret.")
        ) from exc
    except jwt.InvalidAlgorithmError as exc:
        raise UserTokenRefused(_("The user token must be signed with HS256.")) from exc
    except jwt.ImmatureSignatureError as exc:
        raise UserTokenRefused(
            _("The user token is not valid yet (iat or nbf lies in the future).")
        ) from exc
    except jwt.DecodeError as exc:
        raise UserTokenRefused(_("The user token is not a readable JSON Web Token.")) from exc
    except jwt.InvalidTokenError as exc:
        raise UserTokenRefused(
            _("The user token is not valid: %(reason)s") % {"reason": exc}
        ) from exc
    email = str(claims["email"]).strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise UserTokenRefused(
            _("The user token's “email” claim is not an e-mail address.")
        ) from exc
    return WidgetUser(email=email, name=str(claims.get("name") or "")[:150])
