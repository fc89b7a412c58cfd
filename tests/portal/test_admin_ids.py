"""Admin URLs with an id that cannot be a row ("x", -1, past 64 bits) answer 404, never 500."""

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.factories import make_agent, make_editor, make_user

pytestmark = pytest.mark.django_db

MALFORMED_IDS = ["x", "-1", "99999999999999999999"]

# The admin URLs this project adds or relies on, each with its id in {id}.
CUSTOM_ADMIN_URLS = [
    "/django-admin/tickets/ticket/{id}/assign-to-me/",
    "/admin/articles-to-write/{id}/",
    "/admin/snippets/choose/kb/synonymgroup/chosen/{id}/",
    "/admin/snippets/choose/kb/learnedphrase/chosen/{id}/",
    "/admin/images/chooser/chosen/{id}/",
    "/admin/documents/chooser/chosen/{id}/",
    "/admin/snippets/kb/synonymgroup/edit/{id}/",
    "/django-admin/kb/articlepage/{id}/change/",
    "/django-admin/tickets/ticket/{id}/change/",
]
CHOSEN_SEVERAL_URLS = [
    "/admin/snippets/choose/kb/synonymgroup/chosen-multiple/",
    "/admin/images/chooser/chosen-multiple/",
    "/admin/documents/chooser/chosen-multiple/",
]


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user("root@example.com", is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("malformed", MALFORMED_IDS)
def test_an_agent_assigning_a_ticket_by_a_malformed_id_gets_404(client, malformed):
    client.force_login(make_agent())
    client.raise_request_exception = False
    url = f"/django-admin/tickets/ticket/{malformed}/assign-to-me/"
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("malformed", MALFORMED_IDS)
def test_an_editor_opening_an_article_request_by_a_malformed_id_gets_404(client, malformed):
    client.force_login(make_editor())
    client.raise_request_exception = False
    assert client.get(f"/admin/articles-to-write/{malformed}/").status_code == 404


@pytest.mark.parametrize("malformed", MALFORMED_IDS)
@pytest.mark.parametrize("url", CUSTOM_ADMIN_URLS)
def test_admin_and_chooser_urls_with_a_malformed_id_are_not_found(superuser_client, url, malformed):
    assert superuser_client.get(url.format(id=malformed)).status_code == 404


@pytest.mark.parametrize("malformed", MALFORMED_IDS)
@pytest.mark.parametrize("url", CHOSEN_SEVERAL_URLS)
def test_choosing_several_items_by_a_malformed_id_is_not_found(superuser_client, url, malformed):
    assert superuser_client.get(url, {"id": ["1", malformed]}).status_code == 404


def _admin_patterns_with_an_id(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _admin_patterns_with_an_id(pattern.url_patterns, route)
        elif "admin/" in route and re.search(r"<(\w+:)?(pk|object_id|\w*_id)>", route):
            yield route


def test_no_admin_url_with_an_id_fails_on_a_malformed_one(superuser_client):
    """Every admin URL that takes an id, including ones added after this test was written."""
    failures = []
    for route in _admin_patterns_with_an_id(get_resolver().url_patterns):
        for malformed in MALFORMED_IDS:
            url = "/" + re.sub(r"<(\w+:)?\w+>", malformed, route).lstrip("^").replace("\\Z", "")
            status = superuser_client.get(url).status_code
            if status >= 500:
                failures.append(f"{status} {url}")
    assert failures == []
