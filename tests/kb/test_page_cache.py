"""Anonymous readers get stored pages; every change readers could notice shows at once."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from kb.models import SynonymGroup
from tests.factories import make_article, make_category, signed_in
from tests.kb.second_process import SecondProcess

pytestmark = pytest.mark.django_db


def edit_title(article, title):
    article.title = title
    article.save_revision().publish()


def test_a_second_anonymous_reader_gets_the_stored_page_for_one_query(
    django_assert_num_queries,
):
    article = make_article("Export timesheets", "Choose Export, then CSV.")
    assert "Export timesheets" in Client().get(article.url).content.decode()
    with django_assert_num_queries(1):  # the generation; no routing, no rendering
        response = Client().get(article.url)
    assert "Choose Export, then CSV." in response.content.decode()
    assert response["Cache-Control"] == "private, no-cache"


def test_publishing_an_edit_shows_on_the_next_request():
    article = make_article("Export timesheets")
    category = article.get_parent().specific
    Client().get(article.url), Client().get("/"), Client().get(category.url)
    edit_title(article, "Export timesheets to CSV")
    for path in (article.url, "/", category.url):
        assert "Export timesheets to CSV" in Client().get(path).content.decode(), path


def test_moving_unpublishing_and_deleting_show_on_the_next_request():
    article = make_article("Export timesheets", category="Reports")
    old_url = article.url
    assert Client().get(old_url).status_code == 200
    article.move(make_category("Payroll"), pos="last-child")
    article.refresh_from_db()
    moved = Client().get(old_url)
    assert (moved.status_code, moved["Location"]) == (301, article.url)
    assert Client().get(article.url).status_code == 200
    article.unpublish()
    assert Client().get(article.url).status_code == 404
    other = make_article("Import timesheets", category="Reports")
    assert Client().get(other.url).status_code == 200
    other.delete()
    assert Client().get(other.url).status_code == 404


def test_a_category_rename_shows_on_the_articles_breadcrumbs():
    article = make_article("Export timesheets", category="Reports")
    Client().get(article.url)
    category = article.get_parent().specific
    category.title = "Reporting"
    category.save_revision().publish()
    assert ">Reporting</a>" in Client().get(article.url).content.decode()


def test_a_restricted_page_is_never_stored_or_shown_from_the_cache(customer):
    article = make_article("Partner pricing", "Partners pay less.", category="Partners")
    PageViewRestriction.objects.create(
        page=article.get_parent(), restriction_type=PageViewRestriction.LOGIN
    )
    reader = signed_in(customer)
    assert "Partners pay less." in reader.get(article.url).content.decode()
    for _ in range(2):
        response = Client().get(article.url)
        assert response.status_code == 302
        assert "Partners pay less." not in response.content.decode()


def test_restricting_a_page_takes_it_out_of_the_cache_at_once():
    article = make_article("Partner pricing", "Partners pay less.", category="Partners")
    assert "Partners pay less." in Client().get(article.url).content.decode()
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    response = Client().get(article.url)
    assert response.status_code == 302
    assert "Partners pay less." not in response.content.decode()


def test_signed_in_readers_are_never_served_or_stored(customer):
    article = make_article("Export timesheets")
    mine = signed_in(customer).get(article.url).content.decode()
    assert "Sign out" in mine
    assert "Sign out" not in Client().get(article.url).content.decode()
    assert "Sign out" in signed_in(customer).get(article.url).content.decode()


def test_each_reader_of_a_stored_page_gets_a_csrf_token_that_works():
    article = make_article("Export timesheets")
    Client().get(article.url)
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(article.url)
    assert "csrftoken" in page.cookies
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = reader.post(
        f"/kb/feedback/{article.pk}/", {"helpful": "yes", "csrfmiddlewaretoken": token}
    )
    assert response.status_code in (200, 302)
    assert article.feedback.count() == 1


def test_a_browser_revalidates_with_the_etag_and_gets_not_modified():
    article = make_article("Export timesheets")
    etag = Client().get(article.url)["ETag"]
    assert Client().get(article.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    edit_title(article, "Export timesheets to CSV")
    assert Client().get(article.url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_synonym_change_expires_stored_pages():
    article = make_article("Export timesheets")
    etag = Client().get(article.url)["ETag"]
    SynonymGroup.objects.create(terms="timesheet, hours")
    assert Client().get(article.url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_publish_is_visible_on_the_next_request_in_another_process(committed_db):
    article = make_article("Export timesheets", "Choose Export, then CSV.")
    with SecondProcess("page_probe.py") as probe:
        for _ in range(2):  # the second answer comes from that process's stored copy
            assert "Export timesheets" in probe.ask(article.url)[1]
        edit_title(article, "Export hours to CSV")
        assert "Export hours to CSV" in probe.ask(article.url)[1]
        article.unpublish()
        assert probe.ask(article.url)[0] == 404
