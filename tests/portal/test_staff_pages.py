"""Staff pages (Wagtail and Django admin) call no other site and name the product."""

import pytest

from tests.factories import make_user, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/account/", "/admin/users/", "/django-admin/"])
def test_admin_pages_ask_no_gravatar_for_avatars(path):
    admin = make_user("admin@example.com", is_staff=True, is_superuser=True)
    response = signed_in(admin).get(path)
    assert response.status_code == 200
    assert "gravatar" not in response.content.decode().lower()
