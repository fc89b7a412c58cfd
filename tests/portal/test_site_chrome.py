"""What pages carry around their content: an icon, a footer that leads somewhere else."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_site_has_an_icon_where_browsers_look_for_one(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_the_contact_page_does_not_offer_contact_support_in_its_own_footer(client):
    def footer(url):
        html = client.get(url).content.decode()
        return html[html.index('class="site-footer"') :] if "site-footer" in html else ""

    assert "Contact support" in footer("/")
    assert "Contact support" not in footer("/support/new/")
