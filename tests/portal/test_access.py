"""Who may open what: every role against the pages that hold tickets or edit the knowledge base."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_agent, make_editor, make_ticket, make_user
from tickets import groups

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer_a", "customer_b", "agent", "editor", "manager", "admin"]

# url template -> expected status per role (302 = sent to a sign-in page)
MATRIX = {
    "/": [200, 200, 200, 200, 200, 200, 200],
    "/search/?q=password": [200, 200, 200, 200, 200, 200, 200],
    "/support/new/": [200, 200, 200, 200, 200, 200, 200],
    "/support/tickets/": [302, 200, 200, 200, 200, 200, 200],
    "/support/tickets/{ref}/": [404, 200, 404, 404, 404, 404, 404],
    "/support/my-data/": [302, 200, 200, 200, 200, 200, 200],
    "/api/v1/tickets": [403, 200, 200, 200, 200, 200, 200],
    "/api/v1/tickets/{ref}": [403, 200, 404, 404, 404, 404, 404],
    "/api/v1/metrics/backlog": [403, 403, 403, 200, 403, 200, 200],
    "/django-admin/": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/tickets/ticket/": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/tickets/ticket/{pk}/change/": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/tickets/contactsession/": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/tickets/slapolicy/": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/tickets/supportsettings/": [302, 302, 302, 403, 302, 200, 200],
    "/django-admin/tickets/organization/": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/backlog/": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/backlog/backlog.csv": [302, 302, 302, 200, 302, 200, 200],
    "/django-admin/portal/user/": [302, 302, 302, 403, 302, 403, 200],
    "/admin/": [302, 302, 302, 302, 200, 302, 200],
    "/admin/articles-to-write/": [302, 302, 302, 302, 200, 302, 200],
    "/admin/snippets/kb/synonymgroup/": [302, 302, 302, 302, 200, 302, 200],
    "/admin/snippets/kb/learnedphrase/": [302, 302, 302, 302, 200, 302, 200],
    "/api/schema/": [200, 200, 200, 200, 200, 200, 200],
}


@pytest.fixture
def clients():
    users = {
        "customer_a": make_user("a@example.com"),
        "customer_b": make_user("b@example.com"),
        "agent": make_agent(),
        "editor": make_editor(),
        "manager": make_user("manager@example.com", groups=[groups.MANAGERS], is_staff=True),
        "admin": make_user("root@example.com", is_staff=True, is_superuser=True),
    }
    result = {"anonymous": Client()}
    for role, user in users.items():
        client = Client()
        client.login(username=user.email, password=PASSWORD)
        result[role] = client
    result["ticket"] = make_ticket(users["customer_a"])
    return result


@pytest.mark.parametrize("url", MATRIX)
def test_every_role_gets_exactly_the_expected_response(clients, url):
    ticket = clients["ticket"]
    path = url.format(ref=ticket.reference, pk=ticket.pk)
    got = [clients[role].get(path).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, MATRIX[url], strict=True))


def test_editors_cannot_see_tickets_unless_they_are_also_agents(clients):
    from django.contrib.auth.models import Group

    from portal.models import User

    editor = User.objects.get(email="editor@example.com")
    editor.is_staff = True
    editor.save()
    assert clients["editor"].get("/django-admin/tickets/ticket/").status_code == 403
    editor.groups.add(Group.objects.get(name=groups.AGENTS))
    assert clients["editor"].get("/django-admin/tickets/ticket/").status_code == 200
