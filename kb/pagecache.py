"""Whole help-centre pages kept for anonymous readers, so a traffic spike costs one query each.

A page is stored only when an anonymous visitor without a session asked for it and it has no
view restriction; it is served only to such a visitor. Every stored copy is keyed by a
generation counter in the database that any change readers could notice bumps (publishing,
unpublishing, moving or deleting a page, view restrictions, synonyms), in the same
transaction as the change: the next request in every process, whatever its cache, misses and
renders afresh. Figures that drift with traffic (popular articles) may lag by PAGE_CACHE_SECONDS.

The CSRF token of a stored page belongs to whoever first asked for it, so it is stored as a
placeholder and each reader gets their own token (and cookie), as an uncached render would.
That same token is why a shared cache in front of us (a CDN) must not keep the page: responses
say `private, no-cache` with a weak ETag, so browsers revalidate cheaply instead.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from wagtail import views as wagtail_views

from kb.models import PageCacheState

MARK = "_kb_page_cacheable"
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = "\x00csrf\x00"
# Cookies that make a visitor's page their own: a session (signed in, a filed ticket, their
# feedback), pending messages, a chosen language.
PERSONAL_COOKIES = ("sessionid", "messages", "django_language")
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options")


def pages_changed() -> None:
    """Expire every stored page; call inside the transaction that makes the change."""
    if not PageCacheState.objects.filter(pk=1).update(generation=F("generation") + 1):
        PageCacheState.objects.get_or_create(pk=1, defaults={"generation": 1})


def mark_cacheable(request, page) -> None:
    """Called as Wagtail serves a page: only public pages may be kept for other readers."""
    if getattr(request, MARK, None) is not None:  # a reader whose copy may be stored
        setattr(request, MARK, not page.get_view_restrictions().exists())


def _personal_cookies() -> tuple[str, ...]:
    return (
        settings.SESSION_COOKIE_NAME,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        settings.LANGUAGE_COOKIE_NAME,
        *PERSONAL_COOKIES,
    )


def _is_wagtail_page(path: str) -> bool:
    try:
        return resolve(path).func is wagtail_views.serve
    except Resolver404:
        return False


class AnonymousPageCacheMiddleware:
    """Serve and store whole Wagtail pages for anonymous readers (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        generation = (
            PageCacheState.objects.filter(pk=1).values_list("generation", flat=True).first() or 0
        )
        key = self._key(request, generation)
        stored = cache.get(key)
        if stored is not None:
            return self._serve(request, stored)
        setattr(request, MARK, False)  # until Wagtail serves a page without restrictions
        response = self.get_response(request)
        if self._storable(request, response):
            stored = self._stored_form(response)
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
            self._add_validators(response, stored["etag"])
        return response

    @staticmethod
    def _eligible(request) -> bool:
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
            return False
        if any(name in request.COOKIES for name in _personal_cookies()):
            return False
        return _is_wagtail_page(request.path_info)

    @staticmethod
    def _key(request, generation: int) -> str:
        address = f"{request.get_host()}{request.get_full_path()}"
        language = getattr(request, "LANGUAGE_CODE", "")
        digest = hashlib.sha256(address.encode()).hexdigest()
        return f"kb:page:{generation}:{language}:{digest}"

    @staticmethod
    def _storable(request, response) -> bool:
        user = getattr(request, "user", None)
        return (
            getattr(request, MARK, False)
            and response.status_code == 200
            and not response.streaming
            and settings.SESSION_COOKIE_NAME not in response.cookies
            and not (user is not None and user.is_authenticated)
        )

    @staticmethod
    def _stored_form(response) -> dict:
        body = CSRF_FIELD.sub(
            lambda m: m.group(1) + CSRF_PLACEHOLDER + m.group(2),
            response.content.decode(response.charset),
        )
        return {
            "body": body,
            "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
            "etag": 'W/"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"',
        }

    @staticmethod
    def _add_validators(response, etag: str) -> None:
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ("Cookie",))

    def _serve(self, request, stored: dict):
        if request.headers.get("If-None-Match") == stored["etag"]:
            response = HttpResponseNotModified()
        else:
            body = stored["body"]
            if CSRF_PLACEHOLDER in body:
                body = body.replace(CSRF_PLACEHOLDER, get_token(request))
            response = HttpResponse(body)
            for name, value in stored["headers"].items():
                response[name] = value
        self._add_validators(response, stored["etag"])
        return response
